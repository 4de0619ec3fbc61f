using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.ConnectionTesting;

/// <summary>
/// Tests of PostgreSQL connections against a real server that checks passwords, saved and unsaved, and who may run
/// them. The password is a canary: it must never come back, nor reach a log or the audit trail.
/// </summary>
public sealed class PostgresConnectionTests(ConnectoryFactory factory, PasswordPostgres postgres)
    : IClassFixture<ConnectoryFactory>, IClassFixture<PasswordPostgres>
{
    const string Secret = PasswordPostgres.Password;

    object Body(string password, string database = "postgres", int? port = null, string? space = null) => new
    {
        qName = "pg-" + Guid.NewGuid().ToString("N")[..8],
        datasourceID = "postgres",
        qConnectStatement = ConnectionTestKit.PostgresStatement(port ?? postgres.Port, database),
        qUsername = "postgres",
        qPassword = password,
        space,
    };

    [Fact]
    public async Task TheRightPasswordSignsInAndQueries()
    {
        var tenant = await factory.NewTenantAsync();
        var (result, text) = await tenant.Admin.TestAsync(Body(Secret));
        ConnectionTestKit.AssertPassed(result, "resolve", "policy", "connect", "authenticate", "database");
        Assert.Equal("postgres", result.GetProperty("kind").GetString());
        Assert.Equal($"127.0.0.1:{postgres.Port}/postgres", result.GetProperty("target").GetString());
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongPasswordFailsAuthentication()
    {
        var tenant = await factory.NewTenantAsync();
        var wrong = Secret + "-wrong";
        var (result, text) = await tenant.Admin.TestAsync(Body(wrong));
        var message = ConnectionTestKit.AssertFailedAt(result, "authenticate");
        Assert.Contains("28P01", message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, text, StringComparison.Ordinal);
        await ConnectionTestKit.AssertNowhereAsync(factory, tenant, wrong);
    }

    [Fact]
    public async Task AMissingDatabaseFailsTheDatabaseStep()
    {
        var tenant = await factory.NewTenantAsync();
        var (result, _) = await tenant.Admin.TestAsync(Body(Secret, database: "no_such_db"));
        var message = ConnectionTestKit.AssertFailedAt(result, "database");
        Assert.Contains("no_such_db", message, StringComparison.Ordinal);
        Assert.Contains("does not exist", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APortNothingListensOnFailsToConnect()
    {
        var tenant = await factory.NewTenantAsync();
        var (result, _) = await tenant.Admin.TestAsync(Body(Secret, port: FreePort()));
        var message = ConnectionTestKit.AssertFailedAt(result, "connect");
        Assert.Contains("refused", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheConnectivityNamespaceTestsTheSameWay()
    {
        var tenant = await factory.NewTenantAsync();
        var (result, _) = await tenant.Admin.TestAsync(Body(Secret), "/api/connectivity");
        ConnectionTestKit.AssertPassed(result, "resolve", "policy", "connect", "authenticate", "database");
    }

    [Fact]
    public async Task ASavedConnectionIsTestedWithItsLinkedCredentialByThoseWhoMayUseIt()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var credentialId = Guid.NewGuid().ToString();
        var stored = await tenant.Admin.PutAsJsonAsync($"/api/v1/data-credentials/{credentialId}", new
        {
            qName = "pg-admin-" + credentialId[..8],
            qType = "QvOdbcConnectorPackage.exe",
            qUsername = "postgres",
            qPassword = Secret,
        });
        Assert.True(stored.IsSuccessStatusCode, await stored.Content.ReadAsStringAsync());
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", new
        {
            qName = "linked",
            qType = "QvOdbcConnectorPackage.exe",
            datasourceID = "postgres",
            qConnectStatement = ConnectionTestKit.PostgresStatement(postgres.Port, "postgres"),
            space,
            qCredentialsID = credentialId,
        }).JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("qID").GetString()!;

        // A data consumer of the space may load from the connection, so may test it: with the admin's credential,
        // which it never sees.
        var consumer = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, consumer.Id, "dataconsumer");
        var (result, text) = await consumer.Client.TestSavedAsync(id);
        ConnectionTestKit.AssertPassed(result, "resolve", "policy", "connect", "authenticate", "database");
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        var (again, _) = await consumer.Client.TestSavedAsync(id, "/api/connectivity");
        Assert.True(again.GetProperty("ok").GetBoolean());

        // Someone the space does not show the connection to, and another tenant's admin: as for a connection that is not there.
        var outsider = await tenant.NewUserAsync();
        await ApiAssert.ErrorAsync(await outsider.Client.PostAsync(ConnectionTestKit.SavedUrl(id), null), HttpStatusCode.NotFound, "DCERROR-0040");
        var consumerOnly = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, consumerOnly.Id, "consumer");
        await ApiAssert.ErrorAsync(await consumerOnly.Client.PostAsync(ConnectionTestKit.SavedUrl(id), null), HttpStatusCode.NotFound, "DCERROR-0040");
        var other = await factory.NewTenantAsync();
        await ApiAssert.ErrorAsync(await other.Admin.PostAsync(ConnectionTestKit.SavedUrl(id), null), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await other.Admin.PostAsync(ConnectionTestKit.SavedUrl(id, "/api/connectivity"), null), HttpStatusCode.NotFound, "DCERROR-0040");

        // Each call is in the audit trail: the consumer's two tests ran, the others were refused; no secret anywhere.
        var events = await factory.TestEventsAsync(tenant.Id);
        Assert.Equal(["granted", "granted", "refused", "refused"], events.Select(e => e.Outcome));
        Assert.All(events.Take(2), e => Assert.Equal(id, e.TargetId));
        Assert.All(events, e => Assert.Equal(id, JsonDocument.Parse(e.Detail).RootElement.GetProperty("reference").GetString()));
        var detail = JsonDocument.Parse(events[0].Detail).RootElement;
        Assert.True(detail.GetProperty("ok").GetBoolean());
        Assert.Equal("postgres", detail.GetProperty("kind").GetString());
        // The other tenant's refusals are its own events, and name nothing of this tenant's connection but the id asked for.
        var theirs = await factory.TestEventsAsync(other.Id);
        Assert.Equal(["refused", "refused"], theirs.Select(e => e.Outcome));
        Assert.All(theirs, e => Assert.Null(e.TargetId));
        await ConnectionTestKit.AssertNowhereAsync(factory, tenant, Secret);
    }

    [Fact]
    public async Task AnUnsavedTestNeedsTheRightToCreateInItsSpace()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var reader = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, reader.Id, "dataconsumer");
        await ApiAssert.ErrorAsync(await reader.Client.PostAsJsonAsync(ConnectionTestKit.NewUrl(), Body(Secret, space: space)), HttpStatusCode.Forbidden, "DCERROR-0030");
        var stranger = await tenant.NewUserAsync();
        await ApiAssert.ErrorAsync(await stranger.Client.PostAsJsonAsync(ConnectionTestKit.NewUrl(), Body(Secret, space: space)), HttpStatusCode.NotFound, "DCERROR-0040");
        var producer = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, producer.Id, "producer");
        var (result, _) = await producer.Client.TestAsync(Body(Secret, space: space));
        Assert.True(result.GetProperty("ok").GetBoolean());
        // Without a space, the caller's personal space: anyone may.
        var (personal, _) = await stranger.Client.TestAsync(Body(Secret));
        Assert.True(personal.GetProperty("ok").GetBoolean());
    }

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
