using System.Security.Cryptography;
using System.Text;

namespace Connectory.Bundles;

/// <summary>
/// One secret sealed to a recipient's key: a fresh content key (see <see cref="BundleKey"/>) encrypts it with
/// AES-256-GCM, with associated data that names where it belongs, so a value moved to another connection, field or
/// bundle, or changed in any bit, does not open. Form: <c>v1:&lt;carrier&gt;:&lt;nonce|tag|ciphertext&gt;</c>, base64 parts.
/// The QRS export's password envelope is this form with RSA.
/// </summary>
internal static class SealedValue
{
    const string Version = "v1";
    const int NonceSize = 12;
    const int TagSize = 16;

    public static string Seal(BundleKey recipient, string plaintext, string associatedData)
    {
        var (contentKey, carrier) = recipient.NewContentKey();
        try
        {
            var bytes = Encoding.UTF8.GetBytes(plaintext);
            var sealedBytes = new byte[NonceSize + TagSize + bytes.Length];
            var nonce = sealedBytes.AsSpan(0, NonceSize);
            RandomNumberGenerator.Fill(nonce);
            using (var aes = new AesGcm(contentKey, TagSize))
            {
                aes.Encrypt(nonce, bytes, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(associatedData));
            }
            return $"{Version}:{Convert.ToBase64String(carrier)}:{Convert.ToBase64String(sealedBytes)}";
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contentKey);
        }
    }

    /// <summary>Whether the value has the sealed form at all (it may still be for another key, or tampered with).</summary>
    public static bool IsWellFormed(string value) =>
        value.Split(':') is [Version, var carrier, var sealedText] && IsBase64(carrier) && IsBase64(sealedText)
        && Convert.FromBase64String(sealedText).Length >= NonceSize + TagSize;

    /// <summary>The secret, or null when the value is malformed, sealed to another key, changed, or for another place.</summary>
    public static string? Open(BundleKey recipient, string value, string associatedData)
    {
        if (!IsWellFormed(value) || value.Split(':') is not [_, var carrierText, var sealedText])
        {
            return null;
        }
        var contentKey = recipient.ContentKeyOf(Convert.FromBase64String(carrierText));
        if (contentKey is null)
        {
            return null;
        }
        try
        {
            var sealedBytes = Convert.FromBase64String(sealedText);
            var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
            using var aes = new AesGcm(contentKey, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plaintext, Encoding.UTF8.GetBytes(associatedData));
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (CryptographicException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(contentKey);
        }
    }

    static bool IsBase64(string text) => text.Length > 0 && Convert.TryFromBase64String(text, new byte[text.Length], out _);
}
