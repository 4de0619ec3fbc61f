using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Secrets;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

public sealed class PutDeleteTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static Dictionary<string, object?> Update(string id, string name, string? statement = null) => new()
    {
        ["qID"] = id,
        ["qEngineObjectID"] = id,
        ["qName"] = name,
        ["qType"] = "QvRestConnector.exe",
        ["qConnectStatement"] = statement ?? ConnectionApi.RestStatement(),
        ["datasourceID"] = "rest",
    };

    static Task<HttpResponseMessage> Put(HttpClient client, string id, object body, string query = "") =>
        client.PutAsJsonAsync($"{ConnectionApi.Path}/{id}{query}", body);

    static async Task NoContentAsync(Task<HttpResponseMessage> response)
    {
        var r = await response;
        Assert.True(r.StatusCode == HttpStatusCode.NoContent, $"{(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task PutReplacesTheFields()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("before", edit: b => b["tags"] = new[] { "old" });
        var body = Update(id, "after");
        body["qType"] = "QvRestConnector2.exe";
        body["tags"] = new[] { "new" };
        body["qLogOn"] = "LOG_ON_CURRENT_USER";
        body["qArchitecture"] = 1;
        await NoContentAsync(Put(tenant.Admin, id, body));
        var read = await tenant.Admin.GetConnectionAsync(id);
        Assert.Equal("after", read.Str("qName"));
        Assert.Equal("QvRestConnector2.exe", read.Str("qType"));
        Assert.Equal(["new"], read.GetProperty("tags").Strings());
        Assert.Equal(1, read.GetProperty("qLogOn").GetInt32());
        Assert.Equal(1, read.GetProperty("qArchitecture").GetInt32());
    }

    [Fact]
    public async Task PutBodyIdMustMatchThePath()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("put-id");
        var other = Guid.NewGuid().ToString();
        var body = Update(other, "x");
        var error = await ApiAssert.ErrorAsync(await Put(tenant.Admin, id, body), HttpStatusCode.BadRequest);
        Assert.Contains("qID", error.Detail(), StringComparison.Ordinal);
        body = Update(id, "x");
        body["qEngineObjectID"] = other;
        await ApiAssert.ErrorAsync(await Put(tenant.Admin, id, body), HttpStatusCode.BadRequest);
        foreach (var field in new[] { "qID", "qEngineObjectID", "qName", "qType", "qConnectStatement" })
        {
            body = Update(id, "x");
            body.Remove(field);
            var missing = await ApiAssert.ErrorAsync(await Put(tenant.Admin, id, body), HttpStatusCode.BadRequest);
            Assert.Contains(field, missing.Detail(), StringComparison.Ordinal);
        }
        Assert.Equal("put-id", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
    }

    [Fact]
    public async Task PutToATakenNameIsAConflict()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewConnectionAsync("Taken");
        var id = await tenant.Admin.NewConnectionAsync("free");
        await ApiAssert.ErrorAsync(await Put(tenant.Admin, id, Update(id, "taken")), HttpStatusCode.Conflict, "DCERROR-0090");
        await ApiAssert.ErrorAsync(await Put(tenant.Admin, id, Update(id, "DataFiles")), HttpStatusCode.BadRequest);
        Assert.Equal("free", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
        await NoContentAsync(Put(tenant.Admin, id, Update(id, "FREE")));
    }

    [Fact]
    public async Task ConnectionSecretPresentReplacesEmptyClearsAbsentKeeps()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("secret", edit: b => b["qConnectionSecret"] = "first");
        await NoContentAsync(Put(tenant.Admin, id, Update(id, "secret")));
        Assert.Equal("first", (await tenant.Admin.GetConnectionAsync(id)).Str("qConnectionSecret"));

        var replace = Update(id, "secret");
        replace["qConnectionSecret"] = "second";
        await NoContentAsync(Put(tenant.Admin, id, replace));
        Assert.Equal("second", (await tenant.Admin.GetConnectionAsync(id)).Str("qConnectionSecret"));

        var clear = Update(id, "secret");
        clear["qConnectionSecret"] = "";
        await NoContentAsync(Put(tenant.Admin, id, clear));
        Assert.False((await tenant.Admin.GetConnectionAsync(id)).TryGetProperty("qConnectionSecret", out _));
    }

    [Fact]
    public async Task PutChangingTheTargetNeedsCredentials()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("target", edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; });
        var moved = Update(id, "target", ConnectionApi.RestStatement("elsewhere.example.test"));
        await ApiAssert.ErrorAsync(await Put(tenant.Admin, id, moved), HttpStatusCode.BadRequest);
        moved["qUsername"] = "u";
        moved["qPassword"] = "p2";
        await NoContentAsync(Put(tenant.Admin, id, moved));
    }

    [Fact]
    public async Task PutChangingTheTargetClearsWhatItDoesNotGiveAnew()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("target", edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; b["qConnectionSecret"] = "s"; });
        var credentialId = (await tenant.Admin.GetConnectionAsync(id)).Str("qCredentialsID");

        var withSecret = Update(id, "target", ConnectionApi.RestStatement("second.example.test"));
        withSecret["qConnectionSecret"] = "s2";
        await NoContentAsync(Put(tenant.Admin, id, withSecret));
        Assert.Equal("s2", (await tenant.Admin.GetConnectionAsync(id)).Str("qConnectionSecret"));
        Assert.Null(await factory.PasswordAsync(credentialId));

        var withPassword = Update(id, "target", ConnectionApi.RestStatement("third.example.test"));
        withPassword["qUsername"] = "u3";
        withPassword["qPassword"] = "p3";
        await NoContentAsync(Put(tenant.Admin, id, withPassword));
        var read = await tenant.Admin.GetConnectionAsync(id);
        Assert.False(read.TryGetProperty("qConnectionSecret", out _), read.GetRawText());
        Assert.Null(await factory.ConnectionSecretAsync(id));
        Assert.NotNull(await factory.PasswordAsync(read.Str("qCredentialsID")));

        // Without credentials the target stays where it is.
        await ApiAssert.ErrorAsync(await Put(tenant.Admin, id, Update(id, "target", ConnectionApi.RestStatement("fourth.example.test"))), HttpStatusCode.BadRequest);
        Assert.Equal(ConnectionApi.RestStatement("third.example.test"), (await tenant.Admin.GetConnectionAsync(id)).Str("qConnectStatement"));
    }

    [Fact]
    public async Task MovingToAnotherSpaceNeedsRightsThere()
    {
        var tenant = await factory.NewTenantAsync();
        // A DataAdmin may move connections of data spaces (change_space there), but only to where they may create.
        var home = await tenant.NewSpaceAsync("data");
        var readOnly = await tenant.NewSpaceAsync("shared");
        var hidden = await tenant.NewSpaceAsync("shared");
        var target = await tenant.NewSpaceAsync("shared");
        var producer = await tenant.NewUserAsync("DataAdmin");
        await tenant.AssignAsync(readOnly, producer.Id, "consumer");
        await tenant.AssignAsync(target, producer.Id, "producer");
        var id = await producer.Client.NewConnectionAsync("mover", home);

        var body = Update(id, "mover");
        body["space"] = readOnly;
        var forbidden = await ApiAssert.ErrorAsync(await Put(producer.Client, id, body), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Contains(readOnly, forbidden.Detail(), StringComparison.Ordinal);
        body["space"] = hidden;
        await ApiAssert.ErrorAsync(await Put(producer.Client, id, body), HttpStatusCode.NotFound);
        Assert.Equal(home, (await producer.Client.GetConnectionAsync(id)).Str("space"));

        body["space"] = target;
        await NoContentAsync(Put(producer.Client, id, body));
        Assert.Equal(target, (await producer.Client.GetConnectionAsync(id)).Str("space"));
    }

    [Fact]
    public async Task PutNeedsUpdatePrivilegeAndWorksByName()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var consumer = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, consumer.Id, "dataconsumer");
        var id = await tenant.Admin.NewConnectionAsync("by-name", space);
        await ApiAssert.ErrorAsync(await Put(consumer.Client, id, Update(id, "x")), HttpStatusCode.Forbidden, "DCERROR-0030");
        await NoContentAsync(Put(tenant.Admin, "by-name", Update(id, "renamed"), $"?type=connectionname&spaceId={space}"));
        Assert.Equal("renamed", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
    }

    [Fact]
    public async Task DeleteAnswers204ThenTheConnectionIsGone()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("doomed");
        var deleted = await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(await deleted.Content.ReadAsByteArrayAsync());
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"{ConnectionApi.Path}/{id}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{id}"), HttpStatusCode.NotFound);
        Assert.DoesNotContain("doomed", (await tenant.Admin.ListAsync("")).Names());
        // The name is free again.
        await tenant.Admin.NewConnectionAsync("doomed");
    }

    [Fact]
    public async Task DeleteNeedsDeletePrivilegeAndWorksByName()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var producer = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, producer.Id, "producer");
        var adminsId = await tenant.Admin.NewConnectionAsync("admins", space);
        var forbidden = await ApiAssert.ErrorAsync(await producer.Client.DeleteAsync($"{ConnectionApi.Path}/{adminsId}"), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Contains("delete", forbidden.Detail(), StringComparison.Ordinal);

        await producer.Client.NewConnectionAsync("Own One", space);
        var byName = await producer.Client.DeleteAsync($"{ConnectionApi.Path}/{Uri.EscapeDataString("own one")}?type=connectionname&spaceId={space}");
        Assert.Equal(HttpStatusCode.NoContent, byName.StatusCode);
        Assert.Equal(["admins"], (await producer.Client.ListAsync($"spaceId={space}&noDatafiles=true")).Names());

        var personal = await producer.Client.NewConnectionAsync("Personal One");
        Assert.Equal(HttpStatusCode.NoContent, (await producer.Client.DeleteAsync($"{ConnectionApi.Path}/Personal%20One?type=connectionname")).StatusCode);
        await ApiAssert.ErrorAsync(await producer.Client.GetAsync($"{ConnectionApi.Path}/{personal}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeletingTheConnectionThatHoldsALinkedCredentialLeavesTheOthersWorking()
    {
        var tenant = await factory.NewTenantAsync();
        var holder = await tenant.Admin.CreateAsync(new Dictionary<string, object?>(ConnectionApi.Body("holder"))
        {
            ["qUsername"] = "u",
            ["qPassword"] = "p",
            ["qCredentialsName"] = "team-cred",
        });
        var credentialId = holder.Str("qCredentialsID");
        var linked = await tenant.Admin.NewConnectionAsync("linked", edit: b => b["qCredentialsID"] = credentialId);

        var deleted = await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{holder.Str("qID")}");
        Assert.True(deleted.StatusCode == HttpStatusCode.NoContent, await deleted.Content.ReadAsStringAsync());
        var read = await tenant.Admin.GetAsync($"{ConnectionApi.Path}/{linked}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var listed = await tenant.Admin.GetAsync($"{ConnectionApi.Path}?noDatafiles=true");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        // The linked connection can still be changed and deleted.
        var patched = await tenant.Admin.PatchConnectionAsync(linked, new[] { new { op = "replace", path = "/qName", value = "still-linked" } });
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{linked}")).StatusCode);
    }

    [Fact]
    public async Task ASpaceWithConnectionsCannotBeDeletedUntilTheyAreGone()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var id = await tenant.Admin.NewConnectionAsync("keeps-space", space);
        var blocked = await tenant.Admin.DeleteAsync($"/api/v1/spaces/{space}");
        var error = await ApiAssert.ErrorAsync(blocked, HttpStatusCode.PreconditionFailed, "DCERROR-0091");
        Assert.Contains("data connection", error.Detail(), StringComparison.Ordinal);
        Assert.Equal(space, (await tenant.Admin.GetConnectionAsync(id)).Str("space"));
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"/api/v1/spaces/{space}")).StatusCode);
    }
}
