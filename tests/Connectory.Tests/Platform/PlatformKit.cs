using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>Request shortcuts the platform tests share.</summary>
static class PlatformKit
{
    /// <summary>POST /api/v1/data-connections with the fields the API requires; <paramref name="spaceId"/> null means personal.</summary>
    public static Task<HttpResponseMessage> CreateConnectionAsync(this HttpClient client, string? spaceId, string? name = null) =>
        client.PostAsJsonAsync("/api/v1/data-connections", new
        {
            qName = name ?? "conn-" + Guid.NewGuid().ToString("N")[..8],
            qConnectStatement = "CUSTOM CONNECT TO \"provider=x;host=db.example.test\"",
            qType = "x",
            datasourceID = "x",
            space = spaceId,
        });

    /// <summary>Creates a connection and returns its id (asserting 201).</summary>
    public static async Task<string> NewConnectionAsync(this HttpClient client, string? spaceId, string? name = null)
    {
        var created = await client.CreateConnectionAsync(spaceId, name).JsonAsync(HttpStatusCode.Created);
        return created.GetProperty("qID").GetString()!;
    }

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, string url, object body) =>
        client.PatchAsync(url, JsonContent.Create(body));

    public static Task<HttpResponseMessage> RenameConnectionAsync(this HttpClient client, string id) =>
        client.PatchJsonAsync($"/api/v1/data-connections/{id}", new[] { new { op = "replace", path = "/qName", value = "renamed-" + Guid.NewGuid().ToString("N")[..8] } });

    /// <summary>The ids in a list response's <c>data</c> array.</summary>
    public static IReadOnlyList<string> Ids(this JsonElement list) =>
        list.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).ToList();

    /// <summary>The qIDs in a data-connections list response.</summary>
    public static IReadOnlyList<string> ConnectionIds(this JsonElement list) =>
        list.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("qID").GetString()!).ToList();

    public static IReadOnlyList<string> Strings(this JsonElement array) =>
        array.EnumerateArray().Select(e => e.GetString()!).ToList();

    /// <summary>Follows <c>links.next</c> from <paramref name="url"/> and returns every id seen, in order.</summary>
    public static async Task<List<string>> AllPagesAsync(this HttpClient client, string url)
    {
        var ids = new List<string>();
        string? next = url;
        for (var pages = 0; next is not null; pages++)
        {
            Assert.True(pages < 100, "paging does not end");
            var page = await client.GetAsync(next).JsonAsync();
            ids.AddRange(page.Ids());
            next = page.GetProperty("links").TryGetProperty("next", out var link) && link.ValueKind == JsonValueKind.Object
                ? link.GetProperty("href").GetString()
                : null;
        }
        return ids;
    }

    /// <summary>The default tenant (made at start with the bootstrap key) as a <see cref="TestTenant"/>.</summary>
    public static async Task<TestTenant> DefaultTenantAsync(this ConnectoryFactory factory)
    {
        var admin = factory.Client(factory.BootstrapKey);
        var me = await admin.GetAsync("/api/v1/users/me").JsonAsync();
        return new TestTenant(factory, me.GetProperty("tenantId").GetString()!, me.GetProperty("id").GetString()!, admin);
    }
}
