using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.ConnectionTesting;

/// <summary>
/// HTTP(S) endpoints of REST sources and the TCP and TLS checks of other sources, against servers on loopback: the
/// status a server answers, a self-signed certificate, a server that never speaks, and the outbound-address policy.
/// </summary>
public sealed class NetworkConnectionTests(ConnectoryFactory factory, LoopbackServers servers)
    : IClassFixture<ConnectoryFactory>, IClassFixture<LoopbackServers>
{
    static object Rest(string url, string? user = null, string? password = null, string extra = "") => new
    {
        qName = "rest",
        datasourceID = "rest",
        qConnectStatement = $"CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url={url};method=GET;authSchema={(user is null ? "anonymous" : "basic")};{extra}\"",
        qUsername = user,
        qPassword = password,
    };

    static object Snowflake(string host, int port) => new
    {
        qName = "warehouse",
        datasourceID = "snowflake",
        qConnectStatement = $"CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=snowflake;server={host};port={port};database=sales;\"",
        qUsername = "loader",
        qPassword = "canary-snowflake-0a9e",
    };

    [StoreIndependentFact]
    public async Task AnEndpointThatAnswers200Passes()
    {
        var tenant = await factory.NewTenantAsync();
        var (result, _) = await tenant.Admin.TestAsync(Rest($"http://127.0.0.1:{servers.HttpPort}/ok"));
        ConnectionTestKit.AssertPassed(result, "resolve", "policy", "connect", "http");
        Assert.Equal("http", result.GetProperty("kind").GetString());
        Assert.StartsWith("HTTP 200", result.GetProperty("steps")[3].GetProperty("message").GetString());
    }

    [StoreIndependentFact]
    public async Task BasicCredentialsAreSentAndA401IsReported()
    {
        var tenant = await factory.NewTenantAsync();
        var url = $"http://127.0.0.1:{servers.HttpPort}/basic";
        var (signedIn, _) = await tenant.Admin.TestAsync(Rest(url, LoopbackServers.User, LoopbackServers.Password));
        ConnectionTestKit.AssertPassed(signedIn, "resolve", "policy", "connect", "http");
        var wrong = LoopbackServers.Password + "-wrong";
        var (refused, text) = await tenant.Admin.TestAsync(Rest(url, LoopbackServers.User, wrong));
        Assert.StartsWith("HTTP 401", ConnectionTestKit.AssertFailedAt(refused, "http"));
        Assert.DoesNotContain(wrong, text, StringComparison.Ordinal);
        await ConnectionTestKit.AssertNowhereAsync(factory, tenant, wrong);
        await ConnectionTestKit.AssertNowhereAsync(factory, tenant, LoopbackServers.Password);
    }

    [StoreIndependentFact]
    public async Task AServerThatQuotesThePasswordHasItHiddenInTheMessage()
    {
        var tenant = await factory.NewTenantAsync();
        const string canary = "canary-echo-4be1";
        var (result, text) = await tenant.Admin.TestAsync(Rest($"http://127.0.0.1:{servers.HttpPort}/echo", LoopbackServers.User, canary));
        ConnectionTestKit.AssertPassed(result, "resolve", "policy", "connect", "http");
        var message = result.GetProperty("steps")[3].GetProperty("message").GetString()!;
        Assert.StartsWith("HTTP 302", message);
        Assert.Contains("/login/[hidden] (not followed)", message, StringComparison.Ordinal);
        Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
        await ConnectionTestKit.AssertNowhereAsync(factory, tenant, canary);
        // The trail keeps a URL to its origin only: a path may carry a token.
        var audited = (await factory.TestEventsAsync(tenant.Id)).Single();
        Assert.Equal($"http://127.0.0.1:{servers.HttpPort}", JsonDocument.Parse(audited.Detail).RootElement.GetProperty("target").GetString());
    }

    [StoreIndependentFact]
    public async Task A404IsReported()
    {
        var tenant = await factory.NewTenantAsync();
        var (result, _) = await tenant.Admin.TestAsync(Rest($"http://127.0.0.1:{servers.HttpPort}/missing"));
        Assert.StartsWith("HTTP 404", ConnectionTestKit.AssertFailedAt(result, "http"));
    }

    [StoreIndependentFact]
    public async Task ASelfSignedCertificateFailsTheTlsStepUnlessTheConnectionSkipsTheCheck()
    {
        var tenant = await factory.NewTenantAsync();
        var url = $"https://localhost:{servers.HttpsPort}/ok";
        var (refused, _) = await tenant.Admin.TestAsync(Rest(url));
        Assert.Contains("not trusted", ConnectionTestKit.AssertFailedAt(refused, "tls"), StringComparison.Ordinal);
        var (skipped, _) = await tenant.Admin.TestAsync(Rest(url, extra: "skipServerCertificateValidation=true;"));
        ConnectionTestKit.AssertPassed(skipped, "resolve", "policy", "connect", "tls", "http");
    }

    [StoreIndependentFact]
    public async Task AConnectionMadeFromPropertiesIsTestedThroughItsDefinition()
    {
        var tenant = await factory.NewTenantAsync();
        var (result, _) = await tenant.Admin.TestAsync(new
        {
            qName = "by-properties",
            dataSourceId = "rest",
            connectionProperties = new { url = $"http://127.0.0.1:{servers.HttpPort}/ok" },
        });
        ConnectionTestKit.AssertPassed(result, "resolve", "policy", "connect", "http");
    }

    [StoreIndependentFact]
    public async Task OtherSourcesGetTcpAndATlsHandshake()
    {
        var tenant = await factory.NewTenantAsync();
        var (result, text) = await tenant.Admin.TestAsync(Snowflake("127.0.0.1", servers.HttpsPort));
        Assert.Equal("tcp", result.GetProperty("kind").GetString());
        Assert.Contains("not trusted", ConnectionTestKit.AssertFailedAt(result, "tls"), StringComparison.Ordinal);
        Assert.DoesNotContain("canary-snowflake", text, StringComparison.Ordinal);
        var (sqlServer, _) = await tenant.Admin.TestAsync(new
        {
            qName = "mssql",
            datasourceID = "sqlserver",
            qConnectStatement = $"CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=sqlserver;host=127.0.0.1;port={servers.HttpPort};db=x;\"",
        });
        // SQL Server negotiates TLS inside its own protocol: the test stops at the TCP connection.
        ConnectionTestKit.AssertPassed(sqlServer, "resolve", "policy", "connect");
    }

    [StoreIndependentFact]
    public async Task ANameThatDoesNotResolveFailsTheResolveStep()
    {
        var tenant = await factory.NewTenantAsync();
        var (result, _) = await tenant.Admin.TestAsync(Snowflake("no-such-host.invalid", 443));
        ConnectionTestKit.AssertFailedAt(result, "resolve");
    }

    [StoreIndependentFact]
    public async Task TheMetadataAddressIsNeverTested()
    {
        var tenant = await factory.NewTenantAsync();
        foreach (var host in new[] { "169.254.169.254", "[::ffff:169.254.169.254]", "0.0.0.0" })
        {
            var (result, _) = await tenant.Admin.TestAsync(Rest($"http://{host}/latest/meta-data/"));
            var message = ConnectionTestKit.AssertFailedAt(result, "policy");
            Assert.Contains("never go there", message, StringComparison.Ordinal);
        }
    }

    [StoreIndependentFact]
    public async Task AnAdminListsWhereTestsMayGo()
    {
        using var app = ConnectoryFactory.With(new()
        {
            ["ConnectionTests:AllowedNetworks:0"] = "10.0.0.0/8",
            ["ConnectionTests:AllowedPorts:0"] = "5432",
        });
        var tenant = await app.NewTenantAsync();
        var (outside, _) = await tenant.Admin.TestAsync(Rest($"http://127.0.0.1:{servers.HttpPort}/ok"));
        Assert.Contains("AllowedNetworks", ConnectionTestKit.AssertFailedAt(outside, "policy"), StringComparison.Ordinal);
        var (port, _) = await tenant.Admin.TestAsync(Snowflake("10.1.2.3", 443));
        Assert.Contains("AllowedPorts", ConnectionTestKit.AssertFailedAt(port, "policy"), StringComparison.Ordinal);
    }

    [StoreIndependentFact]
    public async Task AServerThatNeverAnswersEndsTheStepAtTheTimeout()
    {
        using var app = ConnectoryFactory.With(new() { ["ConnectionTests:Timeout"] = "00:00:01" });
        var tenant = await app.NewTenantAsync();
        var (result, _) = await tenant.Admin.TestAsync(Snowflake("127.0.0.1", servers.SilentPort));
        Assert.Contains("timed out", ConnectionTestKit.AssertFailedAt(result, "tls"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestsBeyondThePerUserLimitAre429()
    {
        using var app = ConnectoryFactory.With(new() { ["ConnectionTests:PermitPerMinute"] = "2" });
        var tenant = await app.NewTenantAsync();
        var body = Rest($"http://127.0.0.1:{servers.HttpPort}/ok");
        await tenant.Admin.TestAsync(body);
        await tenant.Admin.TestAsync(body);
        var over = await tenant.Admin.PostAsJsonAsync(ConnectionTestKit.NewUrl(), body);
        await ApiAssert.ErrorAsync(over, HttpStatusCode.TooManyRequests, "DCERROR-0290");
        Assert.NotNull(over.Headers.RetryAfter);
        // Another user of the tenant has a limit of their own.
        var other = await tenant.NewUserAsync();
        await other.Client.TestAsync(body);
        var events = await app.TestEventsAsync(tenant.Id);
        Assert.Equal(429, events.Single(e => e.Outcome == "refused").Status);
    }
}
