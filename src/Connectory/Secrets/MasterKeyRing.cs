using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Connectory.Data;
using Microsoft.Extensions.Options;

namespace Connectory.Secrets;

/// <summary>
/// The master keys that wrap every stored secret's data key. Read at start from Secrets:MasterKey, or from a key file
/// (Secrets:MasterKeyFile, else generated in the data directory, 0600, with a warning). A key file is re-read when it
/// changes, so every instance over one database picks up the key that <c>connectory keys rotate</c> adds.
/// </summary>
internal sealed partial class MasterKeyRing
{
    public const string GeneratedFile = "master.keys";

    readonly string? path;
    readonly long reloadMilliseconds;
    readonly ILogger<MasterKeyRing> logger;
    readonly Hosting.SecretFile secretFile;
    readonly Lock gate = new();
    volatile KeySet set;
    long nextCheck;

    sealed record KeySet(IReadOnlyDictionary<string, byte[]> Keys, string CurrentKeyId, DateTime Written, long Length);

    public MasterKeyRing(IOptions<SecretsOptions> options, DataDirectory dataDirectory, Hosting.SecretFile secretFile, ILogger<MasterKeyRing> logger)
    {
        this.logger = logger;
        this.secretFile = secretFile;
        var settings = options.Value;
        reloadMilliseconds = Math.Max(0, settings.ReloadSeconds) * 1000L;
        if (!string.IsNullOrEmpty(settings.MasterKey))
        {
            var separator = settings.MasterKey.IndexOf(':', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new InvalidOperationException("Secrets:MasterKey must be '<keyId>:<base64 of 32 bytes>'.");
            }
            var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            var id = Add(keys, settings.MasterKey[..separator], settings.MasterKey[(separator + 1)..], "Secrets:MasterKey");
            set = new KeySet(keys, id, default, 0);
            Source = "Secrets:MasterKey";
            return;
        }
        path = settings.MasterKeyFile ?? dataDirectory.File(GeneratedFile);
        // Create-if-absent: of two instances starting at once on an empty data directory, one key wins for both.
        if (settings.MasterKeyFile is null && !File.Exists(path)
            && secretFile.TryCreateAsync(path, $"k1 {NewKey()}\n", CancellationToken.None).GetAwaiter().GetResult())
        {
            logger.LogWarning("No master key configured: generated one in {KeyFile}. Production should supply its own (Secrets:MasterKeyFile or Secrets__MasterKey) and back it up", path);
        }
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The master key file '{path}' (Secrets:MasterKeyFile) does not exist.");
        }
        set = Load(path);
        nextCheck = Environment.TickCount64 + reloadMilliseconds;
        Source = path;
    }

    /// <summary>Where the keys come from (a path or a setting name), for messages.</summary>
    public string Source { get; }

    /// <summary>The key file, or null when the key comes from Secrets:MasterKey.</summary>
    public string? FilePath => path;

    public TimeSpan ReloadInterval => TimeSpan.FromMilliseconds(reloadMilliseconds);

    public string CurrentKeyId => Snapshot().CurrentKeyId;

    public IReadOnlyCollection<string> KeyIds => Snapshot().Keys.Keys.ToList();

    /// <summary>The current key id and key, read together so a reload between them cannot mix two keys.</summary>
    public (string Id, byte[] Key) Current()
    {
        var keys = Snapshot();
        return (keys.CurrentKeyId, keys.Keys[keys.CurrentKeyId]);
    }

    /// <summary>The key with this id; an unknown id re-reads the file first (another instance may have just added it).</summary>
    public byte[]? Find(string keyId)
    {
        if (Snapshot().Keys.TryGetValue(keyId, out var key))
        {
            return key;
        }
        Refresh();
        return set.Keys.GetValueOrDefault(keyId);
    }

    /// <summary>
    /// Appends a new random key to the key file and makes it current. The file is written whole, put on disk and
    /// renamed into place, its directory synced: a secret sealed under the new key never outlives the key after a crash.
    /// </summary>
    public async Task<string> AddKeyAsync(CancellationToken ct)
    {
        if (path is null)
        {
            throw new InvalidOperationException("The master key comes from Secrets:MasterKey, which cannot be rotated online. Move it to a key file (Secrets:MasterKeyFile) first.");
        }
        var existing = await File.ReadAllTextAsync(path, ct);
        var id = "k" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        var content = existing.TrimEnd('\n') + (existing.Length > 0 ? "\n" : "") + $"{id} {NewKey()}\n";
        await secretFile.WriteAsync(path, content, ct);
        Refresh();
        return set.CurrentKeyId == id ? id : throw new InvalidOperationException($"The key file '{path}' did not take the new key {id}.");
    }

    /// <summary>Puts the key file on disk as it is (a key appended by hand included) before secrets are sealed under its keys.</summary>
    public void MakeDurable()
    {
        if (path is not null)
        {
            secretFile.MakeDurable(path);
        }
    }

    KeySet Snapshot()
    {
        if (path is not null && Environment.TickCount64 >= Interlocked.Read(ref nextCheck))
        {
            Refresh();
        }
        return set;
    }

    /// <summary>Re-reads the key file when its size or time changed. A broken file is logged and the keys in use stay.</summary>
    void Refresh()
    {
        if (path is null)
        {
            return;
        }
        lock (gate)
        {
            Interlocked.Exchange(ref nextCheck, Environment.TickCount64 + reloadMilliseconds);
            var info = new FileInfo(path);
            if (!info.Exists || (info.LastWriteTimeUtc == set.Written && info.Length == set.Length))
            {
                return;
            }
            try
            {
                var loaded = Load(path);
                if (loaded.CurrentKeyId != set.CurrentKeyId)
                {
                    logger.LogInformation("Master key file {KeyFile} changed: current key is now {KeyId}", path, loaded.CurrentKeyId);
                }
                set = loaded;
            }
            catch (Exception e) when (e is InvalidOperationException or IOException)
            {
                logger.LogError("Master key file {KeyFile} changed but cannot be used ({Reason}); keeping the keys read before", path, e.Message);
                set = set with { Written = info.LastWriteTimeUtc, Length = info.Length };
            }
        }
    }

    static KeySet Load(string path)
    {
        var info = new FileInfo(path);
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        string? current = null;
        foreach (var (line, number) in File.ReadAllLines(path).Select((l, i) => (l.Trim(), i + 1)).Where(l => l.Item1.Length > 0 && !l.Item1.StartsWith('#')))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                throw new InvalidOperationException($"{path} line {number}: expected '<keyId> <base64 key>'.");
            }
            current = Add(keys, parts[0], parts[1], $"{path} line {number}");
        }
        return current is null
            ? throw new InvalidOperationException($"The master key file '{path}' holds no key.")
            : new KeySet(keys, current, info.LastWriteTimeUtc, info.Length);
    }

    static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    static string Add(Dictionary<string, byte[]> keys, string keyId, string base64, string where)
    {
        if (!KeyIdPattern().IsMatch(keyId))
        {
            throw new InvalidOperationException($"{where}: key id '{keyId}' must be 1-32 letters, digits, '-' or '_'.");
        }
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{where}: key '{keyId}' is not base64.");
        }
        if (key.Length != 32)
        {
            throw new InvalidOperationException($"{where}: key '{keyId}' must be 32 bytes (AES-256), not {key.Length}.");
        }
        if (!keys.TryAdd(keyId, key))
        {
            throw new InvalidOperationException($"{where}: key id '{keyId}' appears twice.");
        }
        return keyId;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex KeyIdPattern();
}
