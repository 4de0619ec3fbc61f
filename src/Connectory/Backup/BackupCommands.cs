using Connectory.Data;
using Connectory.Hosting;
using Connectory.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Backup;

/// <summary>
/// <c>connectory backup --to FILE</c>, <c>connectory restore FILE [--force]</c> and <c>connectory check-schema</c>.
/// A backup holds the database only; its secrets are wrapped under master keys that are backed up apart from it.
/// </summary>
internal static class BackupCommands
{
    const string PostgresBackup =
        "The store is PostgreSQL: back it up with PostgreSQL's own tools, e.g. " +
        "'pg_dump --format=custom --file=connectory.dump \"$DATABASE\"', and back up the master key file apart from it (see README, \"Backup and restore\").";

    const string PostgresRestore =
        "The store is PostgreSQL: restore a pg_dump with 'pg_restore --clean --if-exists --no-owner --dbname=\"$DATABASE\" connectory.dump' " +
        "while no instance runs, then run 'connectory check-schema' (see README, \"Backup and restore\").";

    const string StopTheService =
        "Stop the service first (systemctl stop connectory, docker stop <container>, or Ctrl+C where it runs)";

    public static async Task<int> BackupAsync(IServiceProvider services, string to, TextWriter output, CancellationToken ct = default)
    {
        if (services.GetRequiredService<IOptions<DatabaseOptions>>().Value.IsPostgres)
        {
            return Fail(PostgresBackup);
        }
        var source = Path.Combine(services.GetRequiredService<DataDirectory>().Path, DatabaseRegistration.SqliteFile);
        if (!File.Exists(source))
        {
            return Fail($"No database at {source} to back up (is --data-dir right?).");
        }
        to = Path.GetFullPath(to);
        var copy = $"{to}.{Guid.NewGuid():N}.db.tmp";
        try
        {
            OwnerOnly.CreateFile(copy);
            await SqliteSnapshot.CopyAsync(source, copy, ct);
            var facts = await SqliteSnapshot.ReadFactsAsync(copy, ct);
            var (bytes, sha256) = await SqliteSnapshot.HashAsync(copy, ct);
            var manifest = new BackupManifest
            {
                Format = BackupManifest.CurrentFormat,
                CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow(),
                ConnectoryVersion = typeof(BackupCommands).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
                Provider = "sqlite",
                SchemaVersion = facts.Schema.Latest,
                MasterKeys = facts.MasterKeys,
                Tables = facts.Tables,
                Database = new BackupDatabaseFile(BackupArchive.DatabaseEntry, bytes, sha256),
            };
            await BackupArchive.WriteAsync(services.GetRequiredService<IFileSystem>(), to, manifest, copy, ct);
            output.WriteLine($"Backed up {source} to {to}: schema {manifest.SchemaVersion}, {facts.Tables.Values.Sum()} rows in {facts.Tables.Count} tables, sha256 {sha256}.");
            output.WriteLine($"Its secrets need master key(s) {KeyList(facts.MasterKeys)}: back up {KeySource(services)} separately, never beside this file.");
            return 0;
        }
        finally
        {
            File.Delete(copy);
        }
    }

    public static async Task<int> RestoreAsync(IServiceProvider services, string archive, bool force, TextWriter output, CancellationToken ct = default)
    {
        if (services.GetRequiredService<IOptions<DatabaseOptions>>().Value.IsPostgres)
        {
            return Fail(PostgresRestore);
        }
        if (!File.Exists(archive))
        {
            return Fail($"No backup file {archive}.");
        }
        var target = services.GetRequiredService<DataDirectory>().File(DatabaseRegistration.SqliteFile);
        if (File.Exists(target) && !force)
        {
            return Fail($"{target} already holds a database, and a restore replaces it. {StopTheService}, then run 'connectory restore {archive} --force'.");
        }
        // In the database's own directory, so the final rename is atomic and the file is never half there.
        var aside = $"{target}.{Guid.NewGuid():N}.restore.tmp";
        try
        {
            var files = services.GetRequiredService<IFileSystem>();
            var (manifest, bytes, sha256) = await BackupArchive.ExtractAsync(files, archive, aside, ct);
            var facts = await CheckAsync(services, archive, manifest, aside, bytes, sha256, ct);
            if (File.Exists(target) && await SqliteSnapshot.IsOpenElsewhereAsync(target, ct))
            {
                return Fail($"{target} is open in another process, as when the service is running. {StopTheService}, then run the restore again.");
            }
            // The old database's WAL or journal would be replayed into the new file at its first open.
            foreach (var leftover in new[] { "-wal", "-shm", "-journal" })
            {
                File.Delete(target + leftover);
            }
            files.Move(aside, target, overwrite: true);
            files.SyncDirectory(Path.GetDirectoryName(target) ?? ".");
            output.WriteLine($"Restored {archive} (taken {manifest.CreatedAt:yyyy-MM-dd HH:mm:ss'Z'}, schema {facts.Schema.Latest}, {facts.Tables.Values.Sum()} rows) into {target}.");
            if (facts.Schema.Pending.Count > 0)
            {
                output.WriteLine($"Its schema is {facts.Schema.Pending.Count} migration(s) behind this version ({facts.Schema.BuildLatest}): the next start applies them.");
            }
            output.WriteLine("Start the service, then rotate the master key ('connectory keys rotate') if the backup or the key file may have been exposed.");
            return 0;
        }
        catch (BackupRefused refused)
        {
            return Fail(refused.Message);
        }
        finally
        {
            File.Delete(aside);
        }
    }

