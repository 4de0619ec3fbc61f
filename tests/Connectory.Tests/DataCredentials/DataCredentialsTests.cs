using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataCredentials;

public sealed class DataCredentialsTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    [Fact]
    public async Task PutCreatesACredentialThatGetReturnsWithoutItsPassword()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var id = Guid.NewGuid().ToString();
        var put = await user.Client.PutCredentialAsync(id, new { qID = id, qName = "Warehouse", qType = "QvRestConnectorPackage.exe", qUsername = "svc", qPassword = "pw-get-1", datasourceID = "rest" });
        await ApiAssert.OkAsync(put, HttpStatusCode.NoContent);

        var response = await user.Client.GetAsync($"/api/v1/data-credentials/{id}");
        var text = await response.Content.ReadAsStringAsync();
        var got = await ApiAssert.OkAsync(response);
        Assert.Equal(id, got.GetProperty("qID").GetString());
        Assert.Equal("Warehouse", got.GetProperty("qName").GetString());
        Assert.Equal("QvRestConnectorPackage.exe", got.GetProperty("qType").GetString());
        Assert.Equal("rest", got.GetProperty("datasourceID").GetString());
        Assert.Equal(0, got.GetProperty("qConnCount").GetInt32());
        Assert.Equal(0, got.GetProperty("qSeparated").GetInt32());
        Assert.False(got.TryGetProperty("connectionId", out _));
        Assert.EndsWith($"/api/v1/data-credentials/{id}", got.GetProperty("links").GetProperty("self").GetProperty("href").GetString());
        Assert.False(string.IsNullOrEmpty(got.GetProperty("qReferenceKey").GetString()));
        Assert.True(DateTime.TryParse(got.GetProperty("created").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.NotNull(got.GetProperty("updated").GetString());
        Assert.DoesNotContain("pw-get-1", text);
        Assert.DoesNotContain("qPassword", text);
        Assert.DoesNotContain("svc", text);
    }

    [Fact]
    public async Task ByCredentialNameFindsTheCallersCredentialByName()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var id = await user.Client.NewCredentialAsync("Named One");
        var got = await user.Client.GetAsync("/api/v1/data-credentials/named%20one?byCredentialName=true").JsonAsync();
        Assert.Equal(id, got.GetProperty("qID").GetString());

        await ApiAssert.OkAsync(await user.Client.PutCredentialAsync("Named One", new { qName = "Named One", qType = "t2", qUsername = "u", qPassword = "p" }, byName: true), HttpStatusCode.NoContent);
        Assert.Equal("t2", (await user.Client.GetAsync($"/api/v1/data-credentials/{id}").JsonAsync()).GetProperty("qType").GetString());

        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/data-credentials/nobody?byCredentialName=true"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/data-credentials/%20?byCredentialName=true"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/data-credentials/not-a-uuid"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/data-credentials/{id}?byCredentialName=maybe"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PutRequiresNameTypeUsernameAndPassword()
    {
        var tenant = await factory.NewTenantAsync();
        var client = (await tenant.NewUserAsync()).Client;
        var id = Guid.NewGuid().ToString();
        foreach (var (missing, body) in new (string, object)[]
        {
            ("qName", new { qType = "t", qUsername = "u", qPassword = "p" }),
            ("qType", new { qName = "n", qUsername = "u", qPassword = "p" }),
            ("qUsername", new { qName = "n", qType = "t", qPassword = "p" }),
            ("qPassword", new { qName = "n", qType = "t", qUsername = "u" }),
        })
        {
            var error = await ApiAssert.ErrorAsync(await client.PutCredentialAsync(id, body), HttpStatusCode.BadRequest, "DCERROR-0013");
            Assert.Contains(missing, error.GetProperty("detail").GetString());
        }
        await ApiAssert.ErrorAsync(await client.PutCredentialAsync(id, new { qName = "n", qType = "t", qUsername = "u", qPassword = "p", qID = Guid.NewGuid().ToString() }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await client.PutCredentialAsync("not-a-uuid", new { qName = "n", qType = "t", qUsername = "u", qPassword = "p" }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await client.PutCredentialAsync(id, new { qName = 5, qType = "t", qUsername = "u", qPassword = "p" }), HttpStatusCode.BadRequest, "DCERROR-0011");
        await ApiAssert.ErrorAsync(await client.GetAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PutReplacesTheCallersCredentialAndRefusesATakenName()
    {
        var tenant = await factory.NewTenantAsync();
        var client = (await tenant.NewUserAsync()).Client;
        var first = await client.NewCredentialAsync("First");
        await client.NewCredentialAsync("Second");
        factory.Clock.Offset += TimeSpan.FromMinutes(5);

        await ApiAssert.OkAsync(await client.PutCredentialAsync(first, new { qName = "Renamed", qType = "t9", qUsername = "u", qPassword = "p2", datasourceID = "ds" }), HttpStatusCode.NoContent);
        var got = await client.GetAsync($"/api/v1/data-credentials/{first}").JsonAsync();
        Assert.Equal(("Renamed", "t9", "ds"), (got.GetProperty("qName").GetString(), got.GetProperty("qType").GetString(), got.GetProperty("datasourceID").GetString()));
        Assert.NotEqual(got.GetProperty("created").GetString(), got.GetProperty("updated").GetString());

        var conflict = await ApiAssert.ErrorAsync(await client.PutCredentialAsync(first, new { qName = "SECOND", qType = "t", qUsername = "u", qPassword = "p" }), HttpStatusCode.Conflict, "DCERROR-0090");
        Assert.Contains("SECOND", conflict.GetProperty("detail").GetString());
        await ApiAssert.ErrorAsync(await client.PutCredentialAsync(Guid.NewGuid().ToString(), new { qName = "second", qType = "t", qUsername = "u", qPassword = "p" }), HttpStatusCode.Conflict, "DCERROR-0090");
        Assert.Equal("Renamed", (await client.GetAsync($"/api/v1/data-credentials/{first}").JsonAsync()).GetProperty("qName").GetString());

        // Names are per user: another user may use the same one.
        await (await tenant.NewUserAsync()).Client.NewCredentialAsync("Second");
    }

    [Fact]
    public async Task PatchChangesFieldsAllOrNothing()
    {
        var tenant = await factory.NewTenantAsync();
        var client = (await tenant.NewUserAsync()).Client;
        var id = await client.NewCredentialAsync("Patchable");
        await client.NewCredentialAsync("Taken");

        await ApiAssert.OkAsync(await client.PatchCredentialAsync(id, new object[]
        {
            new { op = "replace", path = "/qName", value = "Patched" },
            new { op = "replace", path = "/qUsername", value = "new-user" },
            new { op = "replace", path = "/qPassword", value = "new-password" },
            new { op = "add", path = "/datasourceID", value = "snowflake" },
        }), HttpStatusCode.NoContent);
        var got = await client.GetAsync($"/api/v1/data-credentials/{id}").JsonAsync();
        Assert.Equal(("Patched", "snowflake"), (got.GetProperty("qName").GetString(), got.GetProperty("datasourceID").GetString()));

        async Task Rejected(HttpStatusCode status, params object[] operations)
        {
            await ApiAssert.ErrorAsync(await client.PatchCredentialAsync(id, operations), status);
            Assert.Equal("Patched", (await client.GetAsync($"/api/v1/data-credentials/{id}").JsonAsync()).GetProperty("qName").GetString());
        }
        await Rejected(HttpStatusCode.BadRequest, new { op = "replace", path = "/qName", value = "Never" }, new { op = "replace", path = "/qNope", value = "x" });
        await Rejected(HttpStatusCode.BadRequest, new { op = "replace", path = "/qName", value = "Never" }, new { op = "replace", path = "/qPassword", value = 42 });
        await Rejected(HttpStatusCode.BadRequest, new { op = "remove", path = "/qName" });
        await Rejected(HttpStatusCode.BadRequest, new { op = "move", path = "/qName", value = "Never" });
        await Rejected(HttpStatusCode.BadRequest, new { op = "replace", path = "/qName" });
        await Rejected(HttpStatusCode.BadRequest, new { op = "replace", path = "/connectionId", value = Guid.NewGuid().ToString() });
        await Rejected(HttpStatusCode.Conflict, new { op = "replace", path = "/qName", value = "taken" });
        await ApiAssert.ErrorAsync(await client.PatchCredentialAsync(id, Array.Empty<object>()), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await client.PatchCredentialAsync(Guid.NewGuid().ToString(), new[] { new { op = "replace", path = "/qName", value = "x" } }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task OnlyTheOwnerReadsOrChangesACredential()
    {
        var tenant = await factory.NewTenantAsync();
        var owner = await tenant.NewUserAsync();
        var other = await tenant.NewUserAsync();
        var id = await owner.Client.NewCredentialAsync("Mine");
        foreach (var client in new[] { other.Client, tenant.Admin })
        {
            await ApiAssert.ErrorAsync(await client.GetAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.NotFound);
            await ApiAssert.ErrorAsync(await client.GetAsync("/api/v1/data-credentials/Mine?byCredentialName=true"), HttpStatusCode.NotFound);
            await ApiAssert.ErrorAsync(await client.PatchCredentialAsync(id, new[] { new { op = "replace", path = "/qName", value = "Stolen" } }), HttpStatusCode.NotFound);
            await ApiAssert.ErrorAsync(await client.PutCredentialAsync(id, new { qName = "Stolen", qType = "t", qUsername = "u", qPassword = "p" }), HttpStatusCode.NotFound);
        }
        await ApiAssert.ErrorAsync(await other.Client.DeleteAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.NotFound);
        Assert.Equal("Mine", (await owner.Client.GetAsync($"/api/v1/data-credentials/{id}").JsonAsync()).GetProperty("qName").GetString());
    }

    [Fact]
    public async Task AnotherTenantsCredentialIsNotFound()
    {
        var mine = await factory.NewTenantAsync();
        var theirs = await factory.NewTenantAsync();
        var id = await mine.Admin.NewCredentialAsync("Tenant secret");
        await ApiAssert.ErrorAsync(await theirs.Admin.GetAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await theirs.Admin.PatchCredentialAsync(id, new[] { new { op = "replace", path = "/qName", value = "x" } }), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await theirs.Admin.DeleteAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(id, (await theirs.Admin.OrphansAsync(new { })).Ids());
        Assert.Contains(id, (await mine.Admin.OrphansAsync(new { })).Ids());

        // Ids are per tenant: a PUT of this id makes the other tenant a credential of its own, as for a free id, and
        // leaves this one as it was.
        await ApiAssert.OkAsync(await theirs.Admin.PutCredentialAsync(id, new { qName = "x", qType = "t", qUsername = "u", qPassword = "p" }), HttpStatusCode.NoContent);
        Assert.Equal("x", (await theirs.Admin.GetAsync($"/api/v1/data-credentials/{id}").JsonAsync()).GetProperty("qName").GetString());
        Assert.Equal("Tenant secret", (await mine.Admin.GetAsync($"/api/v1/data-credentials/{id}").JsonAsync()).GetProperty("qName").GetString());
        await ApiAssert.OkAsync(await theirs.Admin.DeleteAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.NoContent);
        Assert.Contains(id, (await mine.Admin.OrphansAsync(new { })).Ids());
    }

    [Fact]
    public async Task DeletingALinkedCredentialLeavesItsConnectionsWithoutOne()
    {
        var tenant = await factory.NewTenantAsync();
        var client = tenant.Admin;
        var id = await client.NewCredentialAsync("Linked");
        var connection = await client.NewConnectionAsync(CredentialApi.Connection(credentialId: id));
        var connectionId = connection.GetProperty("qID").GetString();
        var got = await client.GetAsync($"/api/v1/data-credentials/{id}").JsonAsync();
        Assert.Equal(1, got.GetProperty("qConnCount").GetInt32());
        Assert.Equal(connectionId, got.GetProperty("connectionId").GetString());
        Assert.Equal(id, (await client.GetAsync($"/api/v1/data-connections/{connectionId}").JsonAsync()).GetProperty("qCredentialsID").GetString());

        await ApiAssert.OkAsync(await client.DeleteAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.NoContent);
        await ApiAssert.ErrorAsync(await client.GetAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.NotFound);
        var after = await client.GetAsync($"/api/v1/data-connections/{connectionId}").JsonAsync();
        Assert.False(after.TryGetProperty("qCredentialsID", out _));
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.NotFound);

        var byName = await client.NewCredentialAsync("Gone by name");
        await ApiAssert.OkAsync(await client.DeleteAsync("/api/v1/data-credentials/gone%20by%20name?byCredentialName=true"), HttpStatusCode.NoContent);
        await ApiAssert.ErrorAsync(await client.GetAsync($"/api/v1/data-credentials/{byName}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EmbeddedCredentialsAreTheConnectionsAndGoAwayWithIt()
    {
        var tenant = await factory.NewTenantAsync();
        var owner = await tenant.NewUserAsync();
        var connection = await owner.Client.NewConnectionAsync(CredentialApi.Connection(username: "dbuser", password: "embedded-pw"));
        var connectionId = connection.GetProperty("qID").GetString()!;
        var credentialId = connection.GetProperty("qCredentialsID").GetString()!;
        var got = await owner.Client.GetAsync($"/api/v1/data-credentials/{credentialId}").JsonAsync();
        Assert.Equal((0, 1, connectionId), (got.GetProperty("qSeparated").GetInt32(), got.GetProperty("qConnCount").GetInt32(), got.GetProperty("connectionId").GetString()));
        Assert.Empty((await owner.Client.OrphansAsync(new { })).Ids());

        // PUT that names the same connection keeps it; naming another one is "Connection ID changed".
        await ApiAssert.OkAsync(await owner.Client.PutCredentialAsync(credentialId, new { qName = "Embedded", qType = "t", qUsername = "dbuser", qPassword = "p2", connectionId }), HttpStatusCode.NoContent);
        var changed = await ApiAssert.ErrorAsync(await owner.Client.PutCredentialAsync(credentialId, new { qName = "Embedded", qType = "t", qUsername = "u", qPassword = "p", connectionId = Guid.NewGuid().ToString() }), HttpStatusCode.BadRequest);
        Assert.Contains("Connection ID changed", changed.GetProperty("detail").GetString());

        await ApiAssert.OkAsync(await owner.Client.DeleteAsync($"/api/v1/data-connections/{connectionId}"), HttpStatusCode.NoContent);
        await ApiAssert.ErrorAsync(await owner.Client.GetAsync($"/api/v1/data-credentials/{credentialId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SeparatedCredentialsBelongToEachUserAndOutliveTheirConnection()
    {
        var tenant = await factory.NewTenantAsync();
        var alice = await tenant.NewUserAsync();
        var bob = await tenant.NewUserAsync();
        var outsider = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        await tenant.AssignAsync(space, alice.Id, "dataconsumer");
        await tenant.AssignAsync(space, bob.Id, "dataconsumer");
        var connection = await tenant.Admin.NewConnectionAsync(CredentialApi.Connection(space: space, separate: true));
        var connectionId = connection.GetProperty("qID").GetString()!;

        var aliceCredential = await alice.Client.NewCredentialAsync("Alice's", connectionId: connectionId);
        var bobCredential = await bob.Client.NewCredentialAsync("Bob's", connectionId: connectionId);
        var got = await alice.Client.GetAsync($"/api/v1/data-credentials/{aliceCredential}").JsonAsync();
        Assert.Equal((1, 1, connectionId, "postgres"), (got.GetProperty("qSeparated").GetInt32(), got.GetProperty("qConnCount").GetInt32(), got.GetProperty("connectionId").GetString(), got.GetProperty("datasourceID").GetString()));

        Assert.Equal(aliceCredential, (await alice.Client.GetAsync($"/api/v1/data-connections/{connectionId}").JsonAsync()).GetProperty("qCredentialsID").GetString());
        Assert.Equal(bobCredential, (await bob.Client.GetAsync($"/api/v1/data-connections/{connectionId}").JsonAsync()).GetProperty("qCredentialsID").GetString());
        Assert.False((await tenant.Admin.GetAsync($"/api/v1/data-connections/{connectionId}").JsonAsync()).TryGetProperty("qCredentialsID", out _));
        // Lists show the same, paged or streamed, next to a connection without separated credentials.
        await tenant.Admin.NewConnectionAsync(CredentialApi.Connection(space: space));
        foreach (var query in new[] { "?limit=10&noDatafiles=true", "?noDatafiles=true" })
        {
            string? Listed(System.Text.Json.JsonElement list) => list.GetProperty("data").EnumerateArray().Single(c => c.GetProperty("qID").GetString() == connectionId)
                .TryGetProperty("qCredentialsID", out var id) ? id.GetString() : null;
            Assert.Equal(aliceCredential, Listed(await alice.Client.GetAsync("/api/v1/data-connections" + query).JsonAsync()));
            Assert.Equal(bobCredential, Listed(await bob.Client.GetAsync("/api/v1/data-connections" + query).JsonAsync()));
            Assert.Null(Listed(await tenant.Admin.GetAsync("/api/v1/data-connections" + query).JsonAsync()));
        }
        await ApiAssert.ErrorAsync(await alice.Client.GetAsync($"/api/v1/data-credentials/{bobCredential}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await alice.Client.GetAsync($"/api/v1/data-connections/{connectionId}?credentialId={bobCredential}"), HttpStatusCode.NotFound);

        // One credential per user and connection; a connection the user cannot see is not found.
        await ApiAssert.ErrorAsync(await alice.Client.PutCredentialAsync(Guid.NewGuid().ToString(), new { qName = "Second", qType = "t", qUsername = "u", qPassword = "p", connectionId }), HttpStatusCode.Conflict, "DCERROR-0090");
        await ApiAssert.ErrorAsync(await outsider.Client.PutCredentialAsync(Guid.NewGuid().ToString(), new { qName = "Outsider", qType = "t", qUsername = "u", qPassword = "p", connectionId }), HttpStatusCode.NotFound);
        var shared = await tenant.Admin.NewConnectionAsync(CredentialApi.Connection(space: space));
        await ApiAssert.ErrorAsync(await alice.Client.PutCredentialAsync(Guid.NewGuid().ToString(), new { qName = "Not separated", qType = "t", qUsername = "u", qPassword = "p", connectionId = shared.GetProperty("qID").GetString() }), HttpStatusCode.BadRequest);

        Assert.Empty((await alice.Client.OrphansAsync(new { })).Ids());
        await ApiAssert.OkAsync(await tenant.Admin.DeleteAsync($"/api/v1/data-connections/{connectionId}"), HttpStatusCode.NoContent);

        Assert.Equal(0, (await alice.Client.GetAsync($"/api/v1/data-credentials/{aliceCredential}").JsonAsync()).GetProperty("qConnCount").GetInt32());
        Assert.Equal([aliceCredential], (await alice.Client.OrphansAsync(new { })).Ids());
        Assert.Equal([bobCredential], (await bob.Client.OrphansAsync(new { qSeparated = 1 })).Ids());
        Assert.Empty((await bob.Client.OrphansAsync(new { qSeparated = 0 })).Ids());
        var all = await tenant.Admin.OrphansAsync(new { qSeparated = 1 });
        Assert.Equal(new[] { aliceCredential, bobCredential }.Order(), all.Ids().Order());
        Assert.Equal(2, all.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task FilterOrphanListsTheCallersOwnAndATenantAdminTheTenants()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var other = await tenant.NewUserAsync();
        var odbc = await user.Client.NewCredentialAsync("Odbc", type: "QvOdbcConnectorPackage.exe", datasourceID: "snowflake");
        var rest = await user.Client.NewCredentialAsync("Rest", type: "QvRestConnectorPackage.exe", datasourceID: "rest");
        var others = await other.Client.NewCredentialAsync("Other's");
        var linked = await user.Client.NewCredentialAsync("Linked");
        await user.Client.NewConnectionAsync(CredentialApi.Connection(credentialId: linked));

        var mine = await user.Client.OrphansAsync(new { });
        Assert.Equal(new[] { odbc, rest }.Order(), mine.Ids().Order());
        var item = mine.GetProperty("data").EnumerateArray().Single(o => o.GetProperty("qID").GetString() == odbc);
        Assert.Equal((user.Id, tenant.Id, "Odbc", "QvOdbcConnectorPackage.exe", "snowflake"),
            (item.GetProperty("user").GetString(), item.GetProperty("tenant").GetString(), item.GetProperty("qName").GetString(), item.GetProperty("qType").GetString(), item.GetProperty("datasourceID").GetString()));
        Assert.NotNull(item.GetProperty("created").GetString());
        Assert.NotNull(item.GetProperty("updated").GetString());
        Assert.Equal([rest], (await user.Client.OrphansAsync(new { qType = "QvRestConnectorPackage.exe" })).Ids());
        Assert.Equal([odbc], (await user.Client.OrphansAsync(new { datasourceID = "snowflake", qSeparated = 0 })).Ids());

        var tenantWide = (await tenant.Admin.OrphansAsync(new { })).Ids();
        Assert.Equal(new[] { odbc, rest, others }.Order(), tenantWide.Order());
        Assert.Equal([others], (await tenant.Admin.OrphansAsync(new { user = other.Id })).Ids());

        var forbidden = await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync("/api/v1/data-credentials/actions/filter-orphan", new { user = other.Id }), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Contains("access", forbidden.GetProperty("detail").GetString());
        await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync("/api/v1/data-credentials/actions/filter-orphan", new { qSeparated = 2 }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await user.Client.PostAsync("/api/v1/data-credentials/actions/filter-orphan", new StringContent("", System.Text.Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await factory.Client(null).PostAsJsonAsync("/api/v1/data-credentials/actions/filter-orphan", new { }), HttpStatusCode.Unauthorized, "DCERROR-0020");
    }

    [Fact]
    public async Task ATenantAdminDeletesOrphansButNotCredentialsInUse()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var orphan = await user.Client.NewCredentialAsync("Orphan");
        var used = await user.Client.NewCredentialAsync("Used");
        await user.Client.NewConnectionAsync(CredentialApi.Connection(credentialId: used));
        var dataAdmin = await tenant.NewUserAsync("DataAdmin");

        await ApiAssert.ErrorAsync(await dataAdmin.Client.DeleteAsync($"/api/v1/data-credentials/{orphan}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync($"/api/v1/data-credentials/{used}"), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.OkAsync(await tenant.Admin.DeleteAsync($"/api/v1/data-credentials/{orphan}"), HttpStatusCode.NoContent);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/data-credentials/{orphan}"), HttpStatusCode.NotFound);
        Assert.Equal(1, (await user.Client.GetAsync($"/api/v1/data-credentials/{used}").JsonAsync()).GetProperty("qConnCount").GetInt32());
    }

    [Fact]
    public async Task ByCredentialNameCreatesPatchesAndDeletesByName()
    {
        var tenant = await factory.NewTenantAsync();
        var client = (await tenant.NewUserAsync()).Client;
        await ApiAssert.OkAsync(await client.PutCredentialAsync("Fresh Name", new { qName = "Fresh Name", qType = "t", qUsername = "u", qPassword = "p" }, byName: true), HttpStatusCode.NoContent);
        var id = (await client.GetAsync("/api/v1/data-credentials/Fresh%20Name?byCredentialName=true").JsonAsync()).GetProperty("qID").GetString()!;
        Assert.True(Guid.TryParse(id, out _));

        await ApiAssert.OkAsync(await client.PatchAsJsonAsync("/api/v1/data-credentials/fresh%20name?byCredentialName=true", new[] { new { op = "replace", path = "/qType", value = "t2" } }), HttpStatusCode.NoContent);
        Assert.Equal("t2", (await client.GetAsync($"/api/v1/data-credentials/{id}").JsonAsync()).GetProperty("qType").GetString());
        await ApiAssert.ErrorAsync(await client.PatchAsJsonAsync("/api/v1/data-credentials/unknown?byCredentialName=true", new[] { new { op = "replace", path = "/qType", value = "t2" } }), HttpStatusCode.NotFound);
        await ApiAssert.OkAsync(await client.DeleteAsync("/api/v1/data-credentials/FRESH%20NAME?byCredentialName=true"), HttpStatusCode.NoContent);
        await ApiAssert.ErrorAsync(await client.GetAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task EveryEndpointNeedsACaller()
    {
        var anonymous = factory.Client(null);
        var id = Guid.NewGuid().ToString();
        await ApiAssert.ErrorAsync(await anonymous.GetAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.Unauthorized, "DCERROR-0020");
        await ApiAssert.ErrorAsync(await anonymous.PutCredentialAsync(id, new { qName = "n", qType = "t", qUsername = "u", qPassword = "p" }), HttpStatusCode.Unauthorized, "DCERROR-0020");
        await ApiAssert.ErrorAsync(await anonymous.PatchCredentialAsync(id, new[] { new { op = "replace", path = "/qName", value = "n" } }), HttpStatusCode.Unauthorized, "DCERROR-0020");
        await ApiAssert.ErrorAsync(await anonymous.DeleteAsync($"/api/v1/data-credentials/{id}"), HttpStatusCode.Unauthorized, "DCERROR-0020");
    }

    [Fact]
    public async Task NoResponseEverCarriesAPassword()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var id = await user.Client.NewCredentialAsync("Quiet", password: "never-shown-3141");
        await user.Client.NewConnectionAsync(CredentialApi.Connection(credentialId: id));
        var bodies = new List<string>
        {
            await (await user.Client.GetAsync($"/api/v1/data-credentials/{id}")).Content.ReadAsStringAsync(),
            await (await user.Client.PostAsJsonAsync("/api/v1/data-credentials/actions/filter-orphan", new { })).Content.ReadAsStringAsync(),
            await (await user.Client.GetAsync("/api/v1/data-connections")).Content.ReadAsStringAsync(),
        };
        Assert.All(bodies, b => Assert.DoesNotContain("never-shown-3141", b));
        Assert.All(bodies, b => Assert.DoesNotContain("qPassword", b));
    }
}
