using Connectory.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace Connectory.Tests.Support;

/// <summary>Databases part way through their migrations, and the locks a migrating start waits for, held on purpose.</summary>
static class MigrationSteps
{
    /// <summary>Applies every migration but the last to the database, so that a start finds one pending; returns that one.</summary>
    public static async Task<string> MigrateAllButLastAsync(string connectionString)
    {
        await using var db = Context(connectionString);
        if (!TestDatabase.IsPostgres)
        {
            // As the service's own starts leave it.
            await db.Database.OpenConnectionAsync();
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            await db.Database.CloseConnectionAsync();
        }
        var all = db.Database.GetMigrations().ToList();
        await db.GetService<IMigrator>().MigrateAsync(all[^2]);
        return all[^1];
    }

    /// <summary>
    /// Holds what a migrating start has to wait for until disposed: SQLite's write lock (BEGIN IMMEDIATE), or on
    /// PostgreSQL the lock migrations take on the history table.
    /// </summary>
    public static async Task<IAsyncDisposable> HoldMigrationLockAsync(string connectionString)
    {
        if (TestDatabase.IsPostgres)
        {
            var postgres = new NpgsqlConnection(connectionString);
            await postgres.OpenAsync();
            var transaction = await postgres.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand($"LOCK TABLE \"{MigrationLock.HistoryTable}\" IN ACCESS EXCLUSIVE MODE", postgres, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }
            return new Held(transaction, postgres);
        }
        var sqlite = new SqliteConnection(connectionString);
        await sqlite.OpenAsync();
        return new Held(sqlite.BeginTransaction(deferred: false), sqlite);
    }

    /// <summary>Leaves a SQLite migration lock row, as a process killed while migrating does.</summary>
    public static async Task LeaveSqliteLockRowAsync(string connectionString)
    {
        await using var sqlite = new SqliteConnection(connectionString);
        await sqlite.OpenAsync();
        await using var command = sqlite.CreateCommand();
        command.CommandText = $"""
            CREATE TABLE IF NOT EXISTS "{MigrationLock.SqliteLockTable}" ("Id" INTEGER NOT NULL CONSTRAINT "PK_{MigrationLock.SqliteLockTable}" PRIMARY KEY, "Timestamp" TEXT NOT NULL);
            INSERT INTO "{MigrationLock.SqliteLockTable}" ("Id", "Timestamp") VALUES (1, '2026-01-02 03:04:05+00:00');
            """;
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>How many SQLite migration lock rows the file holds (0 when it has no lock table).</summary>
    public static long SqliteLockRows(string file)
    {
        if (!File.Exists(file))
        {
            return 0;
        }
        using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        sqlite.Open();
        using var command = sqlite.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{MigrationLock.SqliteLockTable}'";
        if ((long)command.ExecuteScalar()! == 0)
        {
            return 0;
        }
        command.CommandText = $"SELECT count(*) FROM \"{MigrationLock.SqliteLockTable}\"";
        return (long)command.ExecuteScalar()!;
    }

    public static ConnectoryDb Context(string connectionString) => TestDatabase.IsPostgres
        ? new PostgresConnectoryDb(new DbContextOptionsBuilder<PostgresConnectoryDb>().UseNpgsql(connectionString).Options)
        : new SqliteConnectoryDb(new DbContextOptionsBuilder<SqliteConnectoryDb>().UseSqlite(connectionString).Options);

    sealed class Held(System.Data.Common.DbTransaction transaction, System.Data.Common.DbConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
