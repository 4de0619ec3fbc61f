using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Tests.DataConnections;
using Connectory.Tests.Support;

namespace Connectory.Tests.Connectivity;

/// <summary>
/// /api/connectivity/... is /api/v1/... with Qlik's newer names: the same handlers, rules and data, answered with
/// createdAt (not created), updatedAt (not lastUpdated), ownerId accepted, and links in the namespace they were asked in.
/// </summary>
public sealed class ConnectivityNamespaceTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string Connections = "/api/connectivity/data-connections";
    const string Credentials = "/api/connectivity/data-credentials";
    const string Sources = "/api/connectivity/data-sources";

    /// <summary>A v1 body as the connectivity namespace must answer it: renamed fields, links moved to the namespace.</summary>
    static string AsConnectivity(JsonElement v1)
    {
        static JsonNode? Map(JsonNode? node) => node switch
        {
            JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(
                p.Key switch { "created" => "createdAt", "lastUpdated" => "updatedAt", _ => p.Key },
                p.Key == "connectionProperties" ? p.Value?.DeepClone() : Map(p.Value)))),
            JsonArray a => new JsonArray(a.Select(Map).ToArray()),
            JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(s.Replace("/api/v1/", "/api/connectivity/", StringComparison.Ordinal)),
            _ => node?.DeepClone(),
        };
        return Map(JsonNode.Parse(v1.GetRawText()))!.ToJsonString();
    }

    static async Task<JsonElement> Json(HttpClient client, string path) => await client.GetAsync(path).JsonAsync();

    [Fact]
    public async Task EveryReadAnswersTheV1BodyWithTheNewerNames()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("parity", edit: b =>
        {
            b["qUsername"] = "reader";
            b["qPassword"] = "parity-secret-1";
            b["tags"] = new[] { "t1" };
        });
        await tenant.Admin.NewConnectionAsync("parity-2");
        var v1 = await tenant.Admin.GetConnectionAsync(id);
        var credentialId = v1.Str("qCredentialsID");

        string[] reads =
        [
            $"/data-connections/{id}",
            $"/data-connections/{id}?parseConnection=true",
            "/data-connections/parity?type=connectionname",
            "/data-connections?limit=1",
            "/data-connections?sort=-qName&filter=qName%20sw%20%22parity%22",
            "/data-connections",
            $"/data-credentials/{credentialId}",
            "/data-sources",
            "/data-sources?dataSourceId=rest&includeui=true",
            "/data-sources/rest/api-specs",
            "/data-sources/rest/settings",
        ];
        foreach (var path in reads)
        {
            var expected = AsConnectivity(await Json(tenant.Admin, "/api/v1" + path));
            var actual = (await Json(tenant.Admin, "/api/connectivity" + path)).GetRawText();
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"{path}\nv1 renamed: {expected}\nconnectivity: {actual}");
        }
        var connection = await Json(tenant.Admin, $"{Connections}/{id}");
        Assert.False(connection.TryGetProperty("created", out _));
        Assert.StartsWith(factory.BaseAddress.ToString().TrimEnd('/') + Connections + "/", connection.GetProperty("links").GetProperty("self").Str("href"), StringComparison.Ordinal);
        Assert.True((await Json(tenant.Admin, Sources)).TryGetProperty("updatedAt", out _));
    }

    [Fact]
    public async Task EveryWriteWorksInTheNamespace()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var body = ConnectionApi.Body("written", space);
        body["ownerId"] = "app-123";
        body["qUsername"] = "reader";
        body["qPassword"] = "write-secret-1";
        var created = await tenant.Admin.PostAsJsonAsync(Connections, body);
        var made = await ApiAssert.OkAsync(created, HttpStatusCode.Created);
        var id = made.Str("qID");
        Assert.True(made.TryGetProperty("createdAt", out _));
        Assert.False(made.TryGetProperty("created", out _));
        Assert.Equal($"{factory.BaseAddress.ToString().TrimEnd('/')}{Connections}/{id}", created.Headers.Location!.ToString());
        // ownerId is the app the connection belongs to, as owner is in /api/v1.
        Assert.Equal(id, (await Json(tenant.Admin, $"/api/v1/data-connections?owner=app-123")).GetProperty("data")[0].Str("qID"));

        var patch = await tenant.Admin.PatchAsJsonAsync($"{Connections}/{id}", new[] { new { op = "replace", path = "/qName", value = "patched" } });
        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var put = ConnectionApi.Body("replaced", space);
        put["qID"] = id;
        put["qEngineObjectID"] = id;
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PutAsJsonAsync($"{Connections}/{id}", put)).StatusCode);
        Assert.Equal("replaced", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));

        var copy = await ApiAssert.OkAsync(await tenant.Admin.PostAsJsonAsync($"{Connections}/actions/duplicate", new { id, name = "copied" }), HttpStatusCode.Created);
        Assert.True(copy.TryGetProperty("createdAt", out _));
        var other = await tenant.NewUserAsync();
        var handed = await ApiAssert.OkAsync(
            await tenant.Admin.PostAsJsonAsync($"{Connections}/actions/update", new { connections = new[] { new { id = copy.Str("qID"), ownerId = other.Id } } }),
            HttpStatusCode.MultiStatus);
        Assert.Equal(204, handed.GetProperty("data")[0].GetProperty("status").GetInt32());
        Assert.Equal(other.Id, (await tenant.Admin.GetConnectionAsync(copy.Str("qID"))).Str("user"));
        var removed = await ApiAssert.OkAsync(
            await tenant.Admin.PostAsJsonAsync($"{Connections}/actions/delete", new { connections = new[] { new { id = copy.Str("qID") } } }),
            HttpStatusCode.MultiStatus);
        Assert.Equal(204, removed.GetProperty("data")[0].GetProperty("status").GetInt32());

        // Credentials: put a standalone one, read it, patch it, find it orphaned, delete it.
        var credentialId = Guid.NewGuid().ToString();
        var credential = new { qName = "standalone", qType = "QvRestConnector.exe", qUsername = "u", qPassword = "cred-secret-1", datasourceID = "rest" };
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PutAsJsonAsync($"{Credentials}/{credentialId}", credential)).StatusCode);
        var read = await Json(tenant.Admin, $"{Credentials}/{credentialId}");
        Assert.True(read.TryGetProperty("createdAt", out _));
        Assert.DoesNotContain("cred-secret-1", read.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchAsJsonAsync($"{Credentials}/{credentialId}", new[] { new { op = "replace", path = "/qName", value = "renamed" } })).StatusCode);
        var orphans = await ApiAssert.OkAsync(await tenant.Admin.PostAsJsonAsync($"{Credentials}/actions/filter-orphan", new { }));
        var orphan = orphans.GetProperty("data").EnumerateArray().Single(o => o.Str("qID") == credentialId);
        Assert.True(orphan.TryGetProperty("createdAt", out _));
        Assert.False(orphan.TryGetProperty("created", out _));
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"{Credentials}/{credentialId}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"{Connections}/{id}")).StatusCode);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{Connections}/{id}"), HttpStatusCode.NotFound);

        var settings = await ApiAssert.OkAsync(await tenant.Admin.PutAsJsonAsync($"{Sources}/rest/settings", new { disabled = true }));
        Assert.True(settings.GetProperty("disabled").GetBoolean());
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(Connections, ConnectionApi.Body("refused")), HttpStatusCode.Forbidden);
        await tenant.Admin.PutAsJsonAsync($"{Sources}/rest/settings", new { disabled = false });
    }

    [Fact]
    public async Task TheSameRulesHoldAcrossTenantsSpacesAndRoles()
    {
        var tenant = await factory.NewTenantAsync();
        var stranger = await factory.NewTenantAsync();
        var member = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var id = await tenant.Admin.NewConnectionAsync("guarded", space, edit: b =>
        {
            b["qUsername"] = "reader";
            b["qPassword"] = "guarded-secret-1";
        });
        var credentialId = (await tenant.Admin.GetConnectionAsync(id)).Str("qCredentialsID");

        foreach (var (client, who) in new[] { (stranger.Admin, "another tenant's admin"), (member.Client, "a user outside the space") })
        {
            foreach (var path in new[] { $"{Connections}/{id}", $"{Credentials}/{credentialId}", $"{Connections}/guarded?type=connectionname&spaceId={space}" })
            {
                var error = await ApiAssert.ErrorAsync(await client.GetAsync(path), HttpStatusCode.NotFound);
                Assert.True(error.ValueKind == JsonValueKind.Object, who);
            }
            await ApiAssert.ErrorAsync(await client.DeleteAsync($"{Connections}/{id}"), HttpStatusCode.NotFound);
            Assert.DoesNotContain(id, (await Json(client, Connections)).GetRawText(), StringComparison.Ordinal);
        }
        await tenant.AssignAsync(space, member.Id, "dataconsumer");
        Assert.Equal(id, (await Json(member.Client, $"{Connections}/{id}")).Str("qID"));
        await ApiAssert.ErrorAsync(await member.Client.DeleteAsync($"{Connections}/{id}"), HttpStatusCode.Forbidden);
        await ApiAssert.ErrorAsync(
            await member.Client.PostAsJsonAsync($"{Connections}/actions/delete", new { connections = new[] { new { id } } }), HttpStatusCode.Forbidden);
        await ApiAssert.ErrorAsync(await member.Client.PutAsJsonAsync($"{Sources}/rest/settings", new { disabled = true }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task BadInputAndUnknownRoutesAnswerInTheCloudErrorShape()
    {
        var tenant = await factory.NewTenantAsync();
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{Connections}?limit=abc"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{Connections}?sort=sideways"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsync(Connections, new StringContent("{\"qName\":", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{Connections}/{Guid.NewGuid()}/nothing/here"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{Sources}/no-such-source/api-specs"), HttpStatusCode.NotFound);
        var wrongMethod = await tenant.Admin.PatchAsJsonAsync(Connections, new { });
        await ApiAssert.ErrorAsync(wrongMethod, HttpStatusCode.MethodNotAllowed);
        await ApiAssert.ErrorAsync(await factory.Client(null).GetAsync(Connections), HttpStatusCode.Unauthorized);
    }
}
