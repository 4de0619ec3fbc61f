using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.DataCredentials;
using Connectory.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.DataSources;

/// <summary>
/// The OAuth code flow end to end: authUrlOnly gives the authorize URL with a signed state; a code and that state are
/// exchanged over HTTP at a token endpoint on loopback (the shipped dropbox definition, pointed there by an override).
/// </summary>
public sealed class OAuthFlowTests : IClassFixture<OAuthApp>
{
    const string RedirectUri = OAuthApp.RedirectUri;
    readonly OAuthTokenServer server;
    readonly ConnectoryFactory factory;

    public OAuthFlowTests(OAuthApp app)
    {
        app.Reset();
        server = app.Server;
        factory = app.Factory;
    }

    static async Task<Dictionary<string, string>> AuthUrlAsync(HttpClient client, string dataSourceId = "dropbox")
    {
        var body = await client.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "ignored", datasourceID = dataSourceId, connectionProperties = new { }, authUrlOnly = true }).JsonAsync(HttpStatusCode.Created);
        var url = new Uri(body.GetProperty("authUrl").GetString()!);
        Assert.Equal("https://www.dropbox.com/oauth2/authorize", url.GetLeftPart(UriPartial.Path));
        return QueryHelpers.ParseQuery(url.Query).ToDictionary(q => q.Key, q => q.Value.ToString());
    }

    static object Create(string code, string? state, string name = "box") => new
    {
        qName = name,
        datasourceID = "dropbox",
        connectionProperties = new { authCode = code, state, rootPath = "/reports" },
    };

    Task AssertNothingKeptAsync(TestTenant tenant) => AssertNothingKeptAsync(factory, tenant);

    static async Task AssertNothingKeptAsync(ConnectoryFactory factory, TestTenant tenant)
    {
        var kept = await factory.WithDbAsync(async db => (
            await db.DataConnections.IgnoreQueryFilters().CountAsync(c => c.TenantId == tenant.Id),
            await db.DataCredentials.IgnoreQueryFilters().CountAsync(c => c.TenantId == tenant.Id)));
        Assert.Equal((0, 0), kept);
    }

    [Fact]
    public async Task AuthUrlOnlyAnswersTheAuthorizeUrlAndMakesNothing()
    {
        var tenant = await factory.NewTenantAsync();
        var query = await AuthUrlAsync(tenant.Admin);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("client-1", query["client_id"]);
        Assert.Equal(RedirectUri, query["redirect_uri"]);
        Assert.Equal("account_info.read files.metadata.read files.content.read", query["scope"]);
        Assert.Equal("offline", query["token_access_type"]);
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.DoesNotContain(query.Values, v => v.Contains("client-secret-1", StringComparison.Ordinal));
        Assert.Empty(server.Requests);
        await AssertNothingKeptAsync(tenant);
    }

    [Fact]
    public async Task TheCodeIsExchangedAndTheTokensAreStoredEncrypted()
    {
        var tenant = await factory.NewTenantAsync();
        var state = (await AuthUrlAsync(tenant.Admin))["state"];
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Create("good-code", state)).JsonAsync(HttpStatusCode.Created);

        var form = Assert.Single(server.Requests);
        Assert.Equal("authorization_code", form["grant_type"]);
        Assert.Equal("good-code", form["code"]);
        Assert.Equal(RedirectUri, form["redirect_uri"]);
        Assert.Equal("client-1", form["client_id"]);
        Assert.Equal("client-secret-1", form["client_secret"]);

        var id = created.GetProperty("qID").GetString()!;
        var statement = created.GetProperty("qConnectStatement").GetString()!;
        Assert.Equal("CUSTOM CONNECT TO \"provider=QvWebStorageProviderConnectorPackage.exe;sourceType=Dropbox;rootPath=/reports;\"", statement);
        var credential = await factory.WithDbAsync(db => db.DataCredentials.IgnoreQueryFilters().SingleAsync(c => c.ConnectionId == id));
        Assert.StartsWith("v1:", credential.Password);
        Assert.DoesNotContain("rt-1", credential.Password);
        await using var scope = factory.Services.CreateAsyncScope();
        var tokens = JsonNode.Parse(scope.ServiceProvider.GetRequiredService<CredentialStore>().PasswordOf(credential)!)!["oauth"]!;
        Assert.Equal("rt-1", tokens["refresh_token"]!.GetValue<string>());
        Assert.Equal("at-1", tokens["access_token"]!.GetValue<string>());

        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true").JsonAsync();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"rootPath":"/reports"}"""), JsonNode.Parse(read.GetProperty("connectionProperties").GetRawText())));
        Assert.Contains("DcaasAPI:QvWebStorageProviderConnectorPackage.exe:1.24.0", read.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        var everything = await (await tenant.Admin.GetAsync("/api/v1/data-connections")).Content.ReadAsStringAsync() + read.GetRawText();
        Assert.DoesNotContain("at-1", everything);
        Assert.DoesNotContain("good-code", everything);
        Assert.DoesNotContain(factory.Logs, l => l.Contains("rt-1", StringComparison.Ordinal) || l.Contains("good-code", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AStateThatIsForgedForeignExpiredOrMissingIsRefusedBeforeAnyExchange()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await tenant.NewUserAsync();
        var state = (await AuthUrlAsync(tenant.Admin))["state"];
        var forged = state[..^2] + (state[^2] == 'A' ? "B" : "A") + state[^1];

        foreach (var (client, candidate, expected) in new[]
        {
            (tenant.Admin, forged, "not a state issued"),
            (other.Client, state, "another user"),
            (tenant.Admin, null, "'state' is required"),
        })
        {
            var error = await ApiAssert.ErrorAsync(await client.PostAsJsonAsync("/api/v1/data-connections", Create("good-code", candidate)), HttpStatusCode.BadRequest);
            Assert.Contains(expected, error.GetProperty("detail").GetString());
        }
        factory.Clock.Offset = TimeSpan.FromHours(1);
        var expired = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Create("good-code", state)), HttpStatusCode.BadRequest);
        Assert.Contains("expired", expired.GetProperty("detail").GetString());
        Assert.Empty(server.Requests);
        await AssertNothingKeptAsync(tenant);
    }

    [Fact]
    public async Task ACodeTheProviderRefusesIs400AndNothingIsKept()
    {
        var tenant = await factory.NewTenantAsync();
        server.Answer = (400, """{"error":"invalid_grant","error_description":"code doesn't exist or has expired"}""");
        var state = (await AuthUrlAsync(tenant.Admin))["state"];
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Create("used-code", state)), HttpStatusCode.BadRequest);
        Assert.Contains("invalid_grant", error.GetProperty("detail").GetString());
        Assert.Single(server.Requests);
        await AssertNothingKeptAsync(tenant);
    }

    [Theory]
    [InlineData(500, """{"error":"server_error"}""")]
    [InlineData(401, """{"error":"invalid_client"}""")]
    [InlineData(200, """{"token_type":"bearer"}""")]
    [InlineData(200, "<html>not json</html>")]
    public async Task AFailingTokenEndpointIs502AndNothingIsKept(int status, string body)
    {
        var tenant = await factory.NewTenantAsync();
        server.Answer = (status, body);
        var state = (await AuthUrlAsync(tenant.Admin))["state"];
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Create("good-code", state)), HttpStatusCode.BadGateway, "DCERROR-0502");
        await AssertNothingKeptAsync(tenant);
    }

    [Fact]
    public async Task AnOversizedTokenAnswerIs502()
    {
        var tenant = await factory.NewTenantAsync();
        server.Answer = (200, "{\"access_token\":\"" + new string('a', 200_000) + "\"}");
        var state = (await AuthUrlAsync(tenant.Admin))["state"];
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Create("good-code", state)), HttpStatusCode.BadGateway, "DCERROR-0502");
        Assert.Contains("unreadable", error.GetProperty("detail").GetString());
        await AssertNothingKeptAsync(tenant);
    }

    [Fact]
    public async Task ATokenEndpointThatDoesNotAnswerTimesOutWith502()
    {
        var tenant = await factory.NewTenantAsync();
        server.Hang = true;
        var state = (await AuthUrlAsync(tenant.Admin))["state"];
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Create("good-code", state)), HttpStatusCode.BadGateway, "DCERROR-0502");
        Assert.Contains("did not answer", error.GetProperty("detail").GetString());
        await AssertNothingKeptAsync(tenant);
    }

    [Fact]
    public async Task AnUnreachableTokenEndpointIs502()
    {
        // Its token server goes away: an app of its own, so the class's server stays up for the other tests.
        var own = new OAuthApp();
        await own.InitializeAsync();
        try
        {
            var tenant = await own.Factory.NewTenantAsync();
            var state = (await AuthUrlAsync(tenant.Admin))["state"];
            await own.Server.DisposeAsync();
            var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Create("good-code", state)), HttpStatusCode.BadGateway, "DCERROR-0502");
            Assert.Contains("could not be reached", error.GetProperty("detail").GetString());
            await AssertNothingKeptAsync(own.Factory, tenant);
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    [Fact]
    public async Task WithoutACodeOrAConfiguredClientThereIsNoConnection()
    {
        var tenant = await factory.NewTenantAsync();
        var noCode = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "box", datasourceID = "dropbox", connectionProperties = new { rootPath = "/" } }), HttpStatusCode.BadRequest);
        Assert.Contains("'authCode' is required", noCode.GetProperty("detail").GetString());
        var unconfigured = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "drive", datasourceID = "File_GoogleDrive", connectionProperties = new { }, authUrlOnly = true }), HttpStatusCode.BadRequest);
        Assert.Contains("DataSources:OAuth:File_GoogleDrive:ClientId", unconfigured.GetProperty("detail").GetString());
        Assert.Empty(server.Requests);
        await AssertNothingKeptAsync(tenant);
    }

    [Fact]
    public async Task AuthUrlOnlyIsIgnoredForASourceWithoutOAuth()
    {
        var tenant = await factory.NewTenantAsync();
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "files", datasourceID = "folder", connectionProperties = new { path = "/srv" }, authUrlOnly = true }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("/srv", created.GetProperty("qConnectStatement").GetString());
        Assert.False(created.TryGetProperty("authUrl", out _));
    }

    [Fact]
    public async Task TheDeprecatedEndpointAnswersATokenFailureAs502InItsShape()
    {
        var tenant = await factory.NewTenantAsync();
        server.Answer = (503, "{}");
        var state = (await AuthUrlAsync(tenant.Admin))["state"];
        var response = await tenant.Admin.PostAsJsonAsync("/api/v1/dcaas/actions/data-connections",
            new { connectionName = "box", dataSourceId = "dropbox", connectionProperties = new { authCode = "good-code", state } });
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors")[0];
        Assert.Equal("DCAAS-5002", error.GetProperty("code").GetString());
        Assert.False(error.TryGetProperty("status", out _));
        await AssertNothingKeptAsync(tenant);
    }

    [Fact]
    public async Task AnOAuthConnectionPatchesItsPropertiesButNotItsCode()
    {
        var tenant = await factory.NewTenantAsync();
        var state = (await AuthUrlAsync(tenant.Admin))["state"];
        var id = (await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", Create("good-code", state)).JsonAsync(HttpStatusCode.Created)).GetProperty("qID").GetString();
        var patched = await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{id}", new object[] { new { op = "replace", path = "/connectionProperties/rootPath", value = "/archive" } });
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true").JsonAsync();
        Assert.Equal("/archive", read.GetProperty("connectionProperties").GetProperty("rootPath").GetString());
        var refused = await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{id}",
            new object[] { new { op = "replace", path = "/connectionProperties/authCode", value = "another" } }), HttpStatusCode.BadRequest);
        Assert.Contains("'authCode' cannot be patched", refused.GetProperty("detail").GetString());
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task TheDeprecatedEndpointGivesTheSameAuthUrl()
    {
        var tenant = await factory.NewTenantAsync();
        var response = await tenant.Admin.PostAsJsonAsync("/api/v1/dcaas/actions/data-connections",
            new { connectionName = "box", dataSourceId = "dropbox", connectionProperties = new { }, authUrlOnly = true });
        var body = await ApiAssert.OkAsync(response, HttpStatusCode.Created);
        var query = QueryHelpers.ParseQuery(new Uri(body.GetProperty("authUrl").GetString()!).Query);
        Assert.Equal("client-1", query["client_id"].ToString());
        var state = query["state"].ToString();
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/dcaas/actions/data-connections",
            new { connectionName = "box", dataSourceId = "dropbox", connectionProperties = new { authCode = "good-code", state } }).JsonAsync(HttpStatusCode.Created);
        Assert.False(string.IsNullOrEmpty(created.GetProperty("credentialsId").GetString()));
        Assert.Equal(JsonValueKind.String, created.GetProperty("connectionId").ValueKind);
    }
}
