using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.DataConnections;

public sealed class DuplicateTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    const string DuplicatePath = ConnectionApi.Path + "/actions/duplicate";

    [Fact]
    public async Task DuplicateGetsAGeneratedUniqueName()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("Orders", edit: b => { b["tags"] = new[] { "t" }; b["qLogOn"] = "1"; });
        var names = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var response = await tenant.Admin.PostAsJsonAsync(DuplicatePath, new { id });
            var copy = await ApiAssert.OkAsync(response, HttpStatusCode.Created);
            names.Add(copy.Str("qName"));
            Assert.NotEqual(id, copy.Str("qID"));
            Assert.Equal(copy.Str("qID"), copy.Str("qEngineObjectID"));
            Assert.Equal(new Uri(copy.GetProperty("links").GetProperty("self").Str("href")), response.Headers.Location);
            Assert.Equal(["list", "read", "update", "delete"], copy.GetProperty("privileges").Strings().Take(4));
        }
        Assert.Equal(["Orders - Copy", "Orders - Copy (2)", "Orders - Copy (3)"], names);
        var read = await tenant.Admin.GetConnectionAsync(id, "");
        var first = (await tenant.Admin.ListAsync("noDatafiles=true&filter=" + Uri.EscapeDataString("qName eq \"Orders - Copy\""))).GetProperty("data")[0];
        Assert.Equal(read.Str("qConnectStatement"), first.Str("qConnectStatement"));
        Assert.Equal(read.Str("qType"), first.Str("qType"));
        Assert.Equal(["t"], first.GetProperty("tags").Strings());
        Assert.Equal(1, first.GetProperty("qLogOn").GetInt32());
        Assert.Equal(read.Str("datasourceID"), first.Str("datasourceID"));

        // A gap is filled first; the source's name case does not matter for the pattern.
        var copy2 = (await tenant.Admin.ListAsync("noDatafiles=true&filter=" + Uri.EscapeDataString("qName eq \"Orders - Copy (2)\""))).GetProperty("data")[0].Str("qID");
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.DeleteAsync($"{ConnectionApi.Path}/{copy2}")).StatusCode);
        Assert.Equal("Orders - Copy (2)", (await tenant.Admin.PostAsJsonAsync(DuplicatePath, new { id }).JsonAsync(HttpStatusCode.Created)).Str("qName"));
    }

    [Fact]
    public async Task DuplicateWithANameAndSecretsCopied()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("src", edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; b["qConnectionSecret"] = "cs"; });
        var copy = await tenant.Admin.PostAsJsonAsync(DuplicatePath, new { id, name = "Named Copy" }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("Named Copy", copy.Str("qName"));
        var copyId = copy.Str("qID");
        var read = await tenant.Admin.GetConnectionAsync(copyId);
        Assert.Equal("cs", read.Str("qConnectionSecret"));
        var source = await tenant.Admin.GetConnectionAsync(id);
        // An embedded credential is copied, not shared.
        Assert.NotEqual(source.Str("qCredentialsID"), read.Str("qCredentialsID"));
        Assert.Equal(read.Str("qri"), source.Str("qri"));

        var conflict = await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(DuplicatePath, new { id, name = "named copy" }), HttpStatusCode.Conflict, "DCERROR-0090");
        Assert.Contains("named copy", conflict.Detail(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(DuplicatePath, new { id, name = "DataFiles" }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(DuplicatePath, new { id, name = "" }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(DuplicatePath, new { name = "x" }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(DuplicatePath, new { id = "nope" }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync(DuplicatePath, new { id = Guid.NewGuid().ToString() }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CredentialOverrideReplacesTheCopiedCredential()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("src", edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; });
        var secret = "override-" + Guid.NewGuid().ToString("N");
        var response = await tenant.Admin.PostAsJsonAsync(DuplicatePath, new { id, qUsername = "other-user", qPassword = secret });
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        var copy = System.Text.Json.JsonDocument.Parse(text).RootElement;
        var credentialId = copy.Str("qCredentialsID");
        Assert.NotEqual((await tenant.Admin.GetConnectionAsync(id)).Str("qCredentialsID"), credentialId);
        Assert.Equal(credentialId, (await tenant.Admin.GetConnectionAsync(copy.Str("qID"))).Str("qCredentialsID"));
    }

    [Fact]
    public async Task TargetSpaceNeedsCreateRights()
    {
        var tenant = await factory.NewTenantAsync();
        var home = await tenant.NewSpaceAsync("shared");
        var readOnly = await tenant.NewSpaceAsync("shared");
        var hidden = await tenant.NewSpaceAsync("shared");
        var target = await tenant.NewSpaceAsync("shared");
        var user = await tenant.NewUserAsync();
        await tenant.AssignAsync(home, user.Id, "producer");
        await tenant.AssignAsync(readOnly, user.Id, "consumer");
        await tenant.AssignAsync(target, user.Id, "producer");
        var id = await user.Client.NewConnectionAsync("src", home);

        var forbidden = await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync(DuplicatePath, new { id, spaceId = readOnly }), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Contains(readOnly, forbidden.Detail(), StringComparison.Ordinal);
        await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync(DuplicatePath, new { id, spaceId = hidden }), HttpStatusCode.NotFound);

        var copy = await user.Client.PostAsJsonAsync(DuplicatePath, new { id, spaceId = target }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(target, copy.Str("space"));
        // In another space the source's own name is free, so the copy keeps the plain copy pattern.
        Assert.Equal("src - Copy", copy.Str("qName"));
        var personal = await user.Client.PostAsJsonAsync(DuplicatePath, new { id, spaceId = "" }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("", personal.Str("space"));
        Assert.Equal(user.Id, personal.Str("user"));
    }

    [Fact]
    public async Task DuplicateOfAnInvisibleConnectionIsNotFoundAndDataFilesIsRefused()
    {
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var id = await tenant.Admin.NewConnectionAsync("private");
        await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync(DuplicatePath, new { id }), HttpStatusCode.NotFound);
        var dataFiles = (await user.Client.ListAsync("")).GetProperty("data").EnumerateArray().Single(c => c.Str("qName") == "DataFiles").Str("qID");
        var error = await ApiAssert.ErrorAsync(await user.Client.PostAsJsonAsync(DuplicatePath, new { id = dataFiles }), HttpStatusCode.BadRequest);
        Assert.Contains("DataFiles", error.Detail(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadersMayDuplicateIntoTheirOwnSpace()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var reader = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, reader.Id, "dataconsumer");
        var id = await tenant.Admin.NewConnectionAsync("shared-src", space, edit: b =>
        {
            b["qConnectionSecret"] = "top";
            b["qUsername"] = "svc";
            b["qPassword"] = "source-password";
        });
        // Reading is not changing: a copy in the same space needs create rights there.
        await ApiAssert.ErrorAsync(await reader.Client.PostAsJsonAsync(DuplicatePath, new { id }), HttpStatusCode.Forbidden, "DCERROR-0030");
        var copy = await reader.Client.PostAsJsonAsync(DuplicatePath, new { id, spaceId = "" }).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(reader.Id, copy.Str("user"));
        // The reader may change the copy, but must not learn the source's secret through it.
        var read = await reader.Client.GetConnectionAsync(copy.Str("qID"));
        Assert.Contains("update", read.GetProperty("privileges").Strings());
        Assert.False(read.TryGetProperty("qConnectionSecret", out _), read.GetRawText());
        // Nor use the source's credentials through it: a reader's copy starts without any.
        Assert.True(string.IsNullOrEmpty(read.TryGetProperty("qCredentialsID", out var credential) ? credential.GetString() : null), read.GetRawText());
        var readerCredentials = await factory.WithDbAsync(db => db.DataCredentials.IgnoreQueryFilters().CountAsync(c => c.OwnerId == reader.Id));
        Assert.Equal(0, readerCredentials);
        // With their own credentials given in the request, the copy has those.
        var own = await reader.Client.PostAsJsonAsync(DuplicatePath, new { id, spaceId = "", name = "mine", qUsername = "me", qPassword = "mine" }).JsonAsync(HttpStatusCode.Created);
        Assert.False(string.IsNullOrEmpty((await reader.Client.GetConnectionAsync(own.Str("qID"))).Str("qCredentialsID")));
    }
}
