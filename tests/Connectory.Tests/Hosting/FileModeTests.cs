using Connectory.Hosting;
using Connectory.Secrets;
using Connectory.Tests.Support;

namespace Connectory.Tests.Hosting;

/// <summary>What the service keeps on disk is its owner's only, whatever the umask; what others may open is tightened or warned about at start.</summary>
public sealed class FileModeTests : IDisposable
{
    const UnixFileMode Open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    readonly List<string> databases = [];

    public void Dispose()
    {
        foreach (var database in databases)
        {
            TestDatabase.DropPostgresDatabase(database);
        }
    }

    [Fact]
    public async Task AFirstStartUnderAPermissiveUmaskKeepsEverythingOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var dataDir = Path.Combine(TestDirectory.Create(), "data");
        using (var service = ServiceProcess.Start(ServiceProcess.Store(dataDir, databases), umask: "000"))
        {
            Assert.True(await service.WaitUntilReadyAsync(TimeSpan.FromMinutes(2)) is not null, service.Output);
        }
        Assert.Equal(OwnerOnly.DirectoryPermissions, File.GetUnixFileMode(dataDir));
        Assert.Equal(OwnerOnly.DirectoryPermissions, File.GetUnixFileMode(Path.Combine(dataDir, ConnectoryApp.DataProtectionKeys)));
        List<string> files = [MasterKeyRing.GeneratedFile, DatabaseInitializer.BootstrapKeyFile];
        if (!TestDatabase.IsPostgres)
        {
            files.AddRange([TestDatabase.SqliteFileName, TestDatabase.SqliteFileName + "-wal", TestDatabase.SqliteFileName + "-shm"]);
        }
        foreach (var file in files)
        {
            Assert.Equal((file, OwnerOnly.FilePermissions), (file, File.GetUnixFileMode(Path.Combine(dataDir, file))));
        }
    }

    [Fact]
    public async Task TheServicesOwnFilesAreTightenedAtStartAndAnOpenDataDirectoryIsWarnedAbout()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        using var factory = new ConnectoryFactory();
        _ = factory.BaseAddress;
        await factory.DisposeAsync();
        var keyFile = Path.Combine(factory.DataDir, MasterKeyRing.GeneratedFile);
        List<string> own = [keyFile, Path.Combine(factory.DataDir, DatabaseInitializer.BootstrapKeyFile)];
        if (!TestDatabase.IsPostgres)
        {
            own.Add(Path.Combine(factory.DataDir, TestDatabase.SqliteFileName));
        }
        foreach (var file in own)
        {
            File.SetUnixFileMode(file, Open);
        }
        File.SetUnixFileMode(factory.DataDir, OwnerOnly.DirectoryPermissions | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        using var restarted = factory.Restarted();
        _ = restarted.BaseAddress;
        foreach (var file in own)
        {
            Assert.Equal((file, OwnerOnly.FilePermissions), (file, File.GetUnixFileMode(file)));
            Assert.Contains(restarted.Logs, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"Tightened {file} from mode 0644 to 0600", StringComparison.Ordinal));
        }
        // The data directory is the operator's: named with its mode, and left as it is.
        Assert.Contains(restarted.Logs, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"The data directory {factory.DataDir} is open to group or others (mode 0755)", StringComparison.Ordinal));
        Assert.True(OwnerOnly.IsShared(File.GetUnixFileMode(factory.DataDir)));
        var key = File.ReadAllText(keyFile).Split(' ')[1].Trim();
        Assert.DoesNotContain(restarted.Logs, l => l.Contains(key, StringComparison.Ordinal));
    }

    [Fact]
    public void AConfiguredKeyFileOpenToOthersIsWarnedAboutAndLeftAsItIs()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var keyFile = Path.Combine(TestDirectory.Create(), "operator.keys");
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        File.WriteAllText(keyFile, $"k1 {key}\n");
        File.SetUnixFileMode(keyFile, Open);

        using var factory = ConnectoryFactory.With(new() { ["Secrets:MasterKeyFile"] = keyFile });
        _ = factory.BaseAddress;
        Assert.Equal(Open, File.GetUnixFileMode(keyFile));
        Assert.Contains(factory.Logs, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains($"The master key file {keyFile} (Secrets:MasterKeyFile) is open to group or others (mode 0644)", StringComparison.Ordinal));
        Assert.DoesNotContain(factory.Logs, l => l.Contains(key, StringComparison.Ordinal));
    }
}
