using System.Net.Http.Headers;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Crash;

/// <summary>
/// One store, its server and writers, kept across the batches of <see cref="CrashTests"/>: every batch kills the same
/// server over the same data, so the first start (and on PostgreSQL the cluster's initdb) is paid once, while no single
/// test runs longer than the test run's hang timeout on a busy machine.
/// </summary>
public sealed class CrashRun : IDisposable
{
    public const int Writers = 4;
    const string BootstrapKey = "crash-bootstrap-key-0123456789abcdef";

    // Generous, for a busy machine: a start that waits for a lock fails after the lock timeout (60 s) long before.
    public static readonly TimeSpan ReadyBound = TimeSpan.FromMinutes(3);

    public CrashRun()
    {
        Seed = Random.Shared.Next();
        Random = new Random(Seed);
        Cluster = TestDatabase.IsPostgres ? PrivatePostgres.Start() : null;
        DataDir = Path.Combine(TestDirectory.Create(), "data");
        Store = StoreSettings(DataDir, Cluster);
        WriterList = Enumerable.Range(0, Writers).Select(i => new CrashWriter(i, new Random(Seed + i + 1))).ToList();
    }

    public int Seed { get; }
    public Random Random { get; }
    internal PrivatePostgres? Cluster { get; }
    public string DataDir { get; }
    public string[] Store { get; }
    internal List<CrashWriter> WriterList { get; }
    internal CrashTally Tally { get; } = new();
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };
    internal ServiceProcess? Service { get; set; }
    public int Round { get; set; }

    public int BatchesDone { get; set; }

    /// <summary>The first start, and the writers' user and key: once per run.</summary>
    internal async Task<ServiceProcess> ServiceAsync()
    {
        if (Service is null)
        {
            Service = ServiceProcess.Start(Store);
            await ReadyAsync("the first start");
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await WriterKeyAsync(Service.Address));
        }
        return Service;
    }

    public async Task ReadyAsync(string when)
    {
        var ready = await Service!.WaitUntilReadyAsync(ReadyBound);
        Assert.True(ready is not null, $"The server did not become ready after {when} within {ReadyBound} (last probe: {Service.LastReadyAnswer}).\n{Service.Output}");
        Tally.Ready(ready.Value);
    }

    public void Dispose()
    {
        Service?.Dispose();
        Cluster?.Dispose();
        Http.Dispose();
    }

    static string[] StoreSettings(string dataDir, PrivatePostgres? cluster)
    {
        // Limits high enough that no write or check is refused for its rate.
        string[] settings =
        [
            "--data-dir", dataDir, $"--Auth:BootstrapApiKey={BootstrapKey}",
            "--RateLimits:Tier1PerMinute=1000000", "--RateLimits:Tier2PerMinute=1000000", "--Resolve:PermitPerMinute=1000000",
        ];
        if (cluster is null)
        {
            return settings;
        }
        var database = "connectory_crash";
        cluster.CreateDatabase(database);
        return [.. settings, "--Database:Provider=postgres", "--Database:MigrateAtStart=true", "--ConnectionStrings:Connectory", cluster.ConnectionString(database)];
    }

    /// <summary>A user who may write anything in the tenant and resolve connections (to read secrets back), and their key.</summary>
    async Task<string> WriterKeyAsync(Uri address)
    {
        using var admin = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/api/v1/users"))
        {
            Content = JsonContent.Create(new { subject = "crash-writer", name = "crash-writer", assignedRoles = new[] { new { name = "TenantAdmin" }, new { name = "ConnectionResolver" } } }),
        };
        admin.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BootstrapKey);
        var user = await ApiAssert.OkAsync(await Http.SendAsync(admin), System.Net.HttpStatusCode.Created);
        using var mint = new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/api/v1/api-keys"))
        {
            Content = JsonContent.Create(new { description = "crash writer", sub = user.GetProperty("id").GetString() }),
        };
        mint.Headers.Authorization = new AuthenticationHeaderValue("Bearer", BootstrapKey);
        var key = await ApiAssert.OkAsync(await Http.SendAsync(mint), System.Net.HttpStatusCode.Created);
        return key.GetProperty("token").GetString()!;
    }
}
