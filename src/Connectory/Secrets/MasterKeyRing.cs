using System.Text.RegularExpressions;
using Connectory.Data;
using Microsoft.Extensions.Options;

namespace Connectory.Secrets;

/// <summary>
/// The master keys that encrypt every stored secret. Read once at start from configuration, or generated in the
/// data directory (0600) with a warning when none is configured. A malformed key file stops the service.
/// </summary>
internal sealed partial class MasterKeyRing
{
    public const string GeneratedFile = "master.keys";
    readonly Dictionary<string, byte[]> keys = new(StringComparer.Ordinal);

    public MasterKeyRing(IOptions<SecretsOptions> options, DataDirectory dataDirectory, ILogger<MasterKeyRing> logger)
    {
        var settings = options.Value;
        if (!string.IsNullOrEmpty(settings.MasterKey))
        {
            var separator = settings.MasterKey.IndexOf(':', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new InvalidOperationException("Secrets:MasterKey must be '<keyId>:<base64 of 32 bytes>'.");
            }
            Add(settings.MasterKey[..separator], settings.MasterKey[(separator + 1)..], "Secrets:MasterKey");
            Source = "Secrets:MasterKey";
            return;
        }
        var path = settings.MasterKeyFile ?? dataDirectory.File(GeneratedFile);
        if (settings.MasterKeyFile is null && !File.Exists(path))
        {
            var first = "k1 " + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n";
            Hosting.SecretFile.WriteAsync(path, first, CancellationToken.None).GetAwaiter().GetResult();
            logger.LogWarning("No master key configured: generated one in {KeyFile}. Production should supply its own (Secrets:MasterKeyFile or Secrets__MasterKey) and back it up", path);
        }
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The master key file '{path}' (Secrets:MasterKeyFile) does not exist.");
        }
        foreach (var (line, number) in File.ReadAllLines(path).Select((l, i) => (l.Trim(), i + 1)).Where(l => l.Item1.Length > 0 && !l.Item1.StartsWith('#')))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                throw new InvalidOperationException($"{path} line {number}: expected '<keyId> <base64 key>'.");
            }
            Add(parts[0], parts[1], $"{path} line {number}");
        }
        if (CurrentKeyId is null)
        {
            throw new InvalidOperationException($"The master key file '{path}' holds no key.");
        }
        Source = path;
    }

    /// <summary>Where the keys came from (a path or a setting name), for messages.</summary>
    public string Source { get; }
    public string? CurrentKeyId { get; private set; }
    public IReadOnlyCollection<string> KeyIds => keys.Keys;

    public byte[]? Find(string keyId) => keys.GetValueOrDefault(keyId);

    public byte[] Current => keys[CurrentKeyId!];

    void Add(string keyId, string base64, string where)
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
        keys[keyId] = key;
        CurrentKeyId = keyId;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,32}$")]
    private static partial Regex KeyIdPattern();
}
