using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

public sealed class UsersTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static object[] Replace(string path, object value) => [new { op = "replace", path, value }];

    [Fact]
    public async Task MeDescribesTheCaller()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync("DataAdmin");
        var me = await user.Client.GetAsync("/api/v1/users/me").JsonAsync();
        Assert.Equal(user.Id, me.GetProperty("id").GetString());
        Assert.Equal(user.Subject, me.GetProperty("subject").GetString());
        Assert.Equal(tenant.Id, me.GetProperty("tenantId").GetString());
        Assert.Equal("active", me.GetProperty("status").GetString());
        var role = Assert.Single(me.GetProperty("assignedRoles").EnumerateArray());
        Assert.Equal("DataAdmin", role.GetProperty("name").GetString());
        Assert.EndsWith($"/api/v1/users/{user.Id}", me.GetProperty("links").GetProperty("self").GetProperty("href").GetString());
    }

    [Fact]
    public async Task CreateReturns201WithTheUser()
    {
        var tenant = await factory.NewTenantAsync();
        var response = await tenant.Admin.PostAsJsonAsync("/api/v1/users", new
        {
            subject = "auth0|alice",
            name = "Alice",
            email = "alice@example.test",
            assignedRoles = new object[] { new { name = "analyticsadmin" }, new { id = "605a1c2151382ffc836af865" } },
        });
        var user = await ApiAssert.OkAsync(response, HttpStatusCode.Created);
        Assert.Equal("auth0|alice", user.GetProperty("subject").GetString());
        Assert.Equal("Alice", user.GetProperty("name").GetString());
        Assert.Equal(tenant.Id, user.GetProperty("tenantId").GetString());
        Assert.Equal(["AnalyticsAdmin", "Developer"], user.GetProperty("assignedRoles").EnumerateArray().Select(r => r.GetProperty("name").GetString()!).Order());
        Assert.EndsWith($"/api/v1/users/{user.GetProperty("id").GetString()}", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task CreateValidates()
    {
        var tenant = await factory.NewTenantAsync();
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/users", new { name = "No Subject" }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/users", new { subject = "   " }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/users", new { subject = new string('s', 300) }), HttpStatusCode.BadRequest, "DCERROR-0014");
        var badRole = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/users",
            new { subject = "r1", assignedRoles = new[] { new { name = "Overlord" } } }), HttpStatusCode.BadRequest, "DCERROR-0014");
        Assert.Contains("Overlord", badRole.GetProperty("detail").GetString());
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/users",
            new { subject = "r2", assignedRoles = new[] { new { id = "000000000000000000000000" } } }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/users",
            new { subject = "r3", assignedRoles = new[] { new { } } }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/users",
            new { subject = "r4", tenantId = "another-tenant" }), HttpStatusCode.BadRequest, "DCERROR-0014");
        // None of the refused subjects was created.
        var users = await tenant.Admin.AllPagesAsync("/api/v1/users?limit=100");
        Assert.Single(users);
    }

    [Fact]
    public async Task DuplicateSubjectIs409()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.PostAsJsonAsync("/api/v1/users", new { subject = "dup" }).JsonAsync(HttpStatusCode.Created);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/users", new { subject = "dup", name = "Other" }), HttpStatusCode.Conflict, "DCERROR-0090");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/users", new { subject = "admin" }), HttpStatusCode.Conflict, "DCERROR-0090");
    }

    [Fact]
    public async Task SameSubjectMayExistInTwoTenants()
    {
        var a = await factory.NewTenantAsync();
        var b = await factory.NewTenantAsync();
        await a.Admin.PostAsJsonAsync("/api/v1/users", new { subject = "shared-subject" }).JsonAsync(HttpStatusCode.Created);
        await b.Admin.PostAsJsonAsync("/api/v1/users", new { subject = "shared-subject" }).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task NonAdminsCannotCreateUsers()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync("AnalyticsAdmin", "DataAdmin", "Developer");
        await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync("/api/v1/users", new { subject = "sneaky" }), HttpStatusCode.Forbidden, "DCERROR-0030");
    }

    [Fact]
    public async Task AdminListsTheTenantInPages()
    {
        var tenant = await factory.NewTenantAsync();
        var made = new List<string> { tenant.AdminUserId };
        for (var i = 0; i < 4; i++)
        {
            made.Add((await tenant.NewUserAsync()).Id);
        }
        var first = await tenant.Admin.GetAsync("/api/v1/users?limit=2&totalResults=true").JsonAsync();
        Assert.Equal(2, first.GetProperty("data").GetArrayLength());
        Assert.Equal(5, first.GetProperty("totalResults").GetInt32());
        Assert.True(first.GetProperty("links").TryGetProperty("next", out _));

        foreach (var sort in new[] { "+name", "-name", "+createdAt", "-createdAt", "subject", "-id" })
        {
            var all = await tenant.Admin.AllPagesAsync($"/api/v1/users?limit=2&sort={Uri.EscapeDataString(sort)}");
            Assert.Equal(made.Order(), all.Order());
        }
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/users?limit=101"), HttpStatusCode.BadRequest, "DCERROR-0012");
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/users?sort=password"), HttpStatusCode.BadRequest, "DCERROR-0012");
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/users?filter=x"), HttpStatusCode.BadRequest, "DCERROR-0012");
    }

    [Fact]
    public async Task NonAdminListsOnlyThemselves()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync("AnalyticsAdmin");
        await tenant.NewUserAsync();
        var list = await user.Client.GetAsync("/api/v1/users?totalResults=true").JsonAsync();
        Assert.Equal([user.Id], list.Ids());
        Assert.Equal(1, list.GetProperty("totalResults").GetInt32());
    }

    [Fact]
    public async Task GetAnswersAdminsAndSelfOnly()
    {
        var tenant = await factory.NewTenantAsync();
        var alice = await tenant.NewUserAsync();
        var bob = await tenant.NewUserAsync();
        Assert.Equal(bob.Subject, (await tenant.Admin.GetAsync($"/api/v1/users/{bob.Id}").JsonAsync()).GetProperty("subject").GetString());
        Assert.Equal(alice.Subject, (await alice.Client.GetAsync($"/api/v1/users/{alice.Id}").JsonAsync()).GetProperty("subject").GetString());
        await ApiAssert.ErrorAsync(await alice.Client.GetAsync($"/api/v1/users/{bob.Id}"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await alice.Client.GetAsync($"/api/v1/users/{tenant.AdminUserId}"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/users/unknown"), HttpStatusCode.NotFound, "DCERROR-0040");
    }

    [Fact]
    public async Task PatchByAdminChangesNameStatusAndRoles()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var ops = new object[]
        {
            new { op = "replace", path = "/name", value = (object)"Renamed" },
            new { op = "replace", path = "/assignedRoles", value = (object)new[] { new { name = "DataAdmin" } } },
            new { op = "add", path = "/assignedRoles", value = (object)new[] { new { name = "Developer" } } },
        };
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchJsonAsync($"/api/v1/users/{user.Id}", ops)).StatusCode);
        var read = await tenant.Admin.GetAsync($"/api/v1/users/{user.Id}").JsonAsync();
        Assert.Equal("Renamed", read.GetProperty("name").GetString());
        Assert.Equal(["DataAdmin", "Developer"], read.GetProperty("assignedRoles").EnumerateArray().Select(r => r.GetProperty("name").GetString()!).Order());

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PatchJsonAsync($"/api/v1/users/{user.Id}",
            new[] { new { op = "remove-value", path = "/assignedRoles", value = new[] { new { name = "Developer" } } } })).StatusCode);
        read = await tenant.Admin.GetAsync($"/api/v1/users/{user.Id}").JsonAsync();
        Assert.Equal("DataAdmin", Assert.Single(read.GetProperty("assignedRoles").EnumerateArray()).GetProperty("name").GetString());
        // The new role applies at once: a DataAdmin may create data spaces.
        await user.Client.PostAsJsonAsync("/api/v1/spaces", new { name = "d-" + user.Subject, type = "data" }).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task PatchValidates()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var url = $"/api/v1/users/{user.Id}";
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync(url, Replace("/assignedRoles", new[] { new { name = "Overlord" } })), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync(url, Replace("/assignedRoles", "TenantAdmin")), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync(url, Replace("/status", "deleted")), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync(url, Replace("/subject", "someone-else")), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync(url, Replace("/tenantId", "x")), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync(url, Replace("/name", "")), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync(url, Replace("/name", 42)), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync(url, new[] { new { op = "move", path = "/name", value = "x" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync("/api/v1/users/unknown", Replace("/name", "x")), HttpStatusCode.NotFound);
        // A refused patch changes nothing, even operations before the bad one.
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync(url, new object[]
        {
            new { op = "replace", path = "/name", value = (object)"Half" },
            new { op = "replace", path = "/status", value = (object)"bogus" },
        }), HttpStatusCode.BadRequest);
        Assert.Equal(user.Subject, (await tenant.Admin.GetAsync(url).JsonAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task UserMayRenameThemselvesButNotChangeRolesOrStatus()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var other = await tenant.NewUserAsync();
        var self = $"/api/v1/users/{user.Id}";
        Assert.Equal(HttpStatusCode.NoContent, (await user.Client.PatchJsonAsync(self, Replace("/name", "Me"))).StatusCode);
        await ApiAssert.ErrorAsync(await user.Client.PatchJsonAsync(self, Replace("/assignedRoles", new[] { new { name = "TenantAdmin" } })), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await user.Client.PatchJsonAsync(self, Replace("/roles", new[] { new { name = "TenantAdmin" } })), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await user.Client.PatchJsonAsync(self, new[] { new { op = "add", path = "/assignedRoles", value = new[] { new { name = "TenantAdmin" } } } }), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await user.Client.PatchJsonAsync(self, Replace("/status", "disabled")), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await user.Client.PatchJsonAsync($"/api/v1/users/{other.Id}", Replace("/name", "Hacked")), HttpStatusCode.NotFound, "DCERROR-0040");
        var me = await user.Client.GetAsync("/api/v1/users/me").JsonAsync();
        Assert.Equal("Me", me.GetProperty("name").GetString());
        Assert.Equal(0, me.GetProperty("assignedRoles").GetArrayLength());
        Assert.Equal(other.Subject, (await tenant.Admin.GetAsync($"/api/v1/users/{other.Id}").JsonAsync()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task DeleteRemovesTheUser()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/users/{user.Id}")).StatusCode);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain(user.Id, await tenant.Admin.AllPagesAsync("/api/v1/users"));
        // The subject is free again.
        await tenant.Admin.PostAsJsonAsync("/api/v1/users", new { subject = user.Subject }).JsonAsync(HttpStatusCode.Created);
    }

    [Fact]
    public async Task NonAdminsCannotDeleteUsers()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync("AnalyticsAdmin", "DataAdmin");
        var other = await tenant.NewUserAsync();
        await ApiAssert.ErrorAsync(await user.Client.DeleteAsync($"/api/v1/users/{other.Id}"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await user.Client.DeleteAsync($"/api/v1/users/{tenant.AdminUserId}"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await user.Client.DeleteAsync($"/api/v1/users/{user.Id}"), HttpStatusCode.Forbidden, "DCERROR-0030");
        await tenant.Admin.GetAsync($"/api/v1/users/{other.Id}").JsonAsync();
    }

    [Fact]
    public async Task TheLastTenantAdminCannotBeRemoved()
    {
        var tenant = await factory.NewTenantAsync();
        var self = $"/api/v1/users/{tenant.AdminUserId}";
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync(self), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync(self, Replace("/status", "disabled")), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync(self, Replace("/assignedRoles", Array.Empty<object>())), HttpStatusCode.BadRequest);
        await tenant.Admin.GetAsync("/api/v1/users/me").JsonAsync();

        // With a second admin, the first may step down.
        var second = await tenant.NewUserAsync("TenantAdmin");
        Assert.Equal(HttpStatusCode.NoContent, (await second.Client.DeleteAsync(self)).StatusCode);
        await ApiAssert.ErrorAsync(await second.Client.DeleteAsync($"/api/v1/users/{second.Id}"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PagingIsStableWhenNamesAreEqual()
    {
        var tenant = await factory.NewTenantAsync();
        var made = new List<string> { tenant.AdminUserId };
        for (var i = 0; i < 5; i++)
        {
            var created = await tenant.Admin.PostAsJsonAsync("/api/v1/users", new { subject = $"same-{i}", name = "Same Name", email = "same@example.test" }).JsonAsync(HttpStatusCode.Created);
            made.Add(created.GetProperty("id").GetString()!);
        }
        foreach (var sort in new[] { "name", "-name", "email", "-email", "status" })
        {
            var all = await tenant.Admin.AllPagesAsync($"/api/v1/users?limit=2&sort={sort}");
            Assert.Equal(made.Order(), all.Order());
        }
        var first = await tenant.Admin.GetAsync("/api/v1/users?limit=2").JsonAsync();
        var second = await tenant.Admin.GetAsync(first.GetProperty("links").GetProperty("next").GetProperty("href").GetString()).JsonAsync();
        var back = await tenant.Admin.GetAsync(second.GetProperty("links").GetProperty("prev").GetProperty("href").GetString()).JsonAsync();
        Assert.Equal(first.Ids(), back.Ids());
        var token = new Uri(first.GetProperty("links").GetProperty("next").GetProperty("href").GetString()!).Query;
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/users" + token + "&sort=-createdAt"), HttpStatusCode.BadRequest, "DCERROR-0012");
    }

    [Fact]
    public async Task DeletingAUserRemovesTheirSpaceAssignments()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        await tenant.AssignAsync(space, user.Id, "producer");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/users/{user.Id}")).StatusCode);
        var assignments = await tenant.Admin.GetAsync($"/api/v1/spaces/{space}/assignments").JsonAsync();
        Assert.Empty(assignments.Ids());
        Assert.Equal(0, assignments.GetProperty("meta").GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("[null]")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("[{\"op\":\"replace\",\"path\":\"/assignedRoles\"}]")]
    [InlineData("[{\"op\":\"replace\",\"path\":\"/name\"}]")]
    [InlineData("[{\"op\":\"replace\"}]")]
    [InlineData("[{\"path\":\"/name\",\"value\":\"x\"}]")]
    [InlineData("[{\"op\":\"replace\",\"path\":\"/assignedRoles\",\"value\":[null]}]")]
    [InlineData("[{\"op\":\"replace\",\"path\":\"/assignedRoles\",\"value\":{\"name\":\"TenantAdmin\"}}]")]
    public async Task MalformedPatchIs400(string body)
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync("Developer");
        var response = await tenant.Admin.PatchAsync($"/api/v1/users/{user.Id}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest);
        var read = await tenant.Admin.GetAsync($"/api/v1/users/{user.Id}").JsonAsync();
        Assert.Equal("Developer", Assert.Single(read.GetProperty("assignedRoles").EnumerateArray()).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{\"subject\":42}")]
    [InlineData("{\"subject\":\"x\",\"assignedRoles\":[null]}")]
    [InlineData("{\"subject\":\"x\",\"assignedRoles\":\"TenantAdmin\"}")]
    public async Task MalformedCreateIs400(string body)
    {
        var tenant = await factory.NewTenantAsync();
        var response = await tenant.Admin.PostAsync("/api/v1/users", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneSubjectYieldOneUserAndConflicts()
    {
        var tenant = await factory.NewTenantAsync();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => tenant.Admin.PostAsJsonAsync("/api/v1/users", new { subject = "racer" })));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "DCERROR-0090");
        }
    }

    [Fact]
    public async Task TwoAdminsDemotingEachOtherAtOnceLeaveOneAdmin()
    {
        var tenant = await factory.NewTenantAsync();
        var second = await tenant.NewUserAsync("TenantAdmin");
        object[] demote = [new { op = "replace", path = "/assignedRoles", value = Array.Empty<object>() }];
        var results = await Task.WhenAll(
            tenant.Admin.PatchJsonAsync($"/api/v1/users/{second.Id}", demote),
            second.Client.PatchJsonAsync($"/api/v1/users/{tenant.AdminUserId}", demote));
        Assert.All(results, r => Assert.True(r.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{(int)r.StatusCode}"));
        var admins = 0;
        foreach (var id in new[] { tenant.AdminUserId, second.Id })
        {
            var user = await factory.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
                Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.IgnoreQueryFilters(db.Users), u => u.Id == id));
            admins += user.RoleSet.Contains("TenantAdmin") ? 1 : 0;
        }
        Assert.True(admins >= 1, "the tenant was left without a TenantAdmin");
    }
}
