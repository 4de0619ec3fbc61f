using System.Net;
using System.Net.Http.Json;
using System.Text;
using Connectory.DataCredentials;
using Connectory.Secrets;
using Connectory.Tests.DataCredentials;
using Connectory.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.Secrets;

public sealed class SecretProtectionTests : IDisposable
{
    readonly ConnectoryFactory factory = new();

    public void Dispose() => factory.Dispose();

    [Fact]
    public async Task StoredSecretsCarryVersionAndKeyIdAndDecryptOnlyForTheirOwnRecord()
    {
        var tenant = await factory.NewTenantAsync();
        var first = await tenant.Admin.NewCredentialAsync("First", password: "first-password");
        var second = await tenant.Admin.NewCredentialAsync("Second", password: "second-password");
        var stored = (await factory.PasswordAsync(first))!;
        Assert.StartsWith("v1:k1:", stored);
        Assert.DoesNotContain("first-password", stored);
        // A data key per value: the same password twice never gives the same stored value.
        await ApiAssert.OkAsync(await tenant.Admin.PatchCredentialAsync(second, new[] { new { op = "replace", path = "/qPassword", value = "first-password" } }), HttpStatusCode.NoContent);
        Assert.NotEqual(stored, await factory.PasswordAsync(second));

        var protector = factory.Services.GetRequiredService<SecretProtector>();
        Assert.Equal("first-password", protector.TryUnprotect(stored, new SecretContext(tenant.Id, first, CredentialStore.PasswordField)));
        Assert.Null(protector.TryUnprotect(stored, new SecretContext(tenant.Id, second, CredentialStore.PasswordField)));
        Assert.Null(protector.TryUnprotect(stored, new SecretContext("another-tenant", first, CredentialStore.PasswordField)));
        Assert.Null(protector.TryUnprotect(stored, new SecretContext(tenant.Id, first, "qConnectionSecret")));
        Assert.Null(protector.TryUnprotect(stored.Replace("v1:k1:", "v1:k7:", StringComparison.Ordinal), new SecretContext(tenant.Id, first, CredentialStore.PasswordField)));
        Assert.Null(protector.TryUnprotect(stored.Replace("v1:", "v9:", StringComparison.Ordinal), new SecretContext(tenant.Id, first, CredentialStore.PasswordField)));

        // Copied to another row, the value does not decrypt: the API says so instead of serving it.
        await factory.SetPasswordAsync(second, stored);
        var error = await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"/api/v1/data-credentials/{second}"), HttpStatusCode.InternalServerError, "DCERROR-0501");
        Assert.Equal("Credential decryption failed", error.GetProperty("title").GetString());
    }

    [Fact]
    public async Task ATamperedCiphertextAnswers500CredentialDecryptionFailedNamingNoSecret()
    {
        var tenant = await factory.NewTenantAsync();
        var id = await tenant.Admin.NewCredentialAsync("Tampered", password: "tamper-canary-2718");
        await factory.SetPasswordAsync(id, SecretStore.Tamper((await factory.PasswordAsync(id))!));

        var response = await tenant.Admin.GetAsync($"/api/v1/data-credentials/{id}");
        var body = await response.Content.ReadAsStringAsync();
        var error = await ApiAssert.ErrorAsync(response, HttpStatusCode.InternalServerError, "DCERROR-0501");
        Assert.Equal("Credential decryption failed", error.GetProperty("title").GetString());
        Assert.DoesNotContain("tamper-canary-2718", body);
        Assert.DoesNotContain("v1:", body);
        Assert.Contains(factory.Logs, line => line.Contains(id, StringComparison.Ordinal) && line.Contains("did not decrypt", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs, line => line.Contains("tamper-canary-2718", StringComparison.Ordinal));

        // A connection secret is bound the same way.
        var connection = await tenant.Admin.NewConnectionAsync(CredentialApi.Connection(secret: "connection-secret"));
        var connectionId = connection.GetProperty("qID").GetString()!;
        var secret = (await factory.ConnectionSecretAsync(connectionId))!;
        await factory.SetConnectionSecretAsync(connectionId, SecretStore.Tamper(secret));
        await ApiAssert.ErrorAsync(await tenant.Admin.GetAsync($"/api/v1/data-connections/{connectionId}"), HttpStatusCode.InternalServerError, "DCERROR-0501");
    }

    [Fact]
    public async Task AGeneratedMasterKeyIsOwnerOnlyAndLoggedAsAWarning()
    {
        await factory.NewTenantAsync();
        var file = Path.Combine(factory.DataDir, MasterKeyRing.GeneratedFile);
        Assert.Matches("^k1 [A-Za-z0-9+/=]{44}\n$", File.ReadAllText(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        Assert.Contains(factory.Logs, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("No master key configured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheServiceRefusesToStartWithoutTheMasterKeyItsSecretsUse()
    {
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewCredentialAsync("Guarded");

        var otherKeys = Path.Combine(factory.DataDir, "other.keys");
        File.WriteAllText(otherKeys, $"k9 {Convert.ToBase64String(new byte[32])}\n");
        var missing = StartFailure(new() { ["Secrets:MasterKeyFile"] = otherKeys });
        Assert.Contains("master key 'k1' is missing", missing, StringComparison.Ordinal);

        File.WriteAllText(otherKeys, $"k1 {Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}\n");
        var wrong = StartFailure(new() { ["Secrets:MasterKeyFile"] = otherKeys });
        Assert.Contains("master key 'k1'", wrong, StringComparison.Ordinal);
        Assert.Contains("is not the key that encrypted", wrong, StringComparison.Ordinal);

        var noFile = StartFailure(new() { ["Secrets:MasterKeyFile"] = Path.Combine(factory.DataDir, "absent.keys") });
        Assert.Contains("does not exist", noFile, StringComparison.Ordinal);

        using var right = factory.Restarted();
        Assert.Equal(HttpStatusCode.OK, (await right.Client(null).GetAsync("/health/ready")).StatusCode);
    }

    string StartFailure(Dictionary<string, string?> settings)
    {
        var restarted = factory.Restarted(settings);
        try
        {
            var failure = Assert.ThrowsAny<Exception>(() => restarted.Client(null));
            return failure.ToString();
        }
        finally
        {
            try
            {
                restarted.Dispose();
            }
            catch (Exception)
            {
                // A host that never started may fail to stop; only the start failure matters here.
            }
        }
    }

    [Fact]
    public async Task ACanaryPasswordAndSecretNeverReachLogsResponsesOrTheDatabase()
    {
        var canary = "canary-" + Guid.NewGuid().ToString("N");
        var secret = "secret-canary-" + Guid.NewGuid().ToString("N");
        var keptName = "kept-" + Guid.NewGuid().ToString("N");
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var client = user.Client;
        var bodies = new List<string>();
        async Task<HttpResponseMessage> Record(Task<HttpResponseMessage> call)
        {
            var response = await call;
            bodies.Add(await response.Content.ReadAsStringAsync());
            return response;
        }

        var credentialId = Guid.NewGuid().ToString();
        await Record(client.PutCredentialAsync(credentialId, new { qName = "Canary", qType = "t", qUsername = "u", qPassword = canary }));
        await Record(client.PutCredentialAsync(credentialId, new { qName = "Canary", qType = "t", qUsername = "u", qPassword = canary, datasourceID = "ds" }));
        await Record(client.PatchCredentialAsync(credentialId, new[] { new { op = "replace", path = "/qPassword", value = canary } }));
        await Record(client.PatchCredentialAsync(credentialId, new object[] { new { op = "replace", path = "/qPassword", value = canary }, new { op = "replace", path = "/bogus", value = canary } }));
        await Record(client.PutCredentialAsync(Guid.NewGuid().ToString(), new { qType = "t", qUsername = "u", qPassword = canary }));
        await Record(client.PutAsync($"/api/v1/data-credentials/{credentialId}", new StringContent($"{{\"qPassword\":\"{canary}\",\"qName\":5}}", Encoding.UTF8, "application/json")));
        await Record(client.GetAsync($"/api/v1/data-credentials/{credentialId}"));
        await Record(client.GetAsync("/api/v1/data-credentials/Canary?byCredentialName=true"));
        await Record(client.PostAsJsonAsync("/api/v1/data-credentials/actions/filter-orphan", new { }));

        var created = await Record(client.PostAsJsonAsync("/api/v1/data-connections", CredentialApi.Connection(username: "u", password: canary)));
        var connection = await ApiAssert.OkAsync(created, HttpStatusCode.Created);
        var connectionId = connection.GetProperty("qID").GetString()!;
        var linked = await Record(client.PostAsJsonAsync("/api/v1/data-connections", CredentialApi.Connection(credentialId: credentialId)));
        Assert.Equal(HttpStatusCode.Created, linked.StatusCode);
        await Record(client.PatchAsJsonAsync($"/api/v1/data-connections/{connectionId}", new[] { new { op = "replace", path = "/qPassword", value = canary } }));
        await Record(client.GetAsync($"/api/v1/data-connections/{connectionId}"));
        await Record(client.GetAsync("/api/v1/data-connections"));
        await Record(client.PostAsJsonAsync("/api/v1/data-connections/actions/duplicate", new { id = connectionId, qPassword = canary }));
        await Record(client.GetAsync($"/api/v1/data-credentials/{connection.GetProperty("qCredentialsID").GetString()}"));
        await Record(client.DeleteAsync($"/api/v1/data-connections/{connectionId}"));
        await Record(client.DeleteAsync($"/api/v1/data-credentials/{credentialId}"));

        // One connection stays, holding both the canary password and a canary connection secret, so the stored
        // data below has them (encrypted) beside the connection's plaintext name.
        var kept = await Record(client.PostAsJsonAsync("/api/v1/data-connections", new Dictionary<string, object?>
        {
            ["qName"] = keptName,
            ["qConnectStatement"] = "CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;host=db.example.test;\"",
            ["qType"] = "QvOdbcConnectorPackage.exe",
            ["datasourceID"] = "postgres",
            ["qUsername"] = "u",
            ["qPassword"] = canary,
            ["qConnectionSecret"] = secret,
        }));
        var keptId = (await ApiAssert.OkAsync(kept, HttpStatusCode.Created)).GetProperty("qID").GetString();
        // The list never carries the secret; GET by id returns it to whoever may update the connection (as the spec says).
        var list = await Record(client.GetAsync("/api/v1/data-connections"));
        Assert.Contains(keptId!, await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        string[] canaries = [canary, secret];
        foreach (var needle in canaries)
        {
            Assert.All(bodies, body => Assert.DoesNotContain(needle, body, StringComparison.Ordinal));
            Assert.DoesNotContain(factory.Logs, line => line.Contains(needle, StringComparison.Ordinal));
        }
        if (TestDatabase.IsPostgres)
        {
            var connectionString = factory.Services.GetRequiredService<IConfiguration>().GetConnectionString("Connectory");
            var dump = await PgDump.DumpAsync(connectionString!);
            Assert.Contains(keptName, dump, StringComparison.Ordinal);
            foreach (var needle in canaries)
            {
                Assert.False(dump.Contains(needle, StringComparison.Ordinal), $"the canary {needle} is in the pg_dump of the database");
            }
        }
        else
        {
            var files = Directory.GetFiles(factory.DataDir, "connectory.db*");
            Assert.Contains(files, f => f.EndsWith("-wal", StringComparison.Ordinal));
            var contents = files.ToDictionary(file => Path.GetFileName(file), file =>
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                return copy.ToArray();
            });
            Assert.Contains(contents.Values, bytes => bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(keptName)) >= 0);
            foreach (var needle in canaries)
            {
                foreach (var (name, bytes) in contents)
                {
                    Assert.True(bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) < 0, $"the canary {needle} is in {name}");
                }
            }
        }
    }
}
