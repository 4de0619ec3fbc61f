using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>
/// Tenant B's admin addresses tenant A's objects by id through every endpoint: always 404 in the error shape,
/// never 403 and never a byte of A's data; and nothing of A's is changed afterwards.
/// </summary>
public sealed class TenantIsolationTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    sealed record TenantAObjects(TestTenant Tenant, TestUser User, string KeyId, string SpaceId, string AssignmentId, string ConnectionId, string PersonalConnectionId, string SpaceName);

    async Task<TenantAObjects> SeedAsync()
    {
        var a = await factory.NewTenantAsync();
        var user = await a.NewUserAsync();
        var keyId = Assert.Single((await a.Admin.GetAsync($"/api/v1/api-keys?sub={user.Id}").JsonAsync()).Ids());
        var spaceName = "Sales-" + Guid.NewGuid().ToString("N")[..8];
        var spaceId = await a.NewSpaceAsync("shared", name: spaceName);
        await a.AssignAsync(spaceId, user.Id, "producer");
        var assignmentId = Assert.Single((await a.Admin.GetAsync($"/api/v1/spaces/{spaceId}/assignments").JsonAsync()).Ids());
        var connectionId = await a.Admin.NewConnectionAsync(spaceId, "a-secret-name");
        var personalId = await user.Client.NewConnectionAsync(null, "a-personal");
        return new TenantAObjects(a, user, keyId, spaceId, assignmentId, connectionId, personalId, spaceName);
    }

    static async Task AssertNotFoundAsync(Task<HttpResponseMessage> call, params string[] secrets)
    {
        var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
        await ApiAssert.ErrorAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task UsersOfAnotherTenantAreNotFound()
    {
        var a = await SeedAsync();
        var b = await factory.NewTenantAsync();
        var url = $"/api/v1/users/{a.User.Id}";
        await AssertNotFoundAsync(b.Admin.GetAsync(url), a.User.Subject);
        await AssertNotFoundAsync(b.Admin.PatchJsonAsync(url, new[] { new { op = "replace", path = "/name", value = "pwned" } }));
        await AssertNotFoundAsync(b.Admin.PatchJsonAsync(url, new[] { new { op = "replace", path = "/status", value = "disabled" } }));
        await AssertNotFoundAsync(b.Admin.DeleteAsync(url));
        await AssertNotFoundAsync(b.Admin.GetAsync($"/api/v1/users/{a.Tenant.AdminUserId}"));
        await AssertNotFoundAsync(b.Admin.DeleteAsync($"/api/v1/users/{a.Tenant.AdminUserId}"));

        var read = await a.Tenant.Admin.GetAsync(url).JsonAsync();
        Assert.Equal(a.User.Subject, read.GetProperty("name").GetString());
        Assert.Equal("active", read.GetProperty("status").GetString());
        await a.User.Client.GetAsync("/api/v1/users/me").JsonAsync();
    }

    [Fact]
    public async Task ApiKeysOfAnotherTenantAreNotFound()
    {
        var a = await SeedAsync();
        var b = await factory.NewTenantAsync();
        var url = $"/api/v1/api-keys/{a.KeyId}";
        await AssertNotFoundAsync(b.Admin.GetAsync(url), a.User.Id);
        await AssertNotFoundAsync(b.Admin.PatchJsonAsync(url, new[] { new { op = "replace", path = "/description", value = "pwned" } }));
        await AssertNotFoundAsync(b.Admin.DeleteAsync(url));
        await AssertNotFoundAsync(b.Admin.GetAsync($"/api/v1/api-keys/configs/{a.Tenant.Id}"));
        // Minting a key for A's user from B names no user of B.
        var mint = await b.Admin.PostAsJsonAsync("/api/v1/api-keys", new { description = "x", sub = a.User.Id });
        await ApiAssert.ErrorAsync(mint, HttpStatusCode.BadRequest, "DCERROR-0014");

        var key = await a.Tenant.Admin.GetAsync(url).JsonAsync();
        Assert.Equal("active", key.GetProperty("status").GetString());
        Assert.Equal("test key", key.GetProperty("description").GetString());
        await a.User.Client.GetAsync("/api/v1/users/me").JsonAsync();
    }

    [Fact]
    public async Task SpacesAndAssignmentsOfAnotherTenantAreNotFound()
    {
        var a = await SeedAsync();
        var b = await factory.NewTenantAsync();
        var bUser = await b.NewUserAsync();
        var space = $"/api/v1/spaces/{a.SpaceId}";
        var assignment = $"{space}/assignments/{a.AssignmentId}";
        await AssertNotFoundAsync(b.Admin.GetAsync(space), a.SpaceName);
        await AssertNotFoundAsync(b.Admin.PatchJsonAsync(space, new[] { new { op = "replace", path = "/name", value = "pwned" } }));
        await AssertNotFoundAsync(b.Admin.PutAsJsonAsync(space, new { name = "pwned", ownerId = b.AdminUserId }));
        await AssertNotFoundAsync(b.Admin.DeleteAsync(space));
        await AssertNotFoundAsync(b.Admin.GetAsync($"{space}/assignments"), a.User.Id);
        await AssertNotFoundAsync(b.Admin.PostAsJsonAsync($"{space}/assignments", new { type = "user", assigneeId = bUser.Id, roles = new[] { "facilitator" } }));
        await AssertNotFoundAsync(b.Admin.GetAsync(assignment), a.User.Id);
        await AssertNotFoundAsync(b.Admin.PutAsJsonAsync(assignment, new { roles = new[] { "facilitator" } }));
        await AssertNotFoundAsync(b.Admin.DeleteAsync(assignment));

        // A's owner cannot pull B's users into A's space either.
        await ApiAssert.ErrorAsync(await a.Tenant.Admin.PostAsJsonAsync($"{space}/assignments",
            new { type = "user", assigneeId = bUser.Id, roles = new[] { "consumer" } }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await a.Tenant.Admin.PutAsJsonAsync(space, new { ownerId = b.AdminUserId }), HttpStatusCode.BadRequest, "DCERROR-0014");

        var read = await a.Tenant.Admin.GetAsync(space).JsonAsync();
        Assert.Equal(a.SpaceName, read.GetProperty("name").GetString());
        Assert.Equal(a.Tenant.AdminUserId, read.GetProperty("ownerId").GetString());
        Assert.Equal(["producer"], (await a.Tenant.Admin.GetAsync(assignment).JsonAsync()).GetProperty("roles").Strings());
        Assert.Equal(1, (await a.Tenant.Admin.GetAsync($"{space}/assignments").JsonAsync()).GetProperty("meta").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task DataConnectionsOfAnotherTenantAreNotFound()
    {
        var a = await SeedAsync();
        var b = await factory.NewTenantAsync();
        var bSpace = await b.NewSpaceAsync("shared");
        foreach (var id in new[] { a.ConnectionId, a.PersonalConnectionId })
        {
            var url = $"/api/v1/data-connections/{id}";
            await AssertNotFoundAsync(b.Admin.GetAsync(url), "a-secret-name", "a-personal");
            await AssertNotFoundAsync(b.Admin.GetAsync(url + "?parseConnection=true"), "db.example.test");
            await AssertNotFoundAsync(b.Admin.PatchJsonAsync(url, new[] { new { op = "replace", path = "/qName", value = "pwned" } }));
            await AssertNotFoundAsync(b.Admin.PutAsJsonAsync(url, new
            {
                qID = id,
                qEngineObjectID = id,
                qName = "pwned",
                qType = "x",
                qConnectStatement = "CUSTOM CONNECT TO \"provider=x;host=evil.example.test\"",
                datasourceID = "x",
            }));
            await AssertNotFoundAsync(b.Admin.DeleteAsync(url));
            await AssertNotFoundAsync(b.Admin.PostAsJsonAsync("/api/v1/data-connections/actions/duplicate", new { id }), "a-secret-name", "a-personal");
            await AssertNotFoundAsync(b.Admin.PostAsJsonAsync("/api/v1/data-connections/actions/duplicate", new { id, spaceId = bSpace }), "a-secret-name", "a-personal");

            foreach (var (action, item) in new (string, object)[]
            {
                ("delete", new { id }),
                ("update", new { id, ownerId = b.AdminUserId }),
                ("update", new { id, spaceId = bSpace, spaceType = "shared" }),
            })
            {
                var response = await b.Admin.PostAsJsonAsync($"/api/v1/data-connections/actions/{action}", new { connections = new[] { item } });
                var text = await response.Content.ReadAsStringAsync();
                Assert.Equal((HttpStatusCode)207, response.StatusCode);
                Assert.DoesNotContain("a-secret-name", text, StringComparison.Ordinal);
                var result = Assert.Single(JsonDocument.Parse(text).RootElement.GetProperty("data").EnumerateArray());
                Assert.Equal(404, result.GetProperty("status").GetInt32());
            }
        }
        // By name too.
        await AssertNotFoundAsync(b.Admin.GetAsync($"/api/v1/data-connections/a-secret-name?type=connectionname&spaceId={a.SpaceId}"));
        // B cannot create into A's space.
        await AssertNotFoundAsync(b.Admin.CreateConnectionAsync(a.SpaceId));

        var aConnection = await a.Tenant.Admin.GetAsync($"/api/v1/data-connections/{a.ConnectionId}").JsonAsync();
        Assert.Equal("a-secret-name", aConnection.GetProperty("qName").GetString());
        Assert.Equal(a.SpaceId, aConnection.GetProperty("space").GetString());
        Assert.Equal(a.Tenant.AdminUserId, aConnection.GetProperty("user").GetString());
        var personal = await a.User.Client.GetAsync($"/api/v1/data-connections/{a.PersonalConnectionId}").JsonAsync();
        Assert.Equal("a-personal", personal.GetProperty("qName").GetString());
    }

    [Fact]
    public async Task ListsAndCountsNeverIncludeAnotherTenant()
    {
        var a = await SeedAsync();
        var b = await factory.NewTenantAsync();
        var bUser = await b.NewUserAsync();
        var bSpace = await b.NewSpaceAsync("shared");
        var bConnection = await b.Admin.NewConnectionAsync(bSpace);

        var users = await b.Admin.AllPagesAsync("/api/v1/users?limit=1");
        Assert.Equal(new[] { b.AdminUserId, bUser.Id }.Order(), users.Order());
        Assert.Equal(2, (await b.Admin.GetAsync("/api/v1/users?totalResults=true").JsonAsync()).GetProperty("totalResults").GetInt32());

        var keys = await b.Admin.AllPagesAsync("/api/v1/api-keys?limit=1");
        Assert.DoesNotContain(a.KeyId, keys);
        Assert.Equal(2, keys.Count);
        Assert.Empty((await b.Admin.GetAsync($"/api/v1/api-keys?sub={a.User.Id}").JsonAsync()).Ids());
        Assert.Empty((await b.Admin.GetAsync($"/api/v1/api-keys?createdByUser={a.Tenant.AdminUserId}").JsonAsync()).Ids());

        var spaces = await b.Admin.GetAsync("/api/v1/spaces?limit=100").JsonAsync();
        Assert.Equal([bSpace], spaces.Ids());
        Assert.Equal(1, spaces.GetProperty("meta").GetProperty("count").GetInt32());
        Assert.Empty((await b.Admin.GetAsync($"/api/v1/spaces?name={a.SpaceName}").JsonAsync()).Ids());
        Assert.Empty((await b.Admin.GetAsync($"/api/v1/spaces?ownerId={a.Tenant.AdminUserId}").JsonAsync()).Ids());

        var connections = await b.Admin.GetAsync("/api/v1/data-connections?limit=100&noDatafiles=true").JsonAsync();
        Assert.Equal([bConnection], connections.ConnectionIds());
        foreach (var query in new[]
        {
            $"spaceId={a.SpaceId}", $"owner={a.Tenant.AdminUserId}", $"userId={a.User.Id}", "dataName=rows",
            "filter=" + Uri.EscapeDataString("qName eq \"a-secret-name\""), "personal=true",
        })
        {
            var response = await b.Admin.GetAsync($"/api/v1/data-connections?noDatafiles=true&{query}");
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{query}: {(int)response.StatusCode} {text}");
            // (The self link echoes the query, so look for the name as a value.)
            Assert.DoesNotContain("\"qName\":\"a-secret-name\"", text, StringComparison.Ordinal);
            Assert.DoesNotContain(a.ConnectionId, text, StringComparison.Ordinal);
            Assert.DoesNotContain(a.PersonalConnectionId, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SpaceNamesMayRepeatAcrossTenants()
    {
        var a = await SeedAsync();
        var b = await factory.NewTenantAsync();
        var bSpace = await b.NewSpaceAsync("shared", name: a.SpaceName);
        Assert.NotEqual(a.SpaceId, bSpace);
        // The same connection name in each tenant's same-named space too.
        await b.Admin.NewConnectionAsync(bSpace, "a-secret-name");
        Assert.Equal(a.SpaceName, (await a.Tenant.Admin.GetAsync($"/api/v1/spaces/{a.SpaceId}").JsonAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task TenantRolesDoNotReachAcrossTenants()
    {
        var a = await SeedAsync();
        var b = await factory.NewTenantAsync();
        var bData = await b.NewUserAsync("AnalyticsAdmin", "DataAdmin");
        await AssertNotFoundAsync(bData.Client.GetAsync($"/api/v1/spaces/{a.SpaceId}"));
        await AssertNotFoundAsync(bData.Client.GetAsync($"/api/v1/data-connections/{a.ConnectionId}"));
        var bulk = await bData.Client.PostAsJsonAsync("/api/v1/data-connections/actions/delete", new { connections = new[] { new { id = a.ConnectionId } } });
        Assert.Equal(404, Assert.Single((await ApiAssert.OkAsync(bulk, (HttpStatusCode)207)).GetProperty("data").EnumerateArray()).GetProperty("status").GetInt32());
        await a.Tenant.Admin.GetAsync($"/api/v1/data-connections/{a.ConnectionId}").JsonAsync();
    }

    [Fact]
    public async Task ConnectionsCannotBeMovedOrCopiedIntoAnotherTenantsSpace()
    {
        var a = await SeedAsync();
        var b = await factory.NewTenantAsync();
        var bSpace = await b.NewSpaceAsync("shared");
        var own = await b.Admin.NewConnectionAsync(bSpace, "b-own");
        await AssertNotFoundAsync(b.Admin.PutAsJsonAsync($"/api/v1/data-connections/{own}", new
        {
            qID = own,
            qEngineObjectID = own,
            qName = "b-own",
            qType = "x",
            qConnectStatement = "CUSTOM CONNECT TO \"provider=x;host=db.example.test\"",
            datasourceID = "x",
            space = a.SpaceId,
        }), a.SpaceName);
        var bulk = await b.Admin.PostAsJsonAsync("/api/v1/data-connections/actions/update",
            new { connections = new[] { new { id = own, spaceId = a.SpaceId, spaceType = "shared" } } });
        Assert.Equal(404, Assert.Single((await ApiAssert.OkAsync(bulk, (HttpStatusCode)207)).GetProperty("data").EnumerateArray()).GetProperty("status").GetInt32());
        await AssertNotFoundAsync(b.Admin.PostAsJsonAsync("/api/v1/data-connections/actions/duplicate", new { id = own, spaceId = a.SpaceId }), a.SpaceName);
        var bulkOwner = await b.Admin.PostAsJsonAsync("/api/v1/data-connections/actions/update",
            new { connections = new[] { new { id = own, ownerId = a.User.Id } } });
        Assert.Equal(400, Assert.Single((await ApiAssert.OkAsync(bulkOwner, (HttpStatusCode)207)).GetProperty("data").EnumerateArray()).GetProperty("status").GetInt32());

        var read = await b.Admin.GetAsync($"/api/v1/data-connections/{own}").JsonAsync();
        Assert.Equal(bSpace, read.GetProperty("space").GetString());
        Assert.Equal(b.AdminUserId, read.GetProperty("user").GetString());
        Assert.DoesNotContain(own, (await a.Tenant.Admin.GetAsync($"/api/v1/data-connections?noDatafiles=true&spaceId={a.SpaceId}").JsonAsync()).ConnectionIds());
    }
}
