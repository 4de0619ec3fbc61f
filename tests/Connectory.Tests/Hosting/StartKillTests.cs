using System.Globalization;
using Connectory.Data;
using Connectory.Tests.Support;
using Xunit.Abstractions;

namespace Connectory.Tests.Hosting;

/// <summary>
/// The real binary, killed (SIGKILL) at random moments while it starts, again and again: every next start must become
/// ready. A kill inside the migration used to leave SQLite's migration lock row behind, and every later start then
/// waited for it for ever without a word.
/// </summary>
public sealed class StartKillTests(ITestOutputHelper output) : IDisposable
{
    // Generous, for a busy machine: a start that waits for a lock fails after the lock timeout (60 s) long before.
    static readonly TimeSpan ReadyBound = TimeSpan.FromMinutes(2);

    // Kills of first starts (half that, at least one, over existing data: 3 per database). Every other kill lands in the
    // migration. CONNECTORY_TEST_START_KILLS asks for more (bench/crash.sh soaks with 20).
    static readonly int Kills = int.TryParse(Environment.GetEnvironmentVariable("CONNECTORY_TEST_START_KILLS"), CultureInfo.InvariantCulture, out var kills) ? kills : 2;

    // A start's log lines: before applying the migrations, and the first after them on a first start.
    const string Migrating = "Applying ";
    const string Migrated = "No master key configured";

    readonly int seed = Random.Shared.Next();
    readonly List<string> databases = [];

    public void Dispose()
    {
        foreach (var database in databases)
        {
            TestDatabase.DropPostgresDatabase(database);
        }
    }

    [Fact]
    public async Task KillsDuringAFirstStartLeaveTheNextStartReady()
    {
        var random = new Random(seed);
        var report = new KillReport();
        // Measured again by every start that migrates: from announcing its migrations to the first line after them
        // (the generated master key), and to being ready. Every other kill lands in the first, the migration itself.
        var migration = TimeSpan.FromSeconds(0.5);
        var rest = TimeSpan.FromSeconds(1.5);
        for (var i = 0; i < Kills; i++)
        {
            var dataDir = Path.Combine(TestDirectory.Create(), "data");
            var store = Store(dataDir);
            using (var victim = ServiceProcess.Start(store))
            {
                Assert.True(await victim.WaitForLineAsync(Migrating, ReadyBound), $"A first start never began migrating.\n{victim.Output}");
                var delay = (i % 2 == 0 ? migration : rest) * random.NextDouble();
                await Task.Delay(delay);
                Assert.False(victim.HasExited, $"A first start ended by itself.\n{victim.Output}");
                victim.Kill();
                report.Killed(delay, TestDatabase.IsPostgres ? 0 : MigrationSteps.SqliteLockRows(Path.Combine(dataDir, TestDatabase.SqliteFileName)));
            }
            using var next = ServiceProcess.Start(store);
            var ready = await next.WaitUntilReadyAsync(ReadyBound);
            Assert.True(ready is not null, $"The start after kill {i + 1} (at {report.LastDelay}) did not become ready within {ReadyBound}.\n{next.Output}");
            report.Ready(ready.Value);
            if (next.SeenAt(Migrating) is { } migrating)
            {
                rest = ready.Value - migrating;
                migration = next.SeenAt(Migrated) is { } migrated ? migrated - migrating : migration;
            }
        }
        output.WriteLine($"first starts, seed {seed}: {report}");
    }

    [Fact]
    public async Task KillsDuringAStartOverExistingDataLeaveTheNextStartReady()
    {
        var random = new Random(seed);
        var report = new KillReport();
        var store = Store(Path.Combine(TestDirectory.Create(), "data"));
        TimeSpan whole;
        using (var first = ServiceProcess.Start(store))
        {
            whole = await first.WaitUntilReadyAsync(ReadyBound) ?? throw new Xunit.Sdk.XunitException($"The first start did not become ready.\n{first.Output}");
        }
        for (var i = 0; i < Math.Max(1, Kills / 2); i++)
        {
            using (var victim = ServiceProcess.Start(store))
            {
                var delay = whole * random.NextDouble();
                await Task.Delay(delay);
                Assert.False(victim.HasExited, $"A start ended by itself.\n{victim.Output}");
                victim.Kill();
                report.Killed(delay, 0);
            }
            using var next = ServiceProcess.Start(store);
            var ready = await next.WaitUntilReadyAsync(ReadyBound);
            Assert.True(ready is not null, $"The start after kill {i + 1} (at {report.LastDelay}) did not become ready within {ReadyBound}.\n{next.Output}");
            report.Ready(ready.Value);
        }
        output.WriteLine($"starts over existing data, seed {seed}: {report}");
    }

    [Fact]
    public async Task AStartThatCannotGetTheMigrationLockExitsNonZeroNamingIt()
    {
        var dataDir = TestDirectory.Create();
        var store = Store(dataDir);
        var connectionString = TestDatabase.IsPostgres
            ? TestDatabase.PostgresConnectionString(databases[^1])
            : $"Data Source={Path.Combine(dataDir, TestDatabase.SqliteFileName)};Pooling=False";
        await MigrationSteps.MigrateAllButLastAsync(connectionString);
        await using (await MigrationSteps.HoldMigrationLockAsync(connectionString))
        {
            using var service = ServiceProcess.Start([.. store, "--Database:MigrationLockTimeout=00:00:02"]);
            Assert.True(await service.WaitForExitAsync(ReadyBound), $"The start did not end.\n{service.Output}");
            Assert.True(service.ExitCode == 1, $"exit {service.ExitCode}\n{service.Output}");
            Assert.Contains(TestDatabase.IsPostgres ? MigrationLock.HistoryTable : MigrationLock.SqliteLockTable, service.Output);
            Assert.Contains("Refusing to start", service.Output);
            Assert.Contains("Database:MigrationLockTimeout", service.Output);
        }
    }

    string[] Store(string dataDir) => ServiceProcess.Store(dataDir, databases);

    sealed class KillReport
    {
        readonly List<TimeSpan> delays = [];
        readonly List<TimeSpan> readies = [];
        long leftLockRows;

        public string LastDelay => delays.Count == 0 ? "-" : $"{delays[^1].TotalMilliseconds:0} ms";

        public void Killed(TimeSpan delay, long lockRows)
        {
            delays.Add(delay);
            leftLockRows += lockRows > 0 ? 1 : 0;
        }

        public void Ready(TimeSpan ready) => readies.Add(ready);

        public override string ToString() =>
            $"{delays.Count} kills (after {string.Join(", ", delays.Select(d => $"{d.TotalMilliseconds:0}"))} ms), {delays.Count + readies.Count} starts, " +
            (TestDatabase.IsPostgres ? "" : $"{leftLockRows} kill(s) left a migration lock row, ") +
            $"every next start ready (max {readies.Max().TotalSeconds:0.0} s from launch)";
    }
}
