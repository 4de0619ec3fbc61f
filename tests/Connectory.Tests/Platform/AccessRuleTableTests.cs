using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>
/// The access-rule table for data connections (README, "Access rules"), row by row, through the API.
/// <c>who</c> is <c>owner</c> (the space's owner), <c>none</c> (a user of the tenant with no place in the space),
/// <c>role:r</c> or <c>role:r+s</c> (space roles) or <c>tenant:R</c> (a tenant role and no space role); <c>group:r</c>
/// (a member of a group assigned space roles r), <c>grouptenant:R</c> (a member of a group holding tenant role R), and
/// parts joined with <c>&amp;</c> (own roles and each group's at once: the strongest counts).
/// </summary>
public sealed class AccessRuleTableTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static readonly string[] Changes = ["list", "read", "update", "delete"];
    static readonly string[] AdminChanges = ["list", "read", "update", "delete", "change_owner", "change_space"];
    static readonly string[] ReadOnly = ["list", "read"];

    [Theory]
    // personal: the owner does everything; nobody else sees it, except TenantAdmin.
    [InlineData("personal", "owner", true, true, true, false)]
    [InlineData("personal", "none", false, false, false, false)]
    [InlineData("personal", "tenant:TenantAdmin", false, true, true, true)]
    [InlineData("personal", "tenant:AnalyticsAdmin", false, false, false, false)]
    [InlineData("personal", "tenant:DataAdmin", false, false, false, false)]
    [InlineData("personal", "tenant:Developer", false, false, false, false)]
    [InlineData("personal", "grouptenant:TenantAdmin", false, true, true, true)]
    [InlineData("personal", "grouptenant:AnalyticsAdmin", false, false, false, false)]
    // shared
    [InlineData("shared", "owner", true, true, true, false)]
    [InlineData("shared", "role:facilitator", true, true, true, false)]
    [InlineData("shared", "role:producer", true, true, false, false)]
    [InlineData("shared", "role:codeveloper", true, true, false, false)]
    [InlineData("shared", "role:dataconsumer", false, true, false, false)]
    [InlineData("shared", "role:consumer", false, false, false, false)]
    [InlineData("shared", "role:basicconsumer", false, false, false, false)]
    [InlineData("shared", "role:consumer+dataconsumer", false, true, false, false)]
    [InlineData("shared", "role:consumer+producer", true, true, false, false)]
    [InlineData("shared", "none", false, false, false, false)]
    [InlineData("shared", "tenant:TenantAdmin", true, true, true, true)]
    [InlineData("shared", "tenant:AnalyticsAdmin", true, true, true, true)]
    [InlineData("shared", "tenant:DataAdmin", false, false, false, false)]
    [InlineData("shared", "tenant:Developer", false, false, false, false)]
    // shared, through groups
    [InlineData("shared", "group:facilitator", true, true, true, false)]
    [InlineData("shared", "group:producer", true, true, false, false)]
    [InlineData("shared", "group:codeveloper", true, true, false, false)]
    [InlineData("shared", "group:dataconsumer", false, true, false, false)]
    [InlineData("shared", "group:consumer", false, false, false, false)]
    [InlineData("shared", "group:basicconsumer", false, false, false, false)]
    [InlineData("shared", "role:consumer&group:producer", true, true, false, false)]
    [InlineData("shared", "role:producer&group:dataconsumer", true, true, false, false)]
    [InlineData("shared", "group:dataconsumer&group:facilitator", true, true, true, false)]
    [InlineData("shared", "group:consumer&group:basicconsumer", false, false, false, false)]
    [InlineData("shared", "grouptenant:TenantAdmin", true, true, true, true)]
    [InlineData("shared", "grouptenant:AnalyticsAdmin", true, true, true, true)]
    [InlineData("shared", "grouptenant:DataAdmin", false, false, false, false)]
    // managed
    [InlineData("managed", "owner", true, true, true, false)]
    [InlineData("managed", "role:facilitator", true, true, true, false)]
    [InlineData("managed", "role:contributor", false, true, false, false)]
    [InlineData("managed", "role:operator", false, true, false, false)]
    [InlineData("managed", "role:publisher", false, true, false, false)]
    [InlineData("managed", "role:dataconsumer", false, true, false, false)]
    [InlineData("managed", "role:consumer", false, false, false, false)]
    [InlineData("managed", "role:basicconsumer", false, false, false, false)]
    [InlineData("managed", "none", false, false, false, false)]
    [InlineData("managed", "tenant:TenantAdmin", true, true, true, true)]
    [InlineData("managed", "tenant:AnalyticsAdmin", true, true, true, true)]
    [InlineData("managed", "tenant:DataAdmin", false, false, false, false)]
    [InlineData("managed", "group:facilitator", true, true, true, false)]
    [InlineData("managed", "group:contributor", false, true, false, false)]
    [InlineData("managed", "group:publisher", false, true, false, false)]
    [InlineData("managed", "group:consumer", false, false, false, false)]
    [InlineData("managed", "role:consumer&group:operator", false, true, false, false)]
    [InlineData("managed", "grouptenant:AnalyticsAdmin", true, true, true, true)]
    // data
    [InlineData("data", "owner", true, true, true, false)]
    [InlineData("data", "role:facilitator", true, true, true, false)]
    [InlineData("data", "role:producer", true, true, false, false)]
    [InlineData("data", "role:operator", false, true, false, false)]
    [InlineData("data", "role:publisher", false, true, false, false)]
    [InlineData("data", "role:dataconsumer", false, true, false, false)]
    [InlineData("data", "role:datapreview", false, true, false, false)]
    [InlineData("data", "role:consumer", false, false, false, false)]
    [InlineData("data", "none", false, false, false, false)]
    [InlineData("data", "tenant:TenantAdmin", true, true, true, true)]
    [InlineData("data", "tenant:DataAdmin", true, true, true, true)]
    [InlineData("data", "tenant:AnalyticsAdmin", false, false, false, false)]
    [InlineData("data", "group:facilitator", true, true, true, false)]
    [InlineData("data", "group:producer", true, true, false, false)]
    [InlineData("data", "group:datapreview", false, true, false, false)]
    [InlineData("data", "group:consumer", false, false, false, false)]
    [InlineData("data", "role:datapreview&group:producer", true, true, false, false)]
    [InlineData("data", "grouptenant:DataAdmin", true, true, true, true)]
    [InlineData("data", "grouptenant:AnalyticsAdmin", false, false, false, false)]
    public async Task DataConnectionRights(string kind, string who, bool create, bool read, bool changeAny, bool admin)
    {
        var tenant = await factory.NewTenantAsync();
        var owner = await tenant.NewUserAsync();
        string? spaceId = null;
        if (kind == "shared")
        {
            spaceId = await tenant.NewSpaceAsync(kind, owner.Client);
        }
        else if (kind != "personal")
        {
            spaceId = await tenant.NewSpaceAsync(kind);
            await tenant.Admin.PutAsJsonAsync($"/api/v1/spaces/{spaceId}", new { ownerId = owner.Id }).JsonAsync();
        }
        var ownersConnection = await owner.Client.NewConnectionAsync(spaceId, "owners");

        var subject = who switch
        {
            "owner" => owner,
            _ when who.StartsWith("tenant:", StringComparison.Ordinal) => await tenant.NewUserAsync(who["tenant:".Length..]),
            _ => await tenant.NewUserAsync(),
        };
        var hasSpaceRole = false;
        foreach (var part in who.Split('&'))
        {
            var (how, roles) = part.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? (part[..colon], part[(colon + 1)..].Split('+')) : (part, []);
            switch (how)
            {
                case "role":
                    hasSpaceRole = true;
                    await tenant.AssignAsync(spaceId!, subject.Id, roles);
                    break;
                case "group":
                    hasSpaceRole = true;
                    var group = await tenant.NewGroupAsync();
                    await tenant.AddMemberAsync(group, subject.Id);
                    await tenant.AssignGroupAsync(spaceId!, group, roles);
                    break;
                case "grouptenant":
                    await tenant.AddMemberAsync(await tenant.NewGroupAsync(null, roles), subject.Id);
                    break;
            }
        }
        var client = subject.Client;
        var deniedStatus = read || hasSpaceRole ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound;
        var expected = changeAny ? (admin ? AdminChanges : Changes) : ReadOnly;

        // Create in the space (a personal space is only ever its owner's: others' POSTs land in their own).
        if (kind != "personal" || who == "owner")
        {
            var response = await client.CreateConnectionAsync(spaceId, "subjects");
            if (create)
            {
                var created = await ApiAssert.OkAsync(response, HttpStatusCode.Created);
                var own = created.GetProperty("qID").GetString()!;
                Assert.Equal(spaceId ?? "", created.GetProperty("space").GetString() ?? "");
                Assert.Equal(admin ? AdminChanges : Changes, created.GetProperty("privileges").Strings());
                Assert.Equal(admin ? AdminChanges : Changes, (await client.GetAsync($"/api/v1/data-connections/{own}").JsonAsync()).GetProperty("privileges").Strings());
                Assert.Equal(HttpStatusCode.NoContent, (await client.RenameConnectionAsync(own)).StatusCode);
                // The space owner sees and manages what members make in the space.
                var asOwner = await owner.Client.GetAsync($"/api/v1/data-connections/{own}").JsonAsync();
                Assert.Equal(Changes, asOwner.GetProperty("privileges").Strings());
                Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/data-connections/{own}")).StatusCode);
                await ApiAssert.ErrorAsync(await owner.Client.GetAsync($"/api/v1/data-connections/{own}"), HttpStatusCode.NotFound);
            }
            else
            {
                await ApiAssert.ErrorAsync(response, deniedStatus);
            }
        }

        // Read the owner's connection.
        var get = await client.GetAsync($"/api/v1/data-connections/{ownersConnection}");
        if (read)
        {
            var connection = await ApiAssert.OkAsync(get);
            Assert.Equal(expected, connection.GetProperty("privileges").Strings());
        }
        else
        {
            await ApiAssert.ErrorAsync(get, HttpStatusCode.NotFound, "DCERROR-0040");
        }

        // List it (with the space filter for spaces, unfiltered for personal).
        var listUrl = spaceId is null ? "/api/v1/data-connections?noDatafiles=true&limit=100" : $"/api/v1/data-connections?noDatafiles=true&limit=100&spaceId={spaceId}";
        var listResponse = await client.GetAsync(listUrl);
        if (read)
        {
            var list = await ApiAssert.OkAsync(listResponse);
            var item = list.GetProperty("data").EnumerateArray().Single(c => c.GetProperty("qID").GetString() == ownersConnection);
            Assert.Equal(expected, item.GetProperty("privileges").Strings());
        }
        else
        {
            var text = await listResponse.Content.ReadAsStringAsync();
            Assert.DoesNotContain(ownersConnection, text, StringComparison.Ordinal);
            Assert.True(listResponse.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{(int)listResponse.StatusCode}: {text}");
            var unfiltered = await client.GetAsync("/api/v1/data-connections?noDatafiles=true&limit=100").JsonAsync();
            Assert.DoesNotContain(ownersConnection, unfiltered.ConnectionIds());
        }

        // Change and delete the owner's connection.
        var rename = await client.RenameConnectionAsync(ownersConnection);
        var delete = await client.DeleteAsync($"/api/v1/data-connections/{ownersConnection}");
        if (changeAny)
        {
            Assert.Equal(HttpStatusCode.NoContent, rename.StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
            await ApiAssert.ErrorAsync(await owner.Client.GetAsync($"/api/v1/data-connections/{ownersConnection}"), HttpStatusCode.NotFound);
        }
        else
        {
            await ApiAssert.ErrorAsync(rename, read ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound);
            await ApiAssert.ErrorAsync(delete, read ? HttpStatusCode.Forbidden : HttpStatusCode.NotFound);
            var intact = await owner.Client.GetAsync($"/api/v1/data-connections/{ownersConnection}").JsonAsync();
            Assert.Equal("owners", intact.GetProperty("qName").GetString());
        }
    }

    [Theory]
    [InlineData("shared", "producer")]
    [InlineData("shared", "codeveloper")]
    [InlineData("data", "producer")]
    public async Task CreatorsChangeOnlyTheirOwnButFacilitatorsChangeAny(string kind, string creatorRole)
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync(kind);
        var first = await tenant.NewUserAsync();
        var second = await tenant.NewUserAsync();
        var facilitator = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, first.Id, creatorRole);
        await tenant.AssignAsync(space, second.Id, creatorRole);
        await tenant.AssignAsync(space, facilitator.Id, "facilitator");

        var firsts = await first.Client.NewConnectionAsync(space);
        var asSecond = await second.Client.GetAsync($"/api/v1/data-connections/{firsts}").JsonAsync();
        Assert.Equal(ReadOnly, asSecond.GetProperty("privileges").Strings());
        Assert.False(asSecond.TryGetProperty("qConnectionSecret", out _));
        await ApiAssert.ErrorAsync(await second.Client.RenameConnectionAsync(firsts), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await second.Client.DeleteAsync($"/api/v1/data-connections/{firsts}"), HttpStatusCode.Forbidden, "DCERROR-0030");

        Assert.Equal(Changes, (await facilitator.Client.GetAsync($"/api/v1/data-connections/{firsts}").JsonAsync()).GetProperty("privileges").Strings());
        Assert.Equal(HttpStatusCode.NoContent, (await facilitator.Client.RenameConnectionAsync(firsts)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await facilitator.Client.DeleteAsync($"/api/v1/data-connections/{firsts}")).StatusCode);
    }

    [Fact]
    public async Task LosingTheSpaceRoleLosesAccessAtOnce()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var user = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, user.Id, "producer");
        var own = await user.Client.NewConnectionAsync(space);
        var assignment = Assert.Single((await tenant.Admin.GetAsync($"/api/v1/spaces/{space}/assignments?assigneeId={user.Id}").JsonAsync()).Ids());

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/spaces/{space}/assignments/{assignment}")).StatusCode);
        await ApiAssert.ErrorAsync(await user.Client.GetAsync($"/api/v1/data-connections/{own}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await user.Client.RenameConnectionAsync(own), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await user.Client.DeleteAsync($"/api/v1/data-connections/{own}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await user.Client.CreateConnectionAsync(space), HttpStatusCode.NotFound);
        Assert.DoesNotContain(own, (await user.Client.GetAsync("/api/v1/data-connections?noDatafiles=true").JsonAsync()).ConnectionIds());
    }

    [Theory]
    [InlineData("TenantAdmin", "shared", true)]
    [InlineData("TenantAdmin", "data", true)]
    [InlineData("TenantAdmin", "personal", true)]
    [InlineData("AnalyticsAdmin", "shared", true)]
    [InlineData("AnalyticsAdmin", "managed", true)]
    [InlineData("AnalyticsAdmin", "data", false)]
    [InlineData("DataAdmin", "data", true)]
    [InlineData("DataAdmin", "shared", false)]
    public async Task AdminsChangeOwnerAndSpaceWithBulkUpdate(string role, string kind, bool allowed)
    {
        var tenant = await factory.NewTenantAsync();
        var owner = await tenant.NewUserAsync();
        var heir = await tenant.NewUserAsync();
        var admin = await tenant.NewUserAsync(role);
        var space = kind == "personal" ? null : await tenant.NewSpaceAsync(kind);
        if (space is not null)
        {
            await tenant.AssignAsync(space, owner.Id, "facilitator");
        }
        var connection = await owner.Client.NewConnectionAsync(space);
        var target = await tenant.NewSpaceAsync(kind == "data" ? "data" : "shared");

        var moveOwner = await admin.Client.PostAsJsonAsync("/api/v1/data-connections/actions/update",
            new { connections = new[] { new { id = connection, ownerId = heir.Id } } });
        var result = Assert.Single((await ApiAssert.OkAsync(moveOwner, (HttpStatusCode)207)).GetProperty("data").EnumerateArray());
        Assert.Equal(allowed ? 204 : 404, result.GetProperty("status").GetInt32());

        var moveSpace = await admin.Client.PostAsJsonAsync("/api/v1/data-connections/actions/update",
            new { connections = new[] { new { id = connection, spaceId = target, spaceType = kind == "data" ? "data" : "shared" } } });
        result = Assert.Single((await ApiAssert.OkAsync(moveSpace, (HttpStatusCode)207)).GetProperty("data").EnumerateArray());
        Assert.Equal(allowed ? 204 : 404, result.GetProperty("status").GetInt32());

        var read = await tenant.Admin.GetAsync($"/api/v1/data-connections/{connection}").JsonAsync();
        Assert.Equal(allowed ? heir.Id : owner.Id, read.GetProperty("user").GetString());
        Assert.Equal(allowed ? target : space ?? "", read.GetProperty("space").GetString() ?? "");
    }

    [Theory]
    [InlineData("shared", "facilitator")]
    [InlineData("data", "producer")]
    public async Task SpaceMembersCannotChangeOwnerOrSpace(string kind, string role)
    {
        var tenant = await factory.NewTenantAsync();
        var member = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync(kind);
        await tenant.AssignAsync(space, member.Id, role);
        var own = await member.Client.NewConnectionAsync(space);
        var bulk = await member.Client.PostAsJsonAsync("/api/v1/data-connections/actions/update",
            new { connections = new[] { new { id = own, ownerId = tenant.AdminUserId } } });
        await ApiAssert.ErrorAsync(bulk, HttpStatusCode.Forbidden, "DCERROR-0030");
        var view = await member.Client.GetAsync($"/api/v1/data-connections/{own}").JsonAsync();
        Assert.DoesNotContain("change_owner", view.GetProperty("privileges").Strings());
        Assert.DoesNotContain("change_space", view.GetProperty("privileges").Strings());
    }

    [Fact]
    public async Task MovingAConnectionNeedsCreateRightsInTheTargetSpace()
    {
        var tenant = await factory.NewTenantAsync();
        // A DataAdmin holds change_space on data spaces' connections; where they go is the create rule's to decide.
        var user = await tenant.NewUserAsync("DataAdmin");
        var home = await tenant.NewSpaceAsync("data");
        var readOnly = await tenant.NewSpaceAsync("shared");
        var hidden = await tenant.NewSpaceAsync("shared");
        await tenant.AssignAsync(readOnly, user.Id, "dataconsumer");
        var own = await user.Client.NewConnectionAsync(home, "mover");
        object Body(string space) => new
        {
            qID = own,
            qEngineObjectID = own,
            qName = "mover",
            qType = "x",
            qConnectStatement = "CUSTOM CONNECT TO \"provider=x;host=db.example.test\"",
            datasourceID = "x",
            space,
        };
        await ApiAssert.ErrorAsync(await user.Client.PutAsJsonAsync($"/api/v1/data-connections/{own}", Body(readOnly)), HttpStatusCode.Forbidden, "DCERROR-0030");
        await ApiAssert.ErrorAsync(await user.Client.PutAsJsonAsync($"/api/v1/data-connections/{own}", Body(hidden)), HttpStatusCode.NotFound, "DCERROR-0040");
        Assert.Equal(home, (await user.Client.GetAsync($"/api/v1/data-connections/{own}").JsonAsync()).GetProperty("space").GetString());
    }

    [Fact]
    public async Task ReadersCannotDuplicateIntoASpaceTheyMayNotCreateIn()
    {
        var tenant = await factory.NewTenantAsync();
        var reader = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        await tenant.AssignAsync(space, reader.Id, "dataconsumer");
        var connection = await tenant.Admin.NewConnectionAsync(space);
        var duplicate = await reader.Client.PostAsJsonAsync("/api/v1/data-connections/actions/duplicate", new { id = connection });
        await ApiAssert.ErrorAsync(duplicate, HttpStatusCode.Forbidden, "DCERROR-0030");
    }
}
