using Npgsql;

namespace Connectory.Tests.Support;

/// <summary>Which database the suite runs on: SQLite files by default, PostgreSQL when CONNECTORY_TEST_DB=postgres.</summary>
static class TestDatabase
{
    public static bool IsPostgres => Environment.GetEnvironmentVariable("CONNECTORY_TEST_DB") == "postgres";

    /// <summary>The server to make throwaway databases on (the test script starts one on loopback).</summary>
    static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("CONNECTORY_TEST_PG") ?? "Host=127.0.0.1;Port=54329;Username=postgres;Database=postgres";

    public static string PostgresConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database }.ToString();

    static readonly System.Collections.Concurrent.ConcurrentBag<string> Created = [];

    static TestDatabase() => AppDomain.CurrentDomain.ProcessExit += (_, _) => DropAll();

    public static string CreatePostgresDatabase()
    {
        var name = "connectory_" + Guid.NewGuid().ToString("N")[..16];
        Created.Add(name);
        using var connection = new NpgsqlConnection(ServerConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
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
