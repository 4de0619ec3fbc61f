using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Connectory.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Connectory.Tests.Platform;

/// <summary>What a trusted issuer's PublicKeyFile may hold, and a bad one stopping the service at start.</summary>
public sealed class JwtKeyFileTests
{
    const string Issuer = "https://idp-file.example.test";
    const string Audience = "connectory-file-tests";

    static string WriteTemp(string pem)
    {
        var path = Path.Combine(Path.GetTempPath(), "connectory-tests", "key-" + Guid.NewGuid().ToString("N") + ".pem");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, pem);
        return path;
    }

    static ConnectoryFactory Trusting(string keyFile) => ConnectoryFactory.With(new()
    {
        ["Auth:Jwt:0:Issuer"] = Issuer,
        ["Auth:Jwt:0:Audience"] = Audience,
        ["Auth:Jwt:0:PublicKeyFile"] = keyFile,
        ["Auth:Jwt:0:Tenant"] = "default",
    });

    static string Token(SigningCredentials key) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer,
        Audience = Audience,
        Claims = new Dictionary<string, object> { ["sub"] = "admin" },
        Expires = DateTime.UtcNow.AddMinutes(5),
        SigningCredentials = key,
    });

    [Fact]
    public async Task CertificatePemIsAccepted()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=idp", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var factory = Trusting(WriteTemp(certificate.ExportCertificatePem()));
        var me = await factory.Client(Token(new SigningCredentials(new RsaSecurityKey(rsa), SecurityAlgorithms.RsaSha256)))
            .GetAsync("/api/v1/users/me").JsonAsync();
        Assert.Equal("admin", me.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task EcCertificatePemIsAccepted()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=idp", ec, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var factory = Trusting(WriteTemp(certificate.ExportCertificatePem()));
        await factory.Client(Token(new SigningCredentials(new ECDsaSecurityKey(ec), SecurityAlgorithms.EcdsaSha256)))
            .GetAsync("/api/v1/users/me").JsonAsync();
    }

    public static TheoryData<string> UnusableKeys()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var weak = RSA.Create(1024);
        return new TheoryData<string>
        {
            "not a key at all",
            "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
            p384.ExportSubjectPublicKeyInfoPem(),
            weak.ExportSubjectPublicKeyInfoPem(),
        };
    }

    [Theory]
    [MemberData(nameof(UnusableKeys))]
    public void UnusableKeyFileStopsTheServiceAtStart(string pem)
    {
        var path = WriteTemp(pem);
        Assert.Null(Connectory.Platform.Auth.TrustedIssuerKeys.TryLoad(path));
        using var factory = Trusting(path);
        Assert.ThrowsAny<Exception>(() => factory.Client(null));
    }

    [Fact]
    public void MissingKeyFileStopsTheServiceAtStart()
    {
        using var factory = Trusting(Path.Combine(Path.GetTempPath(), "connectory-tests", "absent-" + Guid.NewGuid().ToString("N") + ".pem"));
        Assert.ThrowsAny<Exception>(() => factory.Client(null));
    }
}
