using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Connectory.Data;
using Connectory.Hosting;
using Connectory.Platform.Tenants;
using Connectory.Platform.Users;
using Connectory.Qrs;
using Connectory.Secrets;
using Connectory.Tests.DataConnections;
using Connectory.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.Qrs;

/// <summary>
/// Migration from QSEoW to Cloud spaces: `qrs export` reads this service's own QRS face over a real mTLS handshake,
/// `import` creates the connections in another tenant's spaces.
/// </summary>
public sealed class QrsMigrationTests : IDisposable
{
    const string Password = "s3cret-Ω-pass";
    readonly string directory = Directory.CreateTempSubdirectory("connectory-qrs-migration").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    sealed record Site(WebApplication App, Uri Https, Uri Http, ProvisionedTenant Source, string CaFile, string CertPem, string KeyPem, string Pfx) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();

        public HttpClient Bearer(string key) =>
            new() { BaseAddress = Http, DefaultRequestHeaders = { Authorization = new("Bearer", key) } };

        public async Task<T> WithDbAsync<T>(Func<ConnectoryDb, IServiceProvider, Task<T>> work)
        {
            await using var scope = App.Services.CreateAsyncScope();
            return await work(scope.ServiceProvider.GetRequiredService<ConnectoryDb>(), scope.ServiceProvider);
        }
    }

    /// <summary>
    /// The app as an operator runs it for QSEoW: a plain port plus an HTTPS port requiring client certificates of the
    /// site's root CA, whose own certificate the same CA signs; INTERNAL\sa_repository is a TenantAdmin of the QRS tenant.
    /// </summary>
    async Task<Site> StartSiteAsync(bool exportPasswords = true)
    {
        using var authority = QrsCertificateTests.NewAuthority("QSEoW migration root");
        var caFile = Path.Combine(directory, "root.pem");
        File.WriteAllText(caFile, authority.ExportCertificatePem());
        using var server = QrsCertificateTests.NewLeaf("localhost", authority, "1.3.6.1.5.5.7.3.1", server: true);
        var serverFile = Path.Combine(directory, "server.pfx");
        File.WriteAllBytes(serverFile, server.Export(X509ContentType.Pkcs12, "server-pw"));
        using var client = QrsCertificateTests.NewLeaf("QlikRepository", authority, "1.3.6.1.5.5.7.3.2");
        var certPem = Path.Combine(directory, "client.pem");
        var keyPem = Path.Combine(directory, "client_key.pem");
        var pfx = Path.Combine(directory, "client.pfx");
        File.WriteAllText(certPem, client.ExportCertificatePem());
        File.WriteAllText(keyPem, client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllBytes(pfx, client.Export(X509ContentType.Pkcs12, "client-pw"));

        var tenantName = "qrs-" + Guid.NewGuid().ToString("N")[..10];
        var settings = new Dictionary<string, string>
        {
            ["data-dir"] = Path.Combine(directory, "data"),
            ["Qrs:Tenant"] = tenantName,
            ["Qrs:ClientCaFile"] = caFile,
            ["Qrs:ExportPasswords"] = exportPasswords ? "true" : "false",
            ["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:Qrs:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Qrs:ClientCertificateMode"] = "RequireCertificate",
            ["Kestrel:Endpoints:Qrs:Certificate:Path"] = serverFile,
            ["Kestrel:Endpoints:Qrs:Certificate:Password"] = "server-pw",
        };
        if (TestDatabase.IsPostgres)
        {
            settings["Database:Provider"] = "postgres";
            settings["Database:MigrateAtStart"] = "true";
            settings["ConnectionStrings:Connectory"] = TestDatabase.PostgresConnectionString(TestDatabase.CreatePostgresDatabase(migrated: true));
        }
        else
        {
            TestDatabase.CopySqliteTemplate(settings["data-dir"]);
        }
        var app = ConnectoryApp.Build(ConnectoryApp.CreateBuilder([.. settings.Select(kv => $"--{kv.Key}={kv.Value}")]));
        await app.StartAsync();
        ProvisionedTenant source;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            source = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().CreateAsync(tenantName, null, CancellationToken.None);
            var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
            db.Users.Add(new User
            {
                Id = Ids.New(),
                TenantId = source.Tenant.Id,
                Subject = "INTERNAL\\sa_repository",
                Name = "sa_repository",
                Roles = TenantRoles.TenantAdmin,
                CreatedAt = DateTime.UtcNow,
                UpdatedAt = DateTime.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Site(app, new Uri(addresses.Single(a => a.StartsWith("https:", StringComparison.Ordinal))),
            new Uri(addresses.Single(a => a.StartsWith("http:", StringComparison.Ordinal))), source, caFile, certPem, keyPem, pfx);
    }

    /// <summary>A QRS client over the mTLS port signed in as INTERNAL\sa_repository (server certificate checked against the test CA).</summary>
    static QrsClient RepositoryClient(Site site)
    {
        var handler = new HttpClientHandler { ClientCertificateOptions = ClientCertificateOption.Manual };
        handler.ClientCertificates.Add(X509CertificateLoader.LoadPkcs12FromFile(site.Pfx, "client-pw"));
        handler.ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator;
        var http = new HttpClient(handler) { BaseAddress = site.Https };
        http.DefaultRequestHeaders.Add("X-Qlik-User", "UserDirectory=INTERNAL; UserId=sa_repository");
        return new QrsClient(http);
    }

    static async Task<string> NewSpaceAsync(HttpClient admin, string name, string type = "shared")
    {
        var response = await admin.PostAsJsonAsync("/api/v1/spaces", new { name, type });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Str("id");
    }

    /// <summary>The tenant's stored connections through the Cloud API (the per-space DataFiles entries left out).</summary>
    static async Task<List<JsonElement>> ConnectionsAsync(HttpClient admin) =>
        [.. (await admin.ListAsync("limit=100")).GetProperty("data").EnumerateArray().Where(c => c.Str("qType") != "qix-datafiles.exe")];

    [Fact]
    public async Task ExportOverMutualTlsThenImportIntoAnotherTenantCreatesMappedConnectionsAndReportsTheRest()
    {
        await using var site = await StartSiteAsync();
        var qrs = RepositoryClient(site);
        var sales = await qrs.CreateAsync("Sales REST", "QvRestConnector.exe", "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://api.example.test/sales;\"",
            new { username = "svc-sales", password = Password, tags = new[] { new { name = "Finance" } }, architecture = 1, logOn = 1 });
        var ledger = await qrs.CreateAsync("General Ledger", "QvOdbcConnectorPackage.exe", "CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=postgres;host=db.example.test;\"");
        await qrs.CreateAsync("Shared Folder", "folder", "C:\\Data\\Shared", new { tags = new[] { new { name = "Finance" } } });
        await qrs.CreateAsync("Existing", "QvRestConnector.exe", "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://a.example.test;\"", new { tags = new[] { new { name = "Finance" } } });
        await qrs.CreateAsync("Campaigns", "QvRestConnector.exe", "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://b.example.test;\"", new { tags = new[] { new { name = "Marketing" } } });
        await qrs.CreateAsync("Other", "QvRestConnector.exe", "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://c.example.test;\"");

        // Export: PEM client certificate and key, server certificate checked against the site CA, passwords sealed to a one-time key.
        var keyOut = Path.Combine(directory, "export_key.pem");
        var bundleFile = Path.Combine(directory, "bundle.json");
        await using (var output = File.Create(bundleFile))
        {
            var (summary, error) = await QrsMigration.ExportAsync(
                new QrsExportSettings(site.Https, site.CertPem, site.KeyPem, null, site.CaFile, QrsMigration.DefaultUserHeader, keyOut), output, CancellationToken.None);
            Assert.Null(error);
            Assert.StartsWith("exported 6 data connections; 1 passwords sealed", summary);
        }
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyOut));
        }
        var bundleText = File.ReadAllText(bundleFile);
        Assert.DoesNotContain(Password, bundleText, StringComparison.Ordinal);
        using var bundle = JsonDocument.Parse(bundleText);
        Assert.Equal("connectory-qrs-bundle", bundle.RootElement.Str("format"));
        Assert.Equal(1, bundle.RootElement.GetProperty("version").GetInt32());
        Assert.Equal(QrsPasswordEnvelope.Algorithm, bundle.RootElement.GetProperty("passwordKey").Str("algorithm"));
        var exportedSales = bundle.RootElement.GetProperty("connections").EnumerateArray().Single(c => c.Str("name") == "Sales REST");
        Assert.Equal(sales.Str("id"), exportedSales.Str("id"));
        Assert.Equal("svc-sales", exportedSales.Str("username"));
        Assert.Equal(JsonValueKind.Null, exportedSales.GetProperty("password").ValueKind);
        Assert.StartsWith("v1:", exportedSales.Str("passwordEncrypted"), StringComparison.Ordinal);
        Assert.Equal("Finance", exportedSales.GetProperty("tags")[0].Str("name"));

        // The target tenant: two spaces, and a connection already named "Existing" in Finance.
        ProvisionedTenant target;
        await using (var scope = site.App.Services.CreateAsyncScope())
        {
            target = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().CreateAsync("cloud-" + Guid.NewGuid().ToString("N")[..8], null, CancellationToken.None);
        }
        using var admin = site.Bearer(target.ApiKey);
        var finance = await NewSpaceAsync(admin, "Finance");
        var general = await NewSpaceAsync(admin, "General", "managed");
        var existing = await admin.PostAsJsonAsync("/api/v1/data-connections", new
        {
            qName = "existing",
            qType = "QvRestConnector.exe",
            datasourceID = "rest",
            space = finance,
            qConnectStatement = "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://x.example.test;\"",
        });
        Assert.Equal(HttpStatusCode.Created, existing.StatusCode);
        var rules = Path.Combine(directory, "rules.txt");
        File.WriteAllText(rules, "# Finance first\ntag:Finance=Finance\ntag:Marketing=Nowhere\nname:Gen*Ledger=General\n");

        async Task<(QrsMigration.ImportReport Report, string Text)> Import(bool dryRun, string? key = null)
        {
            using var text = new StringWriter();
            var (report, error) = await QrsMigration.ImportAsync(site.App.Services, new QrsImportSettings(bundleFile, target.Tenant.Name, rules, key ?? keyOut, null, dryRun), text, CancellationToken.None);
            Assert.Null(error);
            return (report!, text.ToString());
        }

        // Dry run: the plan, and nothing changes.
        var (plan, planText) = await Import(dryRun: true);
        Assert.Equal(2, plan.Created);
        Assert.Contains("would create: " + sales.Str("id") + " 'Sales REST' -> space 'Finance'", planText, StringComparison.Ordinal);
        Assert.Contains("(dry run: nothing changed)", planText, StringComparison.Ordinal);
        Assert.Single(await ConnectionsAsync(admin));

        var (report, reportText) = await Import(dryRun: false);
        string Outcome(string name) => report.Lines.Single(l => l.Name == name).Outcome + ": " + report.Lines.Single(l => l.Name == name).Detail;
        Assert.Equal(2, report.Created);
        Assert.Equal(4, report.Skipped);
        Assert.Equal(0, report.Failed);
        Assert.Equal($"created: password carried; owner {target.Admin.Subject} (QRS owner INTERNAL\\sa_repository is not a user of the tenant)", Outcome("Sales REST"));
        Assert.StartsWith("created", Outcome("General Ledger"));
        Assert.StartsWith("skipped: unsupported type 'folder'", Outcome("Shared Folder"));
        Assert.StartsWith("skipped: name clash: space 'Finance' already has a data connection named 'Existing'", Outcome("Existing"));
        Assert.StartsWith("skipped: unmapped space: the space map names 'Nowhere'", Outcome("Campaigns"));
        Assert.StartsWith("skipped: unmapped space: no rule", Outcome("Other"));
        Assert.Contains("6 in bundle: 2 created, 4 skipped, 0 failed.", reportText, StringComparison.Ordinal);

        // The created connections through the Cloud API keep their QRS ids, though the source tenant holds the same ids: ids are per tenant.
        var listed = await ConnectionsAsync(admin);
        Assert.Equal(3, listed.Count);
        var salesId = report.Lines.Single(l => l.Name == "Sales REST").TargetId!;
        Assert.Equal(sales.Str("id"), salesId);
        var salesCloud = listed.Single(c => c.Str("qID") == salesId);
        Assert.Equal("Sales REST", salesCloud.Str("qName"));
        Assert.Equal("QvRestConnector.exe", salesCloud.Str("qType"));
        Assert.Equal(sales.Str("connectionstring"), salesCloud.Str("qConnectStatement"));
        Assert.Equal(finance, salesCloud.Str("space"));
        Assert.Equal(["Finance"], salesCloud.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(1, salesCloud.GetProperty("qArchitecture").GetInt32());
        Assert.Equal(1, salesCloud.GetProperty("qLogOn").GetInt32());
        Assert.Equal(target.Admin.Id, salesCloud.Str("user"));
        Assert.DoesNotContain(Password, await admin.GetStringAsync($"/api/v1/data-connections/{salesId}"), StringComparison.Ordinal);
        var ledgerCloud = listed.Single(c => c.Str("qName") == "General Ledger");
        Assert.Equal(general, ledgerCloud.Str("space"));
        Assert.Equal(ledger.Str("id"), ledgerCloud.Str("qID"));

        // The password reached the credential store encrypted, and opens to the original.
        var stored = await site.WithDbAsync(async (db, services) =>
        {
            var connection = await db.DataConnections.IgnoreQueryFilters().SingleAsync(c => c.TenantId == target.Tenant.Id && c.Id == salesId);
            var credential = await db.DataCredentials.IgnoreQueryFilters().SingleAsync(c => c.TenantId == target.Tenant.Id && c.Id == connection.CredentialId);
            Assert.DoesNotContain(Password, credential.Password!, StringComparison.Ordinal);
            Assert.Equal("svc-sales", credential.Username);
            return services.GetRequiredService<SecretProtector>().TryUnprotect(credential.Password!, new SecretContext(credential.TenantId, credential.Id, "password"));
        });
        Assert.Equal(Password, stored);

        // A re-run recognises what it made and changes nothing.
        var (again, _) = await Import(dryRun: false);
        Assert.Equal(0, again.Created);
        Assert.Equal($"skipped: already imported as {salesId}", Outcome2(again, "Sales REST"));
        Assert.StartsWith("skipped: already imported", Outcome2(again, "General Ledger"));
        Assert.Equal(3, (await ConnectionsAsync(admin)).Count);

        // The source tenant is untouched.
        using var sourceAdmin = site.Bearer(site.Source.ApiKey);
        Assert.Equal(6, (await ConnectionsAsync(sourceAdmin)).Count);
    }

    static string Outcome2(QrsMigration.ImportReport report, string name) =>
        report.Lines.Single(l => l.Name == name) is var l ? $"{l.Outcome}: {l.Detail}" : "";

    [Fact]
    public async Task PasswordsLeaveOnlyForCertificateCallersWhenEnabledAndOnlyToTheRightKey()
    {
        await using var site = await StartSiteAsync();
        var qrs = RepositoryClient(site);
        var made = await qrs.CreateAsync("Guarded", "QvRestConnector.exe", "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://g.example.test;\"",
            new { username = "u", password = Password });
        using var key = System.Security.Cryptography.RSA.Create(3072);
        var header = QrsPasswordEnvelope.PublicKeyHeader(key);

        // A bearer caller that sends a key gets no passwords.
        using var bearer = site.Bearer(site.Source.ApiKey);
        var asBearer = await new QrsClient(bearer).SendAsync(HttpMethod.Get, "/qrs/dataconnection/full", configure: r => r.Headers.Add(QrsPasswordEnvelope.Header, header));
        Assert.Equal(HttpStatusCode.OK, asBearer.StatusCode);
        Assert.DoesNotContain("passwordEncrypted", await asBearer.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The certificate caller gets it sealed: it opens with the key, and not for another connection id.
        var asCertificate = await qrs.SendAsync(HttpMethod.Get, "/qrs/dataconnection/full", configure: r => r.Headers.Add(QrsPasswordEnvelope.Header, header));
        Assert.Equal("included", asCertificate.Headers.GetValues(QrsPasswordEnvelope.IncludedHeader).Single());
        var row = (await asCertificate.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Single();
        var sealedPassword = row.Str("passwordEncrypted");
        Assert.Equal(Password, QrsPasswordEnvelope.Open(key, sealedPassword, made.Str("id")));
        Assert.Null(QrsPasswordEnvelope.Open(key, sealedPassword, Guid.NewGuid().ToString()));
        using var otherKey = System.Security.Cryptography.RSA.Create(3072);
        Assert.Null(QrsPasswordEnvelope.Open(otherKey, sealedPassword, made.Str("id")));

        // A malformed key is 400 in the QRS shape.
        var bad = await qrs.SendAsync(HttpMethod.Get, "/qrs/dataconnection/full", configure: r => r.Headers.Add(QrsPasswordEnvelope.Header, "not-a-key"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.StartsWith(QrsPasswordEnvelope.Header + " must be", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Import with another key pair is refused before anything is read or written.
        var bundleFile = Path.Combine(directory, "b.json");
        var keyOut = Path.Combine(directory, "k.pem");
        await using (var output = File.Create(bundleFile))
        {
            var (_, error) = await QrsMigration.ExportAsync(
                new QrsExportSettings(site.Https, site.Pfx, null, "client-pw", site.CaFile, QrsMigration.DefaultUserHeader, keyOut), output, CancellationToken.None);
            Assert.Null(error);
        }
        var wrongKey = Path.Combine(directory, "wrong.pem");
        File.WriteAllText(wrongKey, otherKey.ExportPkcs8PrivateKeyPem());
        var (report, importError) = await QrsMigration.ImportAsync(site.App.Services,
            new QrsImportSettings(bundleFile, site.Source.Tenant.Name, "*=Elsewhere", wrongKey, null, DryRun: false), TextWriter.Null, CancellationToken.None);
        Assert.Null(report);
        Assert.Contains("is not the one the bundle's passwords are sealed to", importError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutTheSettingOrAKeyTheExportCarriesNoPasswords()
    {
        await using var site = await StartSiteAsync(exportPasswords: false);
        await RepositoryClient(site).CreateAsync("Plain", "QvRestConnector.exe", "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://p.example.test;\"",
            new { username = "u", password = Password });
        var keyOut = Path.Combine(directory, "never.pem");
        using var output = new MemoryStream();
        var (summary, error) = await QrsMigration.ExportAsync(
            new QrsExportSettings(site.Https, site.Pfx, null, "client-pw", site.CaFile, QrsMigration.DefaultUserHeader, keyOut), output, CancellationToken.None);
        Assert.Null(error);
        Assert.Contains("the server did not return passwords", summary, StringComparison.Ordinal);
        Assert.False(File.Exists(keyOut));
        using var bundle = JsonDocument.Parse(output.ToArray());
        Assert.Equal(JsonValueKind.Null, bundle.RootElement.GetProperty("passwordKey").ValueKind);
        Assert.False(bundle.RootElement.GetProperty("connections")[0].TryGetProperty("passwordEncrypted", out _));
    }

    [Fact]
    public async Task ExportRefusesAServerTheGivenAuthorityDidNotSign()
    {
        await using var site = await StartSiteAsync();
        using var stranger = QrsCertificateTests.NewAuthority("Not the site root");
        var strangerFile = Path.Combine(directory, "stranger.pem");
        File.WriteAllText(strangerFile, stranger.ExportCertificatePem());
        using var output = new MemoryStream();
        var (summary, error) = await QrsMigration.ExportAsync(
            new QrsExportSettings(site.Https, site.Pfx, null, "client-pw", strangerFile, QrsMigration.DefaultUserHeader, null), output, CancellationToken.None);
        Assert.Null(summary);
        Assert.StartsWith("Cannot read https://", error, StringComparison.Ordinal);
        Assert.Equal(0, output.Length);
    }

    [Theory]
    [InlineData("tag:Finance=Finance;*=QSEoW Import", "Sales", "rest", null, "Finance", "Finance")]
    [InlineData("tag:Finance=Finance;*=QSEoW Import", "Sales", "rest", null, "HR", "QSEoW Import")]
    [InlineData("owner:ACME\\jo=Jo's;type:ODBC=Gateway", "X", "odbc", "acme\\JO", "", "Jo's")]
    [InlineData("type:ODBC=Gateway", "X", "odbc", null, "", "Gateway")]
    [InlineData("name:Sales*EU=EU;name:*=Rest", "Sales data EU", "rest", null, "", "EU")]
    [InlineData("name:Sales*EU=EU", "Sales data US", "rest", null, "", null)]
    public void SpaceMapRulesMatchInOrder(string rules, string name, string type, string? owner, string tag, string? expected)
    {
        var (map, error) = QrsSpaceMap.Parse(rules);
        Assert.Null(error);
        Assert.Equal(expected, map!.SpaceFor(name, type, owner, tag.Length == 0 ? [] : [tag]));
    }

    [Theory]
    [InlineData("", "The space map has no rules.")]
    [InlineData("tag:Finance", "Rule 'tag:Finance' must be MATCH=SPACE.")]
    [InlineData("group:X=Y", "Rule 'group:X=Y': the match must be tag:NAME, owner:DIR\\ID, type:TYPE, name:PATTERN or *.")]
    public void BadSpaceMapsAreExplained(string rules, string message)
    {
        var (map, error) = QrsSpaceMap.Parse(rules);
        Assert.Null(map);
        Assert.Equal(message, error);
    }
}
