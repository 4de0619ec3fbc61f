using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

public sealed class BulkActionsTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string DeletePath = ConnectionApi.Path + "/actions/delete";
    const string UpdatePath = ConnectionApi.Path + "/actions/update";

    /// <summary>The bulk item limit (ConnectionActions.MaxBulkItems).</summary>
    const int MaxItems = 100;

    static async Task<Dictionary<string, JsonElement>> MultiStatusAsync(HttpResponseMessage response)
    {
        var body = await ApiAssert.OkAsync(response, HttpStatusCode.MultiStatus);
        return body.GetProperty("data").EnumerateArray().ToDictionary(r => r.Str("id"));
    }

    [Theory]
    [InlineData(DeletePath)]
    [InlineData(UpdatePath)]
    public async Task NonAdminsMayNotUseBulkActions(string path)
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync("Developer");
        var id = await user.Client.NewConnectionAsync("mine");
        var error = await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync(path, new { connections = new[] { new { id, ownerId = user.Id } } }), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Contains("admin", error.Detail(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("mine", (await user.Client.GetConnectionAsync(id)).Str("qName"));
    }

    [Theory]
    [InlineData(DeletePath)]
    [InlineData(UpdatePath)]
    public async Task ItemCountIsCheckedBeforeAnythingHappens(string path)
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("keep");
        var tooMany = Enumerable.Range(0, MaxItems + 1).Select(i => new { id = i == 0 ? id : Guid.NewGuid().ToString(), ownerId = tenant.AdminUserId }).ToArray();
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(path, new { connections = tooMany }), HttpStatusCode.BadRequest);
        Assert.Contains($"{MaxItems}", error.Detail(), StringComparison.Ordinal);
        Assert.Equal("keep", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));

        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(path, new { connections = Array.Empty<object>() }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(path, new { }), HttpStatusCode.BadRequest);

        var exactly = Enumerable.Range(0, MaxItems).Select(_ => new { id = Guid.NewGuid().ToString(), ownerId = tenant.AdminUserId }).ToArray();
        var results = await MultiStatusAsync(await tenant.Admin.PostAsJsonAsync(path, new { connections = exactly }));
        Assert.Equal(MaxItems, results.Count);
        Assert.All(results.Values, r => Assert.Equal(404, r.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task BulkDeleteReportsEachItem()
    {
        var tenant = await factory.NewTenantAsync();
        var other = await factory.NewTenantAsync();
        var a = await tenant.Admin.NewConnectionAsync("a");
        var b = await tenant.Admin.NewConnectionAsync("b");
        var foreign = await other.Admin.NewConnectionAsync("foreign");
        var missing = Guid.NewGuid().ToString();
        var dataFiles = (await tenant.Admin.ListAsync("")).GetProperty("data").EnumerateArray().Single(c => c.Str("qName") == "DataFiles").Str("qID");

        var results = await MultiStatusAsync(await tenant.Admin.PostAsJsonAsync(DeletePath, new
        {
            connections = new[] { new { id = a }, new { id = missing }, new { id = foreign }, new { id = "not-a-uuid" }, new { id = dataFiles }, new { id = b } },
        }));
        Assert.Equal(204, results[a].GetProperty("status").GetInt32());
        Assert.False(results[a].TryGetProperty("error", out _));
        Assert.Equal(204, results[b].GetProperty("status").GetInt32());
        foreach (var (id, status) in new[] { (missing, 404), (foreign, 404), ("not-a-uuid", 400), (dataFiles, 400) })
        {
            Assert.Equal(status, results[id].GetProperty("status").GetInt32());
            var error = results[id].GetProperty("error");
            Assert.Equal(status, error.GetProperty("status").GetInt32());
            Assert.StartsWith("DCERROR-", error.Str("code"), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(error.Str("title")));
        }
        Assert.Empty((await tenant.Admin.ListAsync("noDatafiles=true")).Names());
        Assert.Equal(HttpStatusCode.OK, (await other.Admin.GetAsync($"{ConnectionApi.Path}/{foreign}")).StatusCode);
    }

    [Fact]
    public async Task BulkUpdateMovesOwnerAndSpace()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var user = await tenant.NewUserAsync();
        var toOwner = await tenant.Admin.NewConnectionAsync("to-owner", space);
        var toSpace = await tenant.Admin.NewConnectionAsync("to-space");
        var toBoth = await tenant.Admin.NewConnectionAsync("to-both");
        var toPersonal = await tenant.Admin.NewConnectionAsync("to-personal", space);

        var results = await MultiStatusAsync(await tenant.Admin.PostAsJsonAsync(UpdatePath, new
        {
            connections = new object[]
            {
                new { id = toOwner, ownerId = user.Id },
                new { id = toSpace, spaceId = space, spaceType = "shared" },
                new { id = toBoth, ownerId = user.Id, spaceId = space, spaceType = "shared" },
                new { id = toPersonal, ownerId = user.Id, spaceId = "", spaceType = "personal" },
            },
        }));
        Assert.All(results.Values, r => Assert.Equal(204, r.GetProperty("status").GetInt32()));

        var owner = await tenant.Admin.GetConnectionAsync(toOwner);
        Assert.Equal((user.Id, space), (owner.Str("user"), owner.Str("space")));
        var moved = await tenant.Admin.GetConnectionAsync(toSpace);
        Assert.Equal((tenant.AdminUserId, space), (moved.Str("user"), moved.Str("space")));
        var both = await tenant.Admin.GetConnectionAsync(toBoth);
        Assert.Equal((user.Id, space), (both.Str("user"), both.Str("space")));
        // "" moves it to the new owner's personal space: the owner now sees it there, by name too.
        var personal = await user.Client.GetConnectionAsync(toPersonal);
        Assert.Equal((user.Id, ""), (personal.Str("user"), personal.Str("space")));
        Assert.Equal(toPersonal, (await user.Client.GetConnectionAsync("to-personal", "?type=connectionname")).Str("qID"));
        Assert.Contains("to-personal", (await user.Client.ListAsync("personal=true")).Names());
    }

    [Fact]
    public async Task BulkUpdateReportsBadItemsInPlace()
    {
        var tenant = await factory.NewTenantAsync();
        var shared = await tenant.NewSpaceAsync("shared");
        var data = await tenant.NewSpaceAsync("data");
        var first = await tenant.Admin.NewConnectionAsync("Same");
        var second = await tenant.Admin.NewConnectionAsync("Same", shared);
        var plain = await tenant.Admin.NewConnectionAsync("plain");
        var good = await tenant.Admin.NewConnectionAsync("good");

        var results = await MultiStatusAsync(await tenant.Admin.PostAsJsonAsync(UpdatePath, new
        {
            connections = new object[]
            {
                new { id = first, spaceId = shared, spaceType = "shared" },
                new { id = plain, spaceId = shared },
                new { id = good, spaceId = data, spaceType = "data" },
            },
        }));
        Assert.Equal(409, results[first].GetProperty("status").GetInt32());
        Assert.Equal(400, results[plain].GetProperty("status").GetInt32());
        Assert.Equal(204, results[good].GetProperty("status").GetInt32());
        Assert.Equal("", (await tenant.Admin.GetConnectionAsync(first)).Str("space"));
        Assert.Equal(shared, (await tenant.Admin.GetConnectionAsync(second)).Str("space"));
        Assert.Equal(data, (await tenant.Admin.GetConnectionAsync(good)).Str("space"));
        Assert.Equal("", (await tenant.Admin.GetConnectionAsync(plain)).Str("space"));
        Assert.Equal(tenant.AdminUserId, (await tenant.Admin.GetConnectionAsync(plain)).Str("user"));
    }

    [Fact]
    public async Task EachBadBulkUpdateItemGetsItsOwnStatus()
    {
        var tenant = await factory.NewTenantAsync();
        var shared = await tenant.NewSpaceAsync("shared");
        var data = await tenant.NewSpaceAsync("data");
        async Task<JsonElement> One(object item)
        {
            var results = await MultiStatusAsync(await tenant.Admin.PostAsJsonAsync(UpdatePath, new { connections = new[] { item } }));
            return Assert.Single(results.Values);
        }
        var id = await tenant.Admin.NewConnectionAsync("single");
        Assert.Equal(400, (await One(new { id, spaceId = shared })).GetProperty("status").GetInt32());
        Assert.Contains("spaceType", (await One(new { id, spaceId = shared })).GetProperty("error").Detail(), StringComparison.Ordinal);
        Assert.Equal(400, (await One(new { id, spaceId = data, spaceType = "shared" })).GetProperty("status").GetInt32());
        Assert.Equal(400, (await One(new { id, spaceId = shared, spaceType = "galaxy" })).GetProperty("status").GetInt32());
        Assert.Equal(400, (await One(new { id, ownerId = "nobody" })).GetProperty("status").GetInt32());
        Assert.Equal(400, (await One(new { id })).GetProperty("status").GetInt32());
        Assert.Equal(404, (await One(new { id, spaceId = "000000000000000000000000", spaceType = "shared" })).GetProperty("status").GetInt32());
        Assert.Equal(400, (await One(new { id = "", ownerId = tenant.AdminUserId })).GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task AnalyticsAdminMayMoveConnectionsInSharedSpaces()
    {
        var tenant = await factory.NewTenantAsync();
        var analytics = await tenant.NewUserAsync("AnalyticsAdmin");
        var space = await tenant.NewSpaceAsync("shared");
        var user = await tenant.NewUserAsync();
        var id = await tenant.Admin.NewConnectionAsync("shared-conn", space);
        var personal = await tenant.Admin.NewConnectionAsync("admins-personal");
        var results = await MultiStatusAsync(await analytics.Client.PostAsJsonAsync(UpdatePath, new
        {
            connections = new[] { new { id, ownerId = user.Id }, new { id = personal, ownerId = user.Id } },
        }));
        Assert.Equal(204, results[id].GetProperty("status").GetInt32());
        Assert.Equal(404, results[personal].GetProperty("status").GetInt32());
        Assert.Equal(user.Id, (await tenant.Admin.GetConnectionAsync(id)).Str("user"));
        Assert.Equal(tenant.AdminUserId, (await tenant.Admin.GetConnectionAsync(personal)).Str("user"));
    }

    [Fact]
    public async Task MovingIntoASpaceNeedsCreateRightsThere()
    {
        var tenant = await factory.NewTenantAsync();
        var analytics = await tenant.NewUserAsync("AnalyticsAdmin");
        var shared = await tenant.NewSpaceAsync("shared");
        var readOnlyData = await tenant.NewSpaceAsync("data");
        var hiddenData = await tenant.NewSpaceAsync("data");
        var writableData = await tenant.NewSpaceAsync("data");
        await tenant.AssignAsync(readOnlyData, analytics.Id, "dataconsumer");
        await tenant.AssignAsync(writableData, analytics.Id, "producer");
        var a = await tenant.Admin.NewConnectionAsync("a", shared);
        var b = await tenant.Admin.NewConnectionAsync("b", shared);
        var c = await tenant.Admin.NewConnectionAsync("c", shared);

        var results = await MultiStatusAsync(await analytics.Client.PostAsJsonAsync(UpdatePath, new
        {
            connections = new[]
            {
                new { id = a, spaceId = readOnlyData, spaceType = "data" },
                new { id = b, spaceId = hiddenData, spaceType = "data" },
                new { id = c, spaceId = writableData, spaceType = "data" },
            },
        }));
        Assert.Equal(403, results[a].GetProperty("status").GetInt32());
        Assert.Equal(404, results[b].GetProperty("status").GetInt32());
        Assert.Equal(204, results[c].GetProperty("status").GetInt32());
        Assert.Equal(shared, (await tenant.Admin.GetConnectionAsync(a)).Str("space"));
        Assert.Equal(shared, (await tenant.Admin.GetConnectionAsync(b)).Str("space"));
        Assert.Equal(writableData, (await tenant.Admin.GetConnectionAsync(c)).Str("space"));
    }
}
