using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>A user's groups in Qlik's users shapes (assignedGroups, its filters and patch), and the last TenantAdmin kept whichever way the role comes.</summary>
public sealed class UserGroupsTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static string Query(string filter) => "filter=" + Uri.EscapeDataString(filter);

    [Fact]
    public async Task UsersShowTheirGroupsWithTheRolesTheyGiveAndFilterByThem()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var other = await tenant.NewUserAsync();
        var analysts = await tenant.NewGroupAsync("Analysts", "AnalyticsAdmin");
        var readers = await tenant.NewGroupAsync("Readers");
        await tenant.AddMemberAsync(analysts, user.Id);
        await tenant.AddMemberAsync(readers, user.Id);
        await tenant.AddMemberAsync(readers, other.Id);

        var read = await tenant.Admin.GetAsync($"/api/v1/users/{user.Id}").JsonAsync();
        var groups = read.GetProperty("assignedGroups").EnumerateArray().ToList();
        Assert.Equal(["Analysts", "Readers"], groups.Select(g => g.GetProperty("name").GetString()));
        Assert.Equal(analysts, groups[0].GetProperty("id").GetString());
        Assert.Equal("custom", groups[0].GetProperty("providerType").GetString());
        Assert.Equal("AnalyticsAdmin", Assert.Single(groups[0].GetProperty("assignedRoles").EnumerateArray()).GetProperty("name").GetString());
        Assert.Empty(groups[1].GetProperty("assignedRoles").EnumerateArray());
        var me = await user.Client.GetAsync("/api/v1/users/me").JsonAsync();
        Assert.Equal(2, me.GetProperty("assignedGroups").GetArrayLength());
        Assert.Empty((await tenant.Admin.GetAsync($"/api/v1/users/{tenant.AdminUserId}").JsonAsync()).GetProperty("assignedGroups").EnumerateArray());

        Assert.Equal([user.Id], (await tenant.Admin.GetAsync("/api/v1/users?" + Query($"assignedGroups.id eq \"{analysts}\"")).JsonAsync()).Ids());
        Assert.Equal([user.Id, other.Id], (await tenant.Admin.GetAsync("/api/v1/users?sort=createdAt&" + Query("assignedGroups.name eq \"Readers\"")).JsonAsync()).Ids());
        Assert.Equal([user.Id], (await tenant.Admin.GetAsync("/api/v1/users?" + Query("assignedGroupsAssignedRoles.name eq \"AnalyticsAdmin\"")).JsonAsync()).Ids());
        Assert.Equal([other.Id], (await tenant.Admin.GetAsync("/api/v1/users?" + Query($"assignedGroups.name eq \"Readers\" and assignedGroups.id ne \"{analysts}\"")).JsonAsync()).Ids());
        Assert.Empty((await tenant.Admin.GetAsync("/api/v1/users?" + Query("assignedGroupsAssignedRoles.name eq \"NoSuchRole\"")).JsonAsync()).Ids());
        Assert.Equal(2, (await tenant.Admin.PostAsJsonAsync("/api/v1/users/actions/filter", new { filter = "assignedGroups.name eq \"Readers\"" }).JsonAsync()).Ids().Count);
        var counted = await tenant.Admin.GetAsync("/api/v1/users/actions/count?" + Query("assignedGroups.name eq \"Readers\"")).JsonAsync();
        Assert.Equal(2, counted.GetProperty("total").GetInt32());
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/users?" + Query("assignedGroups.name co \"Read\"")), HttpStatusCode.BadRequest);

        // A group of the same name in another tenant, and that tenant's group id, match no user here.
        var elsewhere = await factory.NewTenantAsync();
        var theirs = await elsewhere.NewGroupAsync("Readers");
        await elsewhere.AddMemberAsync(theirs, elsewhere.AdminUserId);
        Assert.Empty((await tenant.Admin.GetAsync("/api/v1/users?" + Query($"assignedGroups.id eq \"{theirs}\"")).JsonAsync()).Ids());
        Assert.Equal([elsewhere.AdminUserId], (await elsewhere.Admin.GetAsync("/api/v1/users?" + Query("assignedGroups.name eq \"Readers\"")).JsonAsync()).Ids());
    }

    [Fact]
    public async Task AnAdminPatchesAUsersGroupsByNameOrIdAndNobodyElseMay()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var a = await tenant.NewGroupAsync("A");
        var b = await tenant.NewGroupAsync("B");
        var space = await tenant.NewSpaceAsync("shared");
        var connection = await tenant.Admin.NewConnectionAsync(space, "through-b");
        await tenant.AssignGroupAsync(space, b, "dataconsumer");

        async Task<List<string?>> GroupsOf() =>
            (await tenant.Admin.GetAsync($"/api/v1/users/{user.Id}").JsonAsync()).GetProperty("assignedGroups").EnumerateArray().Select(g => g.GetProperty("name").GetString()).ToList();
        Task<HttpResponseMessage> Patch(HttpClient client, string op, object value) =>
            client.PatchAsJsonAsync($"/api/v1/users/{user.Id}", new[] { new { op, path = "/assignedGroups", value } });

        Assert.Equal(HttpStatusCode.NoContent, (await Patch(tenant.Admin, "replace", new[] { new { name = "A", providerType = "custom" } })).StatusCode);
        Assert.Equal(["A"], await GroupsOf());
        Assert.Equal(HttpStatusCode.NoContent, (await Patch(tenant.Admin, "add", new[] { new { id = b } })).StatusCode);
        Assert.Equal(["A", "B"], await GroupsOf());
        // What a group gives takes effect at once.
        Assert.Equal(HttpStatusCode.OK, (await user.Client.GetAsync($"/api/v1/data-connections/{connection}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Patch(tenant.Admin, "replace", new[] { new { name = "B" } })).StatusCode);
        Assert.Equal(["B"], await GroupsOf());
        Assert.Equal(HttpStatusCode.NoContent, (await Patch(tenant.Admin, "remove-value", new[] { new { name = "B" } })).StatusCode);
        Assert.Empty(await GroupsOf());
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/data-connections/{connection}"), HttpStatusCode.NotFound);

        // Unknown names, a wrong provider type, another tenant's group and bad shapes change nothing.
        var elsewhere = await factory.NewTenantAsync();
        var theirs = await elsewhere.NewGroupAsync("Theirs");
        await ApiAssert.ErrorAsync(await Patch(tenant.Admin, "add", new object[] { new { name = "A" }, new { name = "Nope" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await Patch(tenant.Admin, "add", new[] { new { name = "A", providerType = "idp" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await Patch(tenant.Admin, "add", new[] { new { id = theirs } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await Patch(tenant.Admin, "add", new[] { new { name = "Theirs" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await Patch(tenant.Admin, "add", "A"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await Patch(tenant.Admin, "add", new[] { new { providerType = "custom" } }), HttpStatusCode.BadRequest);
        Assert.Empty(await GroupsOf());
        Assert.Empty((await elsewhere.Admin.GetAsync($"/api/v1/groups/{theirs}/members").JsonAsync()).GetProperty("data").EnumerateArray());

        // A user cannot put themselves into a group.
        await ApiAssert.ErrorAsync(await Patch(user.Client, "add", new[] { new { name = "B" } }), HttpStatusCode.Forbidden);
        Assert.Empty(await GroupsOf());
    }

    [Fact]
    public async Task TheLastAdminMayStepDownWhenAGroupKeepsAnotherAndNoChangeLeavesTheTenantWithout()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var admins = await tenant.NewGroupAsync("admins", "TenantAdmin");
        var demote = new[] { new { op = "replace", path = "/assignedRoles", value = Array.Empty<object>() } };

        // Alone, the admin cannot step down.
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync($"/api/v1/users/{tenant.AdminUserId}", demote), HttpStatusCode.BadRequest);

        // With a member of an admin group, they can: the group's member is an admin too.
        await tenant.AddMemberAsync(admins, user.Id);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchAsJsonAsync($"/api/v1/users/{tenant.AdminUserId}", demote)).StatusCode);

        // Now the group holds the tenant's only admin: each way of taking it away is refused and changes nothing.
        var groupRoles = new[] { new { op = "replace", path = "assignedRoles", value = Array.Empty<object>() } };
        await ApiAssert.ErrorAsync(await user.Client.PatchAsJsonAsync($"/api/v1/groups/{admins}", groupRoles), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.DeleteAsync($"/api/v1/groups/{admins}/members/{user.Id}"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.DeleteAsync($"/api/v1/groups/{admins}"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.PatchAsJsonAsync($"/api/v1/users/{user.Id}",
            new[] { new { op = "remove-value", path = "/assignedGroups", value = new[] { new { name = "admins" } } } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.PatchAsJsonAsync($"/api/v1/users/{user.Id}",
            new[] { new { op = "replace", path = "/status", value = "disabled" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await user.Client.DeleteAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.BadRequest);
        var group = await user.Client.GetAsync($"/api/v1/groups/{admins}").JsonAsync();
        Assert.Equal("TenantAdmin", Assert.Single(group.GetProperty("assignedRoles").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal([user.Id], (await user.Client.GetAsync($"/api/v1/groups/{admins}/members").JsonAsync()).Ids());
        Assert.Equal(HttpStatusCode.Created, (await user.Client.PostAsJsonAsync("/api/v1/groups", new { name = "still-admin" })).StatusCode);

        // Once another admin exists, the group may go.
        var promote = new[] { new { op = "replace", path = "/assignedRoles", value = new[] { new { name = "TenantAdmin" } } } };
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.PatchAsJsonAsync($"/api/v1/users/{tenant.AdminUserId}", promote)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/groups/{admins}")).StatusCode);
        await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync("/api/v1/groups", new { name = "no-longer" }), HttpStatusCode.Forbidden);
    }
}
