using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.DataCredentials;
using Connectory.Tests.Qrs;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.DataConnections;

/// <summary>Names and tags refuse control, bidirectional and zero-width characters on every face, naming field and code point.</summary>
public sealed class NameCharacterTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    public static TheoryData<string, string> Refused => new()
    {
        { "a\nb", "U+000A (a control character)" },
        { "a\rb", "U+000D (a control character)" },
        { "a\tb", "U+0009 (a control character)" },
        { "a\u001Bb", "U+001B (a control character)" },
        { "a\u0085b", "U+0085 (a control character)" },
        { "invoice\u202Etxt.exe", "U+202E (a bidirectional control)" },
        { "a\u202Ab", "U+202A (a bidirectional control)" },
        { "a\u2066b", "U+2066 (a bidirectional control)" },
        { "a\u2069b", "U+2069 (a bidirectional control)" },
        { "a\u200Eb", "U+200E (a bidirectional control)" },
        { "a\u200Fb", "U+200F (a bidirectional control)" },
        { "a\u061Cb", "U+061C (a bidirectional control)" },
        { "a\u200Bb", "U+200B (a zero-width character)" },
        { "a\u200Db", "U+200D (a zero-width character)" },
        { "a\u2060b", "U+2060 (a zero-width character)" },
        { "\uFEFFab", "U+FEFF (a zero-width character)" },
    };

    static async Task AssertRefusedAsync(HttpResponseMessage response, string field, string character)
    {
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal($"Field '{field}' must not contain {character}", error.Detail());
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task CloudCreateRefusesTheCharacterInQName(string name, string character)
    {
        var tenant = await factory.NewTenantAsync();
        await AssertRefusedAsync(await tenant.Admin.PostConnectionAsync(ConnectionApi.Body(name)), "qName", character);
    }

    [Fact]
    public async Task ConnectivityNamespaceRefusesItToo()
    {
        var tenant = await factory.NewTenantAsync();
        var response = await tenant.Admin.PostAsJsonAsync("/api/connectivity/data-connections", ConnectionApi.Body("a\u202Eb"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("U+202E (a bidirectional control)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloudPutPatchTagsAndDuplicateRefuseIt()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("clean");
        var put = ConnectionApi.Body("x\u200By");
        await AssertRefusedAsync(await tenant.Admin.PutAsJsonAsync($"{ConnectionApi.Path}/{id}", put), "qName", "U+200B (a zero-width character)");
        await AssertRefusedAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { new { op = "replace", path = "/qName", value = "x\ny" } }),
            "qName", "U+000A (a control character)");
        await AssertRefusedAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { new { op = "replace", path = "/tags", value = new[] { "ok", "b\u2067ad" } } }),
            "tags", "U+2067 (a bidirectional control)");
        var tagged = ConnectionApi.Body("tagged");
        tagged["tags"] = new[] { "a\rb" };
        await AssertRefusedAsync(await tenant.Admin.PostConnectionAsync(tagged), "tags", "U+000D (a control character)");
        await AssertRefusedAsync(await tenant.Admin.PostAsJsonAsync($"{ConnectionApi.Path}/actions/duplicate", new { id, name = "copy\u202D" }),
            "name", "U+202D (a bidirectional control)");
        Assert.Equal("clean", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
    }

    [Fact]
    public async Task CredentialNamesRefuseIt()
    {
        var tenant = await factory.NewTenantAsync();
        var refused = await tenant.Admin.PutCredentialAsync(Guid.NewGuid().ToString(), new { qName = "cred\u2028ok\u202E", qType = "QvOdbcConnectorPackage.exe", qUsername = "u", qPassword = "p" });
        await AssertRefusedAsync(refused, "qName", "U+202E (a bidirectional control)");
        var id = await tenant.Admin.NewCredentialAsync("cred");
        await AssertRefusedAsync(await tenant.Admin.PatchCredentialAsync(id, new[] { new { op = "replace", path = "/qName", value = "c\u0007" } }),
            "qName", "U+0007 (a control character)");
        var connection = ConnectionApi.Body("with-credential");
        connection["qUsername"] = "u";
        connection["qPassword"] = "p";
        connection["qCredentialsName"] = "n\uFEFF";
        await AssertRefusedAsync(await tenant.Admin.PostConnectionAsync(connection), "qCredentialsName", "U+FEFF (a zero-width character)");
    }

    [Fact]
    public async Task SpaceNamesRefuseIt()
    {
        var tenant = await factory.NewTenantAsync();
        await AssertRefusedAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/spaces", new { name = "team\u200F", type = "shared" }),
            "name", "U+200F (a bidirectional control)");
        var space = await tenant.NewSpaceAsync("shared");
        await AssertRefusedAsync(await tenant.Admin.PatchAsJsonAsync($"/api/v1/spaces/{space}", new[] { new { op = "replace", path = "/name", value = "x\r\ny" } }),
            "name", "U+000D (a control character)");
    }

    [Fact]
    public async Task QrsRefusesItInPlainText()
    {
        var tenant = await factory.NewTenantAsync();
        var qrs = new QrsClient(tenant.Admin);
        var body = new { name = "odbc\u2066", type = "ODBC", connectionstring = "ODBC CONNECT TO [Sales]" };
        foreach (var response in new[] { await qrs.PostAsync("/qrs/dataconnection", body), await qrs.PostAsync("/qrs/dataconnection/many", new[] { body }) })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("'name' must not contain U+2066 (a bidirectional control)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var tagged = new { name = "odbc", type = "ODBC", connectionstring = "ODBC CONNECT TO [Sales]", tags = new[] { new { name = "t\u200C" } } };
        var taggedResponse = await qrs.PostAsync("/qrs/dataconnection", tagged);
        Assert.Equal(HttpStatusCode.BadRequest, taggedResponse.StatusCode);
        Assert.Contains("U+200C (a zero-width character)", await taggedResponse.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DcaasRefusesItInItsShape()
    {
        var tenant = await factory.NewTenantAsync();
        var response = await tenant.Admin.PostAsJsonAsync("/api/v1/dcaas/actions/data-connections", new
        {
            connectionName = "pg\u202B",
            dataSourceId = "postgres",
            connectionProperties = new { host = "db.example.test", database = "sales", username = "reader", password = "pw" },
        });
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(text).RootElement.GetProperty("errors")[0];
        Assert.StartsWith("DCAAS-", error.GetProperty("code").GetString(), StringComparison.Ordinal);
        Assert.Contains("U+202B (a bidirectional control)", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NamesStoredBeforeTheCheckStayReadable()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("legacy");
        await factory.WithDbAsync(db => db.DataConnections.IgnoreQueryFilters().Where(c => c.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Name, "legacy\u202Egpj.exe")));
        Assert.Equal("legacy\u202Egpj.exe", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
        var listed = await tenant.Admin.ListAsync("limit=100");
        Assert.Contains("legacy\u202Egpj.exe", listed.Names());
    }
}
