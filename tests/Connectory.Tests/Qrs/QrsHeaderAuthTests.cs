using System.Net;
using System.Text.Json;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.Qrs;

public sealed class QrsHeaderAuthTests
{
    static readonly string TenantName = "qrs-" + Guid.NewGuid().ToString("N")[..10];

    static Task<HttpResponseMessage> AsUser(QrsClient qrs, HttpMethod method, string path, string header, object? body = null, string? secret = null) =>
        qrs.SendAsync(method, path, body, r =>
        {
            r.Headers.Add("X-Qlik-User", header);
            if (secret is not null)
            {
                r.Headers.Add("X-Connectory-Proxy-Secret", secret);
            }
        });

    [Fact]
    public async Task TrustedProxiesMayBeOneCommaSeparatedValue()
    {
        // As an environment variable is usually written: Qrs__TrustedProxies=127.0.0.1,::1
        using var factory = ConnectoryFactory.With(new() { ["Qrs:Tenant"] = TenantName, ["Qrs:TrustedProxies"] = "127.0.0.1, ::1" });
        await factory.NewNamedTenantAsync(TenantName, autoCreateUsers: true);
        var proxy = new QrsClient(factory.Client(null));
        var list = await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", "UserDirectory=ACME; UserId=scalar").JsonAsync();
        Assert.Equal(0, list.GetArrayLength());
    }

