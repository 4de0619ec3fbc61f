using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Tests.Support;

namespace Connectory.Tests.Dcaas;

/// <summary>The deprecated DCaaS endpoints (dcaas.openapi.json): own shapes, Deprecation and successor Link headers, a counted log line.</summary>
public sealed class DeprecatedDcaasTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string Root = "/api/v1/dcaas/actions/data-connections";

    static object Postgres(string name = "sales") => new
    {
        connectionName = name,
        dataSourceId = "postgres",
        connectionProperties = new { host = "db.example.test", database = "sales", username = "reader", password = "pw-1" },
        tags = new[] { "t1" },
    };

    static void AssertDeprecated(HttpResponseMessage response, string successor)
    {
        Assert.Equal("true", response.Headers.GetValues("Deprecation").Single());
        Assert.Equal($"<{successor}>; rel=\"successor-version\"", response.Headers.GetValues("Link").Single());
    }

    /// <summary>The DCaaS error body: errors with code, title, detail and optional meta, and no status member.</summary>
    static async Task<JsonElement[]> DcaasErrorsAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType ?? "");
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors").EnumerateArray().ToArray();
        Assert.NotEmpty(errors);
        foreach (var error in errors)
        {
            Assert.StartsWith("DCAAS-", error.GetProperty("code").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("title").GetString()));
            Assert.False(error.TryGetProperty("status", out _));
            Assert.True(error.EnumerateObject().All(p => p.Name is "code" or "title" or "detail" or "meta"), error.GetRawText());
        }
        return errors;
    }

    [Fact]
    public async Task CreateAnswersCreateConnectionResWithDeprecationHeaders()
    {
        var tenant = await factory.NewTenantAsync();
        var response = await tenant.Admin.PostAsJsonAsync(Root, Postgres());
        var body = await ApiAssert.OkAsync(response, HttpStatusCode.Created);
        AssertDeprecated(response, "/api/v1/data-connections");
        Assert.Equal("sales", body.GetProperty("connectionName").GetString());
        Assert.Equal("postgres", body.GetProperty("dataSourceId").GetString());
        Assert.Equal(tenant.AdminUserId, body.GetProperty("userId").GetString());
        Assert.Equal(tenant.Id, body.GetProperty("tenantId").GetString());
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("createdAt").GetString(), out _));
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("updateAt").GetString(), out _));
        Assert.False(string.IsNullOrEmpty(body.GetProperty("credentialsId").GetString()));
        Assert.False(body.TryGetProperty("qID", out _));

        var id = body.GetProperty("connectionId").GetString();
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true").JsonAsync();
        Assert.Equal(["t1", "DcaasAPI:QvOdbcConnectorPackage.exe:1.16.0"], read.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.Equal(5432, read.GetProperty("connectionProperties").GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task TheDocumentedStringifiedBodyIsAccepted()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var json = $$"""{"tags":"[\"tag1\", \"tag2\"]","spaceId":"{{space}}","authUrlOnly":false,"dataSourceId":"rest","connectionName":"MyConnection","connectionProperties":"{\"url\": \"https://api.example.test/\"}"}""";
        var body = await tenant.Admin.PostAsync(Root, new StringContent(json, Encoding.UTF8, "application/json")).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(space, body.GetProperty("spaceId").GetString());
        Assert.False(body.TryGetProperty("credentialsId", out _));
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{body.GetProperty("connectionId").GetString()}").JsonAsync();
        Assert.Contains("tag2", read.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task EachBadPropertyIsItsOwnErrorWithItsName()
    {
        var tenant = await factory.NewTenantAsync();
        var response = await tenant.Admin.PostAsJsonAsync(Root, new
        {
            connectionName = "x",
            dataSourceId = "postgres",
            connectionProperties = new { port = true, username = "u", password = "p", database = "d", extra = 1 },
        });
        AssertDeprecated(response, "/api/v1/data-connections");
        var errors = await DcaasErrorsAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["extra", "host", "port"], errors.Select(e => e.GetProperty("meta").GetProperty("property").GetString()!).Order().ToArray());
        Assert.All(errors, e => Assert.Equal("DCAAS-1002", e.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task RequestErrorsUseTheDcaasShape()
    {
        var tenant = await factory.NewTenantAsync();
        var malformed = await tenant.Admin.PostAsync(Root, new StringContent("{\"connectionName\":", Encoding.UTF8, "application/json"));
        Assert.Equal("DCAAS-1001", (await DcaasErrorsAsync(malformed, HttpStatusCode.BadRequest))[0].GetProperty("code").GetString());
        var notObject = await tenant.Admin.PostAsync(Root, new StringContent("[1]", Encoding.UTF8, "application/json"));
        await DcaasErrorsAsync(notObject, HttpStatusCode.BadRequest);
        var noSource = await tenant.Admin.PostAsJsonAsync(Root, new { connectionName = "x", connectionProperties = new { } });
        var missing = (await DcaasErrorsAsync(noSource, HttpStatusCode.BadRequest))[0];
        Assert.Equal("DCAAS-1003", missing.GetProperty("code").GetString());
        Assert.Contains("dataSourceId", missing.GetProperty("detail").GetString());
        var noName = await tenant.Admin.PostAsJsonAsync(Root, new { dataSourceId = "folder", connectionProperties = new { path = "/x" } });
        Assert.Contains("connectionName", (await DcaasErrorsAsync(noName, HttpStatusCode.BadRequest))[0].GetProperty("detail").GetString());
        var badTags = await tenant.Admin.PostAsJsonAsync(Root, new { connectionName = "x", dataSourceId = "folder", connectionProperties = new { path = "/x" }, tags = new[] { 1 } });
        await DcaasErrorsAsync(badTags, HttpStatusCode.BadRequest);
        (await tenant.Admin.PostAsJsonAsync(Root, new { connectionName = "x", dataSourceId = "folder", connectionProperties = new { path = "/x" } })).EnsureSuccessStatusCode();
        var duplicate = await tenant.Admin.PostAsJsonAsync(Root, new { connectionName = "x", dataSourceId = "folder", connectionProperties = new { path = "/y" } });
        Assert.Equal("DCAAS-3002", (await DcaasErrorsAsync(duplicate, HttpStatusCode.Conflict))[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task ADisabledDataSourceIs403DataSourceNotEnabled()
    {
        var tenant = await factory.NewTenantAsync();
        (await tenant.Admin.PutAsJsonAsync("/api/v1/data-sources/postgres/settings", new { disabled = true })).EnsureSuccessStatusCode();
        var create = (await DcaasErrorsAsync(await tenant.Admin.PostAsJsonAsync(Root, Postgres()), HttpStatusCode.Forbidden))[0];
        Assert.Equal("DCAAS-2001", create.GetProperty("code").GetString());
        Assert.Equal("Data source is not enabled.", create.GetProperty("title").GetString());
        var specs = (await DcaasErrorsAsync(await tenant.Admin.GetAsync($"{Root}/api-specs?dataSourceId=postgres"), HttpStatusCode.Forbidden))[0];
        Assert.Equal("DCAAS-2001", specs.GetProperty("code").GetString());
    }

    [Fact]
    public async Task GetAnswersGetConnectionResponseWithParsedProperties()
    {
        var tenant = await factory.NewTenantAsync();
        var id = (await tenant.Admin.PostAsJsonAsync(Root, Postgres()).JsonAsync(HttpStatusCode.Created)).GetProperty("connectionId").GetString();
        var response = await tenant.Admin.GetAsync($"{Root}/{id}");
        var body = await ApiAssert.OkAsync(response);
        AssertDeprecated(response, $"/api/v1/data-connections/{id}?parseConnection=true");
        Assert.Equal(id, body.GetProperty("connectionId").GetString());
        Assert.Equal("sales", body.GetProperty("connectionName").GetString());
        Assert.Equal("postgres", body.GetProperty("dataSourceId").GetString());
        Assert.Equal(tenant.Id, body.GetProperty("tenantId").GetString());
        Assert.Equal(tenant.AdminUserId, body.GetProperty("userId").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("credentialsId").GetString()));
        Assert.Contains("t1", body.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var expected = JsonNode.Parse("""{"host":"db.example.test","port":5432,"database":"sales","sslMode":"prefer","username":"reader"}""");
        Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(body.GetProperty("connectionProperties").GetRawText())), body.GetRawText());
        Assert.DoesNotContain("pw-1", body.GetRawText());
    }

    [Fact]
    public async Task GetOfAnUnknownOrForeignConnectionIs404InTheDcaasShape()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        var id = (await tenant.Admin.PostAsJsonAsync(Root, Postgres()).JsonAsync(HttpStatusCode.Created)).GetProperty("connectionId").GetString();
        var foreign = await other.Admin.GetAsync($"{Root}/{id}");
        Assert.Equal("DCAAS-3001", (await DcaasErrorsAsync(foreign, HttpStatusCode.NotFound))[0].GetProperty("code").GetString());
        await DcaasErrorsAsync(await tenant.Admin.GetAsync($"{Root}/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ApiSpecsAnswerTheDataSourcesSchema()
    {
        var tenant = await factory.NewTenantAsync();
        var response = await tenant.Admin.GetAsync($"{Root}/api-specs?dataSourceId=rest");
        var body = await ApiAssert.OkAsync(response);
        AssertDeprecated(response, "/api/v1/data-sources/rest/api-specs");
        Assert.Equal("QvRestConnector.exe", body.GetProperty("connectorProvider").GetString());
        Assert.Equal("1.180.0", body.GetProperty("connectorVersion").GetString());
        Assert.Equal("object", body.GetProperty("connectionProperties").GetProperty("type").GetString());
        var current = await tenant.Admin.GetAsync("/api/v1/data-sources/rest/api-specs").JsonAsync();
        Assert.Equal(current.GetRawText(), body.GetRawText());

        Assert.Equal("DCAAS-1003", (await DcaasErrorsAsync(await tenant.Admin.GetAsync($"{Root}/api-specs"), HttpStatusCode.BadRequest))[0].GetProperty("code").GetString());
        await DcaasErrorsAsync(await tenant.Admin.GetAsync($"{Root}/api-specs?dataSourceId=nosuch"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EveryCallIsCountedInTheLog()
    {
        // The count is per app since its start: an app of its own, so no other test's calls are in it.
        using var own = new ConnectoryFactory();
        var tenant = await own.NewTenantAsync();
        for (var i = 0; i < 3; i++)
        {
            (await tenant.Admin.GetAsync($"{Root}/api-specs?dataSourceId=folder")).EnsureSuccessStatusCode();
        }
        var lines = own.Logs.Where(l => l.Contains("Deprecated endpoint GET /api/v1/dcaas/actions/data-connections/api-specs", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Contains("(3 calls since start)", lines[^1]);
        Assert.Contains(tenant.Id, lines[^1]);
        Assert.Contains("/api/v1/data-sources/folder/api-specs", lines[^1]);
    }

    [Fact]
    public async Task EveryEndpointNeedsACaller()
    {
        var anonymous = factory.Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"{Root}/api-specs?dataSourceId=rest")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"{Root}/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync(Root, Postgres())).StatusCode);
    }
}
