using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.ConnectionTesting;
using Connectory.Tests.Resolving;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.Secrets;

/// <summary>
/// Passwords given as env:// and file:// references: allowed only as the settings say, stored as the reference, read
/// when resolved (so a change to the variable or file counts at once), and failing by naming the reference.
/// </summary>
public sealed class SecretReferenceTests : IDisposable, IClassFixture<LoopbackServers>
{
    readonly List<string> variables = [];
    readonly string secretsDir = Directory.CreateTempSubdirectory("connectory-secrets-").FullName;
    readonly ConnectoryFactory factory;
    readonly LoopbackServers servers;

    public SecretReferenceTests(LoopbackServers servers)
    {
        this.servers = servers;
        factory = ConnectoryFactory.With(new()
        {
            ["Secrets:References:Schemes"] = "env,file",
            ["Secrets:References:Paths:0"] = Path.Combine(secretsDir, "{tenant}"),
        });
    }

    public void Dispose()
    {
        factory.Dispose();
        variables.ForEach(v => Environment.SetEnvironmentVariable(v, null));
        Directory.Delete(secretsDir, recursive: true);
    }

    /// <summary>A tenant and an admin of it who may resolve (only a TenantAdmin stores references).</summary>
    async Task<(TestTenant Tenant, TestUser Resolver)> ResolverAsync()
    {
        var tenant = await factory.NewTenantAsync();
        return (tenant, await tenant.NewUserAsync("ConnectionResolver", "TenantAdmin"));
    }

    /// <summary>A variable of the tenant's own (the default rule: CONNECTORY_SECRET_{tenant}_*).</summary>
    string Variable(TestTenant tenant, string name)
    {
        var variable = $"CONNECTORY_SECRET_{string.Concat(tenant.Id.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'))}_{name}";
        variables.Add(variable);
        return variable;
    }

    static async Task<string?> ResolvedPasswordAsync(TestUser resolver, string id)
    {
        var resolved = await ApiAssert.OkAsync(await resolver.Client.ResolveAsync(new { connectionId = id }), HttpStatusCode.Created);
        var connection = resolved.GetProperty("connection");
        return connection.TryGetProperty("password", out var password) ? password.GetString() : null;
    }

    [Fact]
    public async Task AnEnvironmentReferenceIsStoredAsItselfAndReadWhenResolved()
    {
        var canary = "canary-" + Guid.NewGuid().ToString("N");
        var (tenant, resolver) = await ResolverAsync();
        var envName = Variable(tenant, "DB");
        Environment.SetEnvironmentVariable(envName, canary);
        var id = await resolver.Client.NewConnectionAsync(null, "by-env", $"env://{envName}");

        Assert.Equal(canary, await ResolvedPasswordAsync(resolver, id));
        // Read at each use: a rotated variable counts at once.
        Environment.SetEnvironmentVariable(envName, canary + "-rotated");
        Assert.Equal(canary + "-rotated", await ResolvedPasswordAsync(resolver, id));

        // The database holds the (encrypted) reference, never the value.
        var stored = await factory.WithDbAsync(db => db.DataCredentials.IgnoreQueryFilters().Where(c => c.TenantId == tenant.Id).Select(c => c.Password).ToListAsync());
        Assert.NotEmpty(stored);
        var table = await factory.WholeAuditTableAsync();
        Assert.DoesNotContain(canary, table);
        Assert.DoesNotContain(canary, string.Join("\n", stored));

        // Unset: the resolve says which reference failed and why, and hands out nothing.
        variables.ForEach(v => Environment.SetEnvironmentVariable(v, null));
        var error = Detail(await ApiAssert.ErrorAsync(await resolver.Client.ResolveAsync(new { connectionId = id }), HttpStatusCode.Conflict, "DCERROR-0092"));
        Assert.Contains($"env://{envName}", error);
        Assert.Contains("not set", error);
    }

    [Fact]
    public async Task AFileReferenceReadsAMountedSecretWithoutItsTrailingNewline()
    {
        var canary = "file-canary-" + Guid.NewGuid().ToString("N");
        var (tenant, resolver) = await ResolverAsync();
        var path = Path.Combine(Directory.CreateDirectory(Path.Combine(secretsDir, tenant.Id)).FullName, "db-password");
        await File.WriteAllTextAsync(path, canary + "\n");
        var id = await resolver.Client.NewConnectionAsync(null, "by-file", $"file://{path}");
        Assert.Equal(canary, await ResolvedPasswordAsync(resolver, id));

        File.Delete(path);
        var error = Detail(await ApiAssert.ErrorAsync(await resolver.Client.ResolveAsync(new { connectionId = id }), HttpStatusCode.Conflict, "DCERROR-0092"));
        Assert.Contains($"file://{path}", error);
        Assert.DoesNotContain(canary, error);
    }

