using System.Security.Cryptography;
using System.Text;

namespace Connectory.Platform.Auth;

internal static class ApiKeyTokens
{
    const string Prefix = "cnx_";

    public static string NewToken() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>Keys are stored as SHA-256 only: high-entropy tokens need no slow hash, and lookups stay O(1).</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
