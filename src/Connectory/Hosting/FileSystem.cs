using System.Runtime.InteropServices;

namespace Connectory.Hosting;

/// <summary>The file operations a durable write is made of: a seam, so tests can see each one and their order.</summary>
internal interface IFileSystem
{
    /// <summary>Creates a new file only its owner can read and write: 0600 from the moment it exists, whatever the umask.</summary>
    Stream CreateOwnerOnly(string path);

    /// <summary>Opens an existing file, without changing it, to flush it to disk as it is (read-only is enough).</summary>
    Stream OpenExisting(string path);

    /// <summary>Puts what was written to <paramref name="file"/> on disk (fsync).</summary>
    void FlushToDisk(Stream file);

    void Move(string source, string destination, bool overwrite);

    void Delete(string path);

    /// <summary>Puts the directory's entries on disk (fsync of the directory), so a file created or renamed in it survives a power loss.</summary>
    void SyncDirectory(string directory);
}

internal sealed class LocalFileSystem : IFileSystem
{
    public static readonly LocalFileSystem Instance = new();

    public Stream CreateOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        }
        var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly.FilePermissions });
        try
        {
            // The umask can only take bits away; this makes the mode exactly 0600.
            File.SetUnixFileMode(stream.SafeFileHandle, OwnerOnly.FilePermissions);
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    // Read-only: a key file the service may not write (provisioned 0400, say) can still be put on disk.
    public Stream OpenExisting(string path) => new FileStream(path, FileMode.Open, FileAccess.Read);

    public void FlushToDisk(Stream file)
    {
        var stream = (FileStream)file;
        if (stream.CanWrite)
        {
            stream.Flush(flushToDisk: true);
        }
        else if (!OperatingSystem.IsWindows() && Libc.fsync((int)stream.SafeFileHandle.DangerousGetHandle()) != 0)
        {
            // FileStream flushes to disk only what it may write; fsync takes a read-only descriptor as well.
            throw Libc.Error("fsync", stream.Name);
        }
    }

    public void Move(string source, string destination, bool overwrite) => File.Move(source, destination, overwrite);

    public void Delete(string path) => File.Delete(path);

    public void SyncDirectory(string directory)
    {
        // Windows cannot open a directory to flush it; NTFS journals the rename itself.
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var descriptor = Libc.open(Libc.Path(directory), Libc.OpenDirectoryFlags);
        if (descriptor < 0)
        {
            throw Libc.Error("open", directory);
        }
        try
        {
            // EINVAL: a file system that cannot sync directories; there is nothing more to make durable there.
            if (Libc.fsync(descriptor) != 0 && Marshal.GetLastPInvokeError() != Libc.EINVAL)
            {
                throw Libc.Error("fsync", directory);
            }
        }
        finally
        {
            _ = Libc.close(descriptor);
        }
    }

    static class Libc
    {
        public const int EINVAL = 22;

        // O_RDONLY | O_DIRECTORY | O_CLOEXEC on Linux, where O_DIRECTORY differs by architecture; O_RDONLY elsewhere.
        public static readonly int OpenDirectoryFlags = !OperatingSystem.IsLinux() ? 0 : RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 or Architecture.X86 => 0x10000 | 0x80000,
            Architecture.Arm64 or Architecture.Arm => 0x4000 | 0x80000,
            _ => 0,
        };

        [DllImport("libc", SetLastError = true)]
        public static extern int open(byte[] path, int flags);

        /// <summary>A path as libc takes it: UTF-8, NUL-terminated.</summary>
        public static byte[] Path(string path) => System.Text.Encoding.UTF8.GetBytes(path + "\0");

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int descriptor);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int descriptor);

        public static IOException Error(string call, string path)
        {
            var errno = Marshal.GetLastPInvokeError();
            return new IOException($"{call}({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}).");
        }
    }
}
