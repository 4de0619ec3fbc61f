using System.Security.Cryptography;
using Connectory.Bundles;

namespace Connectory.Qrs;

/// <summary>
/// Passwords in transit from QRS export to import: each one sealed to the exporting party's one-time RSA key
/// (RSA-OAEP-SHA256 wraps a fresh AES-256-GCM key; the connection id is bound in as associated data), so neither
/// the HTTP response nor the bundle file holds a readable password. The sealing is the bundles' own (<see cref="SealedValue"/>).
/// </summary>
internal static class QrsPasswordEnvelope
{
    public const string Algorithm = "RSA-OAEP-SHA256+AES-256-GCM";
    public const string Header = "X-Connectory-Export-Key";
    public const string IncludedHeader = "X-Connectory-Export-Passwords";

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
        using var recipient = BundleKey.FromRsa(Copy(publicKey, includePrivate: false), hasPrivateKey: false);
        return SealedValue.Seal(recipient, password, AssociatedData(connectionId));
    }

    /// <summary>The password, or null when the value is malformed, sealed to another key, or for another connection.</summary>
    public static string? Open(RSA privateKey, string value, string connectionId)
    {
        using var recipient = BundleKey.FromRsa(Copy(privateKey, includePrivate: true), hasPrivateKey: true);
        return SealedValue.Open(recipient, value, AssociatedData(connectionId));
    }

    // The caller keeps its key; the bundle key disposes its own copy.
    static RSA Copy(RSA key, bool includePrivate)
    {
        var copy = RSA.Create();
        copy.ImportParameters(key.ExportParameters(includePrivate));
        return copy;
    }

    static string AssociatedData(string connectionId) => "connectory|qrs-export|" + connectionId.ToLowerInvariant();
}
