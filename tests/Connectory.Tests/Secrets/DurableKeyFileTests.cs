using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.RegularExpressions;
using Connectory.Data;
using Connectory.Hosting;
using Connectory.Secrets;
using Connectory.Tests.DataCredentials;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Connectory.Tests.Secrets;

/// <summary>
/// Key files survive a crash or a power loss: each is written aside, flushed to disk, renamed into place and its
/// directory synced, in that order, as seen through the file-system seam; and no secret is sealed under a new key
/// before the key is on disk.
/// </summary>
public sealed partial class DurableKeyFileTests
{
    readonly string directory = TestDirectory.Create();
    readonly ConcurrentQueue<string> log = new();

    static string[] DurableWrite(string name, string directory) =>
        [$"create {name}.*.tmp", $"write {name}.*.tmp", $"flush-to-disk {name}.*.tmp", $"rename {name}.*.tmp -> {name}", $"sync-directory {directory}"];

    [Fact]
    public async Task AKeyFileIsWrittenAsideFlushedToDiskRenamedIntoPlaceThenItsDirectorySynced()
    {
        var path = Path.Combine(directory, "master.keys");
        var files = new SecretFile(new RecordingFileSystem(log));
        await files.WriteAsync(path, "k1 first\n", CancellationToken.None);
        await files.WriteAsync(path, "k1 first\nk2 second\n", CancellationToken.None);

        Assert.Equal([.. DurableWrite("master.keys", directory), .. DurableWrite("master.keys", directory)], log);
        Assert.Equal("k1 first\nk2 second\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(directory));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(OwnerOnly.FilePermissions, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task CreatingAKeyFileThatAnotherProcessMadeFirstKeepsTheirsAndLeavesNothingBehind()
    {
        var path = Path.Combine(directory, "master.keys");
        var files = new SecretFile(new RecordingFileSystem(log));
        Assert.True(await files.TryCreateAsync(path, "k1 theirs\n", CancellationToken.None));
        Assert.Equal(DurableWrite("master.keys", directory), log);

        log.Clear();
        Assert.False(await files.TryCreateAsync(path, "k1 mine\n", CancellationToken.None));
        Assert.Equal([.. DurableWrite("master.keys", directory)[..4], "delete master.keys.*.tmp"], log);
        Assert.Equal("k1 theirs\n", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(directory));
    }

    [Fact]
    public void SyncingARealDirectoryCallsTheSystem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        LocalFileSystem.Instance.SyncDirectory(directory);
        // A file is not a directory: open(O_DIRECTORY) refuses it, so the call really reached libc.
        var file = Path.Combine(directory, "not-a-directory");
        File.WriteAllText(file, "");
        var refused = Assert.Throws<IOException>(() => LocalFileSystem.Instance.SyncDirectory(file));
        Assert.Contains("open(", refused.Message);
    }

    [Fact]
    public void TheBootstrapKeyIsWrittenDurably()
    {
        using var factory = new ConnectoryFactory();
        using var recorded = factory.WithWebHostBuilder(b => b.ConfigureServices(s => RecordFiles(s)));
        _ = recorded.Services;
        var entries = log.ToList();
        Assert.True(Contains(entries, DurableWrite(DatabaseInitializer.BootstrapKeyFile, factory.DataDir)), string.Join('\n', entries));
        Assert.True(Contains(entries, DurableWrite(MasterKeyRing.GeneratedFile, factory.DataDir)), string.Join('\n', entries));
    }

    [Fact]
    public async Task RotationPutsTheKeyFileOnDiskBeforeReWrappingAnySecret()
    {
        using var factory = ConnectoryFactory.With(new() { ["Secrets:ReloadSeconds"] = "0" });
        var tenant = await factory.NewTenantAsync();
        await tenant.Admin.NewCredentialAsync("durable", password: "pw-1");
        await tenant.Admin.NewConnectionAsync(CredentialApi.Connection(secret: "secret-1"));
        await factory.DisposeAsync();

        using var restarted = factory.Restarted();
        using var admin = restarted.WithWebHostBuilder(b => b.ConfigureServices(s =>
        {
            RecordFiles(s);
            // A re-wrap is an UPDATE of a sealed column: it goes into the same log as the file operations.
            var rewraps = new RewrapRecorder(log);
            s.ConfigureDbContext<SqliteConnectoryDb>(o => o.AddInterceptors(rewraps));
            s.ConfigureDbContext<PostgresConnectoryDb>(o => o.AddInterceptors(rewraps));
        }));
        var keyFile = Path.Combine(factory.DataDir, MasterKeyRing.GeneratedFile);
        var onDiskAsItIs = new[] { $"open {MasterKeyRing.GeneratedFile}", $"flush-to-disk {MasterKeyRing.GeneratedFile}", $"sync-directory {factory.DataDir}" };

        log.Clear();
        Assert.Equal(0, await KeyCommands.RotateAsync(admin.Services, resume: false, new StringWriter()));
        var entries = log.ToList();
        var firstRewrap = entries.FindIndex(e => e.StartsWith("re-wrap", StringComparison.Ordinal));
        Assert.True(firstRewrap > 0, string.Join('\n', entries));
        Assert.True(Contains(entries.Take(firstRewrap).ToList(), [.. DurableWrite(MasterKeyRing.GeneratedFile, factory.DataDir), .. onDiskAsItIs]), string.Join('\n', entries));

        // A key appended by hand, as an operator does for instances that cannot share the file, then --resume.
        File.AppendAllText(keyFile, $"khand {Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))}\n");
        log.Clear();
        Assert.Equal(0, await KeyCommands.RotateAsync(admin.Services, resume: true, new StringWriter()));
        entries = log.ToList();
        firstRewrap = entries.FindIndex(e => e.StartsWith("re-wrap", StringComparison.Ordinal));
        Assert.True(firstRewrap > 0, string.Join('\n', entries));
        Assert.Equal(onDiskAsItIs, entries.Take(firstRewrap));
    }

    void RecordFiles(IServiceCollection services)
    {
        services.RemoveAll<IFileSystem>();
        services.AddSingleton<IFileSystem>(new RecordingFileSystem(log));
    }

    /// <summary>True when <paramref name="expected"/> appears in <paramref name="entries"/> as one run, in order.</summary>
    static bool Contains(List<string> entries, string[] expected) =>
        Enumerable.Range(0, Math.Max(0, entries.Count - expected.Length + 1)).Any(i => entries.Skip(i).Take(expected.Length).SequenceEqual(expected));

    /// <summary>The real file system, with each operation written to a log in the order it happened.</summary>
    sealed partial class RecordingFileSystem(ConcurrentQueue<string> log) : IFileSystem
    {
        readonly LocalFileSystem real = LocalFileSystem.Instance;

        public Stream CreateOwnerOnly(string path)
        {
            log.Enqueue($"create {Name(path)}");
            return new RecordedStream(real.CreateOwnerOnly(path), Name(path), log);
        }

        public Stream OpenExisting(string path)
        {
            log.Enqueue($"open {Name(path)}");
            return new RecordedStream(real.OpenExisting(path), Name(path), log);
        }

        public void FlushToDisk(Stream file)
        {
            var recorded = (RecordedStream)file;
            log.Enqueue($"flush-to-disk {recorded.Name}");
            real.FlushToDisk(recorded.Inner);
        }

        public void Move(string source, string destination, bool overwrite)
        {
            log.Enqueue($"rename {Name(source)} -> {Name(destination)}");
            real.Move(source, destination, overwrite);
        }

        public void Delete(string path)
        {
            log.Enqueue($"delete {Name(path)}");
            real.Delete(path);
        }

        public void SyncDirectory(string directory)
        {
            log.Enqueue($"sync-directory {directory}");
            real.SyncDirectory(directory);
        }

        static string Name(string path) => RandomPart().Replace(Path.GetFileName(path), "*");

        [GeneratedRegex("[0-9a-f]{32}")]
        private static partial Regex RandomPart();
    }

    sealed class RecordedStream(Stream inner, string name, ConcurrentQueue<string> log) : Stream
    {
        public Stream Inner => inner;
        public string Name => name;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            log.Enqueue($"write {name}");
            inner.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            log.Enqueue($"write {name}");
            return inner.WriteAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }

    sealed class RewrapRecorder(ConcurrentQueue<string> log) : DbCommandInterceptor
    {
        void Record(DbCommand command)
        {
            var text = command.CommandText.TrimStart();
            if (text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) && (text.Contains("\"Password\"", StringComparison.Ordinal) || text.Contains("\"ConnectionSecret\"", StringComparison.Ordinal)))
            {
                log.Enqueue("re-wrap");
            }
        }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            Record(command);
            return ValueTask.FromResult(result);
        }

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
        {
            Record(command);
            return result;
        }
    }
}
