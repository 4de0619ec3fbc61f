using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Connectory.Tests.Support;

/// <summary>
/// A PostgreSQL cluster of one test's own (initdb and pg_ctl from Debian's packages, on a free loopback port), which the
/// test may kill (SIGKILL, postmaster and every backend) and start again. The shared test cluster serves other tests
/// at the same time, so it is never the one killed. As root, the cluster runs as the <c>postgres</c> user, as
/// scripts/test.sh does.
/// </summary>
sealed class PrivatePostgres : IDisposable
{
    readonly string bin;
    readonly string directory;
    readonly int port;
    readonly string? password;

    PrivatePostgres(string bin, string directory, int port, string? password)
    {
        this.bin = bin;
        this.directory = directory;
        this.port = port;
        this.password = password;
    }

    public int Port => port;

    string DataDir => Path.Combine(directory, "data");

    /// <summary>
    /// A new cluster; with <paramref name="superuserPassword"/>, TCP sign-ins need the password (scram-sha-256), as a
    /// server outside a test does, instead of being trusted.
    /// </summary>
    public static PrivatePostgres Start(string? superuserPassword = null)
    {
        var bin = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderBy(d => int.Parse(Path.GetFileName(Path.GetDirectoryName(d)!), CultureInfo.InvariantCulture))
            .LastOrDefault() ?? throw new InvalidOperationException("No PostgreSQL server binaries under /usr/lib/postgresql (scripts/test.sh installs them).");
        var directory = Path.Combine(Path.GetTempPath(), "connectory-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        if (IsRoot)
        {
            Run("chown", "postgres:postgres", directory);
        }
        Run("chmod", "755", directory);
        var cluster = new PrivatePostgres(bin, directory, FreePort(), superuserPassword);
        if (superuserPassword is null)
        {
            cluster.RunAsOwner(Path.Combine(bin, "initdb"), "-D", cluster.DataDir, "-U", "postgres", "-A", "trust", "--no-sync");
        }
        else
        {
            var passwordFile = Path.Combine(directory, "superuser-password");
            File.WriteAllText(passwordFile, superuserPassword);
            cluster.RunAsOwner(Path.Combine(bin, "initdb"), "-D", cluster.DataDir, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
                "--pwfile=" + passwordFile, "--no-sync");
            File.Delete(passwordFile);
        }
        cluster.StartServer();
        return cluster;
    }

    /// <summary>A connection string to <paramref name="database"/> on this cluster.</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = "postgres", Password = password, Database = database }.ToString();

    public void CreateDatabase(string name)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Pooling = false }.ToString());
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        command.ExecuteNonQuery();
    }

    /// <summary>
    /// Starts the server. fsync is off: the test kills processes, not the machine, so what a process wrote is in the
    /// page cache either way; synchronous_commit stays on, so a commit is in the WAL before the client hears of it.
    /// </summary>
    public void StartServer() =>
        RunAsOwner(Path.Combine(bin, "pg_ctl"), "-D", DataDir, "-l", Path.Combine(directory, "log"), "-w", "-t", "120", "start",
            "-o", $"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off");

    /// <summary>SIGKILL to the postmaster and every process it started: no shutdown checkpoint, crash recovery at the next start.</summary>
    public void Kill()
    {
        var pidFile = Path.Combine(DataDir, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }
        var postmaster = int.Parse(File.ReadLines(pidFile).First(), CultureInfo.InvariantCulture);
        var children = ChildrenOf(postmaster);
        foreach (var pid in children.Prepend(postmaster))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
                process.WaitForExit();
            }
            catch (ArgumentException)
            {
                // Gone already.
            }
            catch (InvalidOperationException)
            {
                // Gone already.
            }
        }
    }

    public void Dispose()
    {
        Kill();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary folder; the machine's cleanup takes it otherwise.
        }
    }

    static bool IsRoot => Environment.UserName == "root";

    void RunAsOwner(string program, params string[] args)
    {
        if (IsRoot)
        {
            Run("runuser", ["-u", "postgres", "--", program, .. args]);
        }
        else
        {
            Run(program, args);
        }
    }

    static void Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {process.ExitCode}: {output.Result}{error.Result}");
        }
    }

    /// <summary>The processes whose parent is <paramref name="parent"/>, from /proc (field 4 of /proc/PID/stat).</summary>
    static List<int> ChildrenOf(int parent)
    {
        var children = new List<int>();
        foreach (var entry in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(entry, "stat"));
                // The command name (field 2) is in parentheses and may hold spaces: the fields after it follow the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // Ended while we looked.
            }
        }
        return children;
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
