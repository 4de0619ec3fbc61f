using System.Net;
using System.Net.Sockets;
using Connectory.Tests.Support;
using Npgsql;

namespace Connectory.Tests.Data;

/// <summary>
/// PostgreSQL going away under a running service: every face answers 503 with Retry-After in its own error shape
/// (so clients and proxies retry), never 500, and the service serves again once the database is back.
/// </summary>
public sealed class StoreOutageTests
{
    [PostgresFact]
    public async Task WhileThePostgresServerIsUnreachableEveryFaceAnswers503AndRecovers()
    {
        var database = TestDatabase.CreatePostgresDatabase(migrated: true);
        var direct = new NpgsqlConnectionStringBuilder(TestDatabase.PostgresConnectionString(database));
        await using var link = await TcpLink.StartAsync(direct.Host!, direct.Port);
        var proxied = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Port = link.Port, Timeout = 3 };
        using var factory = ConnectoryFactory.With(new() { ["ConnectionStrings:Connectory"] = proxied.ConnectionString });
        var admin = factory.Client(factory.BootstrapKey);
        await admin.GetAsync("/api/v1/data-connections").JsonAsync();

        link.Cut();
        foreach (var path in new[] { "/api/v1/data-connections", "/api/connectivity/data-connections", "/api/v1/users/me" })
        {
            var response = await admin.GetAsync(path);
            await ApiAssert.ErrorAsync(response, HttpStatusCode.ServiceUnavailable, "DCERROR-0503");
            Assert.NotNull(response.Headers.RetryAfter);
        }
        var dcaas = await admin.GetAsync($"/api/v1/dcaas/actions/data-connections/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, dcaas.StatusCode);
        Assert.Contains("errors", await dcaas.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // The outage is logged without the connection's settings.
        Assert.Contains(factory.Logs, line => line.Contains("database is unavailable", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs, line => line.Contains("Host=", StringComparison.Ordinal));

        link.Restore();
        // Pooled connections broken by the cut are replaced; the first requests after it may still meet one.
        HttpResponseMessage? after = null;
        for (var attempt = 0; attempt < 20; attempt++)
        {
            after = await admin.GetAsync("/api/v1/data-connections");
            if (after.StatusCode == HttpStatusCode.OK)
            {
                break;
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, after.StatusCode);
            await Task.Delay(250);
        }
        Assert.Equal(HttpStatusCode.OK, after!.StatusCode);
        TestDatabase.DropPostgresDatabase(database);
    }

    /// <summary>A loopback TCP relay to the database that can be cut (every connection closed, new ones refused) and restored.</summary>
    sealed class TcpLink : IAsyncDisposable
    {
        readonly string targetHost;
        readonly int targetPort;
        readonly List<TcpClient> open = [];
        TcpListener? listener;
        CancellationTokenSource running = new();

        TcpLink(string host, int port, int listenPort)
        {
            targetHost = host;
            targetPort = port;
            Port = listenPort;
        }

        public int Port { get; private set; }

        public static Task<TcpLink> StartAsync(string host, int port)
        {
            var link = new TcpLink(host, port, 0);
            link.Listen();
            return Task.FromResult(link);
        }

        void Listen()
        {
            listener = new TcpListener(IPAddress.Loopback, Port);
            // Restored on the same port while the cut connections linger in TIME_WAIT.
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            Port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var token = running.Token;
            _ = Task.Run(async () =>
            {
                while (!token.IsCancellationRequested)
                {
                    TcpClient inbound;
                    try
                    {
                        inbound = await listener.AcceptTcpClientAsync(token);
                    }
                    catch (Exception) when (token.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (SocketException)
                    {
                        return;
                    }
                    var outbound = new TcpClient();
                    await outbound.ConnectAsync(targetHost, targetPort, token);
                    lock (open)
                    {
                        open.Add(inbound);
                        open.Add(outbound);
                    }
                    _ = Pump(inbound, outbound, token);
                    _ = Pump(outbound, inbound, token);
                }
            }, token);
        }

        static async Task Pump(TcpClient from, TcpClient to, CancellationToken token)
        {
            try
            {
                await from.GetStream().CopyToAsync(to.GetStream(), token);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException or InvalidOperationException)
            {
                // The other side closed, or the link was cut.
            }
            from.Close();
            to.Close();
        }

        /// <summary>Closes the listener and every relayed connection: the database is gone as far as the service can tell.</summary>
        public void Cut()
        {
            running.Cancel();
            listener?.Stop();
            lock (open)
            {
                foreach (var client in open)
                {
                    client.Close();
                }
                open.Clear();
            }
        }

        /// <summary>Listens again on the same port.</summary>
        public void Restore()
        {
            running = new CancellationTokenSource();
            Listen();
        }

        public ValueTask DisposeAsync()
        {
            Cut();
            return ValueTask.CompletedTask;
        }
    }
}
