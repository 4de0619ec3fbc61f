using Connectory.Data;
using Connectory.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Connectory.Tests.Support;

/// <summary>
/// Which database the suite runs on: SQLite files by default, PostgreSQL when CONNECTORY_TEST_DB=postgres.
/// Every migration runs once per test run into a template database; an app's database starts as a copy of it
/// (a file copy on SQLite, <c>CREATE DATABASE … TEMPLATE</c> on PostgreSQL), and the app's own start-up then finds
/// no migration pending. Tests of migrations themselves ask for an empty database instead.
/// </summary>
static class TestDatabase
{
    public static bool IsPostgres => Environment.GetEnvironmentVariable("CONNECTORY_TEST_DB") == "postgres";

    /// <summary>The file name the app gives its SQLite database inside its data directory.</summary>
    public const string SqliteFileName = "connectory.db";

    /// <summary>The server to make throwaway databases on (the test script starts one on loopback).</summary>
    static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("CONNECTORY_TEST_PG") ?? "Host=127.0.0.1;Port=54329;Username=postgres;Database=postgres";

    public static string PostgresConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database }.ToString();

    static readonly System.Collections.Concurrent.ConcurrentBag<string> Created = [];

    static readonly Lazy<string> SqliteTemplate = new(MigrateSqliteTemplate);
    static readonly Lazy<string> PostgresTemplate = new(MigratePostgresTemplate);

    static TestDatabase() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DropAll();

    /// <summary>A new PostgreSQL database: a copy of the migrated template, or empty when <paramref name="migrated"/> is false.</summary>
    public static string CreatePostgresDatabase(bool migrated = false)
    {
        var name = "connectory_" + Guid.NewGuid().ToString("N")[..16];
        Created.Add(name);
        var template = migrated ? $" TEMPLATE {PostgresTemplate.Value}" : "";
        using var connection = new NpgsqlConnection(ServerConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}{template}", connection);
        command.ExecuteNonQuery();
        return name;
    }

    /// <summary>Puts a copy of the migrated SQLite template into <paramref name="dataDir"/>, where the app looks for its database.</summary>
    public static void CopySqliteTemplate(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        File.Copy(SqliteTemplate.Value, Path.Combine(dataDir, SqliteFileName));
    }

    static string MigrateSqliteTemplate()
    {
        var directory = Path.Combine(Path.GetTempPath(), "connectory-tests", "template-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, SqliteFileName);
        // No pooling: once the context is gone the file is closed, its WAL checkpointed, and the main file is the whole database.
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString();
        using (var db = new SqliteConnectoryDb(new DbContextOptionsBuilder<SqliteConnectoryDb>().UseSqlite(connectionString).Options))
        {
            DatabaseInitializer.MigrateAsync(db, new DatabaseOptions { Provider = "sqlite" }, NullLogger.Instance, CancellationToken.None).GetAwaiter().GetResult();
            db.Database.OpenConnection();
            db.Database.ExecuteSqlRaw("PRAGMA wal_checkpoint(TRUNCATE);");
            db.Database.CloseConnection();
        }
        if (File.Exists(file + "-wal") && new FileInfo(file + "-wal").Length > 0)
        {
            throw new InvalidOperationException($"The SQLite template {file} still has a write-ahead log: a copy of the main file would miss it.");
        }
        return file;
    }

    static string MigratePostgresTemplate()
    {
        var name = "connectory_template_" + Guid.NewGuid().ToString("N")[..12];
        Created.Add(name);
        using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }
        // No pooling: CREATE DATABASE … TEMPLATE refuses a template anyone is connected to.
        var connectionString = new NpgsqlConnectionStringBuilder(PostgresConnectionString(name)) { Pooling = false }.ToString();
        using (var db = new PostgresConnectoryDb(new DbContextOptionsBuilder<PostgresConnectoryDb>().UseNpgsql(connectionString).Options))
        {
            DatabaseInitializer.MigrateAsync(db, new DatabaseOptions { Provider = "postgres" }, NullLogger.Instance, CancellationToken.None, force: true).GetAwaiter().GetResult();
        }
        return name;
    }

    static void DropAll()
    {
        NpgsqlConnection.ClearAllPools();
        foreach (var name in Created)
        {
            try
            {
                DropPostgresDatabase(name);
            }
            catch (NpgsqlException)
            {
                // The throwaway cluster goes away with the test run anyway.
            }
        }
    }

    public static void DropPostgresDatabase(string name)
    {
        using var connection = new NpgsqlConnection(ServerConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        command.ExecuteNonQuery();
    }
}
