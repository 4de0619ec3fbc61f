using System.Security.Cryptography;
using System.Text;

namespace Connectory.Secrets;

/// <summary>Which record and field a secret belongs to: bound into the ciphertext as associated data.</summary>
internal readonly record struct SecretContext(string TenantId, string RecordId, string Field)
{
    public byte[] AssociatedData() => Encoding.UTF8.GetBytes($"connectory|{TenantId}|{RecordId}|{Field}");
}

/// <summary>
/// The only code that sees plaintext secrets. Stored form: <c>v1:&lt;keyId&gt;:&lt;base64(nonce|ciphertext|tag)&gt;</c>,
/// AES-256-GCM with the record's <see cref="SecretContext"/> as associated data, so a value copied to another row,
/// field or tenant does not decrypt. An unknown version or key id fails loudly, never as garbage.
/// </summary>
internal sealed class SecretProtector(MasterKeyRing keys)
{
    const string Version = "v1";
    const int NonceSize = 12;
    const int TagSize = 16;

    public string Protect(string plaintext, SecretContext context)
    {
        var keyId = keys.CurrentKeyId!;
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var blob = new byte[NonceSize + clear.Length + TagSize];
        var nonce = blob.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(keys.Current, TagSize))
        {
            aes.Encrypt(nonce, clear, blob.AsSpan(NonceSize, clear.Length), blob.AsSpan(NonceSize + clear.Length), context.AssociatedData());
        }
        CryptographicOperations.ZeroMemory(clear);
        return $"{Version}:{keyId}:{Convert.ToBase64String(blob)}";
    }

    /// <summary>The plaintext, or null when the value is malformed, tampered with, bound elsewhere or under an unknown key.</summary>
    public string? TryUnprotect(string stored, SecretContext context)
    {
        var parts = stored.Split(':');
        if (parts.Length != 3 || parts[0] != Version || keys.Find(parts[1]) is not { } key)
        {
            return null;
        }
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return null;
        }
        if (blob.Length < NonceSize + TagSize)
        {
            return null;
        }
        var clearLength = blob.Length - NonceSize - TagSize;
        var clear = new byte[clearLength];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize, clearLength), blob.AsSpan(NonceSize + clearLength), clear, context.AssociatedData());
            return Encoding.UTF8.GetString(clear);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clear);
        }
    }

    /// <summary>The key id a stored value is encrypted under (null when it is not in the stored form).</summary>
    public static string? KeyIdOf(string stored) => stored.Split(':') is [Version, var keyId, _] ? keyId : null;

    /// <summary>A keyed MAC (HMAC-SHA256 under a key derived from every master key) for tokens the service issues.</summary>
    public byte[] Mac(string purpose, ReadOnlySpan<byte> data) => HMACSHA256.HashData(DeriveKey(keys.Current, purpose), data);

    /// <summary>True when <paramref name="mac"/> matches under any key in the ring (tokens survive a rotation).</summary>
    public bool VerifyMac(string purpose, ReadOnlySpan<byte> data, ReadOnlySpan<byte> mac)
    {
        foreach (var keyId in keys.KeyIds)
        {
            if (CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(DeriveKey(keys.Find(keyId)!, purpose), data), mac))
            {
                return true;
            }
        }
        return false;
    }

    static byte[] DeriveKey(byte[] master, string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, info: Encoding.UTF8.GetBytes("connectory:" + purpose));
}
