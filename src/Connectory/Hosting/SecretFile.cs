namespace Connectory.Hosting;

internal static class SecretFile
{
    /// <summary>Writes a file only its owner can read (0600 from the moment it exists, not chmod-ed after).</summary>
    public static Task WriteAsync(string path, string content, CancellationToken ct) => WriteAsync(path, content, FileMode.Create, ct);

    /// <summary>
    /// Like <see cref="WriteAsync(string, string, CancellationToken)"/>, but only when no file is there yet: false
    /// when another process made it first, whose content then stands.
    /// </summary>
    public static async Task<bool> TryCreateAsync(string path, string content, CancellationToken ct)
    {
        // Written aside, then moved into place without overwriting: nobody ever reads a half-written file.
        var aside = $"{path}.{Guid.NewGuid():N}.tmp";
        await WriteAsync(aside, content, FileMode.CreateNew, ct);
        try
        {
            File.Move(aside, path, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(aside);
            return false;
        }
    }

    static async Task WriteAsync(string path, string content, FileMode mode, CancellationToken ct)
    {
        if (OperatingSystem.IsWindows())
        {
            await using var plain = new StreamWriter(new FileStream(path, mode, FileAccess.Write));
            await plain.WriteAsync(content.AsMemory(), ct);
            return;
        }
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(path, new FileStreamOptions { Mode = mode, Access = FileAccess.Write, UnixCreateMode = ownerOnly }))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(content.AsMemory(), ct);
        }
        File.SetUnixFileMode(path, ownerOnly);
    }
}
