using System.Text;

namespace Connectory.Hosting;

/// <summary>
/// Files that hold keys (the master keys, the bootstrap admin key), written so that a crash or a power loss leaves the
/// old content or the new, never an empty or missing file: written aside (0600 from the moment it exists), flushed to
/// disk, renamed into place, and the directory synced so that the rename itself is on disk.
/// </summary>
internal sealed class SecretFile(IFileSystem files)
{
    /// <summary>Creates or replaces the file at <paramref name="path"/> durably.</summary>
    public async Task WriteAsync(string path, string content, CancellationToken ct)
    {
        var aside = await WriteAsideAsync(path, content, ct);
        Place(aside, path, overwrite: true);
        files.SyncDirectory(DirectoryOf(path));
    }

    /// <summary>
    /// Like <see cref="WriteAsync"/>, but only when no file is there yet: false when another process made it first,
    /// whose content then stands.
    /// </summary>
    public async Task<bool> TryCreateAsync(string path, string content, CancellationToken ct)
    {
        var aside = await WriteAsideAsync(path, content, ct);
        try
        {
            Place(aside, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        files.SyncDirectory(DirectoryOf(path));
        return true;
    }

    /// <summary>Puts a file that is already in place on disk as it is (a key file edited by hand, say) before anything relies on it.</summary>
    public void MakeDurable(string path)
    {
        using (var file = files.OpenExisting(path))
        {
            files.FlushToDisk(file);
        }
        files.SyncDirectory(DirectoryOf(path));
    }

    async Task<string> WriteAsideAsync(string path, string content, CancellationToken ct)
    {
        var aside = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using var file = files.CreateOwnerOnly(aside);
            await file.WriteAsync(Encoding.UTF8.GetBytes(content), ct);
            files.FlushToDisk(file);
            return aside;
        }
        catch
        {
            Forget(aside);
            throw;
        }
    }

    void Place(string aside, string path, bool overwrite)
    {
        try
        {
            files.Move(aside, path, overwrite);
        }
        catch
        {
            Forget(aside);
            throw;
        }
    }

    void Forget(string aside)
    {
        try
        {
            files.Delete(aside);
        }
        catch (IOException)
        {
            // A leftover *.tmp file is harmless; the error that brought us here is the one to report.
        }
    }

    static string DirectoryOf(string path) => Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
}
