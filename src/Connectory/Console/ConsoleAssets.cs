using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Connectory.WebConsole;

/// <summary>One file of the console as the binary carries it, with its strong ETag (a hash of its bytes).</summary>
internal sealed record ConsoleAsset(string Path, string ContentType, byte[] Body, string ETag);

/// <summary>
/// The console's files, embedded in the binary (resources named <c>console:&lt;path&gt;</c>, see Connectory.csproj), read
/// once at start-up: the one binary carries the console, so `dotnet run` and a published build need nothing beside it.
/// </summary>
internal sealed class ConsoleAssets
{
    const string ResourcePrefix = "console:";
    public const string IndexPath = "index.html";

    static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    readonly FrozenDictionary<string, ConsoleAsset> byPath;

    ConsoleAssets(FrozenDictionary<string, ConsoleAsset> byPath) => this.byPath = byPath;

    public IEnumerable<ConsoleAsset> All => byPath.Values;

    public ConsoleAsset Index => byPath[IndexPath];

    public ConsoleAsset? Find(string path) => byPath.GetValueOrDefault(path);

    public static ConsoleAssets Load(Assembly assembly)
    {
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            // MSBuild writes RecursiveDir with the build machine's separator.
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var body = copy.ToArray();
            var contentType = ContentTypes.GetValueOrDefault(System.IO.Path.GetExtension(path), "application/octet-stream");
            var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 16)) + "\"";
            assets[path] = new ConsoleAsset(path, contentType, body, etag);
        }
        if (!assets.ContainsKey(IndexPath))
        {
            throw new InvalidOperationException($"The console's {IndexPath} is not embedded in {assembly.GetName().Name}.");
        }
        return new ConsoleAssets(assets.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
