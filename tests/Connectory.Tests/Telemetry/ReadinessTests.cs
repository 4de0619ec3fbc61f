using System.Net;
using System.Text.Json;
using Connectory.Data;
using Connectory.Secrets;
using Connectory.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Connectory.Tests.Telemetry;

/// <summary>/health/ready says which check fails and why: the database, the schema's version, the master keys.</summary>
public sealed class ReadinessTests : IDisposable
{
    readonly ConnectoryFactory factory = new();

    public void Dispose() => factory.Dispose();

    async Task<(HttpStatusCode Status, JsonElement Body, string Text)> ReadyAsync()
    {
        var response = await factory.Client(null).GetAsync("/health/ready");
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement, text);
    }

    static (string Status, string Reason) Check(JsonElement body, string name)
    {
        var check = body.GetProperty("checks").GetProperty(name);
        return (check.GetProperty("status").GetString()!, check.GetProperty("reason").GetString() ?? "");
    }

    [Fact]
    public async Task AHealthyServiceListsItsChecks()
    {
        var (status, body, _) = await ReadyAsync();
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        foreach (var name in new[] { "database", "schema", "masterKeys" })
        {
            Assert.Equal("Healthy", Check(body, name).Status);
        }
        Assert.Equal(HttpStatusCode.OK, (await factory.Client(null).GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task ASchemaBehindOrAheadIsNamed()
    {
        var last = await factory.WithDbAsync(db => Task.FromResult(db.Database.GetMigrations().Last()));
        await factory.WithDbAsync(db => db.Database.ExecuteSqlRawAsync($"DELETE FROM \"{MigrationLock.HistoryTable}\" WHERE \"MigrationId\" = {{0}}", last));
        var (status, body, _) = await ReadyAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var schema = Check(body, "schema");
        Assert.Equal("Unhealthy", schema.Status);
        Assert.Contains("behind by 1", schema.Reason, StringComparison.Ordinal);
        Assert.Contains(last, schema.Reason, StringComparison.Ordinal);
        Assert.Equal("Healthy", Check(body, "database").Status);

        await factory.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO \"{MigrationLock.HistoryTable}\" (\"MigrationId\", \"ProductVersion\") VALUES ({{0}}, '10.0.0'), ('29991231000000_FromANewerVersion', '10.0.0')", last));
        (status, body, _) = await ReadyAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("ahead by 1", Check(body, "schema").Reason, StringComparison.Ordinal);
        Assert.Contains("29991231000000_FromANewerVersion", Check(body, "schema").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMasterKeyTheStoreNeedsButTheRingLacksIsNamed()
    {
        // Another instance rotated to a key this one's key file does not hold.
        await factory.WithDbAsync(async db =>
        {
            db.Set<MasterKeyRecord>().Add(new MasterKeyRecord { Id = "k-elsewhere", Check = "not-ours", CreatedAt = DateTime.UtcNow });
            return await db.SaveChangesAsync();
        });
        var (status, body, _) = await ReadyAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var keys = Check(body, "masterKeys");
        Assert.Equal("Unhealthy", keys.Status);
        Assert.Contains("master key 'k-elsewhere' is missing", keys.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMissingKeyFileIsNamed()
    {
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync()).Status);
        File.Delete(Path.Combine(factory.DataDir, MasterKeyRing.GeneratedFile));
        var (status, body, _) = await ReadyAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("master key file", Check(body, "masterKeys").Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableDatabaseIsNamedWithoutItsConnectionString()
    {
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync()).Status);
        var connectionString = factory.DatabaseConnectionString;
        if (TestDatabase.IsPostgres)
        {
            await SetConnectionsAllowedAsync(connectionString, false);
        }
        else
        {
            // The file gone and a directory in its place: SQLite cannot open it.
            SqliteConnection.ClearAllPools();
            var file = Path.Combine(factory.DataDir, TestDatabase.SqliteFileName);
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(file + suffix);
            }
            Directory.CreateDirectory(file);
        }
        try
        {
            var (status, body, text) = await ReadyAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            var database = Check(body, "database");
            Assert.Equal("Unhealthy", database.Status);
            Assert.Contains("the database is unreachable", database.Reason, StringComparison.Ordinal);
            Assert.Contains("not checked", Check(body, "schema").Reason, StringComparison.Ordinal);
            foreach (var part in new[] { "Host=", "Data Source", factory.DataDir, "Username", "postgres;" })
            {
                Assert.DoesNotContain(part, text, StringComparison.Ordinal);
            }
        }
        finally
        {
            if (TestDatabase.IsPostgres)
            {
                await SetConnectionsAllowedAsync(connectionString, true);
            }
        }
    }

    /// <summary>PostgreSQL refuses new sessions to the database (the app's idle pooled ones are closed first).</summary>
    static async Task SetConnectionsAllowedAsync(string connectionString, bool allowed)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        await using var server = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false }.ToString());
        await server.OpenAsync();
        await using (var alter = new NpgsqlCommand($"ALTER DATABASE \"{database}\" ALLOW_CONNECTIONS {(allowed ? "true" : "false")}", server))
        {
            await alter.ExecuteNonQueryAsync();
        }
        if (!allowed)
        {
            await using var terminate = new NpgsqlCommand($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'", server);
            await terminate.ExecuteNonQueryAsync();
            await using var pooled = new NpgsqlConnection(Connectory.Data.DatabaseRegistration.PostgresConnectionString(connectionString));
            NpgsqlConnection.ClearPool(pooled);
        }
    }
}
