using System.Net;
using System.Net.Http.Json;
using System.Text;
using Connectory.Tests.Support;

namespace Connectory.Tests.Resolving;

/// <summary>Naming the connection to resolve: by id, by (space-qualified) name, by statement, by data source; and bad requests.</summary>
public sealed class ResolveLookupTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    sealed record World(TestTenant Tenant, TestUser Caller, string SpaceId, string SpaceName, string Shared, string Personal);

    /// <summary>A resolver who produces in a shared space, with one connection there and one in their personal space.</summary>
    async Task<World> WorldAsync()
    {
        var tenant = await factory.NewTenantAsync();
        var caller = await tenant.NewUserAsync("ConnectionResolver");
        var spaceName = "Sales " + Guid.NewGuid().ToString("N")[..6];
        var spaceId = await tenant.NewSpaceAsync("shared", name: spaceName);
        await tenant.AssignAsync(spaceId, caller.Id, "producer");
        var shared = await tenant.Admin.NewConnectionAsync(spaceId, "warehouse", "pw-shared");
        var personal = await caller.Client.NewConnectionAsync(null, "mine", "pw-personal", statement: ResolveKit.Statement.Replace("sales", "mine"), datasourceID: "mysql");
        return new World(tenant, caller, spaceId, spaceName, shared, personal);
    }

    static async Task<string> ResolvedIdAsync(HttpResponseMessage response) =>
        (await ApiAssert.OkAsync(response, HttpStatusCode.Created)).GetProperty("connection").GetProperty("connectionId").GetString()!;

    [Fact]
    public async Task ByNameInASpaceByItsNameOrIdAndInThePersonalSpace()
    {
        var w = await WorldAsync();
        Assert.Equal(w.Shared, await ResolvedIdAsync(await w.Caller.Client.ResolveAsync(new { connectionName = $"{w.SpaceName}:warehouse" })));
        Assert.Equal(w.Shared, await ResolvedIdAsync(await w.Caller.Client.ResolveAsync(new { connectionName = $"{w.SpaceName.ToUpperInvariant()}:WAREHOUSE" })));
        Assert.Equal(w.Shared, await ResolvedIdAsync(await w.Caller.Client.ResolveAsync(new { connectionName = "warehouse", spaceId = w.SpaceId })));
        Assert.Equal(w.Shared, await ResolvedIdAsync(await w.Caller.Client.ResolveAsync(new { connectionName = ":warehouse", spaceId = w.SpaceId })));
        Assert.Equal(w.Personal, await ResolvedIdAsync(await w.Caller.Client.ResolveAsync(new { connectionName = ":mine" })));
        Assert.Equal(w.Personal, await ResolvedIdAsync(await w.Caller.Client.ResolveAsync(new { connectionName = "mine" })));
        // A space-qualified name ignores spaceId.
        Assert.Equal(w.Shared, await ResolvedIdAsync(await w.Caller.Client.ResolveAsync(new { connectionName = $"{w.SpaceName}:warehouse", spaceId = "000000000000000000000000" })));

        var personal = (await ApiAssert.OkAsync(await w.Caller.Client.ResolveAsync(new { connectionName = ":mine" }), HttpStatusCode.Created)).GetProperty("connection");
        Assert.Equal(":mine", personal.GetProperty("spaceQualifiedConnectionName").GetString());
    }

    [Fact]
    public async Task ANameOutOfReachAnswersAsAMissingOne()
    {
        var w = await WorldAsync();
        var hiddenSpaceName = "Hidden " + Guid.NewGuid().ToString("N")[..6];
        var hiddenSpace = await w.Tenant.NewSpaceAsync("shared", name: hiddenSpaceName);
        await w.Tenant.Admin.NewConnectionAsync(hiddenSpace, "secret", "pw");
        var stranger = await w.Tenant.NewUserAsync();
        await stranger.Client.NewConnectionAsync(null, "theirs", "pw");

        var missing = await ApiAssert.ErrorAsync(await w.Caller.Client.ResolveAsync(new { connectionName = $"{hiddenSpaceName}:nothing" }), HttpStatusCode.NotFound, "DCERROR-0040");
        foreach (var body in new object[]
        {
            new { connectionName = $"{hiddenSpaceName}:secret" },
            new { connectionName = "secret", spaceId = hiddenSpace },
            new { connectionName = ":theirs" },
            new { connectionName = $"{w.SpaceName}:nothing" },
        })
        {
            var error = await ApiAssert.ErrorAsync(await w.Caller.Client.ResolveAsync(body), HttpStatusCode.NotFound, "DCERROR-0040");
            Assert.Equal(missing.GetProperty("title").GetString(), error.GetProperty("title").GetString());
        }
    }

    [Fact]
    public async Task AnotherTenantsConnectionIsNotFound()
    {
        var w = await WorldAsync();
        var other = await factory.NewTenantAsync();
        var outsider = await other.NewUserAsync("TenantAdmin", "ConnectionResolver");
        var byId = await ApiAssert.ErrorAsync(await outsider.Client.ResolveAsync(new { connectionId = w.Shared }), HttpStatusCode.NotFound, "DCERROR-0040");
        var unknown = await ApiAssert.ErrorAsync(await outsider.Client.ResolveAsync(new { connectionId = Guid.NewGuid().ToString() }), HttpStatusCode.NotFound, "DCERROR-0040");
        Assert.Equal(unknown.GetProperty("title").GetString(), byId.GetProperty("title").GetString());
        await ApiAssert.ErrorAsync(await outsider.Client.ResolveAsync(new { connectionName = $"{w.SpaceName}:warehouse" }), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await outsider.Client.ResolveAsync(new { connectionString = ResolveKit.Statement }), HttpStatusCode.NotFound);
        Assert.Equal(4, (await factory.AuditAsync(other.Id)).Count);
        Assert.DoesNotContain(await factory.AuditAsync(w.Tenant.Id), a => a.ActorUserId == outsider.Id);
    }

    [Fact]
    public async Task ByConnectionStringAmongTheConnectionsTheCallerMayUse()
    {
        var w = await WorldAsync();
        Assert.Equal(w.Shared, await ResolvedIdAsync(await w.Caller.Client.ResolveAsync(new { connectionString = ResolveKit.Statement })));

        // The same statement in a space the caller cannot see changes nothing; in one they can, it is ambiguous.
        var hidden = await w.Tenant.NewSpaceAsync("shared");
        await w.Tenant.Admin.NewConnectionAsync(hidden, "copy", "pw");
        Assert.Equal(w.Shared, await ResolvedIdAsync(await w.Caller.Client.ResolveAsync(new { connectionString = ResolveKit.Statement })));
        await w.Tenant.Admin.NewConnectionAsync(w.SpaceId, "copy", "pw");
        await ApiAssert.ErrorAsync(await w.Caller.Client.ResolveAsync(new { connectionString = ResolveKit.Statement }), HttpStatusCode.Conflict, "DCERROR-0090");

        await ApiAssert.ErrorAsync(await w.Caller.Client.ResolveAsync(new { connectionString = "CUSTOM CONNECT TO \"provider=none;\"" }), HttpStatusCode.NotFound);
        // The statement is never recorded, whatever it holds.
        var withPassword = "ODBC CONNECT TO [dsn;PWD=statement-canary]";
        await ApiAssert.ErrorAsync(await w.Caller.Client.ResolveAsync(new { connectionString = withPassword }), HttpStatusCode.NotFound);
        Assert.DoesNotContain("statement-canary", await factory.WholeAuditTableAsync());
    }

    [Fact]
    public async Task ByDataSourceWhenTheCallerMayUseExactlyOneOfIt()
    {
        var w = await WorldAsync();
        Assert.Equal(w.Personal, await ResolvedIdAsync(await w.Caller.Client.ResolveAsync(new { dataSourceId = "MySQL" })));
        Assert.Equal(w.Shared, await ResolvedIdAsync(await w.Caller.Client.ResolveAsync(new { dataSourceId = "postgres" })));
        await ApiAssert.ErrorAsync(await w.Caller.Client.ResolveAsync(new { dataSourceId = "oracle" }), HttpStatusCode.NotFound);
        await w.Caller.Client.NewConnectionAsync(null, "second", "pw");
        var ambiguous = await ApiAssert.ErrorAsync(await w.Caller.Client.ResolveAsync(new { dataSourceId = "postgres" }), HttpStatusCode.Conflict, "DCERROR-0090");
        Assert.Contains("connectionId or connectionName", ambiguous.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task BadRequestsAreRefusedInTheCloudShapeAndRecorded()
    {
        var w = await WorldAsync();
        var client = w.Caller.Client;
        await ApiAssert.ErrorAsync(await client.ResolveAsync(new { }), HttpStatusCode.BadRequest, "DCERROR-0010");
        await ApiAssert.ErrorAsync(await client.ResolveAsync(new { connectionId = w.Shared, connectionName = "warehouse" }), HttpStatusCode.BadRequest, "DCERROR-0010");
        await ApiAssert.ErrorAsync(await client.ResolveAsync(new { connectionId = "not-a-uuid" }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await client.ResolveAsync(new { connectionId = w.Shared, type = "stream" }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await client.ResolveAsync(new { connectionName = "Sales:" }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await client.ResolveAsync(new { connectionId = w.Shared, checkCredentials = "yes" }), HttpStatusCode.BadRequest, "DCERROR-0011");
        var broken = await client.PostAsync(ResolveKit.FilterUrl, new StringContent("{\"connectionId\":", Encoding.UTF8, "application/json"));
        ResolveKit.AssertNoStore(broken);
        await ApiAssert.ErrorAsync(broken, HttpStatusCode.BadRequest, "DCERROR-0011");
        await ApiAssert.ErrorAsync(await client.PostAsync(ResolveKit.FilterUrl, new StringContent("connectionId=x", Encoding.UTF8, "text/plain")), HttpStatusCode.UnsupportedMediaType);
        var audit = await factory.AuditAsync(w.Tenant.Id);
        Assert.Equal(8, audit.Count);
        Assert.All(audit, a => Assert.Equal("refused", a.Outcome));
        Assert.All(audit, a => Assert.InRange(a.Status, 400, 415));
    }

    [Fact]
    public async Task WithoutSigningInItIs401AndNotStored()
    {
        var anonymous = factory.Client(null);
        var response = await anonymous.PostAsJsonAsync(ResolveKit.FilterUrl, new { connectionId = Guid.NewGuid().ToString() });
        ResolveKit.AssertNoStore(response);
        await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "DCERROR-0020");
        await ApiAssert.ErrorAsync(await anonymous.GetAsync("/api/connectivity/data-sources/endpoints"), HttpStatusCode.Unauthorized);
        await ApiAssert.ErrorAsync(await anonymous.PostAsJsonAsync(ResolveKit.GenerateQriUrl, new { data = Array.Empty<object>() }), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task NoConnectorNodesRunHere()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var endpoints = await user.Client.GetAsync("/api/connectivity/data-sources/endpoints").JsonAsync();
        Assert.Equal("""{"endpoints":[]}""", endpoints.GetRawText());
    }

    [Fact]
    public async Task TheResolverRoleIsAssignedByNameOrIdLikeAnyOther()
    {
        var tenant = await factory.NewTenantAsync();
        foreach (var role in new object[] { new { name = "connectionresolver" }, new { id = "605a1c2151382ffc836af866" } })
        {
            var subject = "svc-" + Guid.NewGuid().ToString("N")[..8];
            var user = await tenant.Admin.PostAsJsonAsync("/api/v1/users", new { subject, name = subject, assignedRoles = new[] { role } }).JsonAsync(HttpStatusCode.Created);
            var assigned = Assert.Single(user.GetProperty("assignedRoles").EnumerateArray());
            Assert.Equal("ConnectionResolver", assigned.GetProperty("name").GetString());
            Assert.Equal("605a1c2151382ffc836af866", assigned.GetProperty("id").GetString());
        }
    }
}
