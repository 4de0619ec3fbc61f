using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>/api/v1/groups in Qlik's shapes, stored memberships, group space assignments and tenant isolation.</summary>
public sealed class GroupsTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static string Query(string filter) => "filter=" + Uri.EscapeDataString(filter);

    [Fact]
    public async Task AnAdminCreatesReadsChangesAndDeletesGroupsInQliksShapes()
    {
        var tenant = await factory.NewTenantAsync();
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/groups", new
        {
            name = "Development",
            description = "builders",
            providerType = "custom",
            assignedRoles = new[] { new { name = "DataAdmin" } },
        }).JsonAsync(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("Development", created.GetProperty("name").GetString());
        Assert.Equal("custom", created.GetProperty("providerType").GetString());
        Assert.Equal("active", created.GetProperty("status").GetString());
        Assert.Equal(tenant.Id, created.GetProperty("tenantId").GetString());
        Assert.Equal(tenant.AdminUserId, created.GetProperty("createdBy").GetString());
        Assert.Equal("DataAdmin", Assert.Single(created.GetProperty("assignedRoles").EnumerateArray()).GetProperty("name").GetString());
        Assert.EndsWith($"/api/v1/groups/{id}", created.GetProperty("links").GetProperty("self").GetProperty("href").GetString());
        Assert.True(DateTimeOffset.TryParse(created.GetProperty("lastUpdatedAt").GetString(), out _));

        // Names are case-sensitive and unique in the tenant.
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/groups", new { name = "Development" }), HttpStatusCode.Conflict);
        var idp = await tenant.Admin.PostAsJsonAsync("/api/v1/groups", new { name = "development" }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("idp", idp.GetProperty("providerType").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchAsJsonAsync($"/api/v1/groups/{id}", new object[]
        {
            new { op = "replace", path = "name", value = "Dev" },
            new { op = "replace", path = "description", value = "renamed" },
            new { op = "replace", path = "assignedRoles", value = new[] { new { name = "AnalyticsAdmin" } } },
        })).StatusCode);
        var read = await tenant.Admin.GetAsync($"/api/v1/groups/{id}").JsonAsync();
        Assert.Equal("Dev", read.GetProperty("name").GetString());
        Assert.Equal("renamed", read.GetProperty("description").GetString());
        Assert.Equal("AnalyticsAdmin", Assert.Single(read.GetProperty("assignedRoles").EnumerateArray()).GetProperty("name").GetString());

        // An identity provider's group keeps its name; its roles may change.
        var idpId = idp.GetProperty("id").GetString()!;
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync($"/api/v1/groups/{idpId}", new[] { new { op = "replace", path = "name", value = "x" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync($"/api/v1/groups/{idpId}", new[] { new { op = "add", path = "assignedRoles", value = "x" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync($"/api/v1/groups/{idpId}",
            new[] { new { op = "replace", path = "assignedRoles", value = new[] { new { name = "NoSuchRole" } } } }), HttpStatusCode.BadRequest);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/groups/{id}")).StatusCode);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"/api/v1/groups/{id}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync($"/api/v1/groups/{id}"), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"name":""}""")]
    [InlineData("""{"name":"a\u202Eb"}""")]
    [InlineData("""{"name":"ok","providerType":"ldap"}""")]
    [InlineData("""{"name":"ok","status":"disabled"}""")]
    [InlineData("""{"name":"ok","assignedRoles":[{"name":"Nope"}]}""")]
    [InlineData("""{"name":5}""")]
    public async Task BadGroupBodiesAre400(string body)
    {
        var tenant = await factory.NewTenantAsync();
        var response = await tenant.Admin.PostAsync("/api/v1/groups", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.Empty((await tenant.Admin.GetAsync("/api/v1/groups").JsonAsync()).Ids());
    }

    [Fact]
    public async Task EveryUserListsAndFiltersGroupsButOnlyAnAdminChangesThem()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var names = new[] { "alpha", "Beta", "gamma", "delta", "beta-two" };
        var ids = new List<string>();
        foreach (var name in names)
        {
            ids.Add(await tenant.NewGroupAsync(name));
        }
        var all = await user.Client.AllPagesAsync("/api/v1/groups?limit=2");
        Assert.Equal(5, all.Count);
        Assert.Equal(ids.Order().ToList(), all.Order().ToList());
        var filtered = await user.Client.GetAsync($"/api/v1/groups?{Query("name sw \"beta\"")}&totalResults=true&sort=-name").JsonAsync();
        Assert.Equal(2, filtered.GetProperty("totalResults").GetInt32());
        Assert.Equal(["beta-two", "Beta"], filtered.GetProperty("data").EnumerateArray().Select(g => g.GetProperty("name").GetString()!).ToList());
        var posted = await user.Client.PostAsJsonAsync("/api/v1/groups/actions/filter?limit=1", new { filter = "name eq \"GAMMA\" or name eq \"delta\"" }).JsonAsync();
        Assert.Equal("delta", Assert.Single(posted.GetProperty("data").EnumerateArray()).GetProperty("name").GetString());
        Assert.True(posted.GetProperty("links").TryGetProperty("next", out _));

        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/groups?{Query("owner eq \"x\"")}"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/groups?{Query("name eq")}"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/groups?sort=owner"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/groups?limit=0"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/groups?next=forged"), HttpStatusCode.BadRequest);

        await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync("/api/v1/groups", new { name = "mine" }), HttpStatusCode.Forbidden);
        await ApiAssert.ErrorAsync(await user.Client.PatchAsJsonAsync($"/api/v1/groups/{ids[0]}", new[] { new { op = "replace", path = "name", value = "x" } }), HttpStatusCode.Forbidden);
        await ApiAssert.ErrorAsync(await user.Client.DeleteAsync($"/api/v1/groups/{ids[0]}"), HttpStatusCode.Forbidden);
        await ApiAssert.ErrorAsync(await user.Client.PutAsync($"/api/v1/groups/{ids[0]}/members/{user.Id}", null), HttpStatusCode.Forbidden);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/groups/{ids[0]}/members"), HttpStatusCode.Forbidden);
        Assert.Equal("alpha", (await user.Client.GetAsync($"/api/v1/groups/{ids[0]}").JsonAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task StoredMembershipsAreListedAndRemovedAndTakeEffectAtOnce()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var connection = await tenant.Admin.NewConnectionAsync(space, "seen-through-group");
        var group = await tenant.NewGroupAsync();
        await tenant.AssignGroupAsync(space, group, "dataconsumer");
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/data-connections/{connection}"), HttpStatusCode.NotFound);

        await tenant.AddMemberAsync(group, user.Id);
        await tenant.AddMemberAsync(group, user.Id);
        var members = await tenant.Admin.GetAsync($"/api/v1/groups/{group}/members").JsonAsync();
        var member = Assert.Single(members.GetProperty("data").EnumerateArray());
        Assert.Equal(user.Id, member.GetProperty("id").GetString());
        Assert.Equal(["admin"], member.GetProperty("sources").Strings());
        Assert.Equal(["list", "read"], (await user.Client.GetAsync($"/api/v1/data-connections/{connection}").JsonAsync()).GetProperty("privileges").Strings());
        Assert.Contains(space, (await user.Client.GetAsync("/api/v1/spaces").JsonAsync()).Ids());
        var view = await user.Client.GetAsync($"/api/v1/spaces/{space}").JsonAsync();
        Assert.Equal(["dataconsumer"], view.GetProperty("meta").GetProperty("roles").Strings());

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/groups/{group}/members/{user.Id}")).StatusCode);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync($"/api/v1/groups/{group}/members/{user.Id}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/data-connections/{connection}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(space, (await user.Client.GetAsync("/api/v1/spaces").JsonAsync()).Ids());
    }

    [Fact]
    public async Task AGroupsTenantRoleMakesItsMembersAdminsUntilTheyLeaveOrItIsDisabledOrDeleted()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var admins = await tenant.NewGroupAsync("admins", "TenantAdmin");
        await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync("/api/v1/groups", new { name = "x" }), HttpStatusCode.Forbidden);
        await tenant.AddMemberAsync(admins, user.Id);
        Assert.Equal(HttpStatusCode.Created, (await user.Client.PostAsJsonAsync("/api/v1/groups", new { name = "made-by-member" })).StatusCode);
        Assert.True((await user.Client.GetAsync("/api/v1/users").JsonAsync()).GetProperty("data").GetArrayLength() >= 2);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchAsJsonAsync($"/api/v1/groups/{admins}",
            new[] { new { op = "replace", path = "assignedRoles", value = Array.Empty<object>() } })).StatusCode);
        await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync("/api/v1/groups", new { name = "y" }), HttpStatusCode.Forbidden);

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchAsJsonAsync($"/api/v1/groups/{admins}",
            new[] { new { op = "replace", path = "assignedRoles", value = new[] { new { id = "605a1c2151382ffc836af862" } } } })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await user.Client.PostAsJsonAsync("/api/v1/groups", new { name = "z" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/groups/{admins}")).StatusCode);
        await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync("/api/v1/groups", new { name = "w" }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task DeletingAGroupRemovesItsSpaceAssignmentsAndWhatTheyGave()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var group = await tenant.NewGroupAsync();
        await tenant.AddMemberAsync(group, user.Id);
        var assignment = await tenant.AssignGroupAsync(space, group, "producer");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync($"/api/v1/spaces/{space}/assignments", new { type = "group", assigneeId = group, roles = new[] { "consumer" } }),
            HttpStatusCode.Conflict);
        var own = await user.Client.NewConnectionAsync(space);
        var listed = await tenant.Admin.GetAsync($"/api/v1/spaces/{space}/assignments?type=group").JsonAsync();
        Assert.Equal([assignment], listed.Ids());

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/groups/{group}")).StatusCode);
        Assert.Empty((await tenant.Admin.GetAsync($"/api/v1/spaces/{space}/assignments?type=group").JsonAsync()).Ids());
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/data-connections/{own}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await user.Client.CreateConnectionAsync(space), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SpaceFacilitatorsAssignGroupsAndUnknownAssigneesAre400()
    {
        var tenant = await factory.NewTenantAsync();
        var facilitator = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared", facilitator.Client);
        var group = await tenant.NewGroupAsync();
        var user = await tenant.NewUserAsync();
        var created = await facilitator.Client.PostAsJsonAsync($"/api/v1/spaces/{space}/assignments", new { type = "group", assigneeId = group, roles = new[] { "producer" } })
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal(group, created.GetProperty("assigneeId").GetString());
        // A group id is no user, a user id no group.
        await ApiAssert.ErrorAsync(await facilitator.Client.PostAsJsonAsync($"/api/v1/spaces/{space}/assignments", new { type = "user", assigneeId = group, roles = new[] { "producer" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await facilitator.Client.PostAsJsonAsync($"/api/v1/spaces/{space}/assignments", new { type = "group", assigneeId = user.Id, roles = new[] { "producer" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await facilitator.Client.PostAsJsonAsync($"/api/v1/spaces/{space}/assignments", new { type = "bot", assigneeId = user.Id, roles = new[] { "producer" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await facilitator.Client.PostAsJsonAsync($"/api/v1/spaces/{space}/assignments", new { type = "group", assigneeId = group, roles = new[] { "datapreview" } }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TenantsNeverSeeAssignOrReadMembersOfEachOthersGroups()
    {
        var a = await factory.NewTenantAsync();
        var b = await factory.NewTenantAsync();
        var aUser = await a.NewUserAsync();
        var bUser = await b.NewUserAsync();
        var aGroup = await a.NewGroupAsync("engineering");
        var bGroup = await b.NewGroupAsync("engineering", "TenantAdmin");
        await b.AddMemberAsync(bGroup, bUser.Id);
        var aSpace = await a.NewSpaceAsync("shared");
        var bSpace = await b.NewSpaceAsync("shared");
        var bConnection = await b.Admin.NewConnectionAsync(bSpace, "b-secret");
        await b.AssignGroupAsync(bSpace, bGroup, "facilitator");

        // Lists and filters show the tenant's own group of that name only.
        Assert.Equal([aGroup], (await a.Admin.GetAsync($"/api/v1/groups?{Query("name eq \"engineering\"")}").JsonAsync()).Ids());
        Assert.Equal([aGroup], (await a.Admin.GetAsync("/api/v1/groups").JsonAsync()).Ids());
        Assert.Empty((await a.Admin.GetAsync($"/api/v1/groups?{Query($"id eq \"{bGroup}\"")}").JsonAsync()).Ids());
        Assert.Empty((await a.Admin.PostAsJsonAsync("/api/v1/groups/actions/filter", new { filter = $"id eq \"{bGroup}\"" }).JsonAsync()).Ids());

        // B's ids answer as unknown, for reads, changes, members and assignments.
        await ApiAssert.ErrorAsync(await a.Admin.GetAsync($"/api/v1/groups/{bGroup}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await a.Admin.PatchAsJsonAsync($"/api/v1/groups/{bGroup}", new[] { new { op = "replace", path = "assignedRoles", value = Array.Empty<object>() } }), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await a.Admin.DeleteAsync($"/api/v1/groups/{bGroup}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await a.Admin.GetAsync($"/api/v1/groups/{bGroup}/members"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await a.Admin.PutAsync($"/api/v1/groups/{bGroup}/members/{aUser.Id}", null), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await a.Admin.DeleteAsync($"/api/v1/groups/{bGroup}/members/{bUser.Id}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await a.Admin.PutAsync($"/api/v1/groups/{aGroup}/members/{bUser.Id}", null), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await a.Admin.PostAsJsonAsync($"/api/v1/spaces/{aSpace}/assignments", new { type = "group", assigneeId = bGroup, roles = new[] { "producer" } }),
            HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await a.Admin.GetAsync($"/api/v1/spaces/{bSpace}/assignments"), HttpStatusCode.NotFound);

        // B's group gives A's users nothing; A's group of the same name gives nothing in B.
        await a.AddMemberAsync(aGroup, aUser.Id);
        await ApiAssert.ErrorAsync(await aUser.Client.GetAsync($"/api/v1/data-connections/{bConnection}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(bConnection, (await aUser.Client.GetAsync("/api/v1/data-connections?noDatafiles=true").JsonAsync()).ConnectionIds());
        await ApiAssert.ErrorAsync(await aUser.Client.PostAsJsonAsync("/api/v1/groups", new { name = "x" }), HttpStatusCode.Forbidden);
        Assert.Single((await aUser.Client.GetAsync("/api/v1/users").JsonAsync()).GetProperty("data").EnumerateArray());
        // B's member is B's admin through the group, in B only.
        Assert.Equal(["list", "read", "update", "delete", "change_owner", "change_space"],
            (await bUser.Client.GetAsync($"/api/v1/data-connections/{bConnection}").JsonAsync()).GetProperty("privileges").Strings());
        await ApiAssert.ErrorAsync(await bUser.Client.GetAsync($"/api/v1/groups/{aGroup}"), HttpStatusCode.NotFound);
        Assert.Equal([bGroup], (await bUser.Client.GetAsync("/api/v1/groups").JsonAsync()).Ids());
    }

    [Fact]
    public async Task SettingsFollowQliksShapeAndOnlyAnAdminChangesThem()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var settings = await user.Client.GetAsync("/api/v1/groups/settings").JsonAsync();
        Assert.True(settings.GetProperty("autoCreateGroups").GetBoolean());
        Assert.Equal(tenant.Id, settings.GetProperty("tenantId").GetString());
        await ApiAssert.ErrorAsync(await user.Client.PatchAsJsonAsync("/api/v1/groups/settings", new[] { new { op = "replace", path = "/autoCreateGroups", value = false } }), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchAsJsonAsync("/api/v1/groups/settings", new[] { new { op = "replace", path = "/autoCreateGroups", value = false } })).StatusCode);
        Assert.False((await user.Client.GetAsync("/api/v1/groups/settings").JsonAsync()).GetProperty("autoCreateGroups").GetBoolean());
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync("/api/v1/groups/settings", new[] { new { op = "replace", path = "/autoCreateGroups", value = "no" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync("/api/v1/groups/settings", new[] { new { op = "replace", path = "/syncIdpGroups", value = false } }), HttpStatusCode.BadRequest);
        var system = await user.Client.GetAsync("/api/v1/groups?systemGroups=true").JsonAsync();
        Assert.Equal(0, system.GetProperty("data").GetArrayLength());
        await ApiAssert.ErrorAsync(await user.Client.GetAsync("/api/v1/groups?systemGroups=true&limit=5"), HttpStatusCode.BadRequest);
    }
}
