using Connectory.Platform.Auth;
using Connectory.Platform.Tenants;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Connectory.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry for the service: ASP.NET Core, HttpClient and Npgsql instrumentation plus the <c>Connectory</c> meter,
/// scraped by Prometheus (see <see cref="MetricsOptions.Scrape"/>) and pushed over OTLP when an endpoint is configured.
/// </summary>
internal static class TelemetryRegistration
{
    public const string ScrapePath = "/metrics";
    const string ScrapePolicy = "metrics-scrape";

    public static IServiceCollection AddConnectoryTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<MetricsOptions>(MetricsOptions.Section)
            .Validate(o => o.Scrape is MetricsOptions.Off or MetricsOptions.Admin or MetricsOptions.Port, "Metrics:Scrape must be off, admin or port.")
            .Validate(o => o.Scrape != MetricsOptions.Port || o.ListenPort is > 0 and < 65536, "Metrics:Scrape=port needs Metrics:Port (1-65535).")
            .Validate(o => o.GaugeRefreshSeconds > 0, "Metrics:GaugeRefreshSeconds must be positive.")
            .Validate(o => o.OtlpEndpoint is null || Uri.TryCreate(o.OtlpEndpoint, UriKind.Absolute, out _), "Metrics:OtlpEndpoint must be an absolute URL (e.g. http://collector:4317).")
            .ValidateOnStart();
        services.AddSingleton<ConnectoryMetrics>();
        services.AddSingleton<StoreGauges>();
        services.AddAuthorizationBuilder().AddPolicy(ScrapePolicy, p => p.RequireAuthenticatedUser().RequireAssertion(async context =>
            context.Resource is HttpContext http && http.Features.Get<Caller>() is { IsTenantAdmin: true } caller
            && await IsAdminTenantAsync(http, caller.TenantId)));

        var settings = configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        var otlp = settings.OtlpEndpoint ?? configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        // The standard OTEL_EXPORTER_OTLP_* variables are read by the exporter itself (which then adds the signal's path
        // for http/protobuf); only our own setting is handed over.
        void Otlp(OpenTelemetry.Exporter.OtlpExporterOptions o)
        {
            if (settings.OtlpEndpoint is { } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
            {
                o.Endpoint = uri;
            }
        }
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("connectory", serviceVersion: typeof(TelemetryRegistration).Assembly.GetName().Version?.ToString(3)));
        // With no scrape and no collector nothing would read the measurements, so none are taken.
        if (settings.Scrape != MetricsOptions.Off || !string.IsNullOrEmpty(otlp))
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(ConnectoryMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation();
                // Not Npgsql's metrics: they label each series with the pool's name, which is the connection string.
                switch (settings.Scrape)
                {
                    case MetricsOptions.Admin:
                        metrics.AddPrometheusExporter();
                        break;
                    case MetricsOptions.Port:
                        metrics.AddPrometheusHttpListener(o =>
                        {
                            o.Host = settings.Host;
                            o.Port = settings.ListenPort ?? 0;
                        });
                        break;
                }
                if (!string.IsNullOrEmpty(otlp))
                {
                    metrics.AddOtlpExporter(Otlp);
                }
            });
        }
        // Traces go nowhere without a collector, so they are only recorded for one. Log lines carry the trace id either way.
        if (!string.IsNullOrEmpty(otlp))
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsProbe(http.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(Otlp));
        }
        return services;
    }

    /// <summary>The scrape endpoint in <c>admin</c> mode, and the gauges read from the store in every mode.</summary>
    public static WebApplication MapConnectoryMetrics(this WebApplication app)
    {
        app.Services.GetRequiredService<StoreGauges>();
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MetricsOptions>>().Value.Scrape == MetricsOptions.Admin)
        {
            // Prometheus' text format, for scrapers rather than API clients: README ("Operating Connectory") describes it.
            app.MapPrometheusScrapingEndpoint(ScrapePath).RequireAuthorization(ScrapePolicy).ExcludeFromDescription();
        }
        return app;
    }

    /// <summary>Health probes and scrapes: frequent, and of no interest in traces or the access log at Information.</summary>
    public static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments(ScrapePath);

    static async Task<bool> IsAdminTenantAsync(HttpContext http, string tenantId)
    {
        var wanted = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<MetricsOptions>>().Value.AdminTenant;
        if (wanted == tenantId)
        {
            return true;
        }
        var db = http.RequestServices.GetRequiredService<Data.ConnectoryDb>();
        return await db.Set<Tenant>().IgnoreQueryFilters().AsNoTracking().AnyAsync(t => t.Id == tenantId && t.Name == wanted, http.RequestAborted);
    }
}
