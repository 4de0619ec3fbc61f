using System.Security.Cryptography;
using Connectory.Data;
using Connectory.Secrets;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Backup;

/// <summary>What a database file holds, read from the file itself: its schema, the master keys it needs, its rows.</summary>
internal sealed record DatabaseFacts(SchemaVersion Schema, IReadOnlyList<BackupMasterKey> MasterKeys, IReadOnlyDictionary<string, long> Tables);

/// <summary>A consistent copy of a SQLite database that is in use, and the facts a manifest records about one.</summary>
internal static class SqliteSnapshot
{
    const int SqliteBusy = 5;
    const int SqliteLocked = 6;

    /// <summary>
    /// Copies <paramref name="source"/> to <paramref name="destination"/> with SQLite's online backup API in one step:
    /// one read transaction, so the copy is the database as of one commit, and in WAL mode the service's writers go on
    /// meanwhile. The copy is left in rollback-journal mode, a single self-contained file.
    /// </summary>
    public static async Task CopyAsync(string source, string destination, CancellationToken ct)
    {
        await using var from = Open(source, SqliteOpenMode.ReadWrite);
        await using var to = Open(destination, SqliteOpenMode.ReadWriteCreate);
        await from.OpenAsync(ct);
        await to.OpenAsync(ct);
        from.BackupDatabase(to);
        await using var journal = to.CreateCommand();
        journal.CommandText = "PRAGMA journal_mode=DELETE;";
        await journal.ExecuteNonQueryAsync(ct);
    }

    public static async Task<DatabaseFacts> ReadFactsAsync(string file, CancellationToken ct)
    {
        await using var connection = Open(file, SqliteOpenMode.ReadWrite);
        await connection.OpenAsync(ct);
        await using var db = new SqliteConnectoryDb(new DbContextOptionsBuilder<SqliteConnectoryDb>().UseSqlite(connection).Options);
        var schema = new SchemaVersion([.. await db.Database.GetAppliedMigrationsAsync(ct)], [.. db.Database.GetMigrations()]);
        var tables = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in await ListAsync(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name", ct))
        {
            tables[table] = Convert.ToInt64(await ScalarAsync(connection, $"SELECT count(*) FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", ct), System.Globalization.CultureInfo.InvariantCulture);
        }
        return new DatabaseFacts(schema, tables.ContainsKey("master_keys") ? await MasterKeysAsync(db, ct) : [], tables);
    }

    /// <summary>
    /// The keys the stored secrets are wrapped under, and those the database records as guarding secrets (not retired):
    /// a start refuses without any of them, so a restore needs them all.
    /// </summary>
    static async Task<IReadOnlyList<BackupMasterKey>> MasterKeysAsync(ConnectoryDb db, CancellationToken ct)
    {
        var secrets = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var column in StoredSecrets.Columns)
        {
            await foreach (var value in column.Values(db).AsAsyncEnumerable().WithCancellation(ct))
            {
                if (SecretProtector.KeyIdOf(value) is { } keyId)
                {
                    secrets[keyId] = secrets.GetValueOrDefault(keyId) + 1;
                }
            }
        }
        var records = await db.Set<MasterKeyRecord>().AsNoTracking().Select(k => new { k.Id, k.Check, k.RetiredAt }).ToListAsync(ct);
        return [.. records.Where(r => r.RetiredAt is null).Select(r => r.Id).Union(secrets.Keys).Order(StringComparer.Ordinal)
            .Select(id => new BackupMasterKey(id, records.FirstOrDefault(r => r.Id == id)?.Check, secrets.GetValueOrDefault(id)))];
    }

    /// <summary>SQLite's own quick check of the file's structure: "ok", or what is wrong.</summary>
    public static async Task<string> QuickCheckAsync(string file, CancellationToken ct)
    {
        await using var connection = Open(file, SqliteOpenMode.ReadOnly);
        await connection.OpenAsync(ct);
        return string.Join("; ", await ListAsync(connection, "PRAGMA quick_check;", ct));
    }

    public static async Task<(long Bytes, string Sha256)> HashAsync(string file, CancellationToken ct)
    {
        await using var stream = File.OpenRead(file);
        return (stream.Length, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct)));
    }

    /// <summary>
    /// Whether another process has the database open: a running service keeps connections open, and an exclusive
    /// lock cannot be had while any other connection, even an idle one in WAL mode, holds the file.
    /// </summary>
    public static async Task<bool> IsOpenElsewhereAsync(string file, CancellationToken ct)
    {
        await using var connection = Open(file, SqliteOpenMode.ReadWrite, timeoutSeconds: 2);
        try
        {
            await connection.OpenAsync(ct);
            // One statement at a time: the mode must be set before anything reads the file (as preparing a batch can).
            foreach (var sql in new[] { "PRAGMA locking_mode=EXCLUSIVE;", "BEGIN EXCLUSIVE;", "ROLLBACK;" })
            {
                await using var command = connection.CreateCommand();
                command.CommandText = sql;
                await command.ExecuteNonQueryAsync(ct);
            }
            return false;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteBusy or SqliteLocked)
        {
            return true;
        }
        catch (SqliteException)
        {
            // Not a database SQLite can open: nobody serves it, and it is about to be replaced.
            return false;
        }
    }

    static SqliteConnection Open(string file, SqliteOpenMode mode, int timeoutSeconds = 30) => new(new SqliteConnectionStringBuilder
    {
        DataSource = file,
        Mode = mode,
        Pooling = false,
        DefaultTimeout = timeoutSeconds,
    }.ToString());

    static async Task<List<string>> ListAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(ct);
        var values = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            values.Add(reader.GetString(0));
        }
        return values;
    }

    static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }
}
