using System.Diagnostics;
using System.Globalization;
using Connectory.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Connectory.Tests.Crash;

/// <summary>
/// The real binary under concurrent writers (connections with inline credentials and connection secrets, data
/// credentials: creates, patches, puts, deletes), killed with SIGKILL at random moments and started again on the same
/// store; on PostgreSQL, the database server is killed too now and then (a cluster of the test's own). After each
/// restart every acknowledged write must read back exactly as acknowledged, secrets decrypted, and nothing half-applied.
/// </summary>
public sealed class CrashTests(CrashRun run, ITestOutputHelper output) : IClassFixture<CrashRun>
{
    // Server kills per database, split over the batches, which go on with one store (see CrashRun).
    // CONNECTORY_TEST_CRASH_KILLS asks for more (bench/crash.sh runs 200).
    static readonly int Kills = int.TryParse(Environment.GetEnvironmentVariable("CONNECTORY_TEST_CRASH_KILLS"), CultureInfo.InvariantCulture, out var kills) ? kills : 6;
    const int Batches = 5;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task AcknowledgedWritesSurviveKillsExactlyAsAcknowledged(int batch)
    {
        var tally = run.Tally;
        var cluster = run.Cluster;
        var random = run.Random;
        var service = await run.ServiceAsync();
        var until = tally.ServiceKills + Kills / Batches + (batch <= Kills % Batches ? 1 : 0);
        while (tally.ServiceKills < until)
        {
            var round = ++run.Round;
            // On PostgreSQL, every fourth round kills the database alone (the server must get over it by itself),
            // and every fourth the database and the server together.
            var killPostgres = cluster is not null && round % 4 is 2 or 0;
            var killService = cluster is null || round % 4 != 2;
            var running = run.WriterList.Select(w => Task.Run(() => w.RunAsync(new CrashApi(run.Http, service.Address, tally)))).ToArray();
            // The kill lands after a random number of acknowledged writes, and a little later: whatever the machine's
            // speed, every round has writes acknowledged before it and writes in flight when it comes.
            var target = tally.AcknowledgedCount + random.Next(1, 4 * CrashRun.Writers);
            var waited = Stopwatch.StartNew();
            while (tally.AcknowledgedCount < target && waited.Elapsed < CrashRun.ReadyBound && running.Any(r => !r.IsCompleted))
            {
                await Task.Delay(5);
            }
            await Task.Delay(random.Next(0, 150));
            Assert.False(service.HasExited, $"The server ended by itself.\n{service.Output}");
            if (killPostgres)
            {
                cluster!.Kill();
                tally.PostgresKills++;
            }
            if (killService)
            {
                service.Kill();
                tally.ServiceKills++;
            }
            await Task.WhenAll(running);
            if (cluster is null)
            {
                AssertIntegrity(Path.Combine(run.DataDir, TestDatabase.SqliteFileName));
            }
            if (killPostgres)
            {
                cluster!.StartServer();
            }
            if (killService)
            {
                service.Dispose();
                service = run.Service = ServiceProcess.Start(run.Store);
            }
            await run.ReadyAsync($"round {round}");
            await new CrashCheck(new CrashApi(run.Http, service.Address, tally), tally).CheckAsync(run.WriterList);
            Assert.True(tally.Findings.Count == 0, $"After round {round} (seed {run.Seed}):\n{string.Join('\n', tally.Findings.Take(20))}");
        }
        // xUnit may run the batches in any order: the line counts those done, with the totals so far.
        output.WriteLine($"{(cluster is null ? "SQLite" : "PostgreSQL")}, {++run.BatchesDone} of {Batches} batches (this one: {batch}), seed {run.Seed}: {tally}");
        Assert.Equal(0, tally.Lost);
        Assert.Equal(0, tally.HalfApplied);
    }

    /// <summary>SQLite's own check of the file the killed server left, before the next start opens it.</summary>
    static void AssertIntegrity(string file)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check";
        var result = command.ExecuteScalar() as string;
        Assert.True(result == "ok", $"PRAGMA integrity_check after a kill: {result}");
    }
}
