using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.DataConnections;

/// <summary>meta.count is remembered per state of a tenant's connections, and stays exact whoever changes them.</summary>
public sealed class ListCountTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string Query = "filter=qName%20sw%20%22cnt-%22&limit=1&noDatafiles=true";

    static async Task<int> CountAsync(HttpClient client, string query = Query) =>
        (await client.ListAsync(query)).GetProperty("meta").GetProperty("count").GetInt32();

    [Fact]
    public async Task CountFollowsChangesMadeThroughAnotherInstanceAndStraightInTheDatabase()
    {
        var tenant = await factory.NewTenantAsync();
        for (var i = 0; i < 3; i++)
        {
            await tenant.Admin.NewConnectionAsync($"cnt-{i}");
        }
        Assert.Equal(3, await CountAsync(tenant.Admin));
        Assert.Equal(3, await CountAsync(tenant.Admin));

        // Another instance over the same database, with its own memory, adds one.
        using var other = factory.Restarted();
        var otherAdmin = other.Client(tenant.Admin.DefaultRequestHeaders.Authorization!.Parameter);
        var added = await otherAdmin.NewConnectionAsync("cnt-3");
        Assert.Equal(4, await CountAsync(tenant.Admin));

        // A change no API call made (a tool, a restore) is seen as well.
        await factory.WithDbAsync(db => db.DataConnections.IgnoreQueryFilters().Where(c => c.Id == added).ExecuteDeleteAsync());
        Assert.Equal(3, await CountAsync(tenant.Admin));
        await tenant.Admin.PatchConnectionAsync(await tenant.Admin.NewConnectionAsync("other"), new[] { new { op = "replace", path = "/qName", value = "cnt-renamed" } });
        Assert.Equal(4, await CountAsync(tenant.Admin));
    }

    [Fact]
    public async Task CountFollowsTheCallersAccess()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        await tenant.Admin.NewConnectionAsync("cnt-shared", space);
        var user = await tenant.NewUserAsync();
        Assert.Equal(0, await CountAsync(user.Client));
        await tenant.AssignAsync(space, user.Id, "dataconsumer");
        Assert.Equal(1, await CountAsync(user.Client));
        // Counts are never shared between callers who see different rows.
        Assert.Equal(1, await CountAsync(tenant.Admin));
        await user.Client.NewConnectionAsync("cnt-personal");
        Assert.Equal(2, await CountAsync(user.Client));
        Assert.Equal(1, await CountAsync(tenant.Admin, Query + "&personal=false&spaceId=" + space));
    }
}
