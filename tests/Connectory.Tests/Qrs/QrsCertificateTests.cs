using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Connectory.Data;
using Connectory.Hosting;
using Connectory.Platform.Tenants;
using Connectory.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.Qrs;

/// <summary>QSEoW proxies call QRS over HTTPS with a client certificate from the site's root CA plus X-Qlik-User.</summary>
public sealed class QrsCertificateTests : IDisposable
{
    readonly string directory = Directory.CreateTempSubdirectory("connectory-qrs-certs").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    internal static X509Certificate2 NewAuthority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-2), DateTimeOffset.UtcNow.AddDays(60));
    }

    /// <summary>A leaf certificate with its private key, loaded back from PKCS#12 so TLS can use the key on every platform.</summary>
    internal static X509Certificate2 NewLeaf(string name, X509Certificate2? issuer, string usageOid, bool server = false)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usageOid)], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        using var made = issuer is null
            ? request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30))
            : request.Create(issuer, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(8)).CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12, "pw"), "pw");
    }

    static HttpClient ClientWith(Uri baseAddress, X509Certificate2? certificate)
    {
        var handler = new HttpClientHandler
        {
            ClientCertificateOptions = ClientCertificateOption.Manual,
            // The test server's certificate is self-signed; what is under test is the client side.
            ServerCertificateCustomValidationCallback = (_, _, _, _) => true,
        };
        if (certificate is not null)
        {
            handler.ClientCertificates.Add(certificate);
        }
        return new HttpClient(handler) { BaseAddress = baseAddress };
    }

    [Fact]
    public async Task ClientCertificatesFromTheSiteAuthorityTrustTheUserHeader()
    {
        using var authority = NewAuthority("QSEoW test root");
        using var rogueAuthority = NewAuthority("Someone else");
        var caFile = Path.Combine(directory, "root.pem");
        File.WriteAllText(caFile, authority.ExportCertificatePem());
        using var server = NewLeaf("localhost", null, "1.3.6.1.5.5.7.3.1", server: true);
        var serverFile = Path.Combine(directory, "server.pfx");
        File.WriteAllBytes(serverFile, server.Export(X509ContentType.Pkcs12, "server-pw"));
        using var proxy = NewLeaf("QlikProxy", authority, "1.3.6.1.5.5.7.3.2");
        using var rogue = NewLeaf("QlikProxy", rogueAuthority, "1.3.6.1.5.5.7.3.2");

        // The app is built directly, as `connectory serve` builds it, because the test factory pins a single URL.
        // One plain loopback port and the QRS HTTPS port that requires client certificates, configured the way
        // an operator would.
        var tenantName = "qrs-" + Guid.NewGuid().ToString("N")[..10];
        var settings = new Dictionary<string, string>
        {
            ["data-dir"] = directory,
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
            TestDatabase.CopySqliteTemplate(settings["data-dir"]);
        }
        await using var app = ConnectoryApp.Build(ConnectoryApp.CreateBuilder([.. settings.Select(kv => $"--{kv.Key}={kv.Value}")]));
        await app.StartAsync();
        ProvisionedTenant tenant;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            tenant = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().CreateAsync(tenantName, null, CancellationToken.None);
            var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
            await db.Tenants.Where(t => t.Id == tenant.Tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.AutoCreateUsers, true));
        }
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        Assert.True(addresses.Count == 2, string.Join(", ", addresses));
        var https = new Uri(addresses.Single(a => a.StartsWith("https:", StringComparison.Ordinal)));
        var http = new Uri(addresses.Single(a => a.StartsWith("http:", StringComparison.Ordinal)));
        async Task<bool> UserExists(string subject)
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<ConnectoryDb>().Users.IgnoreQueryFilters().AnyAsync(u => u.TenantId == tenant.Tenant.Id && u.Subject == subject);
        }

        static Task<HttpResponseMessage> Send(HttpClient client, string? user) =>
            new QrsClient(client).SendAsync(HttpMethod.Get, "/qrs/dataconnection", configure: r =>
            {
                if (user is not null)
                {
                    r.Headers.Add("X-Qlik-User", user);
                }
            });

        using (var trusted = ClientWith(https, proxy))
        {
            Assert.Equal(HttpStatusCode.OK, (await Send(trusted, "UserDirectory=ACME; UserId=certuser")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await Send(trusted, null)).StatusCode);
        }
        Assert.True(await UserExists("ACME\\certuser"));

        // A certificate from another authority does not get through the handshake; no certificate at all is refused too.
        using (var untrusted = ClientWith(https, rogue))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => Send(untrusted, "UserDirectory=ACME; UserId=rogue"));
        }
        using (var anonymous = ClientWith(https, null))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => Send(anonymous, "UserDirectory=ACME; UserId=rogue"));
        }
        // Over plain HTTP the header is not believed (no trusted proxies are configured).
        using (var plain = ClientWith(http, null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await Send(plain, "UserDirectory=ACME; UserId=rogue")).StatusCode);
        }
        Assert.False(await UserExists("ACME\\rogue"));
        // Bearer callers still work on the plain port.
        using var bearer = ClientWith(http, null);
        bearer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tenant.ApiKey);
        Assert.Equal(HttpStatusCode.OK, (await new QrsClient(bearer).GetAsync("/qrs/dataconnection")).StatusCode);
    }
}
