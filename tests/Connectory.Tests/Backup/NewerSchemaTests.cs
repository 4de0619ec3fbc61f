using Connectory.Data;
using Connectory.Tests.Cli;
using Connectory.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Connectory.Tests.Backup;

/// <summary>
/// A database a newer version migrated (as a restored dump of one may be): start, <c>migrate</c> and
/// <c>check-schema</c> refuse it naming both versions, on SQLite and PostgreSQL. On PostgreSQL, backup and restore
/// are pg_dump's and pg_restore's, and the commands say so.
/// </summary>
public sealed class NewerSchemaTests : IDisposable
{
    const string Newer = "29991231000000_FromANewerVersion";

    readonly CommandLineRunner connectory = new();

    public void Dispose() => connectory.Dispose();

    static string OurNewest()
    {
        using var db = MigrationSteps.Context(TestDatabase.IsPostgres ? "Host=localhost" : "Data Source=:memory:");
        return db.Database.GetMigrations().Last();
    }

    async Task AddNewerMigrationAsync()
    {
        var sql = $"INSERT INTO \"{MigrationLock.HistoryTable}\" (\"MigrationId\", \"ProductVersion\") VALUES ('{Newer}', '10.0.0')";
        if (TestDatabase.IsPostgres)
        {
            await using var postgres = new NpgsqlConnection(connectory.Store[^1]);
            await postgres.OpenAsync();
            await using var command = new NpgsqlCommand(sql, postgres);
            await command.ExecuteNonQueryAsync();
            return;
        }
        await using var sqlite = new SqliteConnection($"Data Source={Path.Combine(connectory.DataDir, DatabaseRegistration.SqliteFile)};Pooling=False");
        await sqlite.OpenAsync();
        await using var insert = sqlite.CreateCommand();
        insert.CommandText = sql;
        await insert.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task StartMigrateAndCheckSchemaRefuseASchemaNewerThanTheBinary()
    {
        (await connectory.RunOnStoreAsync("migrate")).Exits(0);
        Assert.Contains("Up to date.", (await connectory.RunOnStoreAsync("check-schema")).Exits(0).Stdout);
        await AddNewerMigrationAsync();
        var ours = OurNewest();

        foreach (var command in new[] { "migrate", "check-schema" })
        {
            var run = (await connectory.RunOnStoreAsync(command)).Exits(1);
            Assert.Contains($"schema version {Newer}, newer than this version of Connectory knows (its newest is {ours}", run.Stderr);
        }
        var (server, address) = await connectory.StartServerAsync("--urls", "http://127.0.0.1:0");
        using (server)
        {
            Assert.Null(address);
            using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await server.WaitForExitAsync(patience.Token);
            Assert.Equal(1, server.ExitCode);
        }
    }

    [PostgresFact]
    public async Task OnPostgresBackupAndRestorePointToPgDump()
    {
        var backup = (await connectory.RunOnStoreAsync("backup", "--to", Path.Combine(connectory.WorkingDirectory, "b.tar"))).Exits(1);
        Assert.Contains("pg_dump", backup.Stderr);
        Assert.False(File.Exists(Path.Combine(connectory.WorkingDirectory, "b.tar")));
        var restore = (await connectory.RunOnStoreAsync("restore", "any.tar")).Exits(1);
        Assert.Contains("pg_restore", restore.Stderr);
        Assert.Contains("connectory check-schema", restore.Stderr);
    }
}
