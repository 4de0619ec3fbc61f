using System.Security.Cryptography;

namespace Connectory.Bundles;

/// <summary>
/// The recipient's key pair of a sealed bundle: RSA (2048 bits or more; RSA-OAEP-SHA256 wraps a random AES-256-GCM
/// key), or X25519 or an elliptic curve P-256, P-384 or P-521 (ECDH with a one-time key of the sealing side,
/// HKDF-SHA256 derives the AES-256-GCM key). Export holds only the public half; import needs the private one.
/// </summary>
internal sealed class BundleKey : IDisposable
{
    public const string RsaAlgorithm = "RSA-OAEP-256+A256GCM";
    public const string EcdhAlgorithm = "ECDH-ES+HKDF-SHA256+A256GCM";
    public const string X25519Algorithm = "X25519+HKDF-SHA256+A256GCM";
    const int ContentKeySize = 32;
    static readonly byte[] HkdfInfo = "connectory-bundle-v1"u8.ToArray();

    readonly RSA? rsa;
    readonly ECDiffieHellman? ecdh;
    readonly X25519Key? x25519;

    BundleKey(RSA? rsa, ECDiffieHellman? ecdh, bool hasPrivateKey, X25519Key? x25519 = null)
    {
        this.rsa = rsa;
        this.ecdh = ecdh;
        this.x25519 = x25519;
        HasPrivateKey = hasPrivateKey;
        var publicKey = rsa?.ExportSubjectPublicKeyInfo() ?? ecdh?.ExportSubjectPublicKeyInfo() ?? x25519!.SubjectPublicKeyInfo;
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(publicKey));
    }

    public static BundleKey FromRsa(RSA key, bool hasPrivateKey) => new(key, null, hasPrivateKey);

    /// <summary>The algorithm's name, as a bundle's <c>recipient.algorithm</c> holds it.</summary>
    public string Algorithm => rsa is not null ? RsaAlgorithm : ecdh is not null ? EcdhAlgorithm : X25519Algorithm;

    /// <summary>Hex SHA-256 of the public key (SubjectPublicKeyInfo), so a bundle names the key pair it needs.</summary>
    public string Fingerprint { get; }

    public bool HasPrivateKey { get; }

    /// <summary>A public key (PEM <c>PUBLIC KEY</c> or <c>RSA PUBLIC KEY</c>), or why it is not one this service seals to.</summary>
    public static (BundleKey? Key, string? Error) ReadPublic(string pem)
    {
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return (null, "is a private key; give the recipient's public key only (the private key never leaves the recipient)");
        }
        return Read(pem, wantPrivate: false);
    }

    /// <summary>A private key (PEM <c>PRIVATE KEY</c>, <c>RSA PRIVATE KEY</c> or <c>EC PRIVATE KEY</c>), or why not.</summary>
    public static (BundleKey? Key, string? Error) ReadPrivate(string pem)
    {
        if (!pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            return (null, "is not a private key (PEM PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
        }
        return Read(pem, wantPrivate: true);
    }

    static (BundleKey? Key, string? Error) Read(string pem, bool wantPrivate)
    {
        if (X25519Key.Read(pem) is { } x25519)
        {
            return (new BundleKey(null, null, wantPrivate, x25519), null);
        }
        if (pem.Contains("BEGIN EC", StringComparison.Ordinal) || !TryRsa(pem, out var rsa))
        {
            var ecdh = ECDiffieHellman.Create();
            try
            {
                ecdh.ImportFromPem(pem);
                if (ecdh.KeySize < 256)
                {
                    ecdh.Dispose();
                    return (null, "is an elliptic-curve key under 256 bits; use P-256, P-384 or P-521");
                }
                return (new BundleKey(null, ecdh, wantPrivate), null);
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                ecdh.Dispose();
                return (null, "is not a PEM RSA, X25519 or elliptic-curve (P-256, P-384, P-521) key");
            }
        }
        if (rsa!.KeySize < 2048)
        {
            rsa.Dispose();
            return (null, "is an RSA key under 2048 bits");
        }
        return (new BundleKey(rsa, null, wantPrivate), null);
    }

    static bool TryRsa(string pem, out RSA? key)
    {
        key = RSA.Create();
        try
        {
            key.ImportFromPem(pem);
            return true;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            key = null;
            return false;
        }
    }

    /// <summary>A fresh AES-256 key and what carries it to the recipient (the RSA-wrapped key, or the one-time ECDH public key).</summary>
    public (byte[] ContentKey, byte[] Carrier) NewContentKey()
    {
        if (rsa is not null)
        {
            var contentKey = RandomNumberGenerator.GetBytes(ContentKeySize);
            return (contentKey, rsa.Encrypt(contentKey, RSAEncryptionPadding.OaepSHA256));
        }
        if (x25519 is not null)
        {
            var (shared, oneTime) = x25519.Agree();
            return (DeriveFromShared(shared, oneTime), oneTime);
        }
        using var ephemeral = ECDiffieHellman.Create(ecdh!.ExportParameters(false).Curve);
        var carrier = ephemeral.ExportSubjectPublicKeyInfo();
        return (Derive(ephemeral, ecdh.PublicKey, carrier), carrier);
    }

    /// <summary>The content key a carrier holds, or null when it is malformed or for another key.</summary>
    public byte[]? ContentKeyOf(byte[] carrier)
    {
        try
        {
            if (rsa is not null)
            {
                var key = rsa.Decrypt(carrier, RSAEncryptionPadding.OaepSHA256);
                return key.Length == ContentKeySize ? key : null;
            }
            if (x25519 is not null)
            {
                return x25519.AgreeWith(carrier) is { } shared ? DeriveFromShared(shared, carrier) : null;
            }
            using var sender = ECDiffieHellman.Create();
            sender.ImportSubjectPublicKeyInfo(carrier, out var read);
            return read == carrier.Length ? Derive(ecdh!, sender.PublicKey, carrier) : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    static byte[] Derive(ECDiffieHellman own, ECDiffieHellmanPublicKey other, byte[] carrier) =>
        DeriveFromShared(own.DeriveRawSecretAgreement(other), carrier);

    static byte[] DeriveFromShared(byte[] shared, byte[] carrier)
    {
        try
        {
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, ContentKeySize, salt: carrier, info: HkdfInfo);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }

    public void Dispose()
    {
        rsa?.Dispose();
        ecdh?.Dispose();
    }
}
