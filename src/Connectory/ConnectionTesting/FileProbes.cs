using Microsoft.Data.Sqlite;

namespace Connectory.ConnectionTesting;

/// <summary>
/// Folder and SQLite sources, on the service's own file system: the path must pass the policy, then a folder must
/// exist, be a folder and list; an SQLite file must exist, be a regular file that starts as an SQLite database, and
/// open read-only to a query. Each step runs against the deadline, so a hung file system ends the step, not the request.
/// </summary>
internal static class FileProbes
{
    /// <summary>SQLite's file header: the first 16 bytes of every database file.</summary>
    static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    /// <summary>A database file is at least its 100-byte header; devices and pipes report 0, and are never opened.</summary>
    const int MinimumDatabaseSize = 100;

    public static async Task FolderAsync(TestSteps steps, OutboundPolicy policy, TestTarget target)
    {
        if (!CheckPolicy(steps, policy, target))
        {
            return;
        }
        var path = target.Path;
        var (found, _) = await steps.RunAsync("path", _ => Task.Run(() => Directory.Exists(path)
            ? (true, "exists and is a folder")
            : throw new FileNotFoundException(File.Exists(path) ? "is a file, not a folder" : "does not exist, or the service may not see it")), Explain);
        if (!found)
        {
            return;
        }
        await steps.RunAsync("read", _ => Task.Run(() =>
        {
            var any = Directory.EnumerateFileSystemEntries(path).Any();
            return (true, any ? "the service may list it" : "the service may list it; it is empty");
        }), Explain);
    }

    public static async Task SqliteAsync(TestSteps steps, OutboundPolicy policy, TestTarget target)
    {
        if (!CheckPolicy(steps, policy, target))
        {
            return;
        }
        var path = target.Path;
        var (found, _) = await steps.RunAsync("file", _ => Task.Run(() =>
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                throw new FileNotFoundException(Directory.Exists(path) ? "is a folder, not a file" : "does not exist, or the service may not see it");
            }
            if (file.Length < MinimumDatabaseSize)
            {
                throw new InvalidDataException($"is not an SQLite database ({file.Length} bytes)");
            }
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var header = new byte[SqliteHeader.Length];
            stream.ReadExactly(header);
            return header.AsSpan().SequenceEqual(SqliteHeader)
                ? (true, $"an SQLite database file of {file.Length} bytes")
                : throw new InvalidDataException("is not an SQLite database (its header says otherwise)");
        }), Explain);
        if (!found)
        {
            return;
        }
        await steps.RunAsync("open", async ct =>
        {
            var connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view')";
            var count = Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
            return (true, $"opened read-only; {count} tables and views");
        }, Explain);
    }

    static bool CheckPolicy(TestSteps steps, OutboundPolicy policy, TestTarget target)
    {
        if (policy.RefusePath(target.Path) is { } refused)
        {
            steps.Fail("policy", 0, refused);
            return false;
        }
        steps.Pass("policy", 0, "the path may be tested");
        return true;
    }

    static string Explain(Exception e) => e switch
    {
        FileNotFoundException or InvalidDataException => e.Message,
        UnauthorizedAccessException => "permission denied to the service's user",
        SqliteException s => $"SQLite error {s.SqliteErrorCode}: {s.Message}",
        IOException => $"could not be read ({e.Message})",
        _ => e.GetType().Name,
    };
}
