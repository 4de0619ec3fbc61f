using System.Security.Cryptography.X509Certificates;
using Connectory.Hosting;
using Connectory.Platform.Tenants;
using Connectory.Tests.Qrs;
using Connectory.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Connectory.Tests.Compatibility;

/// <summary>
/// The QRS client qrs-interact runs unchanged against the real server's /qrs (tests/compat/qrs.mjs), as QSEoW scripts
/// call the Repository Service: over HTTPS with a client certificate of the site's authority, made here and handed
/// over as PEM and PKCS#12 files, and the client's own X-Qlik-User header.
/// </summary>
public sealed class QrsInteractClientTests(ITestOutputHelper output) : IDisposable
{
    const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    readonly string directory = Directory.CreateTempSubdirectory("connectory-qrs-compat").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task DataConnectionsWorkThroughQrsInteractOverAClientCertificate()
    {
        var certificates = Directory.CreateDirectory(Path.Combine(directory, "certificates")).FullName;
        string Write(string name, string text)
        {
            var path = Path.Combine(certificates, name);
            File.WriteAllText(path, text);
            return path;
        }
        using var authority = QrsCertificateTests.NewAuthority("QSEoW test root");
        var caFile = Write("root.pem", authority.ExportCertificatePem());
        using var server = QrsCertificateTests.NewLeaf("localhost", null, ServerAuthentication, server: true);
        var serverFile = Path.Combine(certificates, "server.pfx");
        File.WriteAllBytes(serverFile, server.Export(X509ContentType.Pkcs12, "server-pw"));
        using var client = QrsCertificateTests.NewLeaf("QlikClient", authority, ClientAuthentication);
        var clientPfx = Path.Combine(certificates, "client.pfx");
        File.WriteAllBytes(clientPfx, client.Export(X509ContentType.Pkcs12, "client-pw"));
        var clientPem = Write("client.pem", client.ExportCertificatePem());
        var clientKey = Write("client_key.pem", client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());

        // Built as `connectory serve` builds it, with a plain loopback port for the Cloud API and the QRS HTTPS port
        // that requires client certificates, configured the way an operator would (docs/qrs.md).
        var tenantName = "qrs-" + Guid.NewGuid().ToString("N")[..10];
        var settings = new Dictionary<string, string>
        {
            ["data-dir"] = directory,
            ["Auth:SignInCacheSeconds"] = "0",
            ["Qrs:Tenant"] = tenantName,
            ["Qrs:ClientCaFile"] = caFile,
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
            TestDatabase.CopySqliteTemplate(directory);
        }
        await using var app = ConnectoryApp.Build(ConnectoryApp.CreateBuilder([.. settings.Select(kv => $"--{kv.Key}={kv.Value}")]));
        await app.StartAsync();
        ProvisionedTenant tenant;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            tenant = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().CreateAsync(tenantName, null, CancellationToken.None);
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var https = new Uri(addresses.Single(a => a.StartsWith("https:", StringComparison.Ordinal)));
        var http = new Uri(addresses.Single(a => a.StartsWith("http:", StringComparison.Ordinal)));

        var run = await NodeScenario.RunAsync("qrs.mjs", http, tenant.ApiKey, new Dictionary<string, string>
        {
            ["CONNECTORY_QRS_HOST"] = https.Host,
            ["CONNECTORY_QRS_PORT"] = https.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["CONNECTORY_QRS_CERT"] = clientPem,
            ["CONNECTORY_QRS_KEY"] = clientKey,
            ["CONNECTORY_QRS_PFX"] = clientPfx,
            ["CONNECTORY_QRS_PFX_PASSWORD"] = "client-pw",
        });

        output.WriteLine(run.Report());
        Assert.False(run.TimedOut, run.Report());
        Assert.True(run.ExitCode == 0, run.Report());
    }
}
