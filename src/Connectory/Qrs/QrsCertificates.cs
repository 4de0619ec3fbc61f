using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Connectory.Qrs;

/// <summary>The certificate authority of QRS proxy client certificates, read once at start so a bad file stops the service early.</summary>
internal sealed class QrsCertificates
{
    static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    readonly X509Certificate2Collection authorities = [];

    public QrsCertificates(IOptions<QrsOptions> options)
    {
        var file = options.Value.ClientCaFile;
        if (string.IsNullOrEmpty(file))
        {
            return;
        }
        var text = File.ReadAllText(file);
        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            authorities.ImportFromPem(text);
        }
        else
        {
            authorities.Add(X509CertificateLoader.LoadCertificateFromFile(file));
        }
        if (authorities.Count == 0)
        {
            throw new InvalidOperationException($"Qrs:ClientCaFile '{file}' holds no certificate.");
        }
    }

    public bool Enabled => authorities.Count > 0;

    /// <summary>Whether <paramref name="certificate"/> is valid now, allows client authentication and chains to the configured authority.</summary>
    public bool Trusts(X509Certificate2? certificate)
    {
        if (!Enabled || certificate is null)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        return chain.Build(certificate);
    }
}
