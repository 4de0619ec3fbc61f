using System.Security.Cryptography;
using System.Text;

namespace Connectory.Secrets;

/// <summary>Which record and field a secret belongs to: bound into the ciphertext and its wrapped data key as associated data.</summary>
internal readonly record struct SecretContext(string TenantId, string RecordId, string Field)
{
    public byte[] AssociatedData() => Encoding.UTF8.GetBytes($"connectory|{TenantId}|{RecordId}|{Field}");

    public byte[] WrapAssociatedData() => Encoding.UTF8.GetBytes($"connectory|data-key|{TenantId}|{RecordId}|{Field}");
}

/// <summary>
/// The only code that sees plaintext secrets. Envelope encryption: each value gets its own random data key; the
/// value is sealed with AES-256-GCM under that data key, and the data key is sealed under the current master key.
/// Stored form: <c>v1:&lt;masterKeyId&gt;:&lt;base64(wrapNonce|wrappedDataKey|wrapTag|nonce|ciphertext|tag)&gt;</c>.
/// Both seals take the record's <see cref="SecretContext"/> as associated data, so a value copied to another row,
/// field or tenant does not decrypt. Rotation re-wraps the data key only; it never needs the plaintext.
/// An unknown version or key id fails loudly, never as garbage.
/// </summary>
internal sealed class SecretProtector(MasterKeyRing keys, Hosting.Telemetry.ConnectoryMetrics? metrics = null)
{
    public const string Version = "v1";
    const int NonceSize = 12;
    const int TagSize = 16;
    const int KeySize = 32;
    const int WrappedKeySize = NonceSize + KeySize + TagSize;

    public string Protect(string plaintext, SecretContext context)
    {
        var (keyId, master) = keys.Current();
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var dataKey = RandomNumberGenerator.GetBytes(KeySize);
        var blob = new byte[WrappedKeySize + NonceSize + clear.Length + TagSize];
        try
        {
            Seal(master, dataKey, blob.AsSpan(0, WrappedKeySize), context.WrapAssociatedData());
            Seal(dataKey, clear, blob.AsSpan(WrappedKeySize), context.AssociatedData());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clear);
            CryptographicOperations.ZeroMemory(dataKey);
        }
        return Format(keyId, blob);
    }

    /// <summary>The plaintext, or null when the value is malformed, tampered with, bound elsewhere or under an unknown key.</summary>
    public string? TryUnprotect(string stored, SecretContext context)
    {
        var plaintext = Unprotect(stored, context);
        metrics?.Decryption(plaintext is not null);
        return plaintext;
    }

    string? Unprotect(string stored, SecretContext context)
    {
        if (!TryParse(stored, out var master, out var blob))
        {
            return null;
        }
        var dataKey = new byte[KeySize];
        var clear = new byte[blob.Length - WrappedKeySize - NonceSize - TagSize];
        try
        {
            return Open(master, blob.AsSpan(0, WrappedKeySize), dataKey, context.WrapAssociatedData())
                   && Open(dataKey, blob.AsSpan(WrappedKeySize), clear, context.AssociatedData())
                ? Encoding.UTF8.GetString(clear)
                : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
            CryptographicOperations.ZeroMemory(clear);
        }
    }

    /// <summary>
    /// The same secret with its data key wrapped under the current master key (the value itself is not touched), or null
    /// when the data key does not unwrap (tampered, bound elsewhere, or under a key the ring lacks).
    /// </summary>
    public string? Rewrap(string stored, SecretContext context)
    {
        if (!TryParse(stored, out var master, out var blob))
        {
            return null;
        }
        var (keyId, current) = keys.Current();
        var dataKey = new byte[KeySize];
        try
        {
            if (!Open(master, blob.AsSpan(0, WrappedKeySize), dataKey, context.WrapAssociatedData()))
            {
                return null;
            }
            Seal(current, dataKey, blob.AsSpan(0, WrappedKeySize), context.WrapAssociatedData());
            return Format(keyId, blob);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The key id a stored value is encrypted under (null when it is not in the stored form).</summary>
    public static string? KeyIdOf(string stored) => stored.Split(':') is [Version, var keyId, _] ? keyId : null;

    /// <summary>The prefix of every value stored under <paramref name="keyId"/>.</summary>
    public static string PrefixOf(string keyId) => $"{Version}:{keyId}:";

    /// <summary>A value that tells whether a key is the one recorded, without revealing it.</summary>
    public static string KeyCheck(byte[] master) =>
        Convert.ToBase64String(HMACSHA256.HashData(DeriveKey(master, "key-check"), "connectory master key check"u8))[..24];

    /// <summary>A keyed MAC (HMAC-SHA256 under a key derived from the current master key) for tokens the service issues.</summary>
    public byte[] Mac(string purpose, ReadOnlySpan<byte> data) => HMACSHA256.HashData(DeriveKey(keys.Current().Key, purpose), data);

    /// <summary>True when <paramref name="mac"/> matches under any key in the ring (tokens survive a rotation).</summary>
    public bool VerifyMac(string purpose, ReadOnlySpan<byte> data, ReadOnlySpan<byte> mac)
    {
        foreach (var keyId in keys.KeyIds)
        {
            if (keys.Find(keyId) is { } key && CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(DeriveKey(key, purpose), data), mac))
            {
                return true;
            }
        }
        return false;
    }

    bool TryParse(string stored, out byte[] master, out byte[] blob)
    {
        master = [];
        blob = [];
        var parts = stored.Split(':');
        if (parts.Length != 3 || parts[0] != Version || keys.Find(parts[1]) is not { } key)
        {
            return false;
        }
        try
        {
            blob = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }
        master = key;
        return blob.Length >= WrappedKeySize + NonceSize + TagSize;
    }

    static string Format(string keyId, byte[] blob) => $"{Version}:{keyId}:{Convert.ToBase64String(blob)}";

    /// <summary>Writes nonce|ciphertext|tag of <paramref name="clear"/> into <paramref name="output"/>.</summary>
    static void Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> clear, Span<byte> output, byte[] associatedData)
    {
        var nonce = output[..NonceSize];
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, clear, output.Slice(NonceSize, clear.Length), output.Slice(NonceSize + clear.Length, TagSize), associatedData);
    }

    static bool Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedData, Span<byte> clear, byte[] associatedData)
    {
        var length = sealedData.Length - NonceSize - TagSize;
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedData[..NonceSize], sealedData.Slice(NonceSize, length), sealedData.Slice(NonceSize + length, TagSize), clear[..length], associatedData);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    static byte[] DeriveKey(byte[] master, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, info: Encoding.UTF8.GetBytes("connectory:" + purpose));
}
