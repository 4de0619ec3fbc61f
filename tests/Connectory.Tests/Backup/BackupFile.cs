using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Tests.Cli;
using Connectory.Tests.Support;

namespace Connectory.Tests.Backup;

/// <summary>Takes backups the way an operator does (the built binary), and reads or alters the file a backup writes.</summary>
static class BackupFile
{
    /// <summary>Runs <c>connectory backup --to FILE</c> over a running test app's data directory.</summary>
    public static async Task<string> TakeAsync(ConnectoryFactory app, string directory)
    {
        var file = Path.Combine(directory, $"backup-{Guid.NewGuid():N}.tar");
        (await CommandLineRunner.RunAsync(["backup", "--to", file, "--data-dir", app.DataDir], directory)).Exits(0);
        return file;
    }

    /// <summary>The entries' names and contents, in order.</summary>
    public static List<(string Name, byte[] Data)> Read(string file)
    {
        using var reader = new TarReader(File.OpenRead(file));
        var entries = new List<(string, byte[])>();
        while (reader.GetNextEntry() is { } entry)
        {
            var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            entries.Add((entry.Name, data.ToArray()));
        }
        return entries;
    }

    public static JsonObject Manifest(string file) =>
        JsonNode.Parse(Read(file).Single(e => e.Name == "manifest.json").Data)!.AsObject();

    /// <summary>A copy of the backup with one entry's content changed.</summary>
    public static string Altered(string file, string entryName, Func<byte[], byte[]> change)
    {
        var altered = Path.Combine(Path.GetDirectoryName(file)!, $"altered-{Guid.NewGuid():N}.tar");
        using var writer = new TarWriter(File.Create(altered), TarEntryFormat.Pax);
        foreach (var (name, data) in Read(file))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
            {
                DataStream = new MemoryStream(name == entryName ? change(data) : data),
            });
        }
        return altered;
    }

    /// <summary>A copy of the backup whose manifest names another schema version.</summary>
    public static string WithManifestSchema(string file, string schemaVersion) => Altered(file, "manifest.json", json =>
    {
        var manifest = JsonNode.Parse(json)!.AsObject();
        manifest["schemaVersion"] = schemaVersion;
        return JsonSerializer.SerializeToUtf8Bytes(manifest);
    });
}
