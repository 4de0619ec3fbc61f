using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

public sealed class SpacesTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static string Name(string prefix = "space") => $"{prefix}-{Guid.NewGuid():N}";

    static Task<HttpResponseMessage> CreateSpace(HttpClient client, string type, string? name = null) =>
        client.PostAsJsonAsync("/api/v1/spaces", new { name = name ?? Name(type), type });

    static Task<HttpResponseMessage> Assign(HttpClient client, string spaceId, string assigneeId, params string[] roles) =>
        client.PostAsJsonAsync($"/api/v1/spaces/{spaceId}/assignments", new { type = "user", assigneeId, roles });

    [Fact]
    public async Task TypesAreSharedManagedAndData()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var types = await user.Client.GetAsync("/api/v1/spaces/types").JsonAsync();
        Assert.Equal(["shared", "managed", "data"], types.GetProperty("data").Strings());
    }

    [Theory]
    [InlineData("shared")]
    [InlineData("managed")]
    [InlineData("data")]
    public async Task AdminCreatesEachType(string type)
    {
        var tenant = await factory.NewTenantAsync();
        var response = await tenant.Admin.PostAsJsonAsync("/api/v1/spaces", new { name = "  Sales " + type + "  ", type, description = "numbers" });
        var space = await ApiAssert.OkAsync(response, HttpStatusCode.Created);
        Assert.Equal("Sales " + type, space.GetProperty("name").GetString());
        Assert.Equal(type, space.GetProperty("type").GetString());
        Assert.Equal("numbers", space.GetProperty("description").GetString());
        Assert.Equal(tenant.AdminUserId, space.GetProperty("ownerId").GetString());
        Assert.Equal(tenant.Id, space.GetProperty("tenantId").GetString());
        var id = space.GetProperty("id").GetString()!;
        Assert.EndsWith($"/api/v1/spaces/{id}", response.Headers.Location!.ToString());
        Assert.Equal(id, (await tenant.Admin.GetAsync($"/api/v1/spaces/{id}").JsonAsync()).GetProperty("id").GetString());
        Assert.Contains(id, (await tenant.Admin.GetAsync($"/api/v1/spaces?type={type}").JsonAsync()).Ids());
    }

    [Fact]
    public async Task CreateValidates()
    {
        var tenant = await factory.NewTenantAsync();
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/spaces", new { type = "shared" }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/spaces", new { name = "   ", type = "shared" }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/spaces", new { name = "x" }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/spaces", new { name = "x", type = "personal" }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/spaces", new { name = "x", type = "Shared" }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/spaces", new { name = new string('n', 257), type = "shared" }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/spaces", new { name = "x", type = "shared", description = new string('d', 1025) }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync("/api/v1/spaces?type=personal"), HttpStatusCode.BadRequest, "DCERROR-0012");
    }

    [Fact]
    public async Task NameIsUniquePerTenantIgnoringCase()
    {
        var tenant = await factory.NewTenantAsync();
        var name = Name("Finance");
        await CreateSpace(tenant.Admin, "shared", name).JsonAsync(HttpStatusCode.Created);
        await ApiAssert.ErrorAsync(await CreateSpace(tenant.Admin, "shared", name), HttpStatusCode.Conflict, "DCERROR-0090");
        await ApiAssert.ErrorAsync(await CreateSpace(tenant.Admin, "managed", name.ToUpperInvariant()), HttpStatusCode.Conflict, "DCERROR-0090");
        await ApiAssert.ErrorAsync(await CreateSpace(tenant.Admin, "data", " " + name + " "), HttpStatusCode.Conflict, "DCERROR-0090");
        var user = await tenant.NewUserAsync();
        await ApiAssert.ErrorAsync(await CreateSpace(user.Client, "shared", name), HttpStatusCode.Conflict, "DCERROR-0090");

        // Renaming onto a taken name is a conflict too.
        var other = await CreateSpace(tenant.Admin, "shared").JsonAsync(HttpStatusCode.Created);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync($"/api/v1/spaces/{other.GetProperty("id").GetString()}",
            new[] { new { op = "replace", path = "/name", value = name } }), HttpStatusCode.Conflict, "DCERROR-0090");
    }

    [Theory]
    [InlineData(null, "shared", HttpStatusCode.Created)]
    [InlineData(null, "managed", HttpStatusCode.Forbidden)]
    [InlineData(null, "data", HttpStatusCode.Forbidden)]
    [InlineData("Developer", "managed", HttpStatusCode.Forbidden)]
    [InlineData("AnalyticsAdmin", "shared", HttpStatusCode.Created)]
    [InlineData("AnalyticsAdmin", "managed", HttpStatusCode.Created)]
    [InlineData("AnalyticsAdmin", "data", HttpStatusCode.Forbidden)]
    [InlineData("DataAdmin", "shared", HttpStatusCode.Created)]
    [InlineData("DataAdmin", "managed", HttpStatusCode.Forbidden)]
    [InlineData("DataAdmin", "data", HttpStatusCode.Created)]
    [InlineData("TenantAdmin", "managed", HttpStatusCode.Created)]
    [InlineData("TenantAdmin", "data", HttpStatusCode.Created)]
    public async Task WhoMayCreateWhichSpace(string? role, string type, HttpStatusCode expected)
    {
        var tenant = await factory.NewTenantAsync();
        var user = role is null ? await tenant.NewUserAsync() : await tenant.NewUserAsync(role);
        var response = await CreateSpace(user.Client, type);
        if (expected == HttpStatusCode.Created)
        {
            var space = await ApiAssert.OkAsync(response, expected);
            Assert.Equal(user.Id, space.GetProperty("ownerId").GetString());
        }
        else
        {
            await ApiAssert.ErrorAsync(response, expected, "DCERROR-0030");
            Assert.Empty((await tenant.Admin.GetAsync($"/api/v1/spaces?type={type}").JsonAsync()).Ids());
        }
    }

    [Theory]
    [InlineData("shared", "operator")]
    [InlineData("shared", "publisher")]
    [InlineData("shared", "contributor")]
    [InlineData("shared", "datapreview")]
    [InlineData("managed", "producer")]
    [InlineData("managed", "codeveloper")]
    [InlineData("managed", "datapreview")]
    [InlineData("data", "codeveloper")]
    [InlineData("data", "contributor")]
    [InlineData("data", "basicconsumer")]
    [InlineData("shared", "owner")]
    [InlineData("shared", "Producer")]
    [InlineData("data", "")]
    public async Task RoleNotAllowedInTheSpaceTypeIs400(string type, string role)
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync(type);
        var error = await ApiAssert.ErrorAsync(await Assign(tenant.Admin, space, user.Id, role), HttpStatusCode.BadRequest, "DCERROR-0014");
        Assert.Contains("roles", error.GetProperty("detail").GetString());
        // A good role alongside a bad one is still refused as a whole.
        await ApiAssert.ErrorAsync(await Assign(tenant.Admin, space, user.Id, "consumer", role), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/spaces/{space}"), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("shared", "basicconsumer,codeveloper,consumer,dataconsumer,facilitator,producer")]
    [InlineData("managed", "basicconsumer,consumer,contributor,dataconsumer,facilitator,operator,publisher")]
    [InlineData("data", "consumer,dataconsumer,datapreview,facilitator,operator,producer,publisher")]
    public async Task EveryRoleTheTypeAllowsCanBeAssigned(string type, string roles)
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync(type);
        foreach (var role in roles.Split(','))
        {
            var user = await tenant.NewUserAsync();
            var assignment = await Assign(tenant.Admin, space, user.Id, role).JsonAsync(HttpStatusCode.Created);
            Assert.Equal([role], assignment.GetProperty("roles").Strings());
            Assert.Equal(space, (await user.Client.GetAsync($"/api/v1/spaces/{space}").JsonAsync()).GetProperty("id").GetString());
        }
    }

    [Fact]
    public async Task AssignmentValidation()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var url = $"/api/v1/spaces/{space}/assignments";
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(url, new { assigneeId = user.Id, roles = new[] { "consumer" } }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(url, new { type = "group", assigneeId = user.Id, roles = new[] { "consumer" } }), HttpStatusCode.BadRequest, "DCERROR-0014");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(url, new { type = "user", roles = new[] { "consumer" } }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(url, new { type = "user", assigneeId = user.Id }), HttpStatusCode.BadRequest, "DCERROR-0013");
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(url, new { type = "user", assigneeId = user.Id, roles = Array.Empty<string>() }), HttpStatusCode.BadRequest, "DCERROR-0013");
        var unknown = await ApiAssert.ErrorAsync(await Assign(tenant.Admin, space, "no-such-user", "consumer"), HttpStatusCode.BadRequest, "DCERROR-0014");
        Assert.Contains("assigneeId", unknown.GetProperty("detail").GetString());

        await Assign(tenant.Admin, space, user.Id, "consumer").JsonAsync(HttpStatusCode.Created);
        await ApiAssert.ErrorAsync(await Assign(tenant.Admin, space, user.Id, "producer"), HttpStatusCode.Conflict, "DCERROR-0090");
        await ApiAssert.ErrorAsync(await Assign(tenant.Admin, Guid.NewGuid().ToString("N"), user.Id, "consumer"), HttpStatusCode.NotFound, "DCERROR-0040");
    }

    [Fact]
    public async Task OwnerAndFacilitatorManageAssignments()
    {
        var tenant = await factory.NewTenantAsync();
        var owner = await tenant.NewUserAsync();
        var facilitator = await tenant.NewUserAsync();
        var member = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared", owner.Client);

        var byOwner = await Assign(owner.Client, space, facilitator.Id, "facilitator").JsonAsync(HttpStatusCode.Created);
        Assert.Equal(owner.Id, byOwner.GetProperty("createdBy").GetString());
        var assignment = await Assign(facilitator.Client, space, member.Id, "consumer").JsonAsync(HttpStatusCode.Created);
        var assignmentId = assignment.GetProperty("id").GetString()!;
        var url = $"/api/v1/spaces/{space}/assignments/{assignmentId}";

        var updated = await facilitator.Client.PutAsJsonAsync(url, new { roles = new[] { "producer", "dataconsumer" } }).JsonAsync();
        Assert.Equal(["dataconsumer", "producer"], updated.GetProperty("roles").Strings().Order());
        Assert.Equal(facilitator.Id, updated.GetProperty("updatedBy").GetString());
        await ApiAssert.ErrorAsync(await facilitator.Client.PutAsJsonAsync(url, new { roles = new[] { "operator" } }), HttpStatusCode.BadRequest, "DCERROR-0014");

        var list = await member.Client.GetAsync($"/api/v1/spaces/{space}/assignments").JsonAsync();
        Assert.Equal(2, list.GetProperty("meta").GetProperty("count").GetInt32());
        Assert.Equal(assignmentId, (await member.Client.GetAsync(url).JsonAsync()).GetProperty("id").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync(url)).StatusCode);
        await ApiAssert.ErrorAsync(await member.Client.GetAsync($"/api/v1/spaces/{space}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await owner.Client.DeleteAsync(url), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("shared", "producer")]
    [InlineData("shared", "codeveloper")]
    [InlineData("shared", "consumer")]
    [InlineData("managed", "publisher")]
    [InlineData("managed", "contributor")]
    [InlineData("data", "producer")]
    [InlineData("data", "operator")]
    public async Task OtherMembersMayNotManageAssignments(string type, string role)
    {
        var tenant = await factory.NewTenantAsync();
        var member = await tenant.NewUserAsync();
        var newcomer = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync(type);
        await tenant.AssignAsync(space, member.Id, role);
        var own = Assert.Single((await member.Client.GetAsync($"/api/v1/spaces/{space}/assignments?assigneeId={member.Id}").JsonAsync()).Ids());
        var url = $"/api/v1/spaces/{space}/assignments/{own}";

        await ApiAssert.ErrorAsync(await Assign(member.Client, space, newcomer.Id, "consumer"), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await member.Client.PutAsJsonAsync(url, new { roles = new[] { "facilitator" } }), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await member.Client.DeleteAsync(url), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await member.Client.PatchJsonAsync($"/api/v1/spaces/{space}",
            new[] { new { op = "replace", path = "/name", value = "taken over" } }), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await member.Client.DeleteAsync($"/api/v1/spaces/{space}"), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Equal([role], (await tenant.Admin.GetAsync(url).JsonAsync()).GetProperty("roles").Strings());
    }

    [Fact]
    public async Task OutsidersGet404ForEverythingAboutASpace()
    {
        var tenant = await factory.NewTenantAsync();
        var outsider = await tenant.NewUserAsync();
        var member = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        await tenant.AssignAsync(space, member.Id, "consumer");
        var assignmentId = Assert.Single((await tenant.Admin.GetAsync($"/api/v1/spaces/{space}/assignments").JsonAsync()).Ids());
        var client = outsider.Client;
        await ApiAssert.ErrorAsync(await client.GetAsync($"/api/v1/spaces/{space}"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await client.PutAsJsonAsync($"/api/v1/spaces/{space}", new { name = "mine" }), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"/api/v1/spaces/{space}"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await client.GetAsync($"/api/v1/spaces/{space}/assignments"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await client.GetAsync($"/api/v1/spaces/{space}/assignments/{assignmentId}"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await Assign(client, space, outsider.Id, "facilitator"), HttpStatusCode.NotFound, "DCERROR-0040");
        await ApiAssert.ErrorAsync(await client.DeleteAsync($"/api/v1/spaces/{space}/assignments/{assignmentId}"), HttpStatusCode.NotFound, "DCERROR-0040");
        Assert.DoesNotContain(space, (await client.GetAsync("/api/v1/spaces").JsonAsync()).Ids());
    }

    [Fact]
    public async Task AssignmentsOfOneSpaceAreNotReachableThroughAnother()
    {
        var tenant = await factory.NewTenantAsync();
        var owner = await tenant.NewUserAsync();
        var member = await tenant.NewUserAsync();
        var mine = await tenant.NewSpaceAsync("shared", owner.Client);
        var theirs = await tenant.NewSpaceAsync("shared");
        await tenant.AssignAsync(theirs, member.Id, "consumer");
        var foreign = Assert.Single((await tenant.Admin.GetAsync($"/api/v1/spaces/{theirs}/assignments").JsonAsync()).Ids());
        await ApiAssert.ErrorAsync(await owner.Client.GetAsync($"/api/v1/spaces/{mine}/assignments/{foreign}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await owner.Client.PutAsJsonAsync($"/api/v1/spaces/{mine}/assignments/{foreign}", new { roles = new[] { "facilitator" } }), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await owner.Client.DeleteAsync($"/api/v1/spaces/{mine}/assignments/{foreign}"), HttpStatusCode.NotFound);
        Assert.Equal(["consumer"], (await tenant.Admin.GetAsync($"/api/v1/spaces/{theirs}/assignments/{foreign}").JsonAsync()).GetProperty("roles").Strings());
    }

    [Fact]
    public async Task OwnershipChangesOnlyByOwnerOrAdminAndOnlyToUsersOfTheTenant()
    {
        var tenant = await factory.NewTenantAsync();
        var owner = await tenant.NewUserAsync();
        var facilitator = await tenant.NewUserAsync();
        var next = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared", owner.Client);
        await tenant.AssignAsync(space, facilitator.Id, "facilitator");
        var url = $"/api/v1/spaces/{space}";

        await ApiAssert.ErrorAsync(await facilitator.Client.PutAsJsonAsync(url, new { ownerId = facilitator.Id }), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await owner.Client.PutAsJsonAsync(url, new { ownerId = "nobody" }), HttpStatusCode.BadRequest, "DCERROR-0014");
        var renamed = await facilitator.Client.PutAsJsonAsync(url, new { description = "by facilitator" }).JsonAsync();
        Assert.Equal("by facilitator", renamed.GetProperty("description").GetString());

        var moved = await owner.Client.PutAsJsonAsync(url, new { ownerId = next.Id }).JsonAsync();
        Assert.Equal(next.Id, moved.GetProperty("ownerId").GetString());
        // The former owner had no assignment: the space is gone from their view.
        await ApiAssert.ErrorAsync(await owner.Client.GetAsync(url), HttpStatusCode.NotFound);
        Assert.Equal(next.Id, (await next.Client.GetAsync(url).JsonAsync()).GetProperty("ownerId").GetString());
    }

    [Fact]
    public async Task SpaceActionsReflectTheCallersRights()
    {
        var tenant = await factory.NewTenantAsync();
        var consumer = await tenant.NewUserAsync();
        var facilitator = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        await tenant.AssignAsync(space, consumer.Id, "consumer");
        await tenant.AssignAsync(space, facilitator.Id, "facilitator");
        var asConsumer = await consumer.Client.GetAsync($"/api/v1/spaces/{space}").JsonAsync();
        Assert.Equal(["read"], asConsumer.GetProperty("meta").GetProperty("actions").Strings());
        var asFacilitator = (await facilitator.Client.GetAsync($"/api/v1/spaces/{space}").JsonAsync()).GetProperty("meta").GetProperty("actions").Strings();
        Assert.Contains("update", asFacilitator);
        Assert.Contains("create", asFacilitator);
        Assert.DoesNotContain("delete", asFacilitator);
        Assert.DoesNotContain("change_owner", asFacilitator);
        var asAdmin = (await tenant.Admin.GetAsync($"/api/v1/spaces/{space}").JsonAsync()).GetProperty("meta").GetProperty("actions").Strings();
        Assert.Contains("delete", asAdmin);
        Assert.Contains("change_owner", asAdmin);

        // The owner's actions match what the owner may do: hand the space over.
        var owner = await tenant.NewUserAsync();
        var owned = await tenant.NewSpaceAsync("shared", owner.Client);
        var asOwner = (await owner.Client.GetAsync($"/api/v1/spaces/{owned}").JsonAsync()).GetProperty("meta").GetProperty("actions").Strings();
        Assert.Contains("change_owner", asOwner);
        Assert.Equal(consumer.Id, (await owner.Client.PutAsJsonAsync($"/api/v1/spaces/{owned}", new { ownerId = consumer.Id }).JsonAsync()).GetProperty("ownerId").GetString());
    }

    [Fact]
    public async Task ListCountsAndPagesOnlyVisibleSpaces()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var visible = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var space = await tenant.NewSpaceAsync("shared");
            await tenant.AssignAsync(space, user.Id, "consumer");
            visible.Add(space);
        }
        visible.Add(await tenant.NewSpaceAsync("shared", user.Client));
        await tenant.NewSpaceAsync("shared");
        await tenant.NewSpaceAsync("managed");
        var first = await user.Client.GetAsync("/api/v1/spaces?limit=2").JsonAsync();
        Assert.Equal(4, first.GetProperty("meta").GetProperty("count").GetInt32());
        Assert.Equal(visible.Order(), (await user.Client.AllPagesAsync("/api/v1/spaces?limit=2")).Order());
        Assert.Equal(6, (await tenant.Admin.GetAsync("/api/v1/spaces").JsonAsync()).GetProperty("meta").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task DeletingASpaceRemovesItsAssignments()
    {
        var tenant = await factory.NewTenantAsync();
        var owner = await tenant.NewUserAsync();
        var member = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared", owner.Client);
        await tenant.AssignAsync(space, member.Id, "facilitator");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/spaces/{space}")).StatusCode);
        await ApiAssert.ErrorAsync(await member.Client.GetAsync($"/api/v1/spaces/{space}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"/api/v1/spaces/{space}/assignments"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SpaceHoldingConnectionsCannotBeDeleted()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var connection = await tenant.Admin.NewConnectionAsync(space);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync($"/api/v1/spaces/{space}"), HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/data-connections/{connection}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/spaces/{space}")).StatusCode);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("[a]")]
    public async Task NameFilterTakesWildcardsLiterally(string fragment)
    {
        var tenant = await factory.NewTenantAsync();
        var plain = await tenant.NewSpaceAsync("shared", name: "plain");
        var literal = await tenant.NewSpaceAsync("shared", name: "with " + fragment + " inside");
        var found = (await tenant.Admin.GetAsync($"/api/v1/spaces?name={Uri.EscapeDataString(fragment)}").JsonAsync()).Ids();
        Assert.Equal([literal], found);
        Assert.DoesNotContain(plain, found);
    }

    [Fact]
    public async Task RenamingToTheSameNameInAnotherCaseIsAllowed()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared", name: "finance");
        var renamed = await tenant.Admin.PatchJsonAsync($"/api/v1/spaces/{space}", new[] { new { op = "replace", path = "/name", value = "Finance" } }).JsonAsync();
        Assert.Equal("Finance", renamed.GetProperty("name").GetString());
        await ApiAssert.ErrorAsync(await tenant.Admin.PutAsJsonAsync($"/api/v1/spaces/{space}", new { name = "  " }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync($"/api/v1/spaces/{space}", new[] { new { op = "replace", path = "/type", value = "managed" } }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchJsonAsync($"/api/v1/spaces/{space}", new[] { new { op = "remove", path = "/name", value = "x" } }), HttpStatusCode.BadRequest);
        Assert.Equal("shared", (await tenant.Admin.GetAsync($"/api/v1/spaces/{space}").JsonAsync()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task AssignmentsPageAndCount()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var users = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var user = await tenant.NewUserAsync();
            await tenant.AssignAsync(space, user.Id, "consumer");
            users.Add(user.Id);
        }
        var first = await tenant.Admin.GetAsync($"/api/v1/spaces/{space}/assignments?limit=2").JsonAsync();
        Assert.Equal(5, first.GetProperty("meta").GetProperty("count").GetInt32());
        var all = await tenant.Admin.AllPagesAsync($"/api/v1/spaces/{space}/assignments?limit=2");
        Assert.Equal(5, all.Distinct().Count());
    }

    [Theory]
    [InlineData("PATCH", "", "[null]")]
    [InlineData("PATCH", "", "null")]
    [InlineData("PATCH", "", "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":42}]")]
    [InlineData("PATCH", "", "[{\"op\":\"replace\",\"path\":\"/name\"}]")]
    [InlineData("PUT", "", "null")]
    [InlineData("PUT", "", "{\"name\":[]}")]
    [InlineData("POST", "/assignments", "null")]
    [InlineData("POST", "/assignments", "{\"type\":\"user\",\"assigneeId\":\"x\",\"roles\":[null]}")]
    [InlineData("POST", "/assignments", "{\"type\":\"user\",\"assigneeId\":\"x\",\"roles\":\"consumer\"}")]
    public async Task MalformedBodiesAre400(string method, string suffix, string body)
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var request = new HttpRequestMessage(new HttpMethod(method), $"/api/v1/spaces/{space}{suffix}")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        await ApiAssert.ErrorAsync(await tenant.Admin.SendAsync(request), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneNameYieldOneSpaceAndConflicts()
    {
        var tenant = await factory.NewTenantAsync();
        var name = Name("race");
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => CreateSpace(tenant.Admin, "shared", name)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "DCERROR-0090");
        }
        Assert.Single((await tenant.Admin.GetAsync($"/api/v1/spaces?name={name}").JsonAsync()).Ids());
    }

    [Fact]
    public async Task ConcurrentAssignmentsOfOneUserYieldOneAndConflicts()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Assign(tenant.Admin, space, user.Id, "consumer")));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await ApiAssert.ErrorAsync(response, HttpStatusCode.Conflict, "DCERROR-0090");
        }
    }
}
