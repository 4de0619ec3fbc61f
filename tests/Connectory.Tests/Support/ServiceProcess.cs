using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Connectory.Tests.Support;

/// <summary>
/// The built binary serving as an operator runs it (<c>dotnet connectory.dll serve</c>) on a free loopback port, with
/// its output kept line by line; the test kills it (SIGKILL) or waits for it to become ready or to end.
/// </summary>
sealed class ServiceProcess : IDisposable
{
    static readonly string Binary = Path.Combine(AppContext.BaseDirectory, "connectory.dll");
    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    readonly Process process;
    readonly Stopwatch sinceLaunch = Stopwatch.StartNew();
    readonly ConcurrentQueue<(TimeSpan At, string Line)> lines = new();

    ServiceProcess(Process process, Uri address)
    {
        this.process = process;
        Address = address;
    }

    public Uri Address { get; }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>
    /// The store options of one service: its data directory and, on PostgreSQL, a new empty database of its own (added
    /// to <paramref name="databases"/> for the caller to drop).
    /// </summary>
    public static string[] Store(string dataDir, ICollection<string> databases)
    {
        if (!TestDatabase.IsPostgres)
        {
            return ["--data-dir", dataDir];
        }
        var database = TestDatabase.CreatePostgresDatabase();
        databases.Add(database);
        return ["--data-dir", dataDir, "--Database:Provider=postgres", "--Database:MigrateAtStart=true",
            "--ConnectionStrings:Connectory", TestDatabase.PostgresConnectionString(database)];
    }

    /// <summary>Starts <c>connectory serve</c> with <paramref name="args"/>; with <paramref name="umask"/>, under that umask.</summary>
    public static ServiceProcess Start(IEnumerable<string> args, string? umask = null)
    {
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        string[] serve =
        [
            "exec", Binary, "serve", "--urls", address.GetLeftPart(UriPartial.Authority),
            "--Logging:Console:FormatterName=simple", "--Logging:Console:FormatterOptions:SingleLine=true", .. args,
        ];
        var start = umask is null
            ? new ProcessStartInfo("dotnet", serve)
            : new ProcessStartInfo("sh", ["-c", $"umask {umask} && exec dotnet \"$@\"", "sh", .. serve]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.Environment["DOTNET_NOLOGO"] = "1";
        // A short-lived process gains nothing from profile-guided JIT; it only costs the start time.
        start.Environment["DOTNET_TieredPGO"] = "0";
        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(process, address);
        process.OutputDataReceived += (_, e) => service.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => service.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    void Keep(string? line)
    {
        if (line is not null)
        {
            lines.Enqueue((sinceLaunch.Elapsed, line));
        }
    }

    /// <summary>When, after the launch, a line containing <paramref name="fragment"/> came out (null: none yet).</summary>
    public TimeSpan? SeenAt(string fragment) =>
        lines.FirstOrDefault(l => l.Line.Contains(fragment, StringComparison.Ordinal)) is { Line: not null } seen ? seen.At : null;

    /// <summary>Waits for a line containing <paramref name="fragment"/>; false when the process ended or <paramref name="within"/> passed first.</summary>
    public async Task<bool> WaitForLineAsync(string fragment, TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        while (SeenAt(fragment) is null)
        {
            if (process.HasExited || waited.Elapsed > within)
            {
                return SeenAt(fragment) is not null;
            }
            await Task.Delay(10);
        }
        return true;
    }

    /// <summary>Polls /health/ready until it answers 200: the time since the launch, or null when the process ended or <paramref name="within"/> passed.</summary>
    public async Task<TimeSpan?> WaitUntilReadyAsync(TimeSpan within)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < within && !process.HasExited)
        {
            try
            {
                using var response = await Http.GetAsync(new Uri(Address, "/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return sinceLaunch.Elapsed;
                }
                LastReadyAnswer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                // Not listening yet.
                LastReadyAnswer = e.Message;
            }
            catch (TaskCanceledException)
            {
                // Listening, but not answering yet.
                LastReadyAnswer = "no answer within the client's timeout";
            }
            await Task.Delay(50);
        }
        LastReadyAnswer = process.HasExited ? $"the process ended with exit code {process.ExitCode}; last probe: {LastReadyAnswer}" : LastReadyAnswer;
        return null;
    }

    /// <summary>What the last /health/ready probe of <see cref="WaitUntilReadyAsync"/> got, when it was not 200: for failure messages.</summary>
    public string? LastReadyAnswer { get; private set; }

    /// <summary>Waits for the process to end by itself; false when <paramref name="within"/> passed first.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGKILL: the process gets no chance to clean anything up.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill();
        }
        process.WaitForExit();
    }

    /// <summary>Every line the process printed so far, standard output and error together.</summary>
    public IReadOnlyList<string> Lines => lines.Select(l => l.Line).ToList();

    /// <summary>What the process printed, for failure messages.</summary>
    public string Output => string.Join('\n', lines.Select(l => $"[{l.At.TotalSeconds,7:0.000}s] {l.Line}"));

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
