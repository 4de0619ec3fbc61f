using System.Security.Cryptography;
using System.Text;

namespace Connectory.Qrs;

/// <summary>
/// Passwords in transit from QRS export to import: each one sealed to the exporting party's one-time RSA key
/// (RSA-OAEP-SHA256 wraps a fresh AES-256-GCM key; the connection id is bound in as associated data), so neither
/// the HTTP response nor the bundle file holds a readable password. Form: <c>v1:&lt;wrapped key&gt;:&lt;nonce|tag|ciphertext&gt;</c>, base64.
/// </summary>
internal static class QrsPasswordEnvelope
{
    public const string Algorithm = "RSA-OAEP-SHA256+AES-256-GCM";
    public const string Header = "X-Connectory-Export-Key";
    public const string IncludedHeader = "X-Connectory-Export-Passwords";
    const string Version = "v1";
    const int NonceSize = 12;
    const int TagSize = 16;

    /// <summary>The public key a request header carries (base64 SubjectPublicKeyInfo, RSA of 2048 bits or more), or null when malformed.</summary>
    public static RSA? ReadPublicKey(string header)
    {
        try
        {
            var key = RSA.Create();
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(header.Trim()), out _);
            if (key.KeySize >= 2048)
            {
                return key;
            }
            key.Dispose();
            return null;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    public static string PublicKeyHeader(RSA key) => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());

    /// <summary>Hex SHA-256 of the public key, so a bundle names the key pair it needs.</summary>
    public static string Fingerprint(RSA key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    public static string Seal(RSA publicKey, string password, string connectionId)
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        try
        {
            var plaintext = Encoding.UTF8.GetBytes(password);
            var sealedBytes = new byte[NonceSize + TagSize + plaintext.Length];
            var nonce = sealedBytes.AsSpan(0, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using (var aes = new AesGcm(dataKey, TagSize))
            {
                aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), AssociatedData(connectionId));
            }
            var wrapped = publicKey.Encrypt(dataKey, RSAEncryptionPadding.OaepSHA256);
            return $"{Version}:{Convert.ToBase64String(wrapped)}:{Convert.ToBase64String(sealedBytes)}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The password, or null when the value is malformed, sealed to another key, or for another connection.</summary>
    public static string? Open(RSA privateKey, string value, string connectionId)
    {
        if (value.Split(':') is not [Version, var wrappedText, var sealedText])
        {
            return null;
        }
        try
        {
            var dataKey = privateKey.Decrypt(Convert.FromBase64String(wrappedText), RSAEncryptionPadding.OaepSHA256);
            var sealedBytes = Convert.FromBase64String(sealedText);
            if (dataKey.Length != 32 || sealedBytes.Length < NonceSize + TagSize)
            {
                return null;
            }
            var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
            using var aes = new AesGcm(dataKey, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plaintext, AssociatedData(connectionId));
            CryptographicOperations.ZeroMemory(dataKey);
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    static byte[] AssociatedData(string connectionId) => Encoding.UTF8.GetBytes("connectory|qrs-export|" + connectionId.ToLowerInvariant());
}