    [Fact]
    public async Task TrustedProxyUsersAreSignedInToTheConfiguredTenant()
    {
        using var factory = ConnectoryFactory.With(new() { ["Qrs:Tenant"] = TenantName, ["Qrs:TrustedProxies:0"] = "127.0.0.1", ["Qrs:TrustedProxies:1"] = "::1" });
        var tenant = await factory.NewNamedTenantAsync(TenantName, autoCreateUsers: true);
        var proxy = new QrsClient(factory.Client(null));

        // First call makes the user (no roles): they see nothing and may not make the QRS space.
        var list = await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", "UserDirectory=ACME; UserId=jdoe").JsonAsync();
        Assert.Equal(0, list.GetArrayLength());
        var user = await factory.WithDbAsync(db => db.Users.IgnoreQueryFilters().SingleAsync(u => u.TenantId == tenant.Id && u.Subject == "ACME\\jdoe"));
        var denied = await AsUser(proxy, HttpMethod.Post, "/qrs/dataconnection", "UserDirectory=ACME; UserId=jdoe", new { name = "x", type = "ODBC", connectionstring = "y" });
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        // The admin (bearer) makes a connection with a password and lets the header user read the QRS space.
        var admin = new QrsClient(tenant.Admin);
        var created = await admin.CreateAsync("Payroll", extra: new { username = "svc", password = "never-shown-1" });
        var id = created.GetProperty("id").GetString()!;
        var spaceId = (await tenant.Admin.GetAsync($"/api/v1/data-connections/{id}").JsonAsync()).GetProperty("space").GetString()!;
        await tenant.AssignAsync(spaceId, user.Id, "dataconsumer");

        var seen = await AsUser(proxy, HttpMethod.Get, $"/qrs/dataconnection/{id}?privileges=true", "userid=jdoe;userdirectory=ACME").JsonAsync();
        Assert.Equal("Payroll", seen.GetProperty("name").GetString());
        Assert.Equal("svc", seen.GetProperty("username").GetString());
        Assert.Equal(JsonValueKind.Null, seen.GetProperty("password").ValueKind);
        Assert.Equal(["read"], seen.GetProperty("privileges").EnumerateArray().Select(p => p.GetString()));
        Assert.DoesNotContain("never-shown-1", await (await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection/full", "UserDirectory=ACME; UserId=jdoe")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Header users live in the configured tenant only: another tenant's connections stay unseen.
        var other = await factory.NewTenantAsync();
        var elsewhere = await new QrsClient(other.Admin).CreateAsync("Elsewhere");
        Assert.Equal(HttpStatusCode.NotFound, (await AsUser(proxy, HttpMethod.Get, $"/qrs/dataconnection/{elsewhere.GetProperty("id").GetString()}", "UserDirectory=ACME; UserId=jdoe")).StatusCode);

        // A malformed header is refused; without auto-creation an unknown user is refused.
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", "jdoe")).StatusCode);
        await factory.WithDbAsync(db => db.Tenants.Where(t => t.Id == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.AutoCreateUsers, false)));
        var unknown = await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", "UserDirectory=ACME; UserId=stranger");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Equal("text/plain", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", "UserDirectory=ACME; UserId=jdoe")).StatusCode);
    }

    [Fact]
    public async Task TheUserHeaderIsIgnoredFromUntrustedAddresses()
    {
        using var factory = ConnectoryFactory.With(new() { ["Qrs:Tenant"] = TenantName, ["Qrs:TrustedProxies:0"] = "10.9.9.9" });
        await factory.NewNamedTenantAsync(TenantName, autoCreateUsers: true);
        var response = await AsUser(new QrsClient(factory.Client(null)), HttpMethod.Get, "/qrs/dataconnection", "UserDirectory=ACME; UserId=jdoe");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.False(await factory.WithDbAsync(db => db.Users.IgnoreQueryFilters().AnyAsync(u => u.Subject == "ACME\\jdoe")));
    }

    [Fact]
    public async Task TheSharedProxySecretMustMatch()
    {
        using var factory = ConnectoryFactory.With(new() { ["Qrs:Tenant"] = TenantName, ["Qrs:ProxySecret"] = "proxy-secret-value" });
        await factory.NewNamedTenantAsync(TenantName, autoCreateUsers: true);
        var proxy = new QrsClient(factory.Client(null));
        const string user = "UserDirectory=ACME; UserId=jdoe";
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", user)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", user, secret: "proxy-secret-valuE")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", user, secret: "proxy-secret-value")).StatusCode);
        // The Xrfkey check still comes first.
        var request = new HttpRequestMessage(HttpMethod.Get, "/qrs/dataconnection");
        request.Headers.Add("X-Qlik-User", user);
        request.Headers.Add("X-Connectory-Proxy-Secret", "proxy-secret-value");
        Assert.Equal(HttpStatusCode.Forbidden, (await proxy.Http.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task UserDirectoryAndUserIdCompareWithoutCase()
    {
        using var factory = ConnectoryFactory.With(new() { ["Qrs:Tenant"] = TenantName, ["Qrs:TrustedProxies:0"] = "127.0.0.1", ["Qrs:TrustedProxies:1"] = "::1" });
        var tenant = await factory.NewNamedTenantAsync(TenantName, autoCreateUsers: true);
        var proxy = new QrsClient(factory.Client(null));
        Assert.Equal(HttpStatusCode.OK, (await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", "UserDirectory=INTERNAL; UserId=sa_repository")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", "UserDirectory=internal; UserId=SA_Repository")).StatusCode);
        var users = await factory.WithDbAsync(db => db.Users.IgnoreQueryFilters().Where(u => u.TenantId == tenant.Id && u.Name != "admin").Select(u => u.Subject).ToListAsync());
        Assert.Equal(["INTERNAL\\sa_repository"], users.Where(u => u.EndsWith("sa_repository", StringComparison.OrdinalIgnoreCase)));

        // Without auto-creation the existing user is still found whatever the case.
        await factory.WithDbAsync(db => db.Tenants.Where(t => t.Id == tenant.Id).ExecuteUpdateAsync(s => s.SetProperty(t => t.AutoCreateUsers, false)));
        Assert.Equal(HttpStatusCode.OK, (await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", "userdirectory=Internal; userid=SA_REPOSITORY")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", "UserDirectory=INTERNAL; UserId=sa_scheduler")).StatusCode);
    }

    [Fact]
    public async Task ConcurrentFirstSignInsOfOneUserMakeOneUser()
    {
        using var factory = ConnectoryFactory.With(new() { ["Qrs:Tenant"] = TenantName, ["Qrs:ProxySecret"] = "proxy-secret-value" });
        var tenant = await factory.NewNamedTenantAsync(TenantName, autoCreateUsers: true);
        var proxy = new QrsClient(factory.Client(null));
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            AsUser(proxy, HttpMethod.Get, "/qrs/dataconnection", "UserDirectory=ACME; UserId=racer", secret: "proxy-secret-value")));
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, await factory.WithDbAsync(db => db.Users.IgnoreQueryFilters().CountAsync(u => u.TenantId == tenant.Id && u.Subject == "ACME\\racer")));
    }
}