    [Fact]
    public async Task ATestOfASavedConnectionSignsInWithTheReferencedValueAndNamesAReferenceItCannotRead()
    {
        var (tenant, admin) = await ResolverAsync();
        var envName = Variable(tenant, "API");
        Environment.SetEnvironmentVariable(envName, LoopbackServers.Password);
        var created = await ApiAssert.OkAsync(await admin.Client.PostAsJsonAsync("/api/v1/data-connections", new
        {
            qName = "rest-by-env",
            qType = "QvRestConnectorPackage.exe",
            datasourceID = "rest",
            qConnectStatement = $"CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=http://127.0.0.1:{servers.HttpPort}/basic;method=GET;authSchema=basic;\"",
            qUsername = LoopbackServers.User,
            qPassword = $"env://{envName}",
        }), HttpStatusCode.Created);
        var id = created.GetProperty("qID").GetString()!;

        var (signedIn, _) = await admin.Client.TestSavedAsync(id);
        ConnectionTestKit.AssertPassed(signedIn, "resolve", "policy", "connect", "http");
        // Read at each test: a rotated variable counts at once, and the server now refuses it.
        Environment.SetEnvironmentVariable(envName, LoopbackServers.Password + "-rotated");
        var (refused, text) = await admin.Client.TestSavedAsync(id);
        Assert.StartsWith("HTTP 401", ConnectionTestKit.AssertFailedAt(refused, "http"));
        Assert.DoesNotContain(LoopbackServers.Password, text, StringComparison.Ordinal);

        Environment.SetEnvironmentVariable(envName, null);
        var error = Detail(await ApiAssert.ErrorAsync(await admin.Client.PostAsync(ConnectionTestKit.SavedUrl(id), null), HttpStatusCode.Conflict, "DCERROR-0092"));
        Assert.Contains($"env://{envName}", error);
        await ConnectionTestKit.AssertNowhereAsync(factory, tenant, LoopbackServers.Password);
    }

    [Fact]
    public async Task ATenantNeverNamesAnotherTenantsSecretsAndOnlyAnAdminStoresAReference()
    {
        var (owner, _) = await ResolverAsync();
        var theirs = Variable(owner, "DB");
        Environment.SetEnvironmentVariable(theirs, "owner-secret");
        var theirFile = Path.Combine(Directory.CreateDirectory(Path.Combine(secretsDir, owner.Id)).FullName, "db");
        await File.WriteAllTextAsync(theirFile, "owner-secret");
        var (other, otherAdmin) = await ResolverAsync();
        foreach (var reference in new[] { $"env://{theirs}", $"file://{theirFile}" })
        {
            var error = Detail(await ApiAssert.ErrorAsync(await otherAdmin.Client.PostAsJsonAsync("/api/v1/data-connections", Body(reference)), HttpStatusCode.BadRequest, "DCERROR-0014"));
            Assert.DoesNotContain("owner-secret", error);
        }

        // A plain user of the owner's tenant may not store one either, even naming their own tenant's secret.
        var plain = await owner.NewUserAsync("ConnectionResolver");
        var refused = Detail(await ApiAssert.ErrorAsync(await plain.Client.PostAsJsonAsync("/api/v1/data-connections", Body($"env://{theirs}")), HttpStatusCode.BadRequest, "DCERROR-0014"));
        Assert.Contains("TenantAdmin", refused);
        Assert.Empty((await other.Admin.GetAsync("/api/v1/data-connections?noDatafiles=true").JsonAsync()).GetProperty("data").EnumerateArray());
    }

    /// <summary>A connection whose password is <paramref name="password"/>: a reference, or refused as one.</summary>
    internal static object Body(string password) => new
    {
        qName = "reference-" + Guid.NewGuid().ToString("N")[..6],
        qConnectStatement = ResolveKit.Statement,
        qType = "QvOdbcConnectorPackage.exe",
        datasourceID = "postgres",
        qUsername = "reader",
        qPassword = password,
    };

    [Theory]
    [InlineData("env://PATH", "not one references may name")]
    [InlineData("env://CONNECTORY_SECRET_BAD-NAME", "letters, digits and underscores")]
    [InlineData("file:///etc/passwd", "outside the directories")]
    [InlineData("file://relative/path", "absolute path")]
    [InlineData("FILE:///run/secrets/../../etc/shadow", "outside the directories")]
    public async Task ReferencesTheSettingsDoNotAllowAre400WhenWritten(string reference, string reason)
    {
        var (tenant, resolver) = await ResolverAsync();
        var error = Detail(await ApiAssert.ErrorAsync(await resolver.Client.PostAsJsonAsync("/api/v1/data-connections", Body(reference)), HttpStatusCode.BadRequest, "DCERROR-0014"));
        Assert.Contains(reason, error);
        Assert.Empty((await resolver.Client.GetAsync("/api/v1/data-connections?noDatafiles=true").JsonAsync()).GetProperty("data").EnumerateArray());

        // The same rule on the data-credentials API, which keeps the password it had.
        var id = Guid.NewGuid().ToString();
        await ApiAssert.OkAsync(await tenant.Admin.PutAsJsonAsync($"/api/v1/data-credentials/{id}",
            new { qID = id, qName = "credential", qType = "QvRestConnectorPackage.exe", qUsername = "svc", qPassword = "plain", datasourceID = "rest" }), HttpStatusCode.NoContent);
        await ApiAssert.ErrorAsync(await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-credentials/{id}",
            new[] { new { op = "replace", path = "/qPassword", value = reference } }), HttpStatusCode.BadRequest, "DCERROR-0014");
    }

    internal static string Detail(System.Text.Json.JsonElement error) => error.GetProperty("detail").GetString()!;
}

/// <summary>With the default settings references are off: reference syntax is refused, never stored as a literal password.</summary>
public sealed class SecretReferencesOffTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    [Theory]
    [InlineData("env://CONNECTORY_SECRET_DB")]
    [InlineData("file:///run/secrets/db")]
    public async Task ReferencesAreRefusedUntilAnAdminEnablesThem(string reference)
    {
        var tenant = await factory.NewTenantAsync();
        var error = SecretReferenceTests.Detail(await ApiAssert.ErrorAsync(await tenant.Admin.PostAsJsonAsync("/api/v1/data-connections", SecretReferenceTests.Body(reference)), HttpStatusCode.BadRequest, "DCERROR-0014"));
        Assert.Contains("Secrets:References:Schemes", error);
    }
}
