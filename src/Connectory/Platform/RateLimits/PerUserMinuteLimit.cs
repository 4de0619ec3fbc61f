using System.Globalization;
using System.Threading.RateLimiting;
using Connectory.Errors;
using Connectory.Platform.Audit;
using Connectory.Platform.Auth;
using Microsoft.AspNetCore.RateLimiting;

namespace Connectory.Platform.RateLimits;

/// <summary>
/// An action's own limit, on top of the rate tiers: so many calls per user per tenant in a fixed one-minute window,
/// answered 429 in the Cloud shape with <c>Retry-After</c>, counted in the metrics and recorded in the audit trail.
/// </summary>
/// <param name="action">The action's name in metrics and in the message ("test", "resolve").</param>
/// <param name="calls">What the message calls the action's requests ("connection tests").</param>
/// <param name="permitsPerMinute">Reads the configured limit from the request's services.</param>
/// <param name="recordThrottled">Writes the refusal to the audit trail (and the action's own metrics).</param>
internal sealed class PerUserMinuteLimit(
    string action,
    string calls,
    Func<IServiceProvider, int> permitsPerMinute,
    Func<IServiceProvider, Caller, RequestOrigin, Task> recordThrottled) : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectedAsync;

    // Endpoints under this policy require a signed-in caller, and sign-in runs before the limiter.
    public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
        httpContext.Features.Get<Caller>() is { } caller
            ? RateLimitPartition.GetFixedWindowLimiter(caller.TenantId + "/" + caller.UserId, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permitsPerMinute(httpContext.RequestServices),
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            })
            : RateLimitPartition.GetNoLimiter("");

    async ValueTask RejectedAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var context = rejected.HttpContext;
        var services = context.RequestServices;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
        context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        services.GetRequiredService<Hosting.Telemetry.ConnectoryMetrics>().RateLimited(action);
        if (context.Features.Get<Caller>() is { } caller)
        {
            await recordThrottled(services, caller, RequestOrigin.Of(context));
        }
        await ErrorWriter.WriteAsync(context, ErrorCatalog.TooManyRequests, $"Over {permitsPerMinute(services)} {calls} a minute; retry after {retryAfter} s.");
    }
}
