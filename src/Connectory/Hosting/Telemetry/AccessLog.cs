using System.Diagnostics;
using Connectory.Errors;
using Connectory.Platform.Auth;
using Microsoft.AspNetCore.Diagnostics;

namespace Connectory.Hosting.Telemetry;

/// <summary>
/// One line per request (method, route template, status, duration, tenant id, user id) and the request metrics. The
/// route is the template (<c>/api/v1/data-connections/{qID}</c>), never the path or query the caller sent, so neither
/// a name nor a query value (which could hold a secret) reaches a log line or a label.
/// </summary>
internal static partial class AccessLog
{
    public const string Category = "Connectory.Access";

    public static WebApplication UseAccessLog(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<ConnectoryMetrics>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(Category);
        var enabled = app.Configuration.GetValue("Logging:AccessLog", true);
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var elapsed = Stopwatch.GetElapsedTime(started);
                var endpoint = context.GetEndpoint() ?? context.Features.Get<IExceptionHandlerFeature>()?.Endpoint;
                var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(none)";
                var method = Method(context.Request.Method);
                var status = context.Response.StatusCode;
                metrics.Request(FamilyOf(endpoint, route), route, method, status, elapsed.TotalSeconds);
                if (enabled)
                {
                    var caller = context.Features.Get<Caller>();
                    var level = TelemetryRegistration.IsProbe(context.Request.Path) ? LogLevel.Debug : LogLevel.Information;
                    Served(logger, level, method, route, status, elapsed.TotalMilliseconds, caller?.TenantId ?? "-", caller?.UserId ?? "-");
                }
            }
        });
        return app;
    }

    [LoggerMessage(EventId = 1, EventName = "Served", Message = "{Method} {Route} {Status} {DurationMs:0.0} ms tenant={TenantId} user={UserId}")]
    static partial void Served(ILogger logger, LogLevel level, string method, string route, int status, double durationMs, string tenantId, string userId);

    /// <summary>The API family a request belongs to: cloud, connectivity, dcaas, qrs, or other (health, metrics, nothing matched).</summary>
    public static string FamilyOf(Endpoint? endpoint, string route)
    {
        var family = endpoint?.Metadata.GetMetadata<ErrorFamily>();
        if (ReferenceEquals(family, ErrorFamilies.Dcaas))
        {
            return "dcaas";
        }
        if (ReferenceEquals(family, ErrorFamilies.Qrs) || route.StartsWith("/qrs", StringComparison.OrdinalIgnoreCase))
        {
            return "qrs";
        }
        // The platform routes (users, spaces, API keys) are Cloud's too, as are the connectivity namespace's.
        return route.StartsWith("/api/connectivity", StringComparison.OrdinalIgnoreCase) ? "connectivity"
            : route.StartsWith("/api/", StringComparison.OrdinalIgnoreCase) ? "cloud"
            : "other";
    }

    /// <summary>The method as a label: the ones the APIs use, anything else as one value (a caller picks the method).</summary>
    static string Method(string method) => method switch
    {
        "GET" or "POST" or "PUT" or "PATCH" or "DELETE" or "HEAD" or "OPTIONS" => method,
        _ => "_OTHER",
    };
}
