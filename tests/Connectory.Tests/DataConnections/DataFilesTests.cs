using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

public sealed class DataFilesTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static bool IsDataFiles(JsonElement c) => c.Str("qName") == "DataFiles";

    [Theory]
    [InlineData("")]
    [InlineData("sort=-qName")]
    [InlineData("sort=%2BqType")]
    [InlineData("sort=-created")]
    [InlineData("sort=_id&limit=3")]
    [InlineData("sort=-qName&caseinsensitive=true&limit=2")]
    public async Task DataFilesComeAfterAllRegularConnectionsWhateverTheSort(string query)
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.NewSpaceAsync("shared", name: "Beta Space");
        await tenant.NewSpaceAsync("shared", name: "alpha space");
        foreach (var name in new[] { "a", "zzz", "Zeta", "DataFilesX", "_first" })
        {
            await tenant.Admin.NewConnectionAsync(name);
        }
        var rows = await tenant.Admin.WalkAsync(query);
        Assert.Equal(8, rows.Count);
        Assert.All(rows.Take(5), r => Assert.False(IsDataFiles(r)));
        Assert.All(rows.Skip(5), r => Assert.True(IsDataFiles(r)));
        Assert.Equal(["", "alpha space", "Beta Space"], rows.Skip(5).Select(r => r.Str("space") == "" ? "" : r.Str("qConnectStatement").Split("path=")[1].Split(':')[0]));
    }

    [Fact]
    public async Task DataFilesIgnoreFilterAndOwnedByMeButNotNoDatafiles()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared", name: "Team");
        var user = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, user.Id, "producer");
        await tenant.Admin.NewConnectionAsync("admins", space);
        await user.Client.NewConnectionAsync("users");

        var filtered = await user.Client.ListAsync("filter=" + Uri.EscapeDataString("qName eq \"nothing-matches\""));
        Assert.Equal(["DataFiles", "DataFiles"], filtered.Names());
        Assert.Equal(2, filtered.GetProperty("meta").GetProperty("count").GetInt32());
        Assert.Equal(["users", "DataFiles", "DataFiles"], (await user.Client.ListAsync("ownedByMe=true")).Names());
        Assert.Equal(["users"], (await user.Client.ListAsync("ownedByMe=true&noDatafiles=true")).Names());
        Assert.Equal(["admins", "DataFiles"], (await user.Client.ListAsync($"spaceId={space}")).Names());
        Assert.Equal(["users", "DataFiles"], (await user.Client.ListAsync("personal=true")).Names());
    }

    [Fact]
    public async Task DataFilesStatementNamesTheSpaceOrMyDataFiles()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared", name: "Finance Team");
        var rows = (await tenant.Admin.ListAsync("")).GetProperty("data").EnumerateArray().Where(IsDataFiles).ToList();
        var personal = rows.Single(r => r.Str("space") == "");
        var shared = rows.Single(r => r.Str("space") == space);
        Assert.Equal("CUSTOM CONNECT TO \"provider=qix-datafiles.exe;path=mydatafiles;\"", personal.Str("qConnectStatement"));
        Assert.Equal("CUSTOM CONNECT TO \"provider=qix-datafiles.exe;path=Finance Team:datafiles;\"", shared.Str("qConnectStatement"));
        Assert.Equal("qix-datafiles.exe", shared.Str("qType"));
        Assert.Equal(["read"], shared.GetProperty("privileges").Strings());
        Assert.Equal(["read"], personal.GetProperty("privileges").Strings());
        Assert.Equal(tenant.AdminUserId, personal.Str("user"));
        Assert.Equal(tenant.Id, shared.Str("tenant"));

        var byId = await tenant.Admin.GetConnectionAsync(shared.Str("qID"));
        Assert.Equal(shared.Str("qConnectStatement"), byId.Str("qConnectStatement"));
        Assert.Equal(["read"], byId.GetProperty("privileges").Strings());
        var byName = await tenant.Admin.GetConnectionAsync("DataFiles", $"?type=connectionname&spaceId={space}");
        Assert.Equal(shared.Str("qID"), byName.Str("qID"));
        Assert.Equal(personal.Str("qID"), (await tenant.Admin.GetConnectionAsync("DataFiles", "?type=connectionname")).Str("qID"));
        // Stable: the same id on every read.
        Assert.Equal(shared.Str("qID"), (await tenant.Admin.ListAsync($"spaceId={space}")).GetProperty("data")[0].Str("qID"));
    }

    [Fact]
    public async Task DataFilesCannotBeChanged()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared", name: "Locked");
        var id = (await tenant.Admin.ListAsync($"spaceId={space}")).GetProperty("data")[0].Str("qID");
        var path = $"{ConnectionApi.Path}/{id}";

        var patch = await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { new { op = "replace", path = "/qName", value = "x" } }), HttpStatusCode.BadRequest);
        Assert.Contains("DataFiles", patch.Detail(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await tenant.Admin.PutAsJsonAsync(path, new { qID = id, qEngineObjectID = id, qName = "x", qType = "t", qConnectStatement = "s" }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync(path), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/DataFiles?type=connectionname&spaceId={space}"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/DataFiles?type=connectionname"), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync($"{ConnectionApi.Path}/actions/duplicate", new { id }), HttpStatusCode.BadRequest);
        Assert.Equal("DataFiles", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
    }

    [Fact]
    public async Task UsersSeeDataFilesOnlyOfSpacesTheySee()
    {
        var tenant = await factory.NewTenantAsync();
        var mine = await tenant.NewSpaceAsync("shared", name: "Mine");
        var hidden = await tenant.NewSpaceAsync("shared", name: "Hidden");
        var user = await tenant.NewUserAsync();
        await tenant.AssignAsync(mine, user.Id, "consumer");
        // A consumer sees the space's apps, not its data: not even its DataFiles connection.
        Assert.Equal([""], (await user.Client.ListAsync("")).GetProperty("data").EnumerateArray().Select(r => r.Str("space")));
        var mineId = (await tenant.Admin.ListAsync($"spaceId={mine}")).GetProperty("data")[0].Str("qID");
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"{ConnectionApi.Path}/{mineId}"), HttpStatusCode.NotFound);
        user = await tenant.NewUserAsync();
        await tenant.AssignAsync(mine, user.Id, "dataconsumer");
        var rows = (await user.Client.ListAsync("")).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["", mine], rows.Select(r => r.Str("space")));
        var hiddenId = (await tenant.Admin.ListAsync($"spaceId={hidden}")).GetProperty("data")[0].Str("qID");
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"{ConnectionApi.Path}/{hiddenId}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"{ConnectionApi.Path}/DataFiles?type=connectionname&spaceId={hidden}"), HttpStatusCode.NotFound);
        // Another user's personal DataFiles is theirs alone.
        var adminsPersonal = (await tenant.Admin.ListAsync("personal=true")).GetProperty("data")[0].Str("qID");
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"{ConnectionApi.Path}/{adminsPersonal}"), HttpStatusCode.NotFound);
    }
}
