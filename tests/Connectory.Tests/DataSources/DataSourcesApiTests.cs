using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataSources;

/// <summary>GET /api/v1/data-sources, api-specs, gateways and settings, as data-sources.openapi.json describes them.</summary>
public sealed class DataSourcesApiTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    [Fact]
    public async Task ListsTheCatalogWithTheSpecsFields()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var body = await user.Client.GetAsync("/api/v1/data-sources").JsonAsync();
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("lastUpdated").GetString(), out _));
        Assert.False(body.TryGetProperty("connectorNodes", out _));
        var sources = body.GetProperty("dataSources").EnumerateArray().ToDictionary(s => s.GetProperty("dataSourceId").GetString()!);
        Assert.True(sources.Count >= 13);
        var postgres = sources["postgres"];
        Assert.Equal("QvOdbcConnectorPackage.exe", postgres.GetProperty("provider").GetString());
        Assert.False(string.IsNullOrEmpty(postgres.GetProperty("providerName").GetString()));
        Assert.False(string.IsNullOrEmpty(postgres.GetProperty("name").GetString()));
        Assert.False(postgres.GetProperty("disabled").GetBoolean());
        Assert.Equal("qri:db:postgres://", postgres.GetProperty("qriDefinition").GetProperty("qriPrefix").GetString());
        Assert.Equal("{host}:{port}/{database}", postgres.GetProperty("qriDefinition").GetProperty("connectionPart").GetProperty("template").GetString());
        Assert.Equal("#", postgres.GetProperty("qriDefinition").GetProperty("pathPart").GetProperty("prefix").GetString());
        Assert.NotEmpty(postgres.GetProperty("capabilities").EnumerateArray());
        Assert.Equal("QvRestConnector.exe", sources["rest"].GetProperty("provider").GetString());
        Assert.Equal("QvWebStorageProviderConnectorPackage.exe", sources["dropbox"].GetProperty("provider").GetString());
        Assert.False(sources["rest"].TryGetProperty("uiInfo", out _));
    }

    [Fact]
    public async Task DetailAndIncludeUiAddTheirParts()
    {
        var tenant = await factory.NewTenantAsync();
        var body = await tenant.Admin.GetAsync("/api/v1/data-sources?detail=true&includeui=true").JsonAsync();
        Assert.Equal(0, body.GetProperty("connectorNodes").GetArrayLength());
        var rest = body.GetProperty("dataSources").EnumerateArray().Single(s => s.GetProperty("dataSourceId").GetString() == "rest");
        Assert.EndsWith("connect-dialog.html", rest.GetProperty("uiInfo").GetProperty("connectUrl").GetString());
    }

    [Fact]
    public async Task FiltersOnTheLastDataSourceIdAndAnswers404ForAnUnknownOne()
    {
        var tenant = await factory.NewTenantAsync();
        var body = await tenant.Admin.GetAsync("/api/v1/data-sources?dataSourceId=postgres&dataSourceId=rest").JsonAsync();
        Assert.Equal("rest", Assert.Single(body.GetProperty("dataSources").EnumerateArray()).GetProperty("dataSourceId").GetString());
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/data-sources?dataSourceId=nosuch"), HttpStatusCode.NotFound);
        Assert.Contains("nosuch", error.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ApiSpecsGiveTheConnectionPropertiesSchema()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var spec = await user.Client.GetAsync("/api/v1/data-sources/postgres/api-specs").JsonAsync();
        Assert.Equal("QvOdbcConnectorPackage.exe", spec.GetProperty("connectorProvider").GetString());
        Assert.False(string.IsNullOrEmpty(spec.GetProperty("connectorVersion").GetString()));
        var properties = spec.GetProperty("connectionProperties");
        Assert.Equal("object", properties.GetProperty("type").GetString());
        Assert.Contains("host", properties.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.True(properties.GetProperty("properties").GetProperty("password").GetProperty("secret").GetBoolean());
        Assert.Equal(5432, properties.GetProperty("properties").GetProperty("port").GetProperty("default").GetInt32());

        var gbq = await user.Client.GetAsync("/api/v1/data-sources/gbq/api-specs").JsonAsync();
        var keyFile = gbq.GetProperty("connectionProperties").GetProperty("properties").GetProperty("keyFile");
        Assert.Equal("array", keyFile.GetProperty("type").GetString());
        Assert.Equal("base64", keyFile.GetProperty("contentEncoding").GetString());

        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/data-sources/nosuch/api-specs"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task GatewaysAreAnEmptyList()
    {
        var tenant = await factory.NewTenantAsync();
        var body = await tenant.Admin.GetAsync("/api/v1/data-sources/snowflake/gateways?forceRefresh=true").JsonAsync();
        Assert.Equal(0, body.GetProperty("gateways").GetArrayLength());
        Assert.True(DateTimeOffset.TryParse(body.GetProperty("refreshedAt").GetString(), out _));
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/data-sources/nosuch/gateways"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EveryEndpointNeedsACaller()
    {
        var anonymous = factory.Client(null);
        foreach (var path in new[] { "/api/v1/data-sources", "/api/v1/data-sources/rest/api-specs", "/api/v1/data-sources/rest/gateways", "/api/v1/data-sources/rest/settings" })
        {
            await ApiAssert.ErrorAsync(await anonymous.GetAsync(path), HttpStatusCode.Unauthorized, "DCERROR-0020");
        }
        await ApiAssert.ErrorAsync(await anonymous.PutAsJsonAsync("/api/v1/data-sources/rest/settings", new { disabled = true }), HttpStatusCode.Unauthorized, "DCERROR-0020");
    }

    [Fact]
    public async Task OnlyAdminsChangeSettings()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var analytics = await tenant.NewUserAsync("AnalyticsAdmin");
        var data = await tenant.NewUserAsync("DataAdmin");
        Assert.False((await user.Client.GetAsync("/api/v1/data-sources/mysql/settings").JsonAsync()).GetProperty("disabled").GetBoolean());
        await ApiAssert.ErrorAsync(await user.Client.PutAsJsonAsync("/api/v1/data-sources/mysql/settings", new { disabled = true }), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await analytics.Client.PutAsJsonAsync("/api/v1/data-sources/mysql/settings", new { disabled = true }), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.True((await data.Client.PutAsJsonAsync("/api/v1/data-sources/mysql/settings", new { disabled = true }).JsonAsync()).GetProperty("disabled").GetBoolean());
        Assert.True((await user.Client.GetAsync("/api/v1/data-sources/mysql/settings").JsonAsync()).GetProperty("disabled").GetBoolean());
        Assert.False((await tenant.Admin.PutAsJsonAsync("/api/v1/data-sources/mysql/settings", new { disabled = false }).JsonAsync()).GetProperty("disabled").GetBoolean());
        Assert.False((await user.Client.GetAsync("/api/v1/data-sources/mysql/settings").JsonAsync()).GetProperty("disabled").GetBoolean());
    }

    [Fact]
    public async Task SettingsRejectBadRequests()
    {
        var tenant = await factory.NewTenantAsync();
        await ApiAssert.ErrorAsync(await tenant.Admin.PutAsJsonAsync("/api/v1/data-sources/mysql/settings", new { }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await tenant.Admin.PutAsync("/api/v1/data-sources/mysql/settings", new StringContent("{\"disabled\":", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PutAsJsonAsync("/api/v1/data-sources/nosuch/settings", new { disabled = true }), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/data-sources/nosuch/settings"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ADisabledDataSourceIsHiddenAndRefusesNewConnectionsInItsTenantOnly()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        (await tenant.Admin.PutAsJsonAsync("/api/v1/data-sources/folder/settings", new { disabled = true })).EnsureSuccessStatusCode();

        var listed = await tenant.Admin.GetAsync("/api/v1/data-sources").JsonAsync();
        Assert.DoesNotContain(listed.GetProperty("dataSources").EnumerateArray(), s => s.GetProperty("dataSourceId").GetString() == "folder");
        var all = await tenant.Admin.GetAsync("/api/v1/data-sources?includeDisabled=true").JsonAsync();
        Assert.True(all.GetProperty("dataSources").EnumerateArray().Single(s => s.GetProperty("dataSourceId").GetString() == "folder").GetProperty("disabled").GetBoolean());
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/data-sources?dataSourceId=folder"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/data-sources/folder/api-specs"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/data-sources/folder/gateways"), HttpStatusCode.NotFound);

        var create = new { qName = "files", datasourceID = "folder", connectionProperties = new { path = "/srv/files" } };
        var refused = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", create), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Contains("disabled", refused.GetProperty("detail").GetString());

        var statement = new { qName = "raw", qType = "folder", datasourceID = "folder", qConnectStatement = "/srv/files" };
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", statement), HttpStatusCode.Forbidden, "DCERROR-0030");

        var elsewhere = await other.Admin.GetAsync("/api/v1/data-sources?dataSourceId=folder").JsonAsync();
        Assert.False(elsewhere.GetProperty("dataSources")[0].GetProperty("disabled").GetBoolean());
        await other.Admin.PostAsJsonAsync("/api/v1/data-connections", create).JsonAsync(HttpStatusCode.Created);
        await other.Admin.PostAsJsonAsync("/api/v1/data-connections", statement).JsonAsync(HttpStatusCode.Created);

        (await tenant.Admin.PutAsJsonAsync("/api/v1/data-sources/folder/settings", new { disabled = false })).EnsureSuccessStatusCode();
        await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", statement).JsonAsync(HttpStatusCode.Created);
    }
}

/// <summary>Definitions from DataSources:DefinitionsPath add to and replace the shipped ones; a bad one stops the start.</summary>
public sealed class DefinitionOverrideTests
{
    [Fact]
    public async Task AFolderDefinitionReplacesAShippedOneAndAddsNewOnes()
    {
        var folder = Directory.CreateTempSubdirectory("connectory-defs").FullName;
        var rest = JsonDocument.Parse(File.ReadAllText(ShippedFile("rest.json"))).RootElement;
        var replaced = System.Text.Json.Nodes.JsonNode.Parse(rest.GetRawText())!.AsObject();
        replaced["name"] = "REST (site build)";
        replaced["connectorVersion"] = "9.9.9";
        File.WriteAllText(Path.Combine(folder, "rest.json"), replaced.ToJsonString());
        var extra = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(ShippedFile("folder.json")))!.AsObject();
        extra["dataSourceId"] = "sitefolder";
        extra["name"] = "Site folder";
        File.WriteAllText(Path.Combine(folder, "sitefolder.json"), extra.ToJsonString());

        using var factory = ConnectoryFactory.With(new() { ["DataSources:DefinitionsPath"] = folder });
        var tenant = await factory.NewTenantAsync();
        var body = await tenant.Admin.GetAsync("/api/v1/data-sources").JsonAsync();
        var sources = body.GetProperty("dataSources").EnumerateArray().ToDictionary(s => s.GetProperty("dataSourceId").GetString()!);
        Assert.Equal("REST (site build)", sources["rest"].GetProperty("name").GetString());
        Assert.Equal("Site folder", sources["sitefolder"].GetProperty("name").GetString());
        Assert.Equal("9.9.9", (await tenant.Admin.GetAsync("/api/v1/data-sources/rest/api-specs").JsonAsync()).GetProperty("connectorVersion").GetString());
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "api", datasourceID = "rest", connectionProperties = new { url = "https://api.example.test/" } }).JsonAsync(HttpStatusCode.Created);
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{created.GetProperty("qID").GetString()}").JsonAsync();
        Assert.Contains("DcaasAPI:QvRestConnector.exe:9.9.9", read.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public void ABadDefinitionStopsTheStartNamingItsFileAndFault()
    {
        var folder = Directory.CreateTempSubdirectory("connectory-defs").FullName;
        var bad = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(ShippedFile("postgres.json")))!.AsObject();
        bad["connectStatement"] = "CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;host={host};port={port};db={database};pwd={password};SSLMode={sslMode};\"";
        var file = Path.Combine(folder, "postgres.json");
        File.WriteAllText(file, bad.ToJsonString());

        using var factory = ConnectoryFactory.With(new() { ["DataSources:DefinitionsPath"] = folder });
        var error = Assert.ThrowsAny<Exception>(() => factory.BaseAddress);
        var messages = string.Join(" | ", Flatten(error).Select(e => e.Message));
        Assert.Contains(file, messages);
        Assert.Contains("{password}", messages);
    }

    static IEnumerable<Exception> Flatten(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }

    internal static string ShippedFile(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Connectory.slnx")))
        {
            directory = directory.Parent;
        }
        return Path.Combine(directory!.FullName, "src", "Connectory", "DataSources", "Definitions", name);
    }
}
