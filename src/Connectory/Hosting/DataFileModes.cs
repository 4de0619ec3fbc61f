using Connectory.Data;
using Connectory.Secrets;
using Microsoft.Extensions.Options;

namespace Connectory.Hosting;

/// <summary>
/// The start's look at file modes: the files the service makes itself (its SQLite database, the bootstrap key, the
/// generated master key) are tightened to 0600 when found open to others (an older version, a copy, a chmod); the data
/// directory and a configured key file are the operator's, so those are only warned about. A log line names the path
/// and the mode, never what the file holds.
/// </summary>
internal sealed class DataFileModes(DataDirectory dataDirectory, IOptions<SecretsOptions> secrets, ILogger<DataFileModes> logger)
{
    static readonly string[] OwnFiles =
    [
        DatabaseRegistration.SqliteFile,
        DatabaseRegistration.SqliteFile + "-wal",
        DatabaseRegistration.SqliteFile + "-shm",
        DatabaseRegistration.SqliteFile + "-journal",
        MasterKeyRing.GeneratedFile,
        DatabaseInitializer.BootstrapKeyFile,
    ];

    public void Check()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var directory = dataDirectory.Path;
        if (Directory.Exists(directory) && File.GetUnixFileMode(directory) is var mode && OwnerOnly.IsShared(mode))
        {
            logger.LogWarning("The data directory {Path} is open to group or others (mode {Mode}); it holds the database and keys: chmod 700 {Path}",
                directory, OwnerOnly.Octal(mode), directory);
        }
        foreach (var name in OwnFiles)
        {
            Tighten(Path.Combine(directory, name), OwnerOnly.FilePermissions);
        }
        Tighten(Path.Combine(directory, ConnectoryApp.DataProtectionKeys), OwnerOnly.DirectoryPermissions);
        if (secrets.Value.MasterKeyFile is { } keyFile && File.Exists(keyFile) && File.GetUnixFileMode(keyFile) is var keyMode && OwnerOnly.IsShared(keyMode))
        {
            logger.LogWarning("The master key file {Path} (Secrets:MasterKeyFile) is open to group or others (mode {Mode}): chmod 600 {Path}",
                keyFile, OwnerOnly.Octal(keyMode), keyFile);
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    void Tighten(string path, UnixFileMode ownerOnly)
    {
        if (!Path.Exists(path))
        {
            return;
        }
        var mode = File.GetUnixFileMode(path);
        if (!OwnerOnly.IsShared(mode))
        {
            return;
        }
        File.SetUnixFileMode(path, ownerOnly);
        logger.LogWarning("Tightened {Path} from mode {Mode} to {OwnerOnly}: group or others could open it", path, OwnerOnly.Octal(mode), OwnerOnly.Octal(ownerOnly));
    }
}
