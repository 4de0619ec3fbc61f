using System.Diagnostics;
using Connectory.Tests.Support;

namespace Connectory.Tests.Cli;

/// <summary>
/// Runs the built <c>connectory</c> binary as a process (<c>dotnet connectory.dll ...</c>), as an operator runs it,
/// over its own temp data directory and, when the suite runs on PostgreSQL, its own database.
/// </summary>
sealed class CommandLineRunner : IDisposable
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    static readonly string Binary = Path.Combine(AppContext.BaseDirectory, "connectory.dll");

    readonly string? postgresDatabase = TestDatabase.IsPostgres ? TestDatabase.CreatePostgresDatabase() : null;

    /// <summary>The run's working directory, empty at the start: a command must write nothing here (no ./data).</summary>
    public string WorkingDirectory { get; } = TestDirectory.Create();

    /// <summary>Not created up front: help and usage errors must leave it so.</summary>
    public string DataDir => Path.Combine(WorkingDirectory, "data-dir");

    /// <summary>The store's options: the data directory, and PostgreSQL's settings as configuration tokens.</summary>
    public string[] Store => postgresDatabase is null
        ? ["--data-dir", DataDir]
        : ["--data-dir", DataDir, "--Database:Provider=postgres", "--ConnectionStrings:Connectory", TestDatabase.PostgresConnectionString(postgresDatabase)];

    /// <summary>Runs <c>connectory</c> with exactly <paramref name="args"/> (add <see cref="Store"/> for a command that needs one).</summary>
    public static async Task<CommandRun> RunAsync(IEnumerable<string> args, string workingDirectory, string? stdin = null)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", Binary, .. args])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        using (var cancel = new CancellationTokenSource(Timeout))
        {
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"connectory {string.Join(' ', args)} did not end within {Timeout}");
            }
        }
        return new CommandRun([.. args], process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs <c>connectory</c> in <see cref="WorkingDirectory"/> over this runner's store.</summary>
    public Task<CommandRun> RunOnStoreAsync(params string[] args) => RunAsync([.. args, .. Store], WorkingDirectory);

    public void Dispose()
    {
        if (postgresDatabase is not null)
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            TestDatabase.DropPostgresDatabase(postgresDatabase);
        }
    }
}

sealed record CommandRun(string[] Args, int Exit, string Stdout, string Stderr)
{
    /// <summary>Asserts the exit code, showing what the command printed when it differs.</summary>
    public CommandRun Exits(int expected)
    {
        Assert.True(Exit == expected, $"connectory {string.Join(' ', Args)} exited {Exit}, not {expected}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}");
        return this;
    }
}
