using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.DataCredentials;
using Connectory.Secrets;
using Connectory.Tests.Secrets;
using Connectory.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.DataConnections;

public sealed class PatchTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    static object Op(string op, string path, object? value = null) => value is null ? new { op, path } : new { op, path, value };

    static async Task NoContentAsync(Task<HttpResponseMessage> response)
    {
        var r = await response;
        Assert.True(r.StatusCode == HttpStatusCode.NoContent, $"{(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task EveryDocumentedPathCanBeReplaced()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("before");
        var statement = ConnectionApi.RestStatement("other.example.test");
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[]
        {
            Op("replace", "/qName", "after"),
            Op("replace", "/qConnectStatement", statement),
            Op("replace", "/qType", "QvRestConnector2.exe"),
            Op("replace", "/tags", new[] { "x", "y" }),
            Op("replace", "/qLogOn", "LOG_ON_CURRENT_USER"),
            Op("replace", "/qArchitecture", 1),
            Op("add", "/qUsername", "alice"),
            Op("add", "/qPassword", "pw"),
            Op("add", "/qConnectionSecret", "shh"),
            Op("replace", "/qSeparateCredentials", false),
        }));
        var read = await tenant.Admin.GetConnectionAsync(id);
        Assert.Equal("after", read.Str("qName"));
        Assert.Equal(statement, read.Str("qConnectStatement"));
        Assert.Equal("QvRestConnector2.exe", read.Str("qType"));
        Assert.Equal(["x", "y"], read.GetProperty("tags").Strings());
        Assert.Equal(1, read.GetProperty("qLogOn").GetInt32());
        Assert.Equal(1, read.GetProperty("qArchitecture").GetInt32());
        Assert.Equal("shh", read.Str("qConnectionSecret"));
        Assert.False(string.IsNullOrEmpty(read.Str("qCredentialsID")));
        Assert.DoesNotContain("\"pw\"", read.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TagsCanBeAddedAppendedAndRemoved()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("tags", edit: b => b["tags"] = new[] { "a" });
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[] { Op("add", "/tags", "b"), Op("add", "/tags/-", "c") }));
        Assert.Equal(["a", "b", "c"], (await tenant.Admin.GetConnectionAsync(id)).GetProperty("tags").Strings());
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[] { Op("remove", "/tags") }));
        Assert.Empty((await tenant.Admin.GetConnectionAsync(id)).GetProperty("tags").Strings());
        var tooMany = Enumerable.Range(0, 33).Select(i => Op("add", "/tags/-", $"t{i}")).ToArray();
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, tooMany), HttpStatusCode.BadRequest);
        Assert.Empty((await tenant.Admin.GetConnectionAsync(id)).GetProperty("tags").Strings());
    }

    [Fact]
    public async Task RemovingOptionalFieldsResetsThem()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("reset", edit: b =>
        {
            b["qLogOn"] = "1";
            b["qArchitecture"] = 1;
            b["qConnectionSecret"] = "x";
        });
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[] { Op("remove", "/qLogOn"), Op("remove", "/qArchitecture"), Op("remove", "/qConnectionSecret") }));
        var read = await tenant.Admin.GetConnectionAsync(id);
        Assert.Equal(0, read.GetProperty("qLogOn").GetInt32());
        Assert.Equal(0, read.GetProperty("qArchitecture").GetInt32());
        Assert.False(read.TryGetProperty("qConnectionSecret", out _));
    }

    [Fact]
    public async Task OneBadOperationChangesNothing()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("whole");
        var before = await tenant.Admin.GetConnectionAsync(id);
        var batches = new[]
        {
            new[] { Op("replace", "/qName", "changed"), Op("replace", "/qArchitecture", 7) },
            new[] { Op("replace", "/qName", "changed"), Op("replace", "/nope", "x") },
            new[] { Op("replace", "/tags", new[] { "t" }), Op("replace", "/qLogOn", "maybe") },
            new[] { Op("replace", "/qName", "changed"), Op("remove", "/qName") },
            new[] { Op("replace", "/qType", "changed"), Op("replace", "/qName", "DataFiles") },
        };
        foreach (var batch in batches)
        {
            await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, batch), HttpStatusCode.BadRequest);
        }
        var after = await tenant.Admin.GetConnectionAsync(id);
        Assert.Equal(before.GetRawText(), after.GetRawText());
    }

    [Fact]
    public async Task ConflictingNameIs409AndChangesNothing()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewConnectionAsync("taken");
        var id = await tenant.Admin.NewConnectionAsync("mine");
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/tags", new[] { "t" }), Op("replace", "/qName", "TAKEN") }), HttpStatusCode.Conflict, "DCERROR-0090");
        Assert.Contains("TAKEN", error.Detail(), StringComparison.Ordinal);
        var read = await tenant.Admin.GetConnectionAsync(id);
        Assert.Equal("mine", read.Str("qName"));
        Assert.Empty(read.GetProperty("tags").Strings());
    }

    public static TheoryData<string, string> WrongTypes => new()
    {
        { "/qName", "5" },
        { "/qName", "\"\"" },
        { "/qConnectStatement", "{}" },
        { "/qType", "\"\"" },
        { "/tags", "{\"a\":1}" },
        { "/tags", "[1,2]" },
        { "/qLogOn", "\"yes\"" },
        { "/qArchitecture", "\"64bit\"" },
        { "/qUsername", "true" },
        { "/qPassword", "123" },
        { "/qConnectionSecret", "[]" },
        { "/qSeparateCredentials", "\"true\"" },
        { "/qName/x", "\"a\"" },
        { "/unknown", "\"a\"" },
        { "qName", "\"a\"" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task WrongValueTypeOrUnknownPathIsRejected(string path, string json)
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("typed");
        var response = await tenant.Admin.PatchConnectionAsync(id, new[] { new { op = "replace", path, value = JsonDocument.Parse(json).RootElement } });
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrEmpty(error.Detail()));
        Assert.Equal("typed", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"op\":\"move\",\"path\":\"/qName\",\"value\":\"x\"}]")]
    [InlineData("[{\"op\":\"replace\",\"value\":\"x\"}]")]
    [InlineData("[{\"op\":\"replace\",\"path\":\"/qName\"}]")]
    [InlineData("[null]")]
    [InlineData("{\"op\":\"replace\",\"path\":\"/qName\",\"value\":\"x\"}")]
    [InlineData("\"replace\"")]
    public async Task MalformedPatchRequestIsRejected(string body)
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("malformed");
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsync($"{ConnectionApi.Path}/{id}", content), HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://evil.example.test/v1;method=GET;\"")]
    [InlineData("CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://api.example.test:8443/v1;method=GET;\"")]
    [InlineData("CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://api.example.test/v2;method=GET;\"")]
    [InlineData("CUSTOM CONNECT TO \"provider=other.exe;url=https://api.example.test/v1;method=GET;\"")]
    public async Task ChangingTheTargetNeedsCredentialsInTheSameRequest(string statement)
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("guarded", edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; });
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qConnectStatement", statement) }), HttpStatusCode.BadRequest);
        Assert.Contains("credentials", error.Detail(), StringComparison.Ordinal);
        Assert.Equal(ConnectionApi.RestStatement(), (await tenant.Admin.GetConnectionAsync(id)).Str("qConnectStatement"));

        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qConnectStatement", statement), Op("replace", "/qPassword", "new-pw") }));
        Assert.Equal(statement, (await tenant.Admin.GetConnectionAsync(id)).Str("qConnectStatement"));
    }

    [Fact]
    public async Task ChangingTheTargetOfAConnectionWithASecretNeedsTheSecret()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("secret-guarded", edit: b => b["qConnectionSecret"] = "k");
        var moved = ConnectionApi.RestStatement("elsewhere.example.test");
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qConnectStatement", moved) }), HttpStatusCode.BadRequest);
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qConnectStatement", moved), Op("replace", "/qConnectionSecret", "k2") }));
        Assert.Equal("k2", (await tenant.Admin.GetConnectionAsync(id)).Str("qConnectionSecret"));
    }

    [Fact]
    public async Task SameTargetOrNoStoredCredentialsNeedNoCredentials()
    {
        var tenant = await factory.NewTenantAsync();
        var guarded = await tenant.Admin.NewConnectionAsync("guarded", edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; });
        // Only a non-target property changes (method), and the host's case.
        var sameTarget = "CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://API.example.test/v1;method=POST;\"";
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(guarded, new[] { Op("replace", "/qConnectStatement", sameTarget) }));

        var open = await tenant.Admin.NewConnectionAsync("open");
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(open, new[] { Op("replace", "/qConnectStatement", ConnectionApi.RestStatement("any.example.test")) }));
    }

    [Fact]
    public async Task ChangingTheServerOfAnOdbcConnectionIsATargetChange()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("odbc", statement: "ODBC CONNECT TO [Driver={SQL Server};Server=db1.example.test;Database=a;]",
            edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; });
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qConnectStatement", "ODBC CONNECT TO [Driver={SQL Server};Server=db2.example.test;Database=a;]") }), HttpStatusCode.BadRequest);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qConnectStatement", "ODBC CONNECT TO [Driver={SQL Server};Host=db2.example.test;Server=db1.example.test;Database=a;]") }), HttpStatusCode.BadRequest);
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qConnectStatement", "ODBC CONNECT TO [Driver={SQL Server};Server=db1.example.test;Database=a;Timeout=5;]") }));
    }

    [Fact]
    public async Task PatchNeedsUpdatePrivilegeAndWorksByName()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var consumer = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, consumer.Id, "dataconsumer");
        var id = await tenant.Admin.NewConnectionAsync("Named One", space);
        var forbidden = await ApiAssert.ErrorAsync(await consumer.Client.PatchConnectionAsync(id, new[] { Op("replace", "/qName", "x") }), HttpStatusCode.Forbidden, "DCERROR-0030");
        Assert.Contains("update", forbidden.Detail(), StringComparison.Ordinal);

        // PATCH takes no spaceId: by name it finds the caller's personal connection of that name.
        var personal = await tenant.Admin.NewConnectionAsync("Named One");
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(Uri.EscapeDataString("named one"), new[] { Op("replace", "/qName", "Renamed") }, "?type=connectionname"));
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(Uri.EscapeDataString("Named One"), new[] { Op("replace", "/qName", "x") }, "?type=connectionname"), HttpStatusCode.NotFound);
        Assert.Equal("Renamed", (await tenant.Admin.GetConnectionAsync(personal)).Str("qName"));
        Assert.Equal("Named One", (await tenant.Admin.GetConnectionAsync(id)).Str("qName"));
    }

    [Fact]
    public async Task PatchMovesUpdatedButNotCreated()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("stamped");
        var before = await tenant.Admin.GetConnectionAsync(id);
        factory.Clock.Offset += TimeSpan.FromMinutes(1);
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qName", "stamped2") }));
        var after = await tenant.Admin.GetConnectionAsync(id);
        Assert.Equal(before.Str("created"), after.Str("created"));
        Assert.True(string.CompareOrdinal(after.Str("updated"), before.Str("updated")) > 0);
    }

    [Fact]
    public async Task AuthCodeHeaderIsRejectedForNonOauthSources()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("oauth");
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"{ConnectionApi.Path}/{id}")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new[] { Op("replace", "/qName", "x") }),
        };
        request.Headers.Add("qlik-auth-code", "abc");
        await ApiAssert.ErrorAsync(await tenant.Admin.SendAsync(request), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PatchedPasswordAndSecretAreStoredEncrypted()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("patched-secrets");
        var password = "patched-pw-" + Guid.NewGuid().ToString("N");
        var secret = "patched-secret-" + Guid.NewGuid().ToString("N");
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[] { Op("add", "/qUsername", "someone"), Op("add", "/qPassword", password), Op("add", "/qConnectionSecret", secret) }));
        var read = await (await tenant.Admin.GetAsync($"{ConnectionApi.Path}/{id}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(password, read, StringComparison.Ordinal);
        Assert.Contains(secret, read, StringComparison.Ordinal);
        Assert.DoesNotContain(password, string.Join('\n', factory.Logs), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, string.Join('\n', factory.Logs), StringComparison.Ordinal);
        if (TestDatabase.IsPostgres)
        {
            return;
        }
        foreach (var file in Directory.EnumerateFiles(factory.DataDir, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            var bytes = copy.ToArray();
            Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(password)) < 0, $"password in plaintext in {Path.GetFileName(file)}");
            Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)) < 0, $"secret in plaintext in {Path.GetFileName(file)}");
        }
    }

    string? Decrypt(string tenantId, string credentialId, string stored) =>
        factory.Services.GetRequiredService<SecretProtector>().TryUnprotect(stored, new SecretContext(tenantId, credentialId, CredentialStore.PasswordField));

    [Fact]
    public async Task ChangingTheTargetWithAUsernameAndPasswordClearsTheStoredSecret()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("both", edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; b["qConnectionSecret"] = "s"; });
        var moved = ConnectionApi.RestStatement("elsewhere.example.test");
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qConnectStatement", moved), Op("replace", "/qUsername", "u2"), Op("replace", "/qPassword", "p2") }));

        var read = await tenant.Admin.GetConnectionAsync(id);
        Assert.Equal(moved, read.Str("qConnectStatement"));
        Assert.False(read.TryGetProperty("qConnectionSecret", out _), read.GetRawText());
        Assert.Null(await factory.ConnectionSecretAsync(id));
        var credentialId = read.Str("qCredentialsID");
        Assert.Equal("p2", Decrypt(tenant.Id, credentialId, (await factory.PasswordAsync(credentialId))!));
    }

    [Fact]
    public async Task ChangingASeparatedConnectionsTargetWithOwnCredentialsKeepsOnlyTheCallersOwn()
    {
        var tenant = await factory.NewTenantAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var member = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, member.Id, "dataconsumer");
        var id = await tenant.Admin.NewConnectionAsync("separated", space, edit: b => { b["qSeparateCredentials"] = true; b["qUsername"] = "admin-u"; b["qPassword"] = "admin-p"; });
        await NoContentAsync(member.Client.PutAsJsonAsync($"/api/v1/data-credentials/{Guid.NewGuid()}", new
        {
            qName = "members-own",
            qType = "QvRestConnector.exe",
            qUsername = "member-u",
            qPassword = "member-p",
            connectionId = id,
            datasourceID = "rest",
        }));
        Assert.False(string.IsNullOrEmpty((await member.Client.GetConnectionAsync(id)).Str("qCredentialsID")));

        var moved = ConnectionApi.RestStatement("elsewhere.example.test");
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qConnectStatement", moved), Op("replace", "/qUsername", "admin-u2"), Op("replace", "/qPassword", "admin-p2") }));

        // The admin's own credential, given anew in the request, stays linked with the new password; the member's,
        // given for the old target, no longer follows the connection.
        var credentialId = (await tenant.Admin.GetConnectionAsync(id)).Str("qCredentialsID");
        Assert.Equal("admin-p2", Decrypt(tenant.Id, credentialId, (await factory.PasswordAsync(credentialId))!));
        Assert.False((await member.Client.GetConnectionAsync(id)).TryGetProperty("qCredentialsID", out _));
    }

    [Fact]
    public async Task ChangingTheTargetWithOnlyASecretClearsTheStoredPassword()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("both", edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; b["qConnectionSecret"] = "s"; });
        var credentialId = (await tenant.Admin.GetConnectionAsync(id)).Str("qCredentialsID");
        Assert.NotNull(await factory.PasswordAsync(credentialId));
        var moved = ConnectionApi.RestStatement("attacker.example.test");
        await NoContentAsync(tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qConnectStatement", moved), Op("replace", "/qConnectionSecret", "s2") }));

        var read = await tenant.Admin.GetConnectionAsync(id);
        Assert.Equal(moved, read.Str("qConnectStatement"));
        Assert.Equal("s2", read.Str("qConnectionSecret"));
        // The embedded credential keeps its username; the password set for the old target is gone.
        Assert.Null(await factory.PasswordAsync(credentialId));

        // A duplicate made by someone who may change the source carries the copied credential; moving the copy with
        // only a secret leaves the copied password behind too.
        var space = await tenant.NewSpaceAsync("shared");
        var editor = await tenant.NewUserAsync();
        await tenant.AssignAsync(space, editor.Id, "facilitator");
        var source = await tenant.Admin.NewConnectionAsync("guarded-source", space, edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; });
        var copy = (await editor.Client.PostAsJsonAsync($"{ConnectionApi.Path}/actions/duplicate", new { id = source, spaceId = "" }).JsonAsync(HttpStatusCode.Created)).Str("qID");
        var copied = (await editor.Client.GetConnectionAsync(copy)).Str("qCredentialsID");
        Assert.NotNull(await factory.PasswordAsync(copied));
        await NoContentAsync(editor.Client.PatchConnectionAsync(copy, new[] { Op("replace", "/qConnectStatement", moved), Op("add", "/qConnectionSecret", "mine") }));
        Assert.Null(await factory.PasswordAsync(copied));
        var sourceCredential = (await tenant.Admin.GetConnectionAsync(source)).Str("qCredentialsID");
        Assert.Equal("p", Decrypt(tenant.Id, sourceCredential, (await factory.PasswordAsync(sourceCredential))!));
    }

    [Fact]
    public async Task ChangingTheTargetWithoutAnyCredentialsIsRefusedAndChangesNothing()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewConnectionAsync("both", edit: b => { b["qUsername"] = "u"; b["qPassword"] = "p"; b["qConnectionSecret"] = "s"; });
        var credentialId = (await tenant.Admin.GetConnectionAsync(id)).Str("qCredentialsID");
        var moved = ConnectionApi.RestStatement("attacker.example.test");
        var refused = await ApiAssert.ErrorAsync(await tenant.Admin.PatchConnectionAsync(id, new[] { Op("replace", "/qConnectStatement", moved), Op("replace", "/qName", "renamed") }), HttpStatusCode.BadRequest);
        Assert.Contains("credentials", refused.Detail(), StringComparison.Ordinal);
        var read = await tenant.Admin.GetConnectionAsync(id);
        Assert.Equal(ConnectionApi.RestStatement(), read.Str("qConnectStatement"));
        Assert.Equal("both", read.Str("qName"));
        Assert.Equal("s", read.Str("qConnectionSecret"));
        Assert.Equal("p", Decrypt(tenant.Id, credentialId, (await factory.PasswordAsync(credentialId))!));
    }
}
