using System.ComponentModel;
using System.Diagnostics;
using Npgsql;

namespace Connectory.Tests.Support;

/// <summary>Runs PostgreSQL's own <c>pg_dump</c> against a test database, for tests that look at what is stored.</summary>
static class PgDump
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>The newest installed Debian cluster's pg_dump, else the one on PATH.</summary>
    static string Binary { get; } =
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(dir => Path.Combine(dir, "bin", "pg_dump"))
                .Where(File.Exists)
                .OrderBy(path => int.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(path))), out var version) ? version : 0)
                .LastOrDefault() ?? "pg_dump"
            : "pg_dump";

    /// <summary>The plain-SQL dump (schema and data) of the database the connection string names.</summary>
    public static async Task<string> DumpAsync(string connectionString)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var start = new ProcessStartInfo(Binary,
            ["--no-owner", "--no-privileges", "-h", target.Host ?? "127.0.0.1", "-p", target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "-U", target.Username ?? "postgres", "-d", target.Database ?? throw new ArgumentException("no database in the connection string")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!string.IsNullOrEmpty(target.Password))
        {
            start.Environment["PGPASSWORD"] = target.Password;
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("pg_dump did not start");
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"Cannot run {Binary} ({e.Message}); the PostgreSQL client tools must be installed.");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(cancel.Token);
            var dump = await stdout;
            Assert.True(process.ExitCode == 0, $"{Binary} exited with {process.ExitCode}: {await stderr}");
            return dump;
        }
    }
}
