using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Connectory.Platform.Tenants;
using Connectory.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Connectory.Tests.Platform;

/// <summary>Two tenants, each with its own trusted issuer: one reads the default <c>groups</c> claim, one a configured claim.</summary>
public sealed class GroupClaimFixture : IDisposable
{
    public const string IssuerA = "https://idp-groups-a.example.test";
    public const string IssuerB = "https://idp-groups-b.example.test";
    public const string Audience = "connectory-groups";
    public const string TenantA = "groups-claim-a";
    public const string TenantB = "groups-claim-b";
    /// <summary>Named in Auth:AdminGroups: its members are TenantAdmin in their own tenant.</summary>
    public const string AdminGroup = "connectory-admins";

    readonly string dir;

    public RSA KeyA { get; } = RSA.Create(2048);
    public RSA KeyB { get; } = RSA.Create(2048);
    public ConnectoryFactory Factory { get; }

    /// <summary>The issuers' tenants, made once (with auto-created users) the way `connectory tenants create` makes them.</summary>
    public Lazy<Task<(TestTenant A, TestTenant B)>> Tenants { get; }

    public GroupClaimFixture()
    {
        dir = Path.Combine(Path.GetTempPath(), "connectory-tests", "groups-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var fileA = Path.Combine(dir, "a.pem");
        var fileB = Path.Combine(dir, "b.pem");
        File.WriteAllText(fileA, KeyA.ExportSubjectPublicKeyInfoPem());
        File.WriteAllText(fileB, KeyB.ExportSubjectPublicKeyInfoPem());
        Factory = ConnectoryFactory.With(new()
        {
            ["Auth:Jwt:0:Issuer"] = IssuerA,
            ["Auth:Jwt:0:Audience"] = Audience,
            ["Auth:Jwt:0:PublicKeyFile"] = fileA,
            ["Auth:Jwt:0:Tenant"] = TenantA,
            ["Auth:Jwt:1:Issuer"] = IssuerB,
            ["Auth:Jwt:1:Audience"] = Audience,
            ["Auth:Jwt:1:PublicKeyFile"] = fileB,
            ["Auth:Jwt:1:Tenant"] = TenantB,
            ["Auth:Jwt:1:GroupsClaim"] = "memberOf",
            ["Auth:AdminGroups:0"] = AdminGroup,
        });
        Tenants = new(async () => (await TenantAsync(TenantA), await TenantAsync(TenantB)));
    }

    async Task<TestTenant> TenantAsync(string name)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<TenantProvisioning>().CreateAsync(name, null, CancellationToken.None, autoCreateUsers: true);
        return new TestTenant(Factory, created.Tenant.Id, created.Admin.Id, Factory.Client(created.ApiKey));
    }

    public void Dispose()
    {
        Factory.Dispose();
        Directory.Delete(dir, recursive: true);
        KeyA.Dispose();
        KeyB.Dispose();
    }
}

/// <summary>Membership from the JWT's groups claim, refreshed at every sign-in, in the issuer's tenant only.</summary>
public sealed class GroupClaimTests(GroupClaimFixture fixture) : IClassFixture<GroupClaimFixture>
{
    static readonly JsonWebTokenHandler Handler = new();
    ConnectoryFactory Factory => fixture.Factory;

