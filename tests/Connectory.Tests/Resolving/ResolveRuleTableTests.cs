using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.DataCredentials;
using Connectory.Tests.Support;

namespace Connectory.Tests.Resolving;

/// <summary>
/// Who may resolve a connection into its statement and credentials, row by row. <c>who</c> is <c>owner</c> (the
/// space's owner, who made the connection), <c>none</c> (a user of the tenant with no place in the space),
/// <c>role:r</c> (a space role) or <c>tenant:R</c> (a tenant role and no space role); <c>resolver</c> says whether the
/// caller also holds the ConnectionResolver role. A refused call answers as the Cloud error; every call leaves one
/// audit row, and no answer but a granted one, and no audit row or log line, holds the password.
/// </summary>
public sealed class ResolveRuleTableTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    [Theory]
    // the role is the gate, TenantAdmin included
    [InlineData("personal", "owner", false, 403)]
    [InlineData("shared", "tenant:TenantAdmin", false, 403)]
    [InlineData("shared", "role:dataconsumer", false, 403)]
    // personal: its owner only; TenantAdmin reads every connection of the tenant
    [InlineData("personal", "owner", true, 201)]
    [InlineData("personal", "none", true, 404)]
    [InlineData("personal", "tenant:TenantAdmin", true, 201)]
    [InlineData("personal", "tenant:AnalyticsAdmin", true, 404)]
    // shared: whoever reads connections there
    [InlineData("shared", "owner", true, 201)]
    [InlineData("shared", "role:facilitator", true, 201)]
    [InlineData("shared", "role:producer", true, 201)]
    [InlineData("shared", "role:dataconsumer", true, 201)]
    [InlineData("shared", "role:consumer", true, 404)]
    [InlineData("shared", "none", true, 404)]
    [InlineData("shared", "tenant:AnalyticsAdmin", true, 201)]
    [InlineData("shared", "tenant:DataAdmin", true, 404)]
    // managed
    [InlineData("managed", "owner", true, 201)]
    [InlineData("managed", "role:operator", true, 201)]
    [InlineData("managed", "role:contributor", true, 201)]
    [InlineData("managed", "role:consumer", true, 404)]
    [InlineData("managed", "none", true, 404)]
    // data
    [InlineData("data", "role:datapreview", true, 201)]
    [InlineData("data", "role:consumer", true, 404)]
    [InlineData("data", "tenant:DataAdmin", true, 201)]
    [InlineData("data", "tenant:AnalyticsAdmin", true, 404)]
    public async Task WhoMayResolveAConnection(string kind, string who, bool resolver, int expected)
    {
        var tenant = await factory.NewTenantAsync();
        var resolverRole = resolver ? new[] { "ConnectionResolver" } : [];
        var owner = await tenant.NewUserAsync(who == "owner" ? resolverRole : []);
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
        var canary = "canary-" + Guid.NewGuid().ToString("N");
        var id = await owner.Client.NewConnectionAsync(spaceId, "sales", canary);

        var subject = who switch
        {
            "owner" => owner,
            _ when who.StartsWith("tenant:", StringComparison.Ordinal) => await tenant.NewUserAsync([who["tenant:".Length..], .. resolverRole]),
            _ => await tenant.NewUserAsync(resolverRole),
        };
        if (who.StartsWith("role:", StringComparison.Ordinal))
        {
            await tenant.AssignAsync(spaceId!, subject.Id, who["role:".Length..]);
        }
        subject.Client.DefaultRequestHeaders.UserAgent.ParseAdd("reload-runner/1.0");

        var response = await subject.Client.ResolveAsync(new { connectionId = id, reloadId = "reload-1", type = "rld" });

        ResolveKit.AssertNoStore(response);
        var audit = Assert.Single(await factory.AuditAsync(tenant.Id));
        Assert.Equal("connection.resolve", audit.Action);
        Assert.Equal(subject.Id, audit.ActorUserId);
        Assert.Equal(subject.Subject, audit.ActorSubject);
        Assert.Equal(expected, audit.Status);
        Assert.Equal("127.0.0.1", audit.SourceAddress);
        Assert.Equal("reload-runner/1.0", audit.UserAgent);
        Assert.Contains("reload-1", audit.Detail);
        if (expected == 201)
        {
            var connection = (await ApiAssert.OkAsync(response, HttpStatusCode.Created)).GetProperty("connection");
            Assert.Equal(id, connection.GetProperty("connectionId").GetString());
            Assert.Equal(ResolveKit.Statement, connection.GetProperty("connectionString").GetString());
            Assert.Equal("reader", connection.GetProperty("user").GetString());
            Assert.Equal(canary, connection.GetProperty("password").GetString());
            Assert.Equal("db", connection.GetProperty("dataInterfaceType").GetString());
            var stored = await owner.Client.GetAsync($"/api/v1/data-connections/{id}").JsonAsync();
            Assert.Equal(stored.GetProperty("qri").GetString(), connection.GetProperty("qri").GetString());
            var spaceName = spaceId is null ? "" : (await tenant.Admin.GetAsync($"/api/v1/spaces/{spaceId}").JsonAsync()).GetProperty("name").GetString();
            Assert.Equal($"{spaceName}:sales", connection.GetProperty("spaceQualifiedConnectionName").GetString());
            Assert.Equal(("granted", "data-connection", id), (audit.Outcome, audit.TargetKind, audit.TargetId));
        }
        else
        {
            var error = await ApiAssert.ErrorAsync(response, (HttpStatusCode)expected);
            Assert.DoesNotContain(canary, error.GetRawText());
            Assert.Equal("refused", audit.Outcome);
            Assert.Contains(error.GetProperty("code").GetString()!, audit.Detail);
        }
        Assert.DoesNotContain(canary, await factory.WholeAuditTableAsync());
        Assert.DoesNotContain(factory.Logs, line => line.Contains(canary, StringComparison.Ordinal));
    }

    [Theory]
    // the caller's own separated credential, never another user's
    [InlineData("owner", true, false, 201, "owner")]
    [InlineData("member", true, false, 201, "member")]
    [InlineData("member", false, false, 201, null)]
    [InlineData("member", false, true, 400, null)]
    [InlineData("member", true, true, 201, "member")]
    [InlineData("admin", false, false, 201, null)]
    public async Task ASeparatedConnectionHandsOutOnlyTheCallersOwnCredential(string who, bool hasOwn, bool checkCredentials, int expected, string? passwordOf)
    {
        var tenant = await factory.NewTenantAsync();
        var owner = await tenant.NewUserAsync("ConnectionResolver");
        var spaceId = await tenant.NewSpaceAsync("shared", owner.Client);
        var ownersPassword = "owners-" + Guid.NewGuid().ToString("N");
        // Made with qUsername/qPassword, the credential becomes the owner's own for it.
        var id = await owner.Client.NewConnectionAsync(spaceId, "sales", ownersPassword, separate: true);
        var member = await tenant.NewUserAsync("ConnectionResolver");
        await tenant.AssignAsync(spaceId, member.Id, "producer");
        var membersPassword = "members-" + Guid.NewGuid().ToString("N");
        if (hasOwn && who == "member")
        {
            await member.Client.NewCredentialAsync("mine", membersPassword, connectionId: id);
        }
        var subject = who switch
        {
            "owner" => owner,
            "member" => member,
            _ => await tenant.NewUserAsync("TenantAdmin", "ConnectionResolver"),
        };

        var response = await subject.Client.ResolveAsync(new { connectionId = id, checkCredentials });

        ResolveKit.AssertNoStore(response);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == (int)response.StatusCode, text);
        if (who != "owner")
        {
            Assert.DoesNotContain(ownersPassword, text);
        }
        if (expected == 201)
        {
            var connection = JsonDocument.Parse(text).RootElement.GetProperty("connection");
            var password = connection.TryGetProperty("password", out var p) ? p.GetString() : null;
            Assert.Equal(passwordOf switch { "owner" => ownersPassword, "member" => membersPassword, _ => null }, password);
            Assert.Equal(passwordOf is not null, connection.TryGetProperty("user", out _));
        }
        else
        {
            var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.BadRequest);
            Assert.Contains("own credentials", error.GetProperty("detail").GetString());
        }
        var whole = await factory.WholeAuditTableAsync();
        Assert.DoesNotContain(ownersPassword, whole);
        Assert.DoesNotContain(membersPassword, whole);
    }
}
