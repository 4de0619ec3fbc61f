using System.Formats.Tar;
using System.Security.Cryptography;
using Connectory.Hosting;

namespace Connectory.Backup;

/// <summary>
/// A backup is one tar file: <c>manifest.json</c> first, then <c>connectory.db</c>. Tar because any machine can list
/// and unpack it (<c>tar -xOf backup.tar manifest.json</c>) and .NET writes it without a package; uncompressed, so the
/// database inside is the very bytes the manifest's checksum names.
/// </summary>
internal static class BackupArchive
{
    public const string ManifestEntry = "manifest.json";
    public const string DatabaseEntry = "connectory.db";

    // A manifest is a few kilobytes; anything far larger is not one.
    const long MaxManifestBytes = 1 << 20;

    /// <summary>Writes the archive aside (0600), puts it on disk and renames it into place: never a half-written backup at <paramref name="path"/>.</summary>
    public static async Task WriteAsync(IFileSystem files, string path, BackupManifest manifest, string databaseFile, CancellationToken ct)
    {
        var aside = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = files.CreateOwnerOnly(aside))
            {
                await using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
                {
                    await tar.WriteEntryAsync(Entry(ManifestEntry, new MemoryStream(manifest.ToJson()), manifest.CreatedAt), ct);
                    await using var database = File.OpenRead(databaseFile);
                    await tar.WriteEntryAsync(Entry(DatabaseEntry, database, manifest.CreatedAt), ct);
                }
                files.FlushToDisk(stream);
            }
            files.Move(aside, path, overwrite: true);
            files.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
        }
        catch
        {
            File.Delete(aside);
            throw;
        }
    }

    static PaxTarEntry Entry(string name, Stream data, DateTimeOffset time) => new(TarEntryType.RegularFile, name)
    {
        DataStream = data,
        Mode = OwnerOnly.FilePermissions,
        ModificationTime = time,
    };

    /// <summary>
    /// Reads the manifest and writes the database to <paramref name="databaseAside"/> (created 0600 and put on disk),
    /// hashing it as it goes. Fails with a message when the file is not a backup.
    /// </summary>
    public static async Task<(BackupManifest Manifest, long Bytes, string Sha256)> ExtractAsync(IFileSystem files, string archive, string databaseAside, CancellationToken ct)
    {
        BackupManifest? manifest = null;
        (long Bytes, string Sha256)? database = null;
        try
        {
            await using var stream = File.OpenRead(archive);
            await using var tar = new TarReader(stream);
            while (await tar.GetNextEntryAsync(copyData: false, ct) is { } entry)
            {
                if (entry.Name == ManifestEntry && entry.DataStream is { } json && entry.Length <= MaxManifestBytes)
                {
                    var bytes = new MemoryStream();
                    await json.CopyToAsync(bytes, ct);
                    manifest = BackupManifest.Parse(bytes.ToArray()) ?? throw new BackupRefused($"{archive} is not a Connectory backup: its {ManifestEntry} does not parse.");
                }
                else if (entry.Name == DatabaseEntry && entry.DataStream is { } data)
                {
                    database = await CopyHashedAsync(files, data, databaseAside, ct);
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new BackupRefused($"{archive} is not a Connectory backup (a tar file holding {ManifestEntry} and {DatabaseEntry}): {e.Message}");
        }
        if (manifest is null || database is not { } copied)
        {
            throw new BackupRefused($"{archive} is not a Connectory backup: it lacks {(manifest is null ? ManifestEntry : DatabaseEntry)}.");
        }
        return (manifest, copied.Bytes, copied.Sha256);
    }

    static async Task<(long Bytes, string Sha256)> CopyHashedAsync(IFileSystem files, Stream data, string path, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        await using var file = files.CreateOwnerOnly(path);
        var buffer = new byte[1 << 16];
        int read;
        while ((read = await data.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read), ct);
            length += read;
        }
        files.FlushToDisk(file);
        return (length, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}

/// <summary>A backup or restore that will not proceed, with the reason for the operator (exit code 1).</summary>
internal sealed class BackupRefused(string message) : Exception(message);
