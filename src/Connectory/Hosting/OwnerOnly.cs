namespace Connectory.Hosting;

/// <summary>What the service keeps on disk is its owner's only: directories 0700, files 0600, whatever the umask.</summary>
internal static class OwnerOnly
{
    public const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryPermissions = FilePermissions | UnixFileMode.UserExecute;

    const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates the directory, 0700, when it is missing; one that exists keeps its mode (see <see cref="DataFileModes"/>).</summary>
    public static void EnsureDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            return;
        }
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        Directory.CreateDirectory(path, DirectoryPermissions);
        File.SetUnixFileMode(path, DirectoryPermissions);
    }

    /// <summary>Creates an empty file, 0600, when it is missing (so that what fills it later does not make it 0644).</summary>
    public static void CreateFile(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path))
        {
            return;
        }
        try
        {
            using var created = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FilePermissions });
            File.SetUnixFileMode(created.SafeFileHandle, FilePermissions);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process made it first, the same way.
        }
    }

    /// <summary>True when group or others have any access.</summary>
    public static bool IsShared(UnixFileMode mode) => (mode & GroupOrOthers) != 0;

    /// <summary>A mode as chmod writes it (0644).</summary>
    public static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');
}
