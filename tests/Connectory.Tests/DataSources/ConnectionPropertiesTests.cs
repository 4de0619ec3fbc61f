using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.DataCredentials;
using Connectory.DataSources;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.DataSources;

/// <summary>POST /api/v1/data-connections with DcaasConnectionCreate, reading back with parseConnection, and PATCH of /connectionProperties.</summary>
public sealed class ConnectionPropertiesTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static object Postgres(string name = "sales", object? properties = null, string[]? tags = null) => new
    {
        qName = name,
        datasourceID = "postgres",
        connectionProperties = properties ?? new { host = "db.example.test", port = 5433, database = "sales", username = "reader", password = "pa;ss'word" },
        tags,
    };

    [Fact]
    public async Task CreatesAConnectionFromPropertiesWithTheStatementTypeTagAndQriOfItsDefinition()
    {
        var tenant = await factory.NewTenantAsync();
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Postgres(tags: ["finance"])).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("QvOdbcConnectorPackage.exe", created.GetProperty("qType").GetString());
        Assert.Equal("CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=postgres;host=db.example.test;port=5433;db=sales;SSLMode=prefer;\"",
            created.GetProperty("qConnectStatement").GetString());
        Assert.False(string.IsNullOrEmpty(created.GetProperty("qCredentialsID").GetString()));
        Assert.Contains("update", created.GetProperty("privileges").EnumerateArray().Select(p => p.GetString()));

        var id = created.GetProperty("qID").GetString();
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}").JsonAsync();
        Assert.Equal("postgres", read.GetProperty("datasourceID").GetString());
        Assert.Equal(["finance", "DcaasAPI:QvOdbcConnectorPackage.exe:1.16.0"], read.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToArray());
        Assert.StartsWith("qri:db:postgres://", read.GetProperty("qri").GetString());
        Assert.DoesNotContain("pa;ss'word", await (await tenant.Admin.GetAsync("/api/v1/data-connections")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SecretsAreStoredEncryptedInTheCredentialAndNeverInTheStatement()
    {
        var tenant = await factory.NewTenantAsync();
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Postgres()).JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("qID").GetString()!;
        var (statement, credential) = await factory.WithDbAsync(async db => (
            await db.DataConnections.IgnoreQueryFilters().Where(c => c.Id == id).Select(c => c.ConnectStatement).SingleAsync(),
            await db.DataCredentials.IgnoreQueryFilters().SingleAsync(c => c.ConnectionId == id)));
        Assert.DoesNotContain("pa;ss'word", statement);
        Assert.Equal("reader", credential.Username);
        Assert.StartsWith("v1:", credential.Password);
        Assert.DoesNotContain("pa;ss'word", credential.Password);
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal("pa;ss'word", scope.ServiceProvider.GetRequiredService<CredentialStore>().PasswordOf(credential));
        Assert.DoesNotContain(factory.Logs, l => l.Contains("pa;ss'word", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ParseConnectionGivesBackThePropertiesWithoutSecrets()
    {
        var tenant = await factory.NewTenantAsync();
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Postgres()).JsonAsync(HttpStatusCode.Created);
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{created.GetProperty("qID").GetString()}?parseConnection=true").JsonAsync();
        var properties = JsonNode.Parse(read.GetProperty("connectionProperties").GetRawText());
        var expected = JsonNode.Parse("""{"host":"db.example.test","port":5433,"database":"sales","sslMode":"prefer","username":"reader"}""");
        Assert.True(JsonNode.DeepEquals(expected, properties), properties!.ToJsonString());
    }

    public static TheoryData<string> NonOAuth() =>
        ["snowflake", "postgres", "sqlserver", "mysql", "oracle", "databricks", "gbq", "athena", "rest", "File_AmazonS3ConnectorV2", "folder"];

    [Theory]
    [MemberData(nameof(NonOAuth))]
    public async Task EveryShippedDefinitionRoundTripsThroughTheApi(string id)
    {
        var tenant = await factory.NewTenantAsync();
        var definition = factory.Services.GetRequiredService<DataSourceCatalog>().Find(id)!;
        var given = Samples.For(definition);
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "rt-" + id, datasourceID = id, connectionProperties = given }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(definition.ConnectionType, created.GetProperty("qType").GetString());
        Assert.DoesNotContain(Samples.SecretMarker, created.GetProperty("qConnectStatement").GetString());
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{created.GetProperty("qID").GetString()}?parseConnection=true").JsonAsync();
        var properties = JsonNode.Parse(read.GetProperty("connectionProperties").GetRawText());
        Assert.True(JsonNode.DeepEquals(Samples.Readable(definition, given), properties), properties!.ToJsonString());
        Assert.StartsWith(definition.QriDefinition.QriPrefix, read.GetProperty("qri").GetString());
    }

    [Fact]
    public async Task EveryBadPropertyIsNamedInOne400()
    {
        var tenant = await factory.NewTenantAsync();
        var response = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            Postgres(properties: new { port = "5432", database = 7, username = "u", password = "p", sslMode = "sometimes", colour = "blue" }));
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "DCERROR-0014");
        var detail = error.GetProperty("detail").GetString()!;
        Assert.Contains("'host' is required", detail);
        Assert.Contains("'port' must be an integer", detail);
        Assert.Contains("'database' must be a string", detail);
        Assert.Contains("'sslMode' must be one of", detail);
        Assert.Contains("'colour' is not a connection property", detail);
        Assert.DoesNotContain("'password'", detail);
    }

    [Fact]
    public async Task APropertyNamedTwiceIs400()
    {
        var tenant = await factory.NewTenantAsync();
        const string body = """{"qName":"x","datasourceID":"folder","connectionProperties":{"path":"/a","path":"/b"}}""";
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsync("/api/v1/data-connections",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Contains("'path' more than once", error.GetProperty("detail").GetString());
        const string nested = """{"qName":"x","datasourceID":"rest","connectionProperties":{"url":"https://x.test/","queryHeaders":[{"name":"a","name":"b","value":"c"}]}}""";
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsync("/api/v1/data-connections",
            new StringContent(nested, System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RangesUrlsAndFilesAreChecked()
    {
        var tenant = await factory.NewTenantAsync();
        var port = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            Postgres(properties: new { host = "h", port = 70000, database = "d", username = "u", password = "p" })), HttpStatusCode.BadRequest);
        Assert.Contains("'port' must be at most 65535", port.GetProperty("detail").GetString());
        var url = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "api", datasourceID = "rest", connectionProperties = new { url = "not a url" } }), HttpStatusCode.BadRequest);
        Assert.Contains("'url' must be an absolute http or https URL", url.GetProperty("detail").GetString());
        var file = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "bq", datasourceID = "gbq", connectionProperties = new { projectId = "p", serviceAccountEmail = "e", keyFile = new[] { new { name = "k.json", value = "not base64!" } } } }),
            HttpStatusCode.BadRequest);
        Assert.Contains("'keyFile' item 0", file.GetProperty("detail").GetString());
        var pairs = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "api", datasourceID = "rest", connectionProperties = new { url = "https://x.test/", queryHeaders = new[] { new { name = "a" } } } }),
            HttpStatusCode.BadRequest);
        Assert.Contains("'queryHeaders' item 0", pairs.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task RequestFieldsAreChecked()
    {
        var tenant = await factory.NewTenantAsync();
        var unknown = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "x", datasourceID = "nosuch", connectionProperties = new { } }), HttpStatusCode.BadRequest);
        Assert.Contains("nosuch", unknown.GetProperty("detail").GetString());
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "x", connectionProperties = new { } }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "x", datasourceID = "folder", connectionProperties = new[] { 1 } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { datasourceID = "folder", connectionProperties = new { path = "/x" } }), HttpStatusCode.BadRequest, "DCERROR-0013");
        var tags = Enumerable.Range(0, 32).Select(i => "t" + i).ToArray();
        var tooMany = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "x", datasourceID = "folder", connectionProperties = new { path = "/x" }, tags }), HttpStatusCode.BadRequest);
        Assert.Contains("31", tooMany.GetProperty("detail").GetString());
        await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "x", datasourceID = "folder", connectionProperties = new { path = "/x" }, tags = tags[..31] }).JsonAsync(HttpStatusCode.Created);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "x", datasourceID = "folder", connectionProperties = new { path = "/y" } }), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task SpacesRulesApply()
    {
        var tenant = await factory.NewTenantAsync();
        var member = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var body = new { qName = "x", datasourceID = "folder", connectionProperties = new { path = "/x" }, space };
        await ApiAssert.ErrorAsync(await member.Client.PostAsJsonAsync("/api/v1/data-connections", body), HttpStatusCode.NotFound);
        await tenant.AssignAsync(space, member.Id, "consumer");
        await ApiAssert.ErrorAsync(await member.Client.PostAsJsonAsync("/api/v1/data-connections", body), HttpStatusCode.Forbidden, "DCERROR-0030");
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", body).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(space, created.GetProperty("space").GetString());
    }

    [Fact]
    public async Task TheSameTargetGetsTheSameQriInATenantAndAnotherInAnotherTenant()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        async Task<string> QriAsync(TestTenant t, string name, string host)
        {
            var created = await t.Admin.PostAsJsonAsync("/api/v1/data-connections",
                Postgres(name, new { host, database = "sales", username = "u", password = "p" })).JsonAsync(HttpStatusCode.Created);
            return (await t.Admin.GetAsync($"/api/v1/data-connections/{created.GetProperty("qID").GetString()}").JsonAsync()).GetProperty("qri").GetString()!;
        }
        var first = await QriAsync(tenant, "a", "db.example.test");
        Assert.Equal(first, await QriAsync(tenant, "b", "DB.example.test"));
        Assert.NotEqual(first, await QriAsync(tenant, "c", "db2.example.test"));
        Assert.NotEqual(first, await QriAsync(other, "a", "db.example.test"));
        Assert.DoesNotContain("example", first);
    }

    [Fact]
    public async Task PatchingAPropertyReprintsTheStatement()
    {
        var tenant = await factory.NewTenantAsync();
        var id = (await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Postgres()).JsonAsync(HttpStatusCode.Created)).GetProperty("qID").GetString();
        var patch = await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{id}", new object[]
        {
            new { op = "replace", path = "/connectionProperties/database", value = "sales2" },
            new { op = "replace", path = "/connectionProperties/sslMode", value = "require" },
            new { op = "replace", path = "/qName", value = "sales two" },
        });
        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true").JsonAsync();
        Assert.Equal("sales two", read.GetProperty("qName").GetString());
        Assert.Equal("CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=postgres;host=db.example.test;port=5433;db=sales2;SSLMode=require;\"",
            read.GetProperty("qConnectStatement").GetString());
        Assert.Equal("sales2", read.GetProperty("connectionProperties").GetProperty("database").GetString());

        var removed = await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{id}", new object[] { new { op = "remove", path = "/connectionProperties/sslMode" } });
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var again = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true").JsonAsync();
        Assert.Equal("prefer", again.GetProperty("connectionProperties").GetProperty("sslMode").GetString());
    }

    [Fact]
    public async Task ChangingTheHostNeedsTheCredentialsInTheSameRequest()
    {
        var tenant = await factory.NewTenantAsync();
        var id = (await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Postgres()).JsonAsync(HttpStatusCode.Created)).GetProperty("qID").GetString()!;
        var refused = await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{id}",
            new object[] { new { op = "replace", path = "/connectionProperties/host", value = "evil.example.test" } }), HttpStatusCode.BadRequest);
        Assert.Contains("target", refused.GetProperty("detail").GetString());
        var unchanged = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true").JsonAsync();
        Assert.Equal("db.example.test", unchanged.GetProperty("connectionProperties").GetProperty("host").GetString());

        var moved = await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{id}", new object[]
        {
            new { op = "replace", path = "/connectionProperties/host", value = "db2.example.test" },
            new { op = "replace", path = "/connectionProperties/password", value = "new-secret" },
            new { op = "replace", path = "/connectionProperties/username", value = "writer" },
        });
        Assert.Equal(HttpStatusCode.NoContent, moved.StatusCode);
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true").JsonAsync();
        Assert.Equal("db2.example.test", read.GetProperty("connectionProperties").GetProperty("host").GetString());
        Assert.Equal("writer", read.GetProperty("connectionProperties").GetProperty("username").GetString());
        var credential = await factory.WithDbAsync(db => db.DataCredentials.IgnoreQueryFilters().SingleAsync(c => c.ConnectionId == id));
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.Equal("new-secret", scope.ServiceProvider.GetRequiredService<CredentialStore>().PasswordOf(credential));
        Assert.NotEqual(unchanged.GetProperty("qri").GetString(), read.GetProperty("qri").GetString());
    }

    [Fact]
    public async Task BadPropertyPatchesAreRefusedAndChangeNothing()
    {
        var tenant = await factory.NewTenantAsync();
        var id = (await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Postgres()).JsonAsync(HttpStatusCode.Created)).GetProperty("qID").GetString();
        async Task<JsonElement> Refused(params object[] operations) =>
            await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{id}", operations), HttpStatusCode.BadRequest);

        Assert.Contains("'colour'", (await Refused(new { op = "add", path = "/connectionProperties/colour", value = "blue" })).GetProperty("detail").GetString());
        Assert.Contains("'port' must be an integer", (await Refused(new { op = "replace", path = "/connectionProperties/port", value = "x" })).GetProperty("detail").GetString());
        Assert.Contains("'database' is required", (await Refused(new { op = "remove", path = "/connectionProperties/database" })).GetProperty("detail").GetString());
        Assert.Contains("'password' is required", (await Refused(new { op = "remove", path = "/connectionProperties/password" })).GetProperty("detail").GetString());
        await Refused(new { op = "replace", path = "/connectionProperties/database" });
        await Refused(
            new { op = "replace", path = "/connectionProperties/database", value = "x" },
            new { op = "replace", path = "/qConnectStatement", value = "CUSTOM CONNECT TO \"provider=x.exe;\"" });
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true").JsonAsync();
        Assert.Equal("sales", read.GetProperty("connectionProperties").GetProperty("database").GetString());
    }

    [Fact]
    public async Task AConnectionMadeFromAStatementHasNoPropertiesToPatch()
    {
        var tenant = await factory.NewTenantAsync();
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", new
        {
            qName = "raw",
            qType = "QvOdbcConnectorPackage.exe",
            datasourceID = "postgres",
            qConnectStatement = "CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=other;host=h;\"",
        }).JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("qID").GetString();
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{id}",
            new object[] { new { op = "replace", path = "/connectionProperties/host", value = "x" } }), HttpStatusCode.BadRequest);
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true").JsonAsync();
        Assert.Equal("other", read.GetProperty("connectionProperties").GetProperty("driver").GetString());
    }

    [Fact]
    public async Task PatchingPropertiesNeedsTheUpdatePrivilege()
    {
        var tenant = await factory.NewTenantAsync();
        var member = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        await tenant.AssignAsync(space, member.Id, "dataconsumer");
        var id = (await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "files", datasourceID = "folder", connectionProperties = new { path = "/srv" }, space }).JsonAsync(HttpStatusCode.Created)).GetProperty("qID").GetString();
        await member.Client.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true").JsonAsync();
        await ApiAssert.ErrorAsync(await member.Client.PatchAsJsonAsync($"/api/v1/data-connections/{id}",
            new object[] { new { op = "replace", path = "/connectionProperties/path", value = "/etc" } }), HttpStatusCode.Forbidden);
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}").JsonAsync();
        Assert.Equal("/srv", read.GetProperty("qConnectStatement").GetString());
    }

    [Fact]
    public async Task AnotherTenantCannotReadOrPatchTheConnection()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        var id = (await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Postgres()).JsonAsync(HttpStatusCode.Created)).GetProperty("qID").GetString();
        await ApiAssert.ErrorAsync(await other.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await other.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{id}",
            new object[] { new { op = "replace", path = "/connectionProperties/database", value = "x" } }), HttpStatusCode.NotFound);
    }
}