    string Token(string issuer, string subject, string claim, params string[] groups)
    {
        var key = issuer == GroupClaimFixture.IssuerA ? fixture.KeyA : fixture.KeyB;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = GroupClaimFixture.Audience,
            Claims = new Dictionary<string, object> { ["sub"] = subject, [claim] = groups },
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key), SecurityAlgorithms.RsaSha256),
        });
    }

    HttpClient SignedInA(string subject, params string[] groups) => Factory.Client(Token(GroupClaimFixture.IssuerA, subject, "groups", groups));

    static string Unique(string name) => $"{name}-{Guid.NewGuid():N}"[..20];

    static async Task<string> GroupIdAsync(TestTenant tenant, string name)
    {
        var found = await tenant.Admin.GetAsync("/api/v1/groups?filter=" + Uri.EscapeDataString($"name eq \"{name}\"")).JsonAsync();
        var group = Assert.Single(found.GetProperty("data").EnumerateArray());
        Assert.Equal(name, group.GetProperty("name").GetString());
        return group.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task GroupsThatChangeBetweenSignInsChangeWhatTheUserSees()
    {
        var (a, _) = await fixture.Tenants.Value;
        var subject = Unique("ann");
        var (sales, ops) = (Unique("sales"), Unique("ops"));
        // The first sign-in names both groups: the tenant gets them as identity-provider groups.
        Assert.Equal(HttpStatusCode.OK, (await SignedInA(subject, sales, ops).GetAsync("/api/v1/users/me")).StatusCode);
        var salesId = await GroupIdAsync(a, sales);
        var opsId = await GroupIdAsync(a, ops);
        Assert.Equal("idp", (await a.Admin.GetAsync($"/api/v1/groups/{salesId}").JsonAsync()).GetProperty("providerType").GetString());
        var salesSpace = await a.NewSpaceAsync("shared");
        var opsSpace = await a.NewSpaceAsync("data");
        var salesConnection = await a.Admin.NewConnectionAsync(salesSpace, "sales-db");
        var opsConnection = await a.Admin.NewConnectionAsync(opsSpace, "ops-db");
        await a.AssignGroupAsync(salesSpace, salesId, "dataconsumer");
        await a.AssignGroupAsync(opsSpace, opsId, "producer");

        async Task<IReadOnlyList<string>> SeenAsync(HttpClient client) =>
            (await client.GetAsync("/api/v1/data-connections?noDatafiles=true&limit=100").JsonAsync()).ConnectionIds();

        var asSales = SignedInA(subject, sales);
        Assert.Equal([salesConnection], await SeenAsync(asSales));
        Assert.Equal([salesSpace], (await asSales.GetAsync("/api/v1/spaces").JsonAsync()).Ids());
        await ApiAssert.ErrorAsync(await asSales.CreateConnectionAsync(salesSpace), HttpStatusCode.Forbidden);

        var asOps = SignedInA(subject, ops);
        Assert.Equal([opsConnection], await SeenAsync(asOps));
        Assert.Equal(HttpStatusCode.Created, (await asOps.CreateConnectionAsync(opsSpace)).StatusCode);
        await ApiAssert.ErrorAsync(await asOps.GetAsync($"/api/v1/data-connections/{salesConnection}"), HttpStatusCode.NotFound);
        var members = await a.Admin.GetAsync($"/api/v1/groups/{opsId}/members").JsonAsync();
        Assert.Equal(["idp"], Assert.Single(members.GetProperty("data").EnumerateArray()).GetProperty("sources").Strings());
        Assert.Empty((await a.Admin.GetAsync($"/api/v1/groups/{salesId}/members").JsonAsync()).Ids());

        var asNobody = SignedInA(subject);
        Assert.Empty(await SeenAsync(asNobody));
        Assert.Empty((await asNobody.GetAsync("/api/v1/spaces").JsonAsync()).Ids());
        Assert.Empty((await a.Admin.GetAsync($"/api/v1/groups/{opsId}/members").JsonAsync()).Ids());

        // A membership an admin stored outlives sign-ins that do not name the group.
        var me = (await asNobody.GetAsync("/api/v1/users/me").JsonAsync()).GetProperty("id").GetString()!;
        await a.AddMemberAsync(salesId, me);
        Assert.Equal([salesConnection], await SeenAsync(SignedInA(subject)));
    }

    [Fact]
    public async Task EachIssuerFillsItsOwnTenantsGroupsFromItsConfiguredClaim()
    {
        var (a, b) = await fixture.Tenants.Value;
        var shared = Unique("eng");
        var aSubject = Unique("a-user");
        var bSubject = Unique("b-user");
        Assert.Equal(HttpStatusCode.OK, (await SignedInA(aSubject, shared).GetAsync("/api/v1/users/me")).StatusCode);
        // Issuer B names groups in 'memberOf'; its 'groups' claim is not read.
        var bClient = Factory.Client(Token(GroupClaimFixture.IssuerB, bSubject, "memberOf", shared));
        Assert.Equal(HttpStatusCode.OK, (await bClient.GetAsync("/api/v1/users/me")).StatusCode);
        var ignored = Unique("ignored");
        Assert.Equal(HttpStatusCode.OK, (await Factory.Client(Token(GroupClaimFixture.IssuerB, bSubject, "groups", ignored)).GetAsync("/api/v1/users/me")).StatusCode);
        Assert.Empty((await b.Admin.GetAsync("/api/v1/groups?filter=" + Uri.EscapeDataString($"name eq \"{ignored}\"")).JsonAsync()).Ids());

        var aGroup = await GroupIdAsync(a, shared);
        var bGroup = await GroupIdAsync(b, shared);
        Assert.NotEqual(aGroup, bGroup);
        var aSpace = await a.NewSpaceAsync("shared");
        var aConnection = await a.Admin.NewConnectionAsync(aSpace);
        await a.AssignGroupAsync(aSpace, aGroup, "facilitator");
        // B's member of the same-named group sees nothing of A, and B's admin cannot reach A's group.
        var bAgain = Factory.Client(Token(GroupClaimFixture.IssuerB, bSubject, "memberOf", shared));
        await ApiAssert.ErrorAsync(await bAgain.GetAsync($"/api/v1/data-connections/{aConnection}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await bAgain.GetAsync($"/api/v1/spaces/{aSpace}"), HttpStatusCode.NotFound);
        await ApiAssert.ErrorAsync(await b.Admin.GetAsync($"/api/v1/groups/{aGroup}/members"), HttpStatusCode.NotFound);
        Assert.Equal(["list", "read", "update", "delete"],
            (await SignedInA(aSubject, shared).GetAsync($"/api/v1/data-connections/{aConnection}").JsonAsync()).GetProperty("privileges").Strings());
    }

    [Fact]
    public async Task MembersOfAConfiguredAdminGroupAreTenantAdminInTheirOwnTenantOnly()
    {
        var (a, b) = await fixture.Tenants.Value;
        var subject = Unique("adm");
        var asAdmin = SignedInA(subject, GroupClaimFixture.AdminGroup);
        Assert.Contains(a.AdminUserId, (await asAdmin.GetAsync("/api/v1/users?limit=100").JsonAsync()).Ids());
        Assert.Equal(HttpStatusCode.Created, (await asAdmin.PostAsJsonAsync("/api/v1/groups", new { name = Unique("by-claim-admin") })).StatusCode);
        Assert.DoesNotContain(b.AdminUserId, (await asAdmin.GetAsync("/api/v1/users?limit=100").JsonAsync()).Ids());

        // The next sign-in without the group is an ordinary user again.
        var asUser = SignedInA(subject);
        Assert.Single((await asUser.GetAsync("/api/v1/users").JsonAsync()).Ids());
        await ApiAssert.ErrorAsync(await asUser.PostAsJsonAsync("/api/v1/groups", new { name = Unique("refused") }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task WithoutAutoCreateGroupsASignInJoinsOnlyGroupsThatExist()
    {
        var (_, b) = await fixture.Tenants.Value;
        var known = await b.NewGroupAsync(Unique("known"));
        var knownName = (await b.Admin.GetAsync($"/api/v1/groups/{known}").JsonAsync()).GetProperty("name").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await b.Admin.PatchAsJsonAsync("/api/v1/groups/settings", new[] { new { op = "replace", path = "/autoCreateGroups", value = false } })).StatusCode);
        try
        {
            var unknown = Unique("unknown");
            var client = Factory.Client(Token(GroupClaimFixture.IssuerB, Unique("b"), "memberOf", knownName, unknown));
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/users/me")).StatusCode);
            Assert.Empty((await b.Admin.GetAsync("/api/v1/groups?filter=" + Uri.EscapeDataString($"name eq \"{unknown}\"")).JsonAsync()).Ids());
            Assert.Single((await b.Admin.GetAsync($"/api/v1/groups/{known}/members").JsonAsync()).Ids());
        }
        finally
        {
            await b.Admin.PatchAsJsonAsync("/api/v1/groups/settings", new[] { new { op = "replace", path = "/autoCreateGroups", value = true } });
        }
    }
}
