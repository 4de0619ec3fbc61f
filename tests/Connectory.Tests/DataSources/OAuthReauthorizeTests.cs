using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Connectory.DataCredentials;
using Connectory.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.DataSources;

/// <summary>
/// An OAuth connection authorized again (PATCH with qlik-auth-code and qlik-auth-state) and its access token refreshed
/// when expired, against a token endpoint on loopback. Tokens are checked by decrypting through the credential store.
/// </summary>
public sealed class OAuthReauthorizeTests : IClassFixture<OAuthApp>
{
    const string RedirectUri = OAuthApp.RedirectUri;
    const string SecondTokens = """{"access_token":"at-2","refresh_token":"rt-2","expires_in":7200,"token_type":"bearer"}""";
    readonly OAuthTokenServer server;
    readonly ConnectoryFactory factory;

    public OAuthReauthorizeTests(OAuthApp app)
    {
        app.Reset();
        server = app.Server;
        factory = app.Factory;
    }

    static async Task<string> StateAsync(HttpClient client)
    {
        var body = await client.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "ignored", datasourceID = "dropbox", connectionProperties = new { }, authUrlOnly = true }).JsonAsync(HttpStatusCode.Created);
        return QueryHelpers.ParseQuery(new Uri(body.GetProperty("authUrl").GetString()!).Query)["state"].ToString();
    }

    /// <summary>A dropbox connection made with code "code-1" (tokens at-1/rt-1, an hour to live); the token server's log is emptied.</summary>
    async Task<string> NewConnectionAsync(HttpClient client)
    {
        var state = await StateAsync(client);
        var created = await client.PostAsJsonAsync("/api/v1/data-connections", new
        {
            qName = "box-" + Guid.NewGuid().ToString("N")[..8],
            datasourceID = "dropbox",
            connectionProperties = new { authCode = "code-1", state, rootPath = "/reports" },
        }).JsonAsync(HttpStatusCode.Created);
        server.Requests.Clear();
        return created.GetProperty("qID").GetString()!;
    }

    static Task<HttpResponseMessage> PatchAsync(HttpClient client, string id, string? code, string? state, params object[] operations)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/data-connections/{id}") { Content = JsonContent.Create(operations) };
        if (code is not null)
        {
            request.Headers.Add("qlik-auth-code", code);
        }
        if (state is not null)
        {
            request.Headers.Add("qlik-auth-state", state);
        }
        return client.SendAsync(request);
    }

    static object RootPath(string value) => new { op = "replace", path = "/connectionProperties/rootPath", value };

    /// <summary>What is stored for the connection: statement, update time, credential id and ciphertext.</summary>
    Task<(string Statement, DateTime Updated, string? CredentialId, string? Password)> StoredAsync(string id) =>
        factory.WithDbAsync(async db =>
        {
            var c = await db.DataConnections.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.Id == id);
            var password = await db.DataCredentials.IgnoreQueryFilters().AsNoTracking().Where(d => d.Id == c.CredentialId).Select(d => d.Password).SingleOrDefaultAsync();
            return (c.ConnectStatement, c.UpdatedAt, c.CredentialId, password);
        });

    /// <summary>The connection's OAuth tokens, decrypted through the product's credential store.</summary>
    async Task<JsonObject> TokensAsync(string id)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Connectory.Data.ConnectoryDb>();
        var credential = await db.DataCredentials.IgnoreQueryFilters().AsNoTracking().SingleAsync(c => c.ConnectionId == id);
        Assert.StartsWith("v1:", credential.Password);
        var bundle = JsonNode.Parse(scope.ServiceProvider.GetRequiredService<CredentialStore>().PasswordOf(credential)!)!;
        return bundle["oauth"]!.AsObject();
    }

    [Fact]
    public async Task PatchWithANewCodeReplacesTheStoredTokens()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await NewConnectionAsync(tenant.Admin);
        var before = await StoredAsync(id);
        server.Answer = (200, SecondTokens);
        var state = await StateAsync(tenant.Admin);

        var response = await PatchAsync(tenant.Admin, id, "code-2", state);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var form = Assert.Single(server.Requests);
        Assert.Equal("authorization_code", form["grant_type"]);
        Assert.Equal("code-2", form["code"]);
        Assert.Equal(RedirectUri, form["redirect_uri"]);
        var tokens = await TokensAsync(id);
        Assert.Equal("at-2", tokens["access_token"]!.GetValue<string>());
        Assert.Equal("rt-2", tokens["refresh_token"]!.GetValue<string>());
        var expected = factory.Clock.GetUtcNow().ToUnixTimeSeconds() + 7200;
        Assert.InRange(tokens["expires_at"]!.GetValue<long>(), expected - 60, expected);
        var after = await StoredAsync(id);
        Assert.Equal(before.Statement, after.Statement);
        Assert.Equal(before.CredentialId, after.CredentialId);
        Assert.NotEqual(before.Password, after.Password);
        var read = await (await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("at-2", read);
        Assert.DoesNotContain("rt-2", read);
        Assert.DoesNotContain(factory.Logs, l => l.Contains("rt-2", StringComparison.Ordinal) || l.Contains("code-2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheBodysOperationsAndTheNewTokensAreSavedTogether()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await NewConnectionAsync(tenant.Admin);
        server.Answer = (200, SecondTokens);

        var response = await PatchAsync(tenant.Admin, id, "code-2", await StateAsync(tenant.Admin), RootPath("/archive"), new { op = "replace", path = "/qName", value = "renamed" });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true").JsonAsync();
        Assert.Equal("/archive", read.GetProperty("connectionProperties").GetProperty("rootPath").GetString());
        Assert.Equal("renamed", read.GetProperty("qName").GetString());
        Assert.Equal("at-2", (await TokensAsync(id))["access_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task BadOperationsAreRefusedBeforeTheCodeIsSpent()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await NewConnectionAsync(tenant.Admin);
        var before = await StoredAsync(id);
        var error = await ApiAssert.ErrorAsync(await PatchAsync(tenant.Admin, id, "code-2", await StateAsync(tenant.Admin),
            new { op = "replace", path = "/connectionProperties/noSuchProperty", value = "x" }), HttpStatusCode.BadRequest);
        Assert.Contains("noSuchProperty", error.GetProperty("detail").GetString());
        Assert.Empty(server.Requests);
        Assert.Equal(before, await StoredAsync(id));
    }

    [Fact]
    public async Task AStateThatIsForgedForeignExpiredOrMissingIsRefusedAndNothingChanges()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await tenant.NewUserAsync("TenantAdmin");
        var id = await NewConnectionAsync(tenant.Admin);
        var othersId = await NewConnectionAsync(other.Client);
        var before = await StoredAsync(id);
        var othersBefore = await StoredAsync(othersId);
        var state = await StateAsync(tenant.Admin);
        var forged = state[..^2] + (state[^2] == 'A' ? "B" : "A") + state[^1];

        foreach (var (client, connection, candidate, expected) in new[]
        {
            (tenant.Admin, id, forged, "not a state issued"),
            (other.Client, othersId, state, "another user"),
            (tenant.Admin, id, null, "'qlik-auth-state' is required"),
        })
        {
            var error = await ApiAssert.ErrorAsync(await PatchAsync(client, connection, "code-2", candidate, RootPath("/archive")), HttpStatusCode.BadRequest);
            Assert.Contains(expected, error.GetProperty("detail").GetString());
        }
        Assert.Equal(othersBefore, await StoredAsync(othersId));
        factory.Clock.Offset = TimeSpan.FromHours(1);
        var expired = await ApiAssert.ErrorAsync(await PatchAsync(tenant.Admin, id, "code-2", state, RootPath("/archive")), HttpStatusCode.BadRequest);
        Assert.Contains("expired", expired.GetProperty("detail").GetString());
        Assert.Empty(server.Requests);
        Assert.Equal(before, await StoredAsync(id));
    }

    [Fact]
    public async Task ACodeTheProviderRefusesIs400AndNothingChanges()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await NewConnectionAsync(tenant.Admin);
        var before = await StoredAsync(id);
        server.Answer = (400, """{"error":"invalid_grant"}""");
        var error = await ApiAssert.ErrorAsync(await PatchAsync(tenant.Admin, id, "used-code", await StateAsync(tenant.Admin), RootPath("/archive")), HttpStatusCode.BadRequest);
        Assert.Contains("'qlik-auth-code' was refused by the data source (invalid_grant)", error.GetProperty("detail").GetString());
        Assert.Single(server.Requests);
        Assert.Equal(before, await StoredAsync(id));
        Assert.Equal("at-1", (await TokensAsync(id))["access_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task AFailingTokenEndpointIs502AndNothingChanges()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await NewConnectionAsync(tenant.Admin);
        var before = await StoredAsync(id);
        server.Answer = (500, """{"error":"server_error"}""");
        var error = await ApiAssert.ErrorAsync(await PatchAsync(tenant.Admin, id, "code-2", await StateAsync(tenant.Admin), RootPath("/archive")), HttpStatusCode.BadGateway, "DCERROR-0502");
        Assert.Contains("nothing was changed", error.GetProperty("detail").GetString());
        Assert.Single(server.Requests);
        Assert.Equal(before, await StoredAsync(id));
    }

    [Fact]
    public async Task ATokenEndpointThatDoesNotAnswerIs502AndNothingChanges()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await NewConnectionAsync(tenant.Admin);
        var before = await StoredAsync(id);
        server.Hang = true;
        var error = await ApiAssert.ErrorAsync(await PatchAsync(tenant.Admin, id, "code-2", await StateAsync(tenant.Admin), RootPath("/archive")), HttpStatusCode.BadGateway, "DCERROR-0502");
        Assert.Contains("did not answer", error.GetProperty("detail").GetString());
        Assert.Equal(before, await StoredAsync(id));
        Assert.Equal("at-1", (await TokensAsync(id))["access_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task TheHeaderNeedsTheUpdatePrivilegeAndAnOAuthSource()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await NewConnectionAsync(tenant.Admin);
        var before = await StoredAsync(id);
        var reader = await tenant.NewUserAsync();
        var hidden = await PatchAsync(reader.Client, id, "code-2", await StateAsync(reader.Client));
        Assert.True(hidden.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden, hidden.StatusCode.ToString());

        var folder = (await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "files", datasourceID = "folder", connectionProperties = new { path = "/srv" } }).JsonAsync(HttpStatusCode.Created)).GetProperty("qID").GetString()!;
        var error = await ApiAssert.ErrorAsync(await PatchAsync(tenant.Admin, folder, "code-2", await StateAsync(tenant.Admin)), HttpStatusCode.BadRequest);
        Assert.Contains("does not use OAuth", error.GetProperty("detail").GetString());
        Assert.Empty(server.Requests);
        Assert.Equal(before, await StoredAsync(id));
    }

    [Fact]
    public async Task AnExpiredAccessTokenIsRefreshedOnReadAndOnlyItsStatusIsTold()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await NewConnectionAsync(tenant.Admin);
        var fresh = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true");
        Assert.StartsWith("valid; expires-at=", fresh.Headers.GetValues("Connectory-OAuth-Token").Single());
        Assert.Empty(server.Requests);

        factory.Clock.Offset = TimeSpan.FromHours(2);
        // The provider keeps the refresh token valid and sends none back.
        server.Answer = (200, """{"access_token":"at-3","expires_in":3600,"token_type":"bearer"}""");
        var refreshed = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true");
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.StartsWith("refreshed; expires-at=", refreshed.Headers.GetValues("Connectory-OAuth-Token").Single());
        Assert.DoesNotContain("at-3", await refreshed.Content.ReadAsStringAsync());

        var form = Assert.Single(server.Requests);
        Assert.Equal("refresh_token", form["grant_type"]);
        Assert.Equal("rt-1", form["refresh_token"]);
        Assert.Equal("client-1", form["client_id"]);
        Assert.Equal("client-secret-1", form["client_secret"]);
        var tokens = await TokensAsync(id);
        Assert.Equal("at-3", tokens["access_token"]!.GetValue<string>());
        Assert.Equal("rt-1", tokens["refresh_token"]!.GetValue<string>());
        var expected = factory.Clock.GetUtcNow().ToUnixTimeSeconds() + 3600;
        Assert.InRange(tokens["expires_at"]!.GetValue<long>(), expected - 60, expected);

        var again = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true");
        Assert.StartsWith("valid;", again.Headers.GetValues("Connectory-OAuth-Token").Single());
        Assert.Single(server.Requests);
        var plain = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}");
        Assert.False(plain.Headers.Contains("Connectory-OAuth-Token"));
    }

    [Theory]
    [InlineData(400, """{"error":"invalid_grant"}""", "expired")]
    [InlineData(500, """{"error":"server_error"}""", "refresh-failed")]
    public async Task ARefreshThatFailsKeepsTheStoredTokensAndSaysSo(int status, string body, string expected)
    {
        var tenant = await factory.NewTenantAsync();
        var id = await NewConnectionAsync(tenant.Admin);
        var before = await StoredAsync(id);
        factory.Clock.Offset = TimeSpan.FromHours(2);
        server.Answer = (status, body);
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.StartsWith(expected + "; expires-at=", read.Headers.GetValues("Connectory-OAuth-Token").Single());
        Assert.Equal("refresh_token", Assert.Single(server.Requests)["grant_type"]);
        Assert.Equal(before, await StoredAsync(id));
    }

    [Fact]
    public async Task AStoredSecretThatDoesNotDecryptIsToldWithoutFailingTheRead()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await NewConnectionAsync(tenant.Admin);
        var (_, _, credentialId, password) = await StoredAsync(id);
        var tampered = password![..^4] + (password[^4] == 'A' ? "B" : "A") + password[^3..];
        await factory.WithDbAsync(db => db.DataCredentials.IgnoreQueryFilters().Where(c => c.Id == credentialId).ExecuteUpdateAsync(u => u.SetProperty(c => c.Password, tampered)));
        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}?parseConnection=true");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("unreadable", read.Headers.GetValues("Connectory-OAuth-Token").Single());
        Assert.Empty(server.Requests);
    }
}
