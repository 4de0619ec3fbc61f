using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Connectory.DataConnections;
using Connectory.DataCredentials;
using Connectory.Secrets;
using Connectory.Tests.DataCredentials;
using Connectory.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.Secrets;

public sealed class KeyRotationTests : IDisposable
{
    // Instances re-read the key file on every use, so rotation needs no settling wait.
    readonly ConnectoryFactory factory = ConnectoryFactory.With(new() { ["Secrets:ReloadSeconds"] = "0" });

    public void Dispose() => factory.Dispose();

    [PostgresFact]
    public async Task RotationWaitingForAConnectionHoldsNothingARequestNeeds()
    {
        // PostgreSQL locks rows: every change to a connection also updates its tenant's connections version. A
        // rotation that re-wrapped several connections in one transaction held that version row while waiting for a
        // connection a request held, and the request waited for the version row: a deadlock. SQLite has one writer
        // at a time, so there is nothing to interleave there.
        var tenant = await factory.NewTenantAsync();
        var ids = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            ids.Add((await tenant.Admin.NewConnectionAsync(CredentialApi.Connection(secret: $"secret-{i}"))).GetProperty("qID").GetString()!);
        }
        ids.Sort(StringComparer.Ordinal);
        var connectionString = Microsoft.Extensions.Configuration.ConfigurationExtensions.GetConnectionString(factory.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>(), "Connectory")!;
        // Another client holds the connection the rotation reaches last.
        await using var blocker = new Npgsql.NpgsqlConnection(connectionString);
        await blocker.OpenAsync();
        await using var hold = await blocker.BeginTransactionAsync();
        await using (var lockRow = new Npgsql.NpgsqlCommand("SELECT 1 FROM data_connections WHERE \"Id\" = @id FOR UPDATE", blocker, hold))
        {
            lockRow.Parameters.AddWithValue("id", ids[^1]);
            await lockRow.ExecuteScalarAsync();
        }
        using var admin = factory.Restarted(new() { ["Secrets:RotationBatchSize"] = "50" });
        var rotation = KeyCommands.RotateAsync(admin.Services, resume: false, new StringWriter());
        try
        {
            // Wait (20 s at most) until the rotation waits for the held row.
            var waiting = Stopwatch.StartNew();
            await using var watch = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()", blocker, hold);
            while ((long)(await watch.ExecuteScalarAsync())! == 0)
            {
                Assert.True(waiting.Elapsed < TimeSpan.FromSeconds(20), "the rotation never reached the held connection");
                await Task.Delay(50);
            }
            // Meanwhile a request changes a connection the rotation has already re-wrapped: it must not wait.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            HttpResponseMessage patched;
            try
            {
                patched = await tenant.Admin.PatchAsJsonAsync($"/api/v1/data-connections/{ids[0]}",
                    new[] { new { op = "replace", path = "/tags", value = new[] { "during-rotation" } } }, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException("A request changing a re-wrapped connection waited 10 s for the rotation.");
            }
            Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        }
        finally
        {
            await hold.RollbackAsync();
        }
        Assert.Equal(0, await rotation);
    }

