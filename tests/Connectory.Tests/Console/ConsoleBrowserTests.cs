using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Connectory.Tests.Compatibility;
using Connectory.Tests.DataSources;
using Connectory.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit.Abstractions;

namespace Connectory.Tests.WebConsole;

/// <summary>
/// One real server for the browser test: the shipped dropbox definition pointed at an OAuth provider on loopback (its
/// redirect URI passes the browser on to the console's return page), and a trusted JWT issuer whose key the test holds.
/// </summary>
public sealed class ConsoleApp : IAsyncLifetime
{
    public const string JwtIssuer = "https://idp-console.example.test";
    public const string JwtAudience = "connectory-console";

    string folder = "";
    internal OAuthTokenServer Provider { get; private set; } = null!;
    public RSA JwtKey { get; } = RSA.Create(2048);
    public ConnectoryFactory Factory { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Provider = await OAuthTokenServer.StartAsync();
        folder = Directory.CreateTempSubdirectory("connectory-console").FullName;
        var dropbox = JsonNode.Parse(File.ReadAllText(DefinitionOverrideTests.ShippedFile("dropbox.json")))!.AsObject();
        dropbox["oauth"]!["authorizeUrl"] = Provider.AuthorizeUrl.ToString();
        dropbox["oauth"]!["tokenUrl"] = Provider.TokenUrl.ToString();
        File.WriteAllText(Path.Combine(folder, "dropbox.json"), dropbox.ToJsonString());
        var keyFile = Path.Combine(folder, "jwt.pem");
        File.WriteAllText(keyFile, JwtKey.ExportSubjectPublicKeyInfoPem());
        Factory = ConnectoryFactory.With(new()
        {
            ["DataSources:DefinitionsPath"] = folder,
            ["DataSources:OAuth:dropbox:ClientId"] = "console-client",
            ["DataSources:OAuth:dropbox:ClientSecret"] = "console-client-secret",
            ["DataSources:OAuthRedirectUri"] = Provider.CallbackUrl.ToString(),
            ["Auth:Jwt:0:Issuer"] = JwtIssuer,
            ["Auth:Jwt:0:Audience"] = JwtAudience,
            ["Auth:Jwt:0:PublicKeyFile"] = keyFile,
            ["Auth:Jwt:0:Tenant"] = "default",
        });
        Provider.ForwardCallbackTo = new Uri(Factory.BaseAddress, "/console/oauth/callback");
    }

    /// <summary>A JWT from the trusted issuer for the default tenant's bootstrap admin.</summary>
    public string AdminJwt()
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtIssuer,
            Audience = JwtAudience,
            Claims = new Dictionary<string, object> { ["sub"] = "admin" },
            IssuedAt = now,
            NotBefore = now - TimeSpan.FromSeconds(5),
            Expires = now + TimeSpan.FromMinutes(10),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(JwtKey), SecurityAlgorithms.RsaSha256),
        });
    }

    public async Task DisposeAsync()
    {
        Factory.Dispose();
        await Provider.DisposeAsync();
        JwtKey.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}

/// <summary>
/// The web console in a real browser (tests/compat/console.mjs: playwright-core driving Debian's chromium, axe-core
/// on every page), against one real server. Runs once per test run, on the SQLite pass: the console only calls the
/// API, whose store-dependent behaviour the other tests cover on both databases.
/// </summary>
public sealed class ConsoleBrowserTests(ConsoleApp app, ITestOutputHelper output) : IClassFixture<ConsoleApp>
{
    const string Chromium = "/usr/bin/chromium";

    [StoreIndependentFact]
    public async Task AnAdminAndAReaderWorkThroughTheConsoleByMouseAndKeyboardAtDesktopAndPhoneWidths()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: scripts/test.sh installs it (apt-get install chromium).");
        var factory = app.Factory;
        var tenant = await factory.NewTenantAsync();
        var adminKey = tenant.Admin.DefaultRequestHeaders.Authorization?.Parameter;
        Assert.False(string.IsNullOrEmpty(adminKey), "The tenant's admin client carries no API key.");
        var screenshots = Path.Combine(NodeScenario.RepoRoot, "tests", "Connectory.Tests", "TestResults", "console");

        var run = await NodeScenario.RunAsync("console.mjs", factory.BaseAddress, adminKey,
            new Dictionary<string, string>
            {
                ["CONNECTORY_CONSOLE_SHOTS"] = screenshots,
                ["CONNECTORY_CHROMIUM"] = Chromium,
                ["CONNECTORY_CONSOLE_JWT"] = app.AdminJwt(),
            });

        output.WriteLine(run.Report());
        Assert.False(run.TimedOut, run.Report());
        Assert.True(run.ExitCode == 0, run.Report());
        // Creating and authorizing again: each time the console sent the code the provider gave back to the browser,
        // and the service exchanged it.
        var exchanges = app.Provider.Requests.Where(form => form.GetValueOrDefault("grant_type") == "authorization_code").ToList();
        Assert.Equal(2, exchanges.Count);
        Assert.All(exchanges, exchange =>
        {
            Assert.Equal(OAuthTokenServer.AuthorizationCode, exchange["code"]);
            Assert.Equal(app.Provider.CallbackUrl.ToString(), exchange["redirect_uri"]);
        });
        // The return page's address carried the code: the service's logs never do.
        Assert.DoesNotContain(factory.Logs, line => line.Contains(OAuthTokenServer.AuthorizationCode, StringComparison.Ordinal));
    }
}