    /// <summary>Refuses a backup that is damaged, newer than this build, or whose master keys the configured ring lacks.</summary>
    static async Task<DatabaseFacts> CheckAsync(IServiceProvider services, string archive, BackupManifest manifest, string database, long bytes, string sha256, CancellationToken ct)
    {
        if (manifest.Format != BackupManifest.CurrentFormat || manifest.Provider != "sqlite")
        {
            throw new BackupRefused($"{archive} is a '{manifest.Format}' backup of {manifest.Provider}; this version restores '{BackupManifest.CurrentFormat}' backups of sqlite.");
        }
        if (!string.Equals(manifest.Database.Sha256, sha256, StringComparison.OrdinalIgnoreCase) || manifest.Database.Bytes != bytes)
        {
            throw new BackupRefused($"{archive} fails its checksum: the database in it has SHA-256 {sha256} ({bytes} bytes), its manifest says {manifest.Database.Sha256} ({manifest.Database.Bytes} bytes). The file is damaged: restore another copy.");
        }
        if (await SqliteSnapshot.QuickCheckAsync(database, ct) is var check && check != "ok")
        {
            throw new BackupRefused($"The database in {archive} fails SQLite's integrity check: {check}");
        }
        var facts = await SqliteSnapshot.ReadFactsAsync(database, ct);
        if (facts.Schema.IsNewer)
        {
            throw new BackupRefused(facts.Schema.NewerMessage($"The database in {archive}"));
        }
        if (manifest.SchemaVersion is { } stated && !facts.Schema.Known.Contains(stated, StringComparer.Ordinal))
        {
            throw new BackupRefused($"{archive}'s manifest names schema version {stated}, which this version of Connectory does not know (its newest is {facts.Schema.BuildLatest}): a newer Connectory made it; restore it with that version.");
        }
        var missing = MissingKeys(services, facts.MasterKeys);
        if (missing.Count > 0)
        {
            throw new BackupRefused($"The backup's secrets are wrapped under master key(s) that {KeySource(services)} lacks: {string.Join("; ", missing)}. " +
                "Put the key file that holds them in place (Secrets:MasterKeyFile, or master.keys in the data directory) and run the restore again.");
        }
        return facts;
    }

    /// <summary>Each key the backup needs that the configured ring lacks or holds under another value, described.</summary>
    static List<string> MissingKeys(IServiceProvider services, IReadOnlyList<BackupMasterKey> needed)
    {
        if (needed.Count == 0)
        {
            return [];
        }
        var settings = services.GetRequiredService<IOptions<SecretsOptions>>().Value;
        if (string.IsNullOrEmpty(settings.MasterKey) && settings.MasterKeyFile is null && !File.Exists(DefaultKeyFile(services)))
        {
            // The ring would generate a fresh key here, which cannot be the one the backup needs.
            return [.. needed.Select(k => $"'{k.Id}' ({k.Secrets} secrets)")];
        }
        var ring = services.GetRequiredService<MasterKeyRing>();
        var missing = new List<string>();
        foreach (var key in needed)
        {
            if (ring.Find(key.Id) is not { } value)
            {
                missing.Add($"'{key.Id}' ({key.Secrets} secrets)");
            }
            else if (key.Check is { } check && SecretProtector.KeyCheck(value) != check)
            {
                missing.Add($"'{key.Id}' ({key.Secrets} secrets; the ring has a different key under that id)");
            }
        }
        return missing;
    }

    /// <summary>
    /// The database's schema against this build's: 0 when this build can serve it (behind is migrated as at start),
    /// 1 when it is newer. For a PostgreSQL database just restored from pg_dump, before any instance starts on it.
    /// </summary>
    public static async Task<int> CheckSchemaAsync(IServiceProvider services, TextWriter output, CancellationToken ct = default)
    {
        var options = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        if (!options.IsPostgres && Path.Combine(services.GetRequiredService<DataDirectory>().Path, DatabaseRegistration.SqliteFile) is var file && !File.Exists(file))
        {
            return Fail($"No database at {file} (is --data-dir right?).");
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        var schema = new SchemaVersion([.. await db.Database.GetAppliedMigrationsAsync(ct)], [.. db.Database.GetMigrations()]);
        if (schema.IsNewer)
        {
            return Fail(schema.NewerMessage());
        }
        output.WriteLine($"Schema {schema.Latest ?? "(empty database)"}; this version's newest is {schema.BuildLatest}.");
        output.WriteLine(schema.Pending.Count == 0
            ? "Up to date."
            : $"Behind by {schema.Pending.Count} migration(s) ({string.Join(", ", schema.Pending)}): " +
              (options.IsPostgres ? "run 'connectory migrate' (or start with Database__MigrateAtStart=true)." : "the next start applies them."));
        return 0;
    }

    static string KeyList(IReadOnlyList<BackupMasterKey> keys) => keys.Count == 0 ? "(none)" : string.Join(", ", keys.Select(k => k.Id));

    static string DefaultKeyFile(IServiceProvider services) => Path.Combine(services.GetRequiredService<DataDirectory>().Path, MasterKeyRing.GeneratedFile);

    /// <summary>Where the configured master keys come from, named without resolving the ring (which would generate a key file).</summary>
    static string KeySource(IServiceProvider services)
    {
        var settings = services.GetRequiredService<IOptions<SecretsOptions>>().Value;
        return !string.IsNullOrEmpty(settings.MasterKey) ? "Secrets:MasterKey" : settings.MasterKeyFile ?? DefaultKeyFile(services);
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return ConnectoryCommandLine.Failed;
    }
}
