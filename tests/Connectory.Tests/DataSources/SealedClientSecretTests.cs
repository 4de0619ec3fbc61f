using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Connectory.Secrets;
using Connectory.Tests.Support;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.DataSources;

/// <summary>An OAuth client secret sealed in configuration (encrypted at rest) is opened only to call the token endpoint.</summary>
public sealed class SealedClientSecretTests : IAsyncLifetime
{
    const string Setting = "DataSources:OAuth:dropbox:ClientSecret";
    readonly string masterKey = "k1:" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    OAuthTokenServer server = null!;
    string definitions = null!;

    public async Task InitializeAsync()
    {
        server = await OAuthTokenServer.StartAsync();
        definitions = Directory.CreateTempSubdirectory("connectory-oauth").FullName;
        var dropbox = JsonNode.Parse(File.ReadAllText(DefinitionOverrideTests.ShippedFile("dropbox.json")))!.AsObject();
        dropbox["oauth"]!["tokenUrl"] = server.TokenUrl.ToString();
        File.WriteAllText(Path.Combine(definitions, "dropbox.json"), dropbox.ToJsonString());
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    /// <summary>Seals a value the way `connectory secrets seal` does, with the master key every app here shares.</summary>
    string Seal(string setting, string plaintext)
    {
        using var sealer = ConnectoryFactory.With(new() { ["Secrets:MasterKey"] = masterKey });
        return SealedSetting.Seal(sealer.Services.GetRequiredService<SecretProtector>(), setting, plaintext);
    }

    ConnectoryFactory App(string clientSecret) => ConnectoryFactory.With(new()
    {
        ["Secrets:MasterKey"] = masterKey,
        ["DataSources:DefinitionsPath"] = definitions,
        ["DataSources:OAuth:dropbox:ClientId"] = "client-1",
        [Setting] = clientSecret,
        ["DataSources:OAuthRedirectUri"] = "https://connectory.example.test/oauth/callback",
    });

    static async Task<HttpResponseMessage> ConnectAsync(HttpClient client)
    {
        var body = await client.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "ignored", datasourceID = "dropbox", connectionProperties = new { }, authUrlOnly = true }).JsonAsync(HttpStatusCode.Created);
        var state = QueryHelpers.ParseQuery(new Uri(body.GetProperty("authUrl").GetString()!).Query)["state"].ToString();
        return await client.PostAsJsonAsync("/api/v1/data-connections",
            new { qName = "box", datasourceID = "dropbox", connectionProperties = new { authCode = "good-code", state, rootPath = "/r" } });
    }

    [Fact]
    public async Task ASealedSecretIsOpenedForTheTokenEndpointOnly()
    {
        var sealedValue = Seal(Setting, "client-secret-1");
        Assert.StartsWith(SealedSetting.Prefix, sealedValue);
        Assert.DoesNotContain("client-secret-1", sealedValue);
        using var app = App(sealedValue);
        var tenant = await app.NewTenantAsync();
        await (await ConnectAsync(tenant.Admin)).Content.ReadAsStringAsync();
        Assert.Equal("client-secret-1", Assert.Single(server.Requests)["client_secret"]);
        Assert.DoesNotContain(app.Logs, l => l.Contains("client-secret-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ASecretSealedForAnotherSettingDoesNotOpen()
    {
        using var app = App(Seal("DataSources:OAuth:gdrive:ClientSecret", "client-secret-1"));
        var tenant = await app.NewTenantAsync();
        var error = await ApiAssert.ErrorAsync(await ConnectAsync(tenant.Admin), HttpStatusCode.BadRequest);
        Assert.Contains("secrets seal", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }
}
