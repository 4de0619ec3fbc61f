using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Connectory.Bundles;

/// <summary>
/// X25519 keys, which .NET's own ECDiffieHellman does not take: read from PEM (SubjectPublicKeyInfo, PKCS#8) and
/// agreed with BouncyCastle. The shared secret is derived into a content key as for the other curves.
/// </summary>
internal sealed class X25519Key
{
    readonly X25519PublicKeyParameters publicKey;
    readonly X25519PrivateKeyParameters? privateKey;

    X25519Key(X25519PublicKeyParameters publicKey, X25519PrivateKeyParameters? privateKey)
    {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    public byte[] SubjectPublicKeyInfo => SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey).GetEncoded();

    /// <summary>The key a PEM holds, or null when it is no X25519 key.</summary>
    public static X25519Key? Read(string pem)
    {
        foreach (var label in new[] { "PUBLIC KEY", "PRIVATE KEY" })
        {
            var begin = $"-----BEGIN {label}-----";
            var start = pem.IndexOf(begin, StringComparison.Ordinal);
            var end = pem.IndexOf($"-----END {label}-----", StringComparison.Ordinal);
            if (start < 0 || end < start)
            {
                continue;
            }
            try
            {
                var der = Convert.FromBase64String(pem[(start + begin.Length)..end].Trim());
                if (label == "PUBLIC KEY" && PublicKeyFactory.CreateKey(der) is X25519PublicKeyParameters publicKey)
                {
                    return new X25519Key(publicKey, null);
                }
                if (label == "PRIVATE KEY" && PrivateKeyFactory.CreateKey(der) is X25519PrivateKeyParameters privateKey)
                {
                    return new X25519Key(privateKey.GeneratePublicKey(), privateKey);
                }
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or IOException or SecurityUtilityException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>A one-time key's agreement with this public key, and the one-time public key (SubjectPublicKeyInfo) that carries it.</summary>
    public (byte[] Shared, byte[] Carrier) Agree()
    {
        var ephemeral = new X25519PrivateKeyParameters(new SecureRandom());
        var shared = new byte[X25519PrivateKeyParameters.SecretSize];
        ephemeral.GenerateSecret(publicKey, shared, 0);
        return (shared, SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(ephemeral.GeneratePublicKey()).GetEncoded());
    }

    /// <summary>The agreement the carrier's sender made, or null when the carrier is not an X25519 public key (or a degenerate one).</summary>
    public byte[]? AgreeWith(byte[] carrier)
    {
        try
        {
            if (privateKey is null || PublicKeyFactory.CreateKey(carrier) is not X25519PublicKeyParameters sender)
            {
                return null;
            }
            var shared = new byte[X25519PrivateKeyParameters.SecretSize];
            privateKey.GenerateSecret(sender, shared, 0);
            return shared;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException)
        {
            return null;
        }
    }
}
