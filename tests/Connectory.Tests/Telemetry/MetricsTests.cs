using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Connectory.Tests.Resolving;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.Telemetry;

/// <summary>
/// The Prometheus scrape after real requests: the service's own series with their labels (API family, route template,
/// status, tenant id, method, result), and nothing a caller sent that could be a secret or a name.
/// </summary>
public sealed class MetricsTests
{
    const string Canary = "canary-pw-7f3a9c1e";
    const string QueryCanary = "canary-query-5b2d";

    [Fact]
    public async Task AScrapeShowsTheNamedSeriesWithTheirLabelsAndNoSecret()
    {
        using var factory = ConnectoryFactory.With(new() { ["Resolve:PermitPerMinute"] = "2" });
        var tenant = await factory.NewTenantAsync();
        var resolver = await tenant.NewUserAsync("ConnectionResolver");
        var created = await resolver.Client.NewConnectionAsync(null, "warehouse", Canary);
        var duplicate = await resolver.Client.PostAsJsonAsync("/api/v1/data-connections", new
        {
            qName = "warehouse",
            qConnectStatement = ResolveKit.Statement,
            qType = "QvOdbcConnectorPackage.exe",
            datasourceID = "postgres",
            qUsername = "reader",
            qPassword = Canary,
        });
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        await resolver.Client.GetAsync($"/api/v1/data-connections/{created}").JsonAsync();
        await tenant.Admin.GetAsync($"/api/connectivity/data-connections?filter=qName eq \"{QueryCanary}\"").JsonAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Admin.GetAsync("/api/v1/dcaas/no-such-thing")).StatusCode);
        var qrsStatus = (int)(await factory.Client(null).GetAsync("/qrs/dataconnection")).StatusCode;
        // Two resolutions within the limit (each decrypts the password), the third refused by the resolve limit.
        Assert.Equal(HttpStatusCode.Created, (await resolver.Client.ResolveAsync(new { connectionId = created })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await resolver.Client.ResolveAsync(new { connectionId = created })).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await resolver.Client.ResolveAsync(new { connectionId = created })).StatusCode);
        var unknownKey = "cnx_" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client(unknownKey).GetAsync("/api/v1/users/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln").GetAsync("/api/v1/users/me")).StatusCode);

        var response = await factory.Client(factory.BootstrapKey).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var scrape = new Scrape(await response.Content.ReadAsStringAsync());
        var tenantName = await factory.WithDbAsync(db => db.Tenants.Where(t => t.Id == tenant.Id).Select(t => t.Name).SingleAsync());

        const string Requests = "connectory_request_duration_seconds_count";
        AtLeast(1, scrape, Requests, ("family", "cloud"), ("route", "/api/v1/data-connections/"), ("method", "POST"), ("status", "409"));
        AtLeast(1, scrape, Requests, ("family", "cloud"), ("route", "/api/v1/data-connections/{qID}"), ("method", "GET"), ("status", "200"));
        AtLeast(1, scrape, Requests, ("family", "connectivity"), ("route", "/api/connectivity/data-connections/"), ("status", "200"));
        AtLeast(1, scrape, Requests, ("family", "connectivity"), ("route", "/api/connectivity/data-sources/endpoints/actions/filter"), ("status", "429"));
        AtLeast(1, scrape, Requests, ("family", "dcaas"), ("status", "404"));
        AtLeast(1, scrape, Requests, ("family", "qrs"), ("route", "/qrs/dataconnection"), ("status", qrsStatus.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.NotEmpty(scrape.Find("http_server_request_duration_seconds_count", ("http_route", "/api/v1/data-connections/"), ("http_response_status_code", "409")));

        Assert.Equal(1, scrape.Sum("connectory_connections", ("tenant_id", tenant.Id)));
        AtLeast(1, scrape, "connectory_credentials", ("tenant_id", tenant.Id));
        Assert.NotEmpty(scrape.Find("connectory_master_key_secrets", ("current", "true")));
        AtLeast(1, scrape, "connectory_sign_ins_total", ("method", "api-key"), ("result", "success"));
        AtLeast(1, scrape, "connectory_sign_ins_total", ("method", "api-key"), ("result", "failure"));
        AtLeast(1, scrape, "connectory_sign_ins_total", ("method", "jwt"), ("result", "failure"));
        AtLeast(2, scrape, "connectory_secret_decryptions_total", ("result", "ok"));
        AtLeast(2, scrape, "connectory_resolve_calls_total", ("result", "granted"));
        AtLeast(1, scrape, "connectory_resolve_calls_total", ("result", "throttled"));
        AtLeast(1, scrape, "connectory_rate_limit_rejections_total", ("tier", "resolve"));
        if (!TestDatabase.IsPostgres)
        {
            Assert.NotEmpty(scrape.Find("connectory_sqlite_write_queue"));
            AtLeast(1, scrape, "connectory_sqlite_commit_duration_seconds_count");
        }

        // Nothing a caller sent that could be a secret, a name or a query value.
        foreach (var leak in new[] { Canary, QueryCanary, "warehouse", factory.BootstrapKey, unknownKey, tenantName })
        {
            Assert.DoesNotContain(leak, scrape.Text, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("Host=", scrape.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Data Source", scrape.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InAdminModeOnlyAnAdminOfTheOperatorsTenantMayScrape()
    {
        using var factory = new ConnectoryFactory();
        var tenant = await factory.NewTenantAsync();
        var operators = factory.Client(factory.BootstrapKey);
        var me = await operators.GetAsync("/api/v1/users/me").JsonAsync();
        var operatorsTenant = new TestTenant(factory, me.GetProperty("tenantId").GetString()!, me.GetProperty("id").GetString()!, operators);
        var analyst = await operatorsTenant.NewUserAsync();
        await ApiAssert.ErrorAsync(await factory.Client(null).GetAsync("/metrics"), HttpStatusCode.Unauthorized);
        // Another tenant's admin would learn every tenant's counts; a user of the operators' tenant is no admin.
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/metrics"), HttpStatusCode.Forbidden);
        await ApiAssert.ErrorAsync(await analyst.Client.GetAsync("/metrics"), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await factory.Client(factory.BootstrapKey).GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task OnItsOwnPortTheScrapeNeedsNoSignInAndTheApiPortHasNone()
    {
        var port = FreePort();
        using var factory = ConnectoryFactory.With(new() { ["Metrics:Scrape"] = "port", ["Metrics:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewConnectionAsync(null, "lake", Canary);
        await ApiAssert.ErrorAsync(await factory.Client(factory.BootstrapKey).GetAsync("/metrics"), HttpStatusCode.NotFound);
        using var scraper = new HttpClient();
        var text = await scraper.GetStringAsync($"http://127.0.0.1:{port}/metrics");
        var scrape = new Scrape(text);
        Assert.Equal(1, scrape.Sum("connectory_connections", ("tenant_id", tenant.Id)));
        Assert.DoesNotContain(Canary, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OffServesNoScrape()
    {
        using var factory = ConnectoryFactory.With(new() { ["Metrics:Scrape"] = "off" });
        await ApiAssert.ErrorAsync(await factory.Client(factory.BootstrapKey).GetAsync("/metrics"), HttpStatusCode.NotFound);
    }

    /// <summary>Other apps in this test process add to the same series, so counts are at least, not exactly, this run's.</summary>
    static void AtLeast(double least, Scrape scrape, string name, params (string Key, string Value)[] labels)
    {
        var sum = scrape.Sum(name, labels);
        Assert.True(sum >= least, $"{name}{{{string.Join(",", labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} is {sum}, expected at least {least}\n{string.Join('\n', scrape.Text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal)))}");
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
