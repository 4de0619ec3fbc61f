namespace Connectory.Hosting.Telemetry;

/// <summary>Where the Prometheus scrape endpoint <c>/metrics</c> is served, if anywhere.</summary>
internal sealed class MetricsOptions
{
    public const string Section = "Metrics";
    public const string Off = "off";
    public const string Admin = "admin";
    public const string Port = "port";

    /// <summary>
    /// <c>admin</c> (default): on the API's own port, to a TenantAdmin of <see cref="AdminTenant"/> signing in as for any
    /// API; <c>port</c>: without sign-in on <see cref="ListenPort"/> of <see cref="Host"/>, a port for the scraper only;
    /// <c>off</c>: nowhere (OTLP export still runs when configured).
    /// </summary>
    public string Scrape { get; set; } = Admin;

    /// <summary>The scrape port, with <c>Scrape=port</c> (setting <c>Metrics:Port</c>).</summary>
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("Port")]
    public int? ListenPort { get; set; }

    /// <summary>The address the scrape port listens on: loopback unless the scraper runs elsewhere (<c>*</c> for every address).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The tenant (id or name) whose TenantAdmins may scrape in <c>admin</c> mode: the operators' tenant.</summary>
    public string AdminTenant { get; set; } = "default";

    /// <summary>How old the per-tenant counts (connections, credentials, secrets per master key) may get before a scrape reads them again.</summary>
    public int GaugeRefreshSeconds { get; set; } = 30;

    /// <summary>Where to push metrics and traces over OTLP; the standard OTEL_EXPORTER_OTLP_ENDPOINT works too.</summary>
    public string? OtlpEndpoint { get; set; }
}
