using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Connectory.Tests.Cli;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Connectory.Tests.Backup;

/// <summary>
/// <c>connectory backup</c> and <c>connectory restore</c> as an operator runs them (the built binary), over a service
/// that serves meanwhile: what was acknowledged is restored, its secrets decrypt, and a backup that cannot be restored
/// safely is refused with the reason.
/// </summary>
public sealed class BackupRestoreTests(ITestOutputHelper output) : IDisposable
{
    readonly ConnectoryFactory source = new();
    readonly CommandLineRunner target = new();

    public void Dispose()
    {
        source.Dispose();
        target.Dispose();
    }

    sealed record Written(string Id, string Name, string Password, string Secret);

    static object NewConnection(string name, string password, string secret) => new
    {
        qName = name,
        qType = "QvOdbcConnectorPackage.exe",
        datasourceID = "postgres",
        qConnectStatement = $"CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;host={name}.example.test;\"",
        qUsername = "reader",
        qPassword = password,
        qConnectionSecret = secret,
    };

    static string Token(TestTenant tenant) => tenant.Admin.DefaultRequestHeaders.Authorization!.Parameter!;

    /// <summary>Puts the source's master key file into the target's data directory, as an operator restores it from its own backup.</summary>
    void RestoreKeyFile()
    {
        Directory.CreateDirectory(target.DataDir);
        var keys = Path.Combine(target.DataDir, "master.keys");
        File.Copy(Path.Combine(source.DataDir, "master.keys"), keys);
        if (!OperatingSystem.IsWindows())
        {
            // Owner-only, as the service keeps them (it would warn otherwise).
            File.SetUnixFileMode(target.DataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(keys, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    static Task<Written> CreateAsync(TestTenant tenant, string name) => CreateAsync(tenant.Admin, name);

    static async Task<Written> CreateAsync(HttpClient client, string name)
    {
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var secret = "secret-" + Guid.NewGuid().ToString("N");
        var response = await client.PostAsJsonAsync("/api/v1/data-connections", NewConnection(name, password, secret));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return new Written((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("qID").GetString()!, name, password, secret);
    }

    [SqliteFact]
    public async Task ABackupTakenUnderConcurrentWritesRestoresEveryAcknowledgedWriteWithItsSecrets()
    {
        // Resolving hands out passwords to ConnectionResolvers only; the connections are in the writer's personal space.
        var writer = await (await source.NewTenantAsync()).NewUserAsync("ConnectionResolver");
        var acknowledged = new ConcurrentQueue<Written>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                acknowledged.Enqueue(await CreateAsync(writer.Client, $"w{w}-{i}"));
            }
        })).ToList();
        while (acknowledged.Count < 30)
        {
            await Task.Delay(20);
        }

        // Every create answered before the backup starts must be in it; those answered meanwhile may or may not be.
        var before = acknowledged.ToList();
        var backup = await BackupFile.TakeAsync(source, target.WorkingDirectory);
        var duringBackup = acknowledged.Count - before.Count;
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var manifest = BackupFile.Manifest(backup);
        Assert.Equal("connectory-backup/1", manifest["format"]!.GetValue<string>());
        Assert.Equal(await source.WithDbAsync(db => Task.FromResult(db.Database.GetMigrations().Last())), manifest["schemaVersion"]!.GetValue<string>());
        var key = Assert.Single(manifest["masterKeys"]!.AsArray());
        Assert.Equal("k1", key!["id"]!.GetValue<string>());
        Assert.True(manifest["tables"]!["data_connections"]!.GetValue<long>() >= before.Count);
        var database = BackupFile.Read(backup).Single(e => e.Name == "connectory.db").Data;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(database)), manifest["database"]!["sha256"]!.GetValue<string>());

        RestoreKeyFile();
        var restored = (await target.RunOnStoreAsync("restore", backup)).Exits(0);
        Assert.Contains("Restored", restored.Stdout);

