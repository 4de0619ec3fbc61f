using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.DataConnections;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>
/// Links carry the caller's bearer token wherever a client follows them (@qlik/api follows links.next), so a Host
/// header never chooses where they point: only this machine's names, AllowedHosts, or Hosting:PublicUrl.
/// </summary>
public sealed class PublicOriginTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static async Task<(JsonElement Body, HttpResponseMessage Response)> SendAsync(HttpClient client, HttpMethod method, string path, string? host, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (host is not null)
        {
            request.Headers.Host = host;
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return (JsonDocument.Parse(text).RootElement, response);
    }

    /// <summary>Every link of a create (Location, self) and of a list page (self, next).</summary>
    static async Task<List<string>> LinksAsync(HttpClient client, string? host)
    {
        var name = "origin-" + Guid.NewGuid().ToString("N")[..8];
        var (created, response) = await SendAsync(client, HttpMethod.Post, ConnectionApi.Path, host, ConnectionApi.Body(name));
        var (page, _) = await SendAsync(client, HttpMethod.Get, ConnectionApi.Path + "?limit=1", host);
        var links = page.GetProperty("links");
        return
        [
            response.Headers.Location!.ToString(),
            created.GetProperty("links").GetProperty("self").Str("href"),
            links.GetProperty("self").Str("href"),
            links.GetProperty("next").Str("href"),
            page.GetProperty("data")[0].GetProperty("links").GetProperty("self").Str("href"),
        ];
    }

    [Theory]
    [InlineData("evil.example.test")]
    [InlineData("evil.example.test:443")]
    [InlineData("localhost:1")]
    public async Task AForeignHostHeaderNeverBecomesTheLinksHost(string host)
    {
        var tenant = await factory.NewTenantAsync();
        await ConnectionApi.NewConnectionAsync(tenant.Admin, "second");
        var reached = $"http://127.0.0.1:{factory.BaseAddress.Port}/";
        foreach (var link in await LinksAsync(tenant.Admin, host))
        {
            Assert.StartsWith(reached, link, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ANameOfThisMachineOnTheReachedPortIsKept()
    {
        var tenant = await factory.NewTenantAsync();
        await ConnectionApi.NewConnectionAsync(tenant.Admin, "second");
        var host = $"localhost:{factory.BaseAddress.Port}";
        foreach (var link in await LinksAsync(tenant.Admin, host))
        {
            Assert.StartsWith($"http://{host}/", link, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task APublicUrlOrAnAllowedHostDecidesTheLinks()
    {
        using (var behindProxy = ConnectoryFactory.With(new() { ["Hosting:PublicUrl"] = "https://connectory.example.test/base/" }))
        {
            var tenant = await behindProxy.NewTenantAsync();
            await ConnectionApi.NewConnectionAsync(tenant.Admin, "second");
            foreach (var link in await LinksAsync(tenant.Admin, "evil.example.test"))
            {
                Assert.StartsWith("https://connectory.example.test/base/api/v1/data-connections", link, StringComparison.Ordinal);
            }
        }
        using var listed = ConnectoryFactory.With(new() { ["AllowedHosts"] = "api.example.test;localhost;127.0.0.1" });
        var listedTenant = await listed.NewTenantAsync();
        await ConnectionApi.NewConnectionAsync(listedTenant.Admin, "second");
        foreach (var link in await LinksAsync(listedTenant.Admin, "api.example.test:8443"))
        {
            Assert.StartsWith("http://api.example.test:8443/api/v1/data-connections", link, StringComparison.Ordinal);
        }
    }
}
