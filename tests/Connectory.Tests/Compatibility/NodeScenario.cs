using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace Connectory.Tests.Compatibility;

/// <summary>Runs a Node script of tests/compat (Qlik's clients, a QRS client and the published schemas) against a server.</summary>
static class NodeScenario
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string CompatDirectory => Path.Combine(RepoRoot, "tests", "compat");

    /// <summary>
    /// Runs <paramref name="script"/> with CONNECTORY_URL and CONNECTORY_KEY set to the server and key, plus
    /// <paramref name="environment"/>.
    /// </summary>
    public static async Task<NodeRun> RunAsync(string script, Uri baseAddress, string apiKey, IReadOnlyDictionary<string, string>? environment = null)
    {
        foreach (var package in Dependencies())
        {
            var installed = Path.Combine(CompatDirectory, "node_modules", package, "package.json");
            Assert.True(File.Exists(installed),
                $"The Node compatibility packages are not installed ({installed} is missing): run `npm ci --prefix tests/compat` from the repository root.");
        }

        var start = new ProcessStartInfo("node", [script])
        {
            WorkingDirectory = CompatDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["CONNECTORY_URL"] = baseAddress.ToString().TrimEnd('/');
        start.Environment["CONNECTORY_KEY"] = apiKey;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"Cannot run node ({e.Message}); Node.js 20 or later must be on PATH.");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var timedOut = false;
            using (var cancel = new CancellationTokenSource(Timeout))
            {
                try
                {
                    await process.WaitForExitAsync(cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    timedOut = true;
                    process.Kill(entireProcessTree: true);
                    await process.WaitForExitAsync();
                }
            }
            return new NodeRun(script, process.ExitCode, timedOut, await stdout, await stderr);
        }
    }

    /// <summary>The packages tests/compat/package.json depends on.</summary>
    static IEnumerable<string> Dependencies()
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(CompatDirectory, "package.json")));
        return [.. manifest.RootElement.GetProperty("dependencies").EnumerateObject().Select(p => p.Name)];
    }

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Connectory.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Connectory.slnx above {AppContext.BaseDirectory}");
    }
}

sealed record NodeRun(string Script, int ExitCode, bool TimedOut, string Stdout, string Stderr)
{
    public string Report() =>
        $"node {Script} {(TimedOut ? "was stopped after the time limit" : $"exited with {ExitCode}")}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
