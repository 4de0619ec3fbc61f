using System.Data.Common;
using System.Net;
using Connectory.Data;
using Connectory.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Connectory.Tests.Hosting;

/// <summary>A start meets the migration lock: left behind by a stopped process, or held by someone alive.</summary>
public sealed class MigrationLockTests
{
    static readonly Dictionary<string, string?> ShortLockTimeout = new() { ["Database:MigrationLockTimeout"] = "00:00:02" };

    [SqliteFact]
    public async Task ALeftoverLockRowInAMigratedFileDoesNotStopTheStart()
    {
        using var factory = new ConnectoryFactory();
        await MigrationSteps.LeaveSqliteLockRowAsync(factory.DatabaseConnectionString);

        Assert.Equal(HttpStatusCode.OK, (await factory.Client(null).GetAsync("/health/ready")).StatusCode);
        // Nothing was pending, so the start took no lock and left the row alone.
        Assert.DoesNotContain(factory.Logs, l => l.Contains("Applying", StringComparison.Ordinal));
        Assert.Equal(1, MigrationSteps.SqliteLockRows(Path.Combine(factory.DataDir, TestDatabase.SqliteFileName)));
    }

    [SqliteFact]
    public async Task ALeftoverLockRowIsRemovedWhenMigrationsArePending()
    {
        using var factory = ConnectoryFactory.FromEmptyDatabase();
        var last = await MigrationSteps.MigrateAllButLastAsync(factory.DatabaseConnectionString);
        await MigrationSteps.LeaveSqliteLockRowAsync(factory.DatabaseConnectionString);

        Assert.Equal(HttpStatusCode.OK, (await factory.Client(null).GetAsync("/health/ready")).StatusCode);
        var applied = await factory.WithDbAsync(async db => (await db.Database.GetAppliedMigrationsAsync()).ToList());
        Assert.Equal(last, applied[^1]);
        Assert.Equal(0, MigrationSteps.SqliteLockRows(Path.Combine(factory.DataDir, TestDatabase.SqliteFileName)));
        Assert.Contains(factory.Logs, l => l.StartsWith("Warning", StringComparison.Ordinal)
            && l.Contains("Removed a leftover migration lock", StringComparison.Ordinal) && l.Contains("2026-01-02 03:04:05", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ALockHeldByAnotherSessionEndsTheStartWithAnErrorThatNamesIt()
    {
        using var factory = ConnectoryFactory.FromEmptyDatabase(ShortLockTimeout);
        await MigrationSteps.MigrateAllButLastAsync(factory.DatabaseConnectionString);
        await using (await MigrationSteps.HoldMigrationLockAsync(factory.DatabaseConnectionString))
        {
            Assert.NotNull(Record.Exception(() => factory.Client(null)));
        }
        Assert.Contains(factory.Logs, l => l.Contains(nameof(MigrationLockTimeoutException), StringComparison.Ordinal));
        var refusal = Assert.Single(factory.Logs, l => l.StartsWith("Critical", StringComparison.Ordinal) && l.Contains("Refusing to start", StringComparison.Ordinal));
        Assert.Contains(TestDatabase.IsPostgres ? MigrationLock.HistoryTable : MigrationLock.SqliteLockTable, refusal);
        Assert.Contains(TestDatabase.IsPostgres ? "pg_terminate_backend" : "DELETE FROM", refusal);
        Assert.Contains("Database:MigrationLockTimeout", refusal);

        // Once the lock is gone the next start migrates and serves.
        using var restarted = factory.Restarted();
        Assert.Equal(HttpStatusCode.OK, (await restarted.Client(null).GetAsync("/health/ready")).StatusCode);
        var (all, applied) = await restarted.WithDbAsync(async db => (db.Database.GetMigrations().ToList(), (await db.Database.GetAppliedMigrationsAsync()).ToList()));
        Assert.Equal(all, applied);
    }

    [SqliteFact]
    public async Task EveryMigrationStepRunsInsideTheMigrationTransaction()
    {
        // Clearing a leftover lock row under the write lock is safe because of this: a migrator that holds its row
        // but not yet its transaction reads the applied migrations again inside it, so no step runs twice.
        var file = Path.Combine(Path.GetTempPath(), "connectory-tests", $"steps-{Guid.NewGuid():N}.db");
        var recorder = new TransactionRecorder();
        await using (var db = new SqliteConnectoryDb(new DbContextOptionsBuilder<SqliteConnectoryDb>()
            .UseSqlite(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString()).AddInterceptors(recorder).Options))
        {
            await db.Database.MigrateAsync();
        }
        File.Delete(file);
        // EF's own bookkeeping runs outside: the lock row, the history table, and WAL set when it creates the file.
        var bookkeeping = new[] { MigrationLock.SqliteLockTable, MigrationLock.HistoryTable, "sqlite_master", "PRAGMA journal_mode" };
        Assert.Empty(recorder.Commands.Where(c => !c.InTransaction && !bookkeeping.Any(c.Text.Contains)).Select(c => c.Text));
        Assert.Contains(recorder.Commands, c => c.InTransaction && c.Text.Contains("CREATE TABLE \"tenants\"", StringComparison.Ordinal));
    }

    sealed class TransactionRecorder : DbCommandInterceptor
    {
        public List<(string Text, bool InTransaction)> Commands { get; } = [];

        void Record(DbCommand command)
        {
            lock (Commands)
            {
                Commands.Add((command.CommandText, command.Transaction is not null));
            }
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Record(command);
            return result;
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
        {
            Record(command);
            return result;
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
        {
            Record(command);
            return result;
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }
    }
}
