using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Connectory.Tests.ConnectionTesting;

/// <summary>
/// Servers on loopback for connection tests to reach: Kestrel over HTTP and over HTTPS with a self-signed certificate
/// (<c>/ok</c> 200, <c>/missing</c> 404, <c>/echo</c> a redirect that quotes the Basic password, <c>/basic</c> 401 unless the Basic credentials are <see cref="User"/> and
/// <see cref="Password"/>), and a listener that accepts connections and never says a word.
/// </summary>
public sealed class LoopbackServers : IAsyncLifetime, IDisposable
{
    public const string User = "api-user";
    public const string Password = "canary-http-5d21be07";

    WebApplication? app;
    TcpListener? silent;
    readonly List<TcpClient> held = [];

    public int HttpPort { get; private set; }
    public int HttpsPort { get; private set; }
    public int SilentPort { get; private set; }

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = SelfSigned();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate));
        });
        app = builder.Build();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        app.MapGet("/ok", () => "fine");
        app.MapGet("/basic", (HttpRequest request) => request.Headers.Authorization == expected ? Results.Ok("in") : Results.Unauthorized());
        // A careless server that quotes the password it was sent, in the path of a redirect.
        app.MapGet("/echo", (HttpRequest request) =>
        {
            var sent = Encoding.UTF8.GetString(Convert.FromBase64String(request.Headers.Authorization.ToString()["Basic ".Length..]));
            return Results.Redirect("/login/" + sent[(sent.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        });
        await app.StartAsync();
        var ports = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).ToList();
        HttpPort = ports.Single(u => u.Scheme == "http").Port;
        HttpsPort = ports.Single(u => u.Scheme == "https").Port;

        silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        SilentPort = ((IPEndPoint)silent.LocalEndpoint).Port;
        _ = HoldAsync(silent);
    }

    /// <summary>Accepts every connection and keeps it open without reading or writing.</summary>
    async Task HoldAsync(TcpListener listener)
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync();
                lock (held)
                {
                    held.Add(client);
                }
            }
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }
    }

    static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pfx), null);
    }

    public void Dispose() => silent?.Dispose();

    public async Task DisposeAsync()
    {
        silent?.Dispose();
        lock (held)
        {
            held.ForEach(c => c.Dispose());
        }
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
