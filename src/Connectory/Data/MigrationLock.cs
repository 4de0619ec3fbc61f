using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Sqlite.Migrations.Internal;
using Npgsql.EntityFrameworkCore.PostgreSQL.Migrations.Internal;

namespace Connectory.Data;

/// <summary>
/// The lock EF Core takes to apply migrations, made safe to stop at any moment. On SQLite it is a row in
/// <c>__EFMigrationsLock</c>, inserted before migrating and deleted after: a process killed in between leaves it in the
/// file, and every later start would wait for it for ever. On PostgreSQL (Npgsql 10) it is
/// <c>LOCK TABLE "__EFMigrationsHistory" IN ACCESS EXCLUSIVE MODE</c> inside the migration transaction: it dies with
/// the session, but a session that outlives its client holds it as long as it lives. So a leftover SQLite row is
/// cleared under the write lock, and every wait for the lock ends after Database:MigrationLockTimeout with an error
/// that names the lock and what to do.
/// </summary>
internal static class MigrationLock
{
    public const string SqliteLockTable = "__EFMigrationsLock";
    public const string HistoryTable = "__EFMigrationsHistory";

    const int SqliteBusy = 5;
    const int SqliteLocked = 6;

    /// <summary>Runs a wait for the lock (or for a read it blocks) and turns running out of time into <see cref="MigrationLockTimeoutException"/>.</summary>
    public static async Task<T> WaitAsync<T>(DbConnection connection, TimeSpan timeout, Func<CancellationToken, Task<T>> wait, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(timeout);
        try
        {
            return await wait(bounded.Token);
        }
        catch (Exception e) when (!ct.IsCancellationRequested && (e is OperationCanceledException || e is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked }))
        {
            throw MigrationLockTimeoutException.For(connection, timeout, e);
        }
    }

    /// <summary>
    /// Deletes a migration lock row left by a process that stopped while migrating. It runs under the database's
    /// write lock (BEGIN IMMEDIATE), so no other process is inside a migration transaction meanwhile; one that has
    /// inserted its row but not yet begun its transaction still applies each migration once, because EF reads the
    /// applied migrations inside its write transaction (a test checks that every migration step runs in one).
    /// </summary>
    /// <returns>When the removed lock was taken, or null when there was none.</returns>
    public static async Task<string?> ClearLeftoverSqliteLockAsync(string connectionString, TimeSpan timeout, CancellationToken ct)
    {
        var own = new SqliteConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(timeout.TotalSeconds),
        };
        await using var connection = new SqliteConnection(own.ToString());
        await connection.OpenAsync(ct);
        await using (var busy = connection.CreateCommand())
        {
            busy.CommandText = $"PRAGMA busy_timeout={(long)timeout.TotalMilliseconds};";
            await busy.ExecuteNonQueryAsync(ct);
        }
        var transaction = await WaitAsync(connection, timeout, _ => Task.FromResult(connection.BeginTransaction(deferred: false)), ct);
        await using (transaction)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{SqliteLockTable}';";
            if ((long)(await command.ExecuteScalarAsync(ct))! == 0)
            {
                return null;
            }
            command.CommandText = $"SELECT \"Timestamp\" FROM \"{SqliteLockTable}\" LIMIT 1;";
            if (await command.ExecuteScalarAsync(ct) is not { } takenAt)
            {
                return null;
            }
            command.CommandText = $"DELETE FROM \"{SqliteLockTable}\";";
            await command.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
            return Convert.ToString(takenAt, System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

/// <summary>Migrating gave up waiting for the migration lock; the message names the lock and what to do.</summary>
internal sealed class MigrationLockTimeoutException(string message, Exception? inner) : Exception(message, inner)
{
    public static MigrationLockTimeoutException For(DbConnection connection, TimeSpan waited, Exception? inner = null)
    {
        var seconds = waited.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        var message = connection switch
        {
            SqliteConnection sqlite =>
                $"Gave up after {seconds} s waiting to migrate the SQLite database {sqlite.DataSource}: another process holds its migration lock " +
                $"(a row in table {MigrationLock.SqliteLockTable}) or its write lock. Stop any other connectory process or command using this data " +
                "directory and start again (a lock left by a stopped process is cleared at start). If nothing else uses it and the wait persists, " +
                $"delete the row: sqlite3 '{sqlite.DataSource}' 'DELETE FROM \"{MigrationLock.SqliteLockTable}\";'. " +
                "Database:MigrationLockTimeout sets how long to wait.",
            _ =>
                $"Gave up after {seconds} s waiting for the migration lock of PostgreSQL database '{connection.Database}': another session holds a " +
                $"lock on table \"{MigrationLock.HistoryTable}\" (migrations take it IN ACCESS EXCLUSIVE MODE). If no instance and no 'connectory migrate' " +
                "is migrating, find the session with SELECT pid, state, xact_start, query FROM pg_stat_activity WHERE pid IN (SELECT pid FROM pg_locks " +
                $"WHERE relation = '\"{MigrationLock.HistoryTable}\"'::regclass) and end it with SELECT pg_terminate_backend(pid). " +
                "Database:MigrationLockTimeout sets how long to wait.",
        };
        return new MigrationLockTimeoutException(message, inner);
    }
}

// The providers' history repositories are EF Core internals: subclassed only to bound the wait for the lock, which
// EF itself would wait for as long as it takes (SQLite polls the row, PostgreSQL waits in LOCK TABLE).
#pragma warning disable EF1001

internal sealed class BoundedSqliteHistoryRepository(HistoryRepositoryDependencies dependencies) : SqliteHistoryRepository(dependencies)
{
    public override Task<IMigrationsDatabaseLock> AcquireDatabaseLockAsync(CancellationToken cancellationToken = default) =>
        MigrationLock.WaitAsync(Dependencies.Connection.DbConnection, TimeoutOf(Dependencies), ct => base.AcquireDatabaseLockAsync(ct), cancellationToken);

    internal static TimeSpan TimeoutOf(HistoryRepositoryDependencies dependencies) =>
        (dependencies.CurrentContext.Context as ConnectoryDb)?.MigrationLockTimeout ?? DatabaseOptions.DefaultMigrationLockTimeout;
}

internal sealed class BoundedNpgsqlHistoryRepository(HistoryRepositoryDependencies dependencies) : NpgsqlHistoryRepository(dependencies)
{
    public override Task<IMigrationsDatabaseLock> AcquireDatabaseLockAsync(CancellationToken cancellationToken = default) =>
        MigrationLock.WaitAsync(Dependencies.Connection.DbConnection, BoundedSqliteHistoryRepository.TimeoutOf(Dependencies), ct => base.AcquireDatabaseLockAsync(ct), cancellationToken);
}

#pragma warning restore EF1001
