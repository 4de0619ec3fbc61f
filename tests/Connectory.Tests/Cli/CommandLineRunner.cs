using System.Diagnostics;
using Connectory.Tests.Support;

namespace Connectory.Tests.Cli;

/// <summary>
/// Runs the built <c>connectory</c> binary as a process (<c>dotnet connectory.dll ...</c>), as an operator runs it,
/// over its own temp data directory and, when the suite runs on PostgreSQL, its own database.
/// </summary>
sealed class CommandLineRunner : IDisposable
{
    // Generous: the machine may be busy; a command that hangs still ends the test.
    static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);
    static readonly string Binary = Path.Combine(AppContext.BaseDirectory, "connectory.dll");

    readonly string? postgresDatabase = TestDatabase.IsPostgres ? TestDatabase.CreatePostgresDatabase() : null;

    /// <summary>The run's working directory, empty at the start: a command must write nothing here (no ./data).</summary>
    public string WorkingDirectory { get; } = TestDirectory.Create();

    /// <summary>Not created up front: help and usage errors must leave it so.</summary>
    public string DataDir => Path.Combine(WorkingDirectory, "data-dir");

    /// <summary>The store's options: the data directory, and PostgreSQL's settings as configuration tokens (migrated as the commands meet it).</summary>
    public string[] Store => postgresDatabase is null
        ? ["--data-dir", DataDir]
        : ["--data-dir", DataDir, "--Database:Provider=postgres", "--Database:MigrateAtStart=true", "--ConnectionStrings:Connectory", TestDatabase.PostgresConnectionString(postgresDatabase)];

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

    /// <summary>
    /// Starts <c>connectory</c> with <paramref name="args"/> as a server and returns the first address it reports
    /// listening on (or null if it ended first); the caller kills the process.
    /// </summary>
    public async Task<(Process Server, Uri? Address)> StartServerAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", ["exec", Binary, .. args, .. Store])
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var server = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        _ = server.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(Timeout);
        while (await server.StandardOutput.ReadLineAsync(cancel.Token) is { } line)
        {
            if (line.StartsWith("Connectory is listening on ", StringComparison.Ordinal))
            {
                _ = server.StandardOutput.ReadToEndAsync();
                return (server, new Uri(line["Connectory is listening on ".Length..].Split(", ")[0]));
            }
        }
        return (server, null);
    }

    /// <summary>Runs <c>connectory</c> in <see cref="WorkingDirectory"/> over this runner's store.</summary>
    public Task<CommandRun> RunOnStoreAsync(params string[] args) => RunAsync([.. args, .. Store], WorkingDirectory);

    public void Dispose()
    {
        if (postgresDatabase is not null)
        {
            // Only this store's pool: other tests' apps keep theirs.
            using var connection = new Npgsql.NpgsqlConnection(TestDatabase.PostgresConnectionString(postgresDatabase));
            Npgsql.NpgsqlConnection.ClearPool(connection);
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
