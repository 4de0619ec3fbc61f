using System.Net;
using Connectory.Hosting;

namespace Connectory.Qrs;

/// <summary>Settings of the Qlik Sense Repository Service (QSEoW) data-connection API under /qrs.</summary>
internal sealed class QrsOptions
{
    public const string Section = "Qrs";

    /// <summary>The tenant (id or name) that X-Qlik-User header callers belong to.</summary>
    public string Tenant { get; set; } = "default";

    /// <summary>The space (id or name) that holds QRS connections; a managed space of this name is made on first use.</summary>
    public string Space { get; set; } = "QSEoW";

    /// <summary>Addresses of the proxies whose X-Qlik-User header is believed (a list, or one comma-separated value).</summary>
    [CommaSeparated]
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>When set, X-Qlik-User is believed only with a matching X-Connectory-Proxy-Secret header.</summary>
    public string? ProxySecret { get; set; }

    /// <summary>
    /// PEM or DER file with the certificate authority that signs proxy client certificates (QSEoW's root CA). A
    /// request over HTTPS whose client certificate chains to it is from a trusted proxy.
    /// </summary>
    public string? ClientCaFile { get; set; }

    /// <summary>When set, client certificates count only on connections to this local port (the QRS HTTPS port).</summary>
    public int? CertificatePort { get; set; }

    /// <summary>
    /// When true, GET /qrs/dataconnection/full returns each password the caller may update, sealed to the public key
    /// in the request's X-Connectory-Export-Key header (see <see cref="QrsPasswordEnvelope"/>), to client-certificate callers only.
    /// </summary>
    public bool ExportPasswords { get; set; }

    public IReadOnlyList<IPAddress> ProxyAddresses() => [.. TrustedProxies.Select(p => Normalize(IPAddress.Parse(p)))];

    public bool HeaderSignInEnabled => TrustedProxies.Count > 0 || !string.IsNullOrEmpty(ProxySecret);

    public static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    public static bool Valid(QrsOptions o) =>
        o.TrustedProxies.All(p => IPAddress.TryParse(p, out _)) && !string.IsNullOrWhiteSpace(o.Tenant) && !string.IsNullOrWhiteSpace(o.Space)
        && (string.IsNullOrEmpty(o.ClientCaFile) || File.Exists(o.ClientCaFile)) && o.CertificatePort is null or (> 0 and < 65536);
}
