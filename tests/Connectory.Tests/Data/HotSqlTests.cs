using Connectory.Data;
using Microsoft.Data.Sqlite;

namespace Connectory.Tests.Data;

public class HotSqlTests
{
    /// <summary>Runs <paramref name="test"/> against a fresh WAL database file made with <paramref name="schema"/>, removed afterwards.</summary>
    static async Task WithDatabaseAsync(string schema, Func<string, Task> test)
    {
        var file = Path.Combine(Path.GetTempPath(), $"hotsql-{Guid.NewGuid():N}.db");
        var connectionString = new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString();
        try
        {
            using (var setup = new SqliteConnection(connectionString))
            {
                setup.Open();
                using var create = setup.CreateCommand();
                create.CommandText = "PRAGMA journal_mode=WAL; " + schema;
                create.ExecuteNonQuery();
            }
            await test(connectionString);
        }
        finally
        {
            // This file's pool only: clearing every pool would close the connections of apps other tests are running.
            using (var pooled = new SqliteConnection(connectionString))
            {
                SqliteConnection.ClearPool(pooled);
            }
            foreach (var path in new[] { file, file + "-wal", file + "-shm" })
            {
                File.Delete(path);
            }
        }
    }

    static DateTime ReadUtc(string stored)
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT @v";
        command.Parameters.AddWithValue("v", stored);
        using var reader = command.ExecuteReader();
        reader.Read();
        return reader.GetUtc(0);
    }

    [Theory]
    [InlineData("2026-11-24 02:35:12.2349299")]
    [InlineData("2026-11-24 02:35:12.23")]
    [InlineData("2026-11-24 02:35:12")]
    [InlineData("2024-02-29 23:59:59.9999999")]
    [InlineData("0001-01-01 00:00:00")]
    [InlineData("2026-11-24T02:35:12.5Z")]
    public void Stored_times_read_as_the_general_parser_reads_them(string stored)
    {
        var expected = DateTime.SpecifyKind(DateTime.Parse(stored, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), DateTimeKind.Utc);
        var read = ReadUtc(stored);
        Assert.Equal(expected, read);
        Assert.Equal(DateTimeKind.Utc, read.Kind);
    }

    [Fact]
    public void What_EF_Core_writes_reads_back_to_the_tick()
    {
        var random = new Random(20261124);
        for (var i = 0; i < 2_000; i++)
        {
            var when = new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
            // EF Core's SQLite text form for DateTime.
            Assert.Equal(when, ReadUtc(when.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    [Fact]
    public void Instants_are_written_as_the_general_formatter_writes_them()
    {
        var random = new Random(3339);
        for (var i = 0; i < 5_000; i++)
        {
            var when = new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
            Assert.Equal(when.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), when.ToRfc3339());
        }
        Assert.Equal("0001-01-01T00:00:00.000Z", DateTime.MinValue.ToRfc3339());
        Assert.Equal("9999-12-31T23:59:59.999Z", DateTime.MaxValue.ToRfc3339());
    }

    [Fact]
    public void Conflicts_the_database_broke_are_told_apart_from_other_failures()
    {
        Assert.True(new Npgsql.PostgresException("deadlock detected", "ERROR", "ERROR", "40P01").IsTransientConflict());
        Assert.True(new Microsoft.EntityFrameworkCore.DbUpdateException("save failed",
            new Npgsql.PostgresException("could not serialize access", "ERROR", "ERROR", "40001")).IsTransientConflict());
        Assert.False(new Npgsql.PostgresException("duplicate key", "ERROR", "ERROR", "23505").IsTransientConflict());
        Assert.False(new InvalidOperationException("other").IsTransientConflict());
    }

    [Fact]
    public async Task A_statement_kept_prepared_sees_rows_committed_after_it_was_prepared()
    {
        await WithDatabaseAsync("CREATE TABLE t (v INTEGER)", async connectionString =>
        {
            using var pool = new SqliteStatementPool(connectionString);
            async Task<long> CountAsync()
            {
                long count = -1;
                await pool.ReadAsync(new SqlText("SELECT COUNT(*) FROM t"), async (reader, ct) =>
                {
                    await reader.ReadAsync(ct);
                    count = reader.GetInt64(0);
                }, CancellationToken.None);
                return count;
            }
            Assert.Equal(0, await CountAsync());
            using (var writer = new SqliteConnection(connectionString))
            {
                writer.Open();
                using var insert = writer.CreateCommand();
                insert.CommandText = "INSERT INTO t VALUES (1), (2)";
                insert.ExecuteNonQuery();
            }
            Assert.Equal(2, await CountAsync());
            // A read that fails leaves no broken connection behind for the next one.
            await Assert.ThrowsAnyAsync<SqliteException>(() => pool.ReadAsync(new SqlText("SELECT nope FROM t"), (_, _) => Task.CompletedTask, CancellationToken.None));
            Assert.Equal(2, await CountAsync());
        });
    }

    [Fact]
    public async Task Units_written_together_apply_whole_or_not_at_all_each()
    {
        await WithDatabaseAsync("CREATE TABLE t (v INTEGER UNIQUE, unit INTEGER)", async connectionString =>
        {
            using var gate = new SqliteWriteGate(connectionString);
            SqlText Insert(int value, int unit)
            {
                var sql = new SqlText();
                return sql.Append($"INSERT INTO t (v, unit) VALUES ({sql.Param(value)}, {sql.Param(unit)})");
            }
            // Units 2k and 2k+1 both want value k (and a value of their own first): one of each pair lands whole.
            var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(unit => Task.Run(async () =>
            {
                try
                {
                    await gate.ExecuteAsync([Insert(10_000 + unit, unit), Insert(unit / 2, unit)], CancellationToken.None);
                    return true;
                }
                catch (SqliteException e) when (e.SqliteErrorCode == 19)
                {
                    return false;
                }
            })));
            Assert.Equal(30, results.Count(r => r));
            using var check = new SqliteConnection(connectionString);
            check.Open();
            using var read = check.CreateCommand();
            read.CommandText = "SELECT unit, COUNT(*) FROM t GROUP BY unit";
            using var reader = read.ExecuteReader();
            var rows = new Dictionary<long, long>();
            while (reader.Read())
            {
                rows[reader.GetInt64(0)] = reader.GetInt64(1);
            }
            Assert.Equal(Enumerable.Range(0, 60).Where(u => results[u]).Select(u => (long)u).Order(), rows.Keys.Order());
            Assert.All(rows.Values, count => Assert.Equal(2, count));
        });
    }
}
