using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Tests.Support;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Connectory.Tests.Bundles;

/// <summary>Helpers over the bundle actions shared by this folder's tests.</summary>
static class BundleApi
{
    public const string ExportPath = "/api/v1/data-connections/actions/export";
    public const string ImportPath = "/api/v1/data-connections/actions/import";

    public static Task<HttpResponseMessage> ExportAsync(this HttpClient client, object body) => client.PostAsJsonAsync(ExportPath, body);

    public static Task<HttpResponseMessage> ImportAsync(this HttpClient client, object body) => client.PostAsJsonAsync(ImportPath, body);

    /// <summary>The bundle a successful export returns, as a mutable node (tests tamper with it).</summary>
    public static async Task<JsonObject> ExportBundleAsync(this HttpClient client, object body) =>
        (JsonObject)JsonNode.Parse((await client.ExportAsync(body).JsonAsync()).GetRawText())!;

    public static Task<JsonElement> ImportOkAsync(this HttpClient client, object body) => client.ImportAsync(body).JsonAsync();

    /// <summary>Each connection's outcome by its (target) name.</summary>
    public static Dictionary<string, string> Outcomes(this JsonElement result) =>
        result.GetProperty("connections").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("outcome").GetString()!);

    public static int Summary(this JsonElement result, string outcome) => result.GetProperty("summary").GetProperty(outcome).GetInt32();

    public static (string PublicPem, string PrivatePem) RsaKeyPair()
    {
        using var rsa = RSA.Create(3072);
        return (rsa.ExportSubjectPublicKeyInfoPem(), rsa.ExportPkcs8PrivateKeyPem());
    }

    public static (string PublicPem, string PrivatePem) EcKeyPair()
    {
        using var ec = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return (ec.ExportSubjectPublicKeyInfoPem(), ec.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>An X25519 pair; .NET makes none of its own.</summary>
    public static (string PublicPem, string PrivatePem) X25519KeyPair()
    {
        var key = new X25519PrivateKeyParameters(new SecureRandom());
        var publicDer = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(key.GeneratePublicKey()).GetEncoded();
        var privateDer = PrivateKeyInfoFactory.CreatePrivateKeyInfo(key).GetEncoded();
        return (new string(PemEncoding.Write("PUBLIC KEY", publicDer)), new string(PemEncoding.Write("PRIVATE KEY", privateDer)));
    }
}