        var (server, address) = await target.StartServerAsync("--urls", "http://127.0.0.1:0", "--Resolve:PermitPerMinute=1000000", "--RateLimits:Tier1PerMinute=1000000");
        using (server)
        {
            try
            {
                Assert.NotNull(address);
                using var http = new HttpClient { BaseAddress = address };
                http.DefaultRequestHeaders.Authorization = new("Bearer", writer.Token);
                foreach (var written in before)
                {
                    var get = await http.GetAsync($"/api/v1/data-connections/{written.Id}");
                    Assert.Equal(HttpStatusCode.OK, get.StatusCode);
                    var body = await get.Content.ReadFromJsonAsync<JsonElement>();
                    Assert.Equal(written.Name, body.GetProperty("qName").GetString());
                    Assert.Equal(written.Secret, body.GetProperty("qConnectionSecret").GetString());
                    var resolve = await http.PostAsJsonAsync("/api/connectivity/data-sources/endpoints/actions/filter", new { connectionId = written.Id });
                    Assert.Equal(HttpStatusCode.Created, resolve.StatusCode);
                    Assert.Equal(written.Password, (await resolve.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("connection").GetProperty("password").GetString());
                }
                var count = (await http.GetFromJsonAsync<JsonElement>("/api/v1/data-connections?limit=1&noDatafiles=true")).GetProperty("meta").GetProperty("count").GetInt32();
                // Those acknowledged during the backup may be in it or not; none beyond what was written.
                Assert.InRange(count, before.Count, acknowledged.Count);
                output.WriteLine($"{before.Count} creates acknowledged before the backup, {duringBackup} while it ran; {count} restored");
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }
    }

    [SqliteFact]
    public async Task ABackupWhoseMasterKeysTheRingLacksIsRefusedNamingThem()
    {
        await CreateAsync(await source.NewTenantAsync(), "guarded");
        var backup = await BackupFile.TakeAsync(source, target.WorkingDirectory);

        // No key file at all: the restore must not generate one, which could never be the key the backup needs.
        var run = (await target.RunOnStoreAsync("restore", backup)).Exits(1);
        Assert.Contains("master key(s)", run.Stderr);
        Assert.Contains("'k1' (2 secrets)", run.Stderr);
        Assert.False(File.Exists(Path.Combine(target.DataDir, "master.keys")));

        var otherKeys = Path.Combine(target.WorkingDirectory, "other.keys");
        await File.WriteAllTextAsync(otherKeys, $"k2 {Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}\n");
        run = (await target.RunOnStoreAsync("restore", backup, $"--Secrets:MasterKeyFile={otherKeys}")).Exits(1);
        Assert.Contains("'k1' (2 secrets)", run.Stderr);
        Assert.Contains(otherKeys, run.Stderr);

        // The same id under another key is no better.
        await File.WriteAllTextAsync(otherKeys, $"k1 {Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}\n");
        run = (await target.RunOnStoreAsync("restore", backup, $"--Secrets:MasterKeyFile={otherKeys}")).Exits(1);
        Assert.Contains("'k1' (2 secrets; the ring has a different key under that id)", run.Stderr);
        AssertNothingRestored();
    }

    [SqliteFact]
    public async Task ABackupWhoseChecksumFailsIsRefused()
    {
        await CreateAsync(await source.NewTenantAsync(), "flipped");
        var backup = await BackupFile.TakeAsync(source, target.WorkingDirectory);
        var damaged = BackupFile.Altered(backup, "connectory.db", data =>
        {
            data[data.Length / 2] ^= 0x01;
            return data;
        });
        RestoreKeyFile();
        var run = (await target.RunOnStoreAsync("restore", damaged)).Exits(1);
        Assert.Contains("fails its checksum", run.Stderr);
        AssertNothingRestored();
    }

    [SqliteFact]
    public async Task ABackupWithANewerSchemaIsRefusedNamingBothVersions()
    {
        var ours = await source.WithDbAsync(db => Task.FromResult(db.Database.GetMigrations().Last()));
        var backup = await BackupFile.TakeAsync(source, target.WorkingDirectory);
        RestoreKeyFile();

        // The manifest says so.
        var run = (await target.RunOnStoreAsync("restore", BackupFile.WithManifestSchema(backup, "29991231000000_FromANewerVersion"))).Exits(1);
        Assert.Contains("29991231000000_FromANewerVersion", run.Stderr);
        Assert.Contains(ours, run.Stderr);

        // The database says so (a newer version migrated it before the backup).
        await source.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            "INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('29991231000000_FromANewerVersion', '10.0.0')"));
        run = (await target.RunOnStoreAsync("restore", await BackupFile.TakeAsync(source, target.WorkingDirectory))).Exits(1);
        Assert.Contains("schema version 29991231000000_FromANewerVersion, newer than this version of Connectory knows (its newest is " + ours, run.Stderr);
        AssertNothingRestored();
    }

    [SqliteFact]
    public async Task ARestoreReplacesADatabaseOnlyWithForceAndNeverUnderARunningService()
    {
        var tenant = await source.NewTenantAsync();
        var kept = await CreateAsync(tenant, "kept");
        var backup = await BackupFile.TakeAsync(source, target.WorkingDirectory);
        RestoreKeyFile();
        (await target.RunOnStoreAsync("restore", backup)).Exits(0);
        var database = Path.Combine(target.DataDir, "connectory.db");
        var restoredBytes = await File.ReadAllBytesAsync(database);

        var run = (await target.RunOnStoreAsync("restore", backup)).Exits(1);
        Assert.Contains("already holds a database", run.Stderr);
        Assert.Contains("Stop the service first", run.Stderr);
        Assert.Contains("--force", run.Stderr);
        Assert.Equal(restoredBytes, await File.ReadAllBytesAsync(database));

        var (server, address) = await target.StartServerAsync("--urls", "http://127.0.0.1:0");
        using (server)
        {
            try
            {
                Assert.NotNull(address);
                run = (await target.RunOnStoreAsync("restore", backup, "--force")).Exits(1);
                Assert.Contains("open in another process", run.Stderr);
                using var http = new HttpClient { BaseAddress = address };
                http.DefaultRequestHeaders.Authorization = new("Bearer", Token(tenant));
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/api/v1/data-connections/{kept.Id}")).StatusCode);
            }
            finally
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }

        // Stopped (even killed, leaving its WAL): --force replaces it, and the old WAL is not replayed into the new file.
        (await target.RunOnStoreAsync("restore", backup, "--force")).Exits(0);
        Assert.False(File.Exists(database + "-wal"));
        Assert.Empty(Directory.GetFiles(target.DataDir, "*.tmp"));
        var check = (await target.RunOnStoreAsync("check-schema")).Exits(0);
        Assert.Contains("Up to date.", check.Stdout);
    }

    [SqliteFact]
    public async Task AnOlderSchemaRestoresAndTheNextStartMigratesIt()
    {
        var old = TestDirectory.Create();
        var last = await MigrationSteps.MigrateAllButLastAsync(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = Path.Combine(old, "connectory.db"), Pooling = false }.ToString());
        var backup = Path.Combine(target.WorkingDirectory, "old.tar");
        (await CommandLineRunner.RunAsync(["backup", "--to", backup, "--data-dir", old], target.WorkingDirectory)).Exits(0);

        var run = (await target.RunOnStoreAsync("restore", backup)).Exits(0);
        Assert.Contains("1 migration(s) behind this version", run.Stdout);
        Assert.Contains("the next start applies them", run.Stdout);
        Assert.Contains("Behind by 1 migration(s) (" + last + ")", (await target.RunOnStoreAsync("check-schema")).Exits(0).Stdout);
        (await target.RunOnStoreAsync("migrate")).Exits(0);
        Assert.Contains("Up to date.", (await target.RunOnStoreAsync("check-schema")).Exits(0).Stdout);
    }

    void AssertNothingRestored()
    {
        Assert.False(File.Exists(Path.Combine(target.DataDir, "connectory.db")));
        Assert.Empty(Directory.Exists(target.DataDir) ? Directory.GetFiles(target.DataDir, "*.tmp") : []);
    }
}
