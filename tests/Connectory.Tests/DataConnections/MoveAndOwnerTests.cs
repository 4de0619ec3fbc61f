using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

/// <summary>
/// change_space and change_owner, privilege by privilege: moving a connection carries its stored credential and secret
/// out of the space whose members set them, so update alone is never enough to move it (PUT with another space, or the
/// bulk update); handing it to another owner is change_owner.
/// </summary>
public sealed class MoveAndOwnerTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string BulkUpdate = ConnectionApi.Path + "/actions/update";

    static Dictionary<string, object?> Update(string id, string name) => new()
    {
        ["qID"] = id,
        ["qEngineObjectID"] = id,
        ["qName"] = name,
        ["qType"] = "QvRestConnector.exe",
        ["qConnectStatement"] = ConnectionApi.RestStatement(),
        ["datasourceID"] = "rest",
    };

    static Task<HttpResponseMessage> MoveByPut(HttpClient client, string id, string name, string space)
    {
        var body = Update(id, name);
        body["space"] = space;
        return client.PutAsJsonAsync($"{ConnectionApi.Path}/{id}", body);
    }

    [Fact]
    public async Task AProducerCannotCarryTheirConnectionAndItsCredentialOutOfTheSpace()
    {
        var tenant = await factory.NewTenantAsync();
        var spaceOwner = await tenant.NewUserAsync();
        var producer = await tenant.NewUserAsync();
        var home = await tenant.NewSpaceAsync("shared", spaceOwner.Client);
        await tenant.AssignAsync(home, producer.Id, "producer");
        var elsewhere = await tenant.NewSpaceAsync("shared", producer.Client);
        var id = await producer.Client.NewConnectionAsync("warehouse", home);
        // The space owner sets the credential members use.
        var setCredential = await spaceOwner.Client.PatchConnectionAsync(id, new object[]
        {
            new { op = "replace", path = "/qUsername", value = "svc" },
            new { op = "replace", path = "/qPassword", value = "space-owners-secret" },
        });
        Assert.Equal(HttpStatusCode.NoContent, setCredential.StatusCode);

        var refused = await ApiAssert.ErrorAsync(await MoveByPut(producer.Client, id, "warehouse", elsewhere), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Contains("move", refused.Detail(), StringComparison.Ordinal);

        var asOwner = await spaceOwner.Client.GetConnectionAsync(id);
        Assert.Equal(home, asOwner.Str("space"));
        Assert.False(string.IsNullOrEmpty(asOwner.Str("qCredentialsID")));
        // The producer may still update it where it is.
        Assert.Equal(HttpStatusCode.NoContent, (await producer.Client.PutAsJsonAsync($"{ConnectionApi.Path}/{id}", Update(id, "warehouse-2"))).StatusCode);
    }

    [Theory]
    [InlineData("space-owner", HttpStatusCode.Forbidden)]
    [InlineData("facilitator", HttpStatusCode.Forbidden)]
    [InlineData("producer", HttpStatusCode.Forbidden)]
    [InlineData("tenant:TenantAdmin", HttpStatusCode.NoContent)]
    [InlineData("tenant:AnalyticsAdmin", HttpStatusCode.NoContent)]
    [InlineData("tenant:DataAdmin", HttpStatusCode.NotFound)]
    public async Task OnlyChangeSpaceMovesAConnectionByPut(string who, HttpStatusCode expected)
    {
        var tenant = await factory.NewTenantAsync();
        var (client, id, home, target) = await SetUpAsync(tenant, who);
        var response = await MoveByPut(client, id, "movable", target);
        if (expected == HttpStatusCode.NoContent)
        {
            Assert.Equal(expected, response.StatusCode);
            Assert.Equal(target, (await tenant.Admin.GetConnectionAsync(id)).Str("space"));
            Assert.Contains("change_space", (await client.GetConnectionAsync(id)).GetProperty("privileges").Strings());
        }
        else
        {
            await ApiAssert.ErrorAsync(response, expected, expected == HttpStatusCode.Forbidden ? "DCERROR-0030" : "DCERROR-0040");
            Assert.Equal(home, (await tenant.Admin.GetConnectionAsync(id)).Str("space"));
        }
    }

    [Theory]
    [InlineData("space-owner", HttpStatusCode.Forbidden, null)]
    [InlineData("producer", HttpStatusCode.Forbidden, null)]
    [InlineData("tenant:TenantAdmin", HttpStatusCode.MultiStatus, 204)]
    [InlineData("tenant:AnalyticsAdmin", HttpStatusCode.MultiStatus, 204)]
    [InlineData("tenant:DataAdmin", HttpStatusCode.MultiStatus, 404)]
    public async Task OnlyChangeSpaceMovesAConnectionInBulk(string who, HttpStatusCode expected, int? itemStatus)
    {
        var tenant = await factory.NewTenantAsync();
        var (client, id, home, target) = await SetUpAsync(tenant, who);
        var response = await client.PostAsJsonAsync(BulkUpdate, new { connections = new[] { new { id, spaceId = target, spaceType = "shared" } } });
        if (expected == HttpStatusCode.Forbidden)
        {
            await ApiAssert.ErrorAsync(response, expected, "DCERROR-0030");
        }
        else
        {
            var item = (await ApiAssert.OkAsync(response, expected)).GetProperty("data")[0];
            Assert.Equal(itemStatus, item.GetProperty("status").GetInt32());
        }
        Assert.Equal(itemStatus == 204 ? target : home, (await tenant.Admin.GetConnectionAsync(id)).Str("space"));
    }

    [Theory]
    [InlineData("shared", "tenant:TenantAdmin", 204)]
    [InlineData("shared", "tenant:AnalyticsAdmin", 204)]
    [InlineData("shared", "tenant:DataAdmin", 404)]
    [InlineData("data", "tenant:DataAdmin", 204)]
    [InlineData("data", "tenant:AnalyticsAdmin", 404)]
    public async Task OnlyChangeOwnerHandsAConnectionToAnotherUser(string kind, string who, int itemStatus)
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync(kind);
        var id = await tenant.Admin.NewConnectionAsync("handed-over", space);
        var heir = await tenant.NewUserAsync();
        var admin = await tenant.NewUserAsync(who["tenant:".Length..]);
        var response = await admin.Client.PostAsJsonAsync(BulkUpdate, new { connections = new[] { new { id, ownerId = heir.Id } } });
        var item = (await ApiAssert.OkAsync(response, HttpStatusCode.MultiStatus)).GetProperty("data")[0];
        Assert.Equal(itemStatus, item.GetProperty("status").GetInt32());
        var owner = (await tenant.Admin.GetConnectionAsync(id)).Str("user");
        Assert.Equal(itemStatus == 204 ? heir.Id : tenant.AdminUserId, owner);
    }

    [Fact]
    public async Task TheSpaceOwnerMayChangeButNotHandOverOrMove()
    {
        var tenant = await factory.NewTenantAsync();
        var spaceOwner = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared", spaceOwner.Client);
        var id = await spaceOwner.Client.NewConnectionAsync("kept", space);
        var privileges = (await spaceOwner.Client.GetConnectionAsync(id)).GetProperty("privileges").Strings();
        Assert.Equal(["list", "read", "update", "delete"], privileges);
        var other = await tenant.NewUserAsync();
        await ApiAssert.ErrorAsync(
            await spaceOwner.Client.PostAsJsonAsync(BulkUpdate, new { connections = new[] { new { id, ownerId = other.Id } } }),
            HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Equal(spaceOwner.Id, (await tenant.Admin.GetConnectionAsync(id)).Str("user"));
    }

    /// <summary>A connection in a shared space, the caller placed as <paramref name="who"/>, and a target space the caller may create in.</summary>
    static async Task<(HttpClient Client, string Id, string Home, string Target)> SetUpAsync(TestTenant tenant, string who)
    {
        var spaceOwner = await tenant.NewUserAsync();
        var home = await tenant.NewSpaceAsync("shared", spaceOwner.Client);
        var target = await tenant.NewSpaceAsync("shared");
        TestUser subject;
        if (who.StartsWith("tenant:", StringComparison.Ordinal))
        {
            subject = await tenant.NewUserAsync(who["tenant:".Length..]);
        }
        else if (who == "space-owner")
        {
            subject = spaceOwner;
        }
        else
        {
            subject = await tenant.NewUserAsync();
            await tenant.AssignAsync(home, subject.Id, who);
        }
        // Wherever the caller could create, so only change_space decides.
        await tenant.AssignAsync(target, subject.Id, "producer");
        var id = who == "producer"
            ? await subject.Client.NewConnectionAsync("movable", home)
            : await spaceOwner.Client.NewConnectionAsync("movable", home);
        return (subject.Client, id, home, target);
    }
}