    [Fact]
    public async Task RotationWhileServingLeavesEverySecretUnderTheNewKeyAndNoneUnderTheOld()
    {
        var tenant = await factory.NewTenantAsync();
        var client = tenant.Admin;
        var passwords = new Dictionary<string, string>();
        for (var i = 0; i < 12; i++)
        {
            var id = await client.NewCredentialAsync($"cred-{i}", password: $"initial-{i}");
            passwords[id] = $"initial-{i}";
        }
        var secrets = new Dictionary<string, string>();
        for (var i = 0; i < 5; i++)
        {
            var connection = await client.NewConnectionAsync(CredentialApi.Connection(secret: $"secret-{i}"));
            secrets[connection.GetProperty("qID").GetString()!] = $"secret-{i}";
        }
        var credentialIds = passwords.Keys.ToList();
        var connectionIds = secrets.Keys.ToList();

        // Another instance over the same data directory and database runs the rotation, in small batches.
        using var admin = factory.Restarted(new() { ["Secrets:RotationBatchSize"] = "3" });
        var output = new StringWriter();
        var rotation = KeyCommands.RotateAsync(admin.Services, resume: false, output);

        var rounds = 0;
        while (rounds < 10 || (!rotation.IsCompleted && rounds < 300))
        {
            var credentialId = credentialIds[rounds % credentialIds.Count];
            passwords[credentialId] = $"during-{rounds}";
            await ApiAssert.OkAsync(await client.PatchCredentialAsync(credentialId, new[] { new { op = "replace", path = "/qPassword", value = $"during-{rounds}" } }), HttpStatusCode.NoContent);
            await client.GetAsync($"/api/v1/data-credentials/{credentialIds[(rounds + 5) % credentialIds.Count]}").JsonAsync();
            var connectionId = connectionIds[rounds % connectionIds.Count];
            if (rounds % 2 == 0)
            {
                secrets[connectionId] = $"secret-during-{rounds}";
                await ApiAssert.OkAsync(await client.PatchAsJsonAsync($"/api/v1/data-connections/{connectionId}", new[] { new { op = "replace", path = "/qConnectionSecret", value = $"secret-during-{rounds}" } }), HttpStatusCode.NoContent);
            }
            var read = await client.GetAsync($"/api/v1/data-connections/{connectionId}").JsonAsync();
            Assert.Equal(secrets[connectionId], read.GetProperty("qConnectionSecret").GetString());
            rounds++;
        }
        Assert.Equal(0, await rotation);
        var report = output.ToString();
        Assert.Contains("re-wrapped", report, StringComparison.Ordinal);
        Assert.Contains("Retired", report, StringComparison.Ordinal);

        var ring = admin.Services.GetRequiredService<MasterKeyRing>();
        var newKey = ring.CurrentKeyId;
        Assert.NotEqual("k1", newKey);
        // The serving instance took the new key too: what it writes now is under it.
        Assert.Equal(newKey, factory.Services.GetRequiredService<MasterKeyRing>().CurrentKeyId);
        await ApiAssert.OkAsync(await client.PatchCredentialAsync(credentialIds[0], new[] { new { op = "replace", path = "/qPassword", value = "after" } }), HttpStatusCode.NoContent);
        passwords[credentialIds[0]] = "after";

        var stored = await factory.AllStoredSecretsAsync();
        Assert.All(stored, value => Assert.Equal(newKey, SecretStore.KeyIdOf(value)));
        var protector = factory.Services.GetRequiredService<SecretProtector>();
        foreach (var (id, password) in passwords)
        {
            Assert.Equal(password, protector.TryUnprotect((await factory.PasswordAsync(id))!, new SecretContext(tenant.Id, id, CredentialStore.PasswordField)));
        }
        foreach (var (id, secret) in secrets)
        {
            Assert.Equal(secret, protector.TryUnprotect((await factory.ConnectionSecretAsync(id))!, new SecretContext(tenant.Id, id, ConnectionWrites.SecretField)));
        }

        var status = await admin.Services.GetRequiredService<KeyRotation>().StatusAsync(CancellationToken.None);
        var old = status.Keys.Single(k => k.KeyId == "k1");
        Assert.Equal(0, old.Total);
        Assert.NotNull(old.RetiredAt);
        Assert.Equal(stored.Count, status.Keys.Single(k => k.KeyId == newKey).Total);
        var statusText = new StringWriter();
        Assert.Equal(0, await KeyCommands.StatusAsync(admin.Services, statusText));
        Assert.Matches(@"k1\s+retired [^\n]*secrets: 0 ", statusText.ToString());

        // The old key can leave the key file: the service starts without it and reads every secret.
        // (The first instance keeps running: on PostgreSQL, disposing the factory drops its database.)
        await admin.DisposeAsync();
        var keyFile = Path.Combine(factory.DataDir, MasterKeyRing.GeneratedFile);
        File.WriteAllLines(keyFile, File.ReadAllLines(keyFile).Where(l => !l.StartsWith("k1 ", StringComparison.Ordinal)));
        using var restarted = factory.Restarted();
        var again = restarted.Client(client.DefaultRequestHeaders.Authorization!.Parameter);
        foreach (var (id, secret) in secrets)
        {
            Assert.Equal(secret, (await again.GetAsync($"/api/v1/data-connections/{id}").JsonAsync()).GetProperty("qConnectionSecret").GetString());
        }
        foreach (var id in credentialIds)
        {
            await again.GetAsync($"/api/v1/data-credentials/{id}").JsonAsync();
        }
    }

    [Fact]
    public async Task AnInterruptedRotationResumesWhereItStopped()
    {
        var tenant = await factory.NewTenantAsync();
        for (var i = 0; i < 8; i++)
        {
            await tenant.Admin.NewCredentialAsync($"cred-{i}");
        }
        using var admin = factory.Restarted(new() { ["Secrets:RotationBatchSize"] = "2" });
        using var interrupt = new CancellationTokenSource();
        var progress = new InterruptingWriter(interrupt);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => KeyCommands.RotateAsync(admin.Services, resume: false, progress, interrupt.Token));

        var rotation = admin.Services.GetRequiredService<KeyRotation>();
        var newKey = admin.Services.GetRequiredService<MasterKeyRing>().CurrentKeyId;
        var halfway = await rotation.StatusAsync(CancellationToken.None);
        var moved = halfway.Keys.Single(k => k.KeyId == newKey).Total;
        Assert.InRange(moved, 1, 7);
        Assert.Equal(8 - moved, halfway.Keys.Single(k => k.KeyId == "k1").Total);
        Assert.Null(halfway.Keys.Single(k => k.KeyId == "k1").RetiredAt);
        // The serving instance reads both halves meanwhile.
        foreach (var value in await factory.AllStoredSecretsAsync())
        {
            Assert.Contains(SecretStore.KeyIdOf(value), new[] { "k1", newKey });
        }

        Assert.Equal(0, await KeyCommands.RotateAsync(admin.Services, resume: true, new StringWriter()));
        Assert.Equal(newKey, admin.Services.GetRequiredService<MasterKeyRing>().CurrentKeyId);
        var done = await rotation.StatusAsync(CancellationToken.None);
        Assert.Equal(0, done.Keys.Single(k => k.KeyId == "k1").Total);
        Assert.NotNull(done.Keys.Single(k => k.KeyId == "k1").RetiredAt);
        Assert.All(await factory.AllStoredSecretsAsync(), value => Assert.Equal(newKey, SecretStore.KeyIdOf(value)));
    }

    /// <summary>Stops the rotation right after its first batch is committed, as an operator's Ctrl+C would.</summary>
    sealed class InterruptingWriter(CancellationTokenSource interrupt) : StringWriter(System.Globalization.CultureInfo.InvariantCulture)
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains("re-wrapped under", StringComparison.Ordinal) == true)
            {
                interrupt.Cancel();
            }
        }
    }
}
