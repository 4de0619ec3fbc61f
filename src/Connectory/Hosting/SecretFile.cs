namespace Connectory.Hosting;

internal static class SecretFile
{
    /// <summary>Writes a file only its owner can read (0600 from the moment it exists, not chmod-ed after).</summary>
    public static async Task WriteAsync(string path, string content, CancellationToken ct)
    {
        if (OperatingSystem.IsWindows())
        {
            await File.WriteAllTextAsync(path, content, ct);
            return;
        }
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = ownerOnly }))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(content.AsMemory(), ct);
        }
        File.SetUnixFileMode(path, ownerOnly);
    }
}
