using System.Globalization;
using System.Threading.RateLimiting;
using Connectory.Errors;
using Connectory.Hosting;
using Connectory.Platform.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Connectory.Platform.RateLimits;

internal sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>Requests per minute per user per tenant on Tier 1 operations (reads), as Qlik's specs tag them.</summary>
    public int Tier1PerMinute { get; set; } = 1000;

    /// <summary>Requests per minute per user per tenant on Tier 2 operations (writes and actions).</summary>
    public int Tier2PerMinute { get; set; } = 100;

    /// <summary>
    /// How many instances serve the same database. Each counts on its own and allows its share (the limit divided by
    /// this, rounded up), so behind a balancer that spreads a user's requests the tenant-wide limits hold.
    /// </summary>
    public int Instances { get; set; } = 1;
}

/// <summary>
/// Qlik's rate tiers on <c>/api</c>: the specs tag every read Tier 1 (1000/min) and every write or action Tier 2 (100/min),
/// per user per tenant. A request over its tier's limit is 429 in its family's error shape, with <c>Retry-After</c>
/// and the <c>RateLimit-*</c> headers; a request within it carries <c>RateLimit-Limit</c> and <c>RateLimit-Remaining</c>.
/// </summary>
internal static class RateTiers
{
    public static IServiceCollection AddRateTiers(this IServiceCollection services)
    {
        services.AddSettings<RateLimitOptions>(RateLimitOptions.Section)
            .Validate(o => o is { Tier1PerMinute: > 0, Tier2PerMinute: > 0, Instances: > 0 }, "RateLimits:Tier1PerMinute, Tier2PerMinute and Instances must be positive.")
            .ValidateOnStart();
        services.AddSingleton<TierLimiter>();
        services.AddOptions<RateLimiterOptions>().Configure<TierLimiter>((o, tiers) =>
        {
            o.GlobalLimiter = tiers.Limiter;
            o.OnRejected = RejectedAsync;
        });
        return services;
    }

    /// <summary>Writes RateLimit-Limit and RateLimit-Remaining on every answer the tiers count (after the limiter admitted it).</summary>
    public static WebApplication UseRateTierHeaders(this WebApplication app)
    {
        var tiers = app.Services.GetRequiredService<TierLimiter>();
        app.Use((context, next) =>
        {
            if (tiers.LimitOf(context) is { } limit)
            {
                var remaining = tiers.Limiter.GetStatistics(context)?.CurrentAvailablePermits ?? 0;
                context.Response.Headers["RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
            }
            return next(context);
        });
        return app;
    }

    static async ValueTask RejectedAsync(OnRejectedContext rejected, CancellationToken ct)
    {
        var context = rejected.HttpContext;
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? (int)Math.Ceiling(retry.TotalSeconds) : 60;
        var seconds = Math.Max(1, wait).ToString(CultureInfo.InvariantCulture);
        context.Response.Headers.RetryAfter = seconds;
        var limit = context.RequestServices.GetRequiredService<TierLimiter>().LimitOf(context);
        context.RequestServices.GetRequiredService<Hosting.Telemetry.ConnectoryMetrics>().RateLimited(TierLimiter.IsTier1(context.Request.Method) ? "1" : "2");
        context.Response.Headers["RateLimit-Limit"] = limit?.ToString(CultureInfo.InvariantCulture) ?? "";
        context.Response.Headers["RateLimit-Remaining"] = "0";
        context.Response.Headers["RateLimit-Reset"] = seconds;
        await ErrorFamilies.Of(context).WriteAsync(context, ErrorCatalog.TooManyRequests,
            $"Over {limit} requests a minute on this tier for this user; retry after {seconds} s.");
    }
}

/// <summary>One fixed one-minute window per tenant, user and tier; requests without a signed-in caller, or outside /api, are not counted.</summary>
internal sealed class TierLimiter
{
    readonly IOptionsMonitor<RateLimitOptions> options;

    public TierLimiter(IOptionsMonitor<RateLimitOptions> options)
    {
        this.options = options;
        Limiter = PartitionedRateLimiter.Create<HttpContext, string>(context => LimitOf(context) is { } limit
            ? RateLimitPartition.GetFixedWindowLimiter(Key(context), _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            })
            : RateLimitPartition.GetNoLimiter(""));
    }

    public PartitionedRateLimiter<HttpContext> Limiter { get; }

    /// <summary>This instance's limit for the request's tier, or null when the request is not counted.</summary>
    public int? LimitOf(HttpContext context)
    {
        if (context.Features.Get<Caller>() is null || !context.Request.Path.StartsWithSegments("/api"))
        {
            return null;
        }
        var o = options.CurrentValue;
        var perMinute = IsTier1(context.Request.Method) ? o.Tier1PerMinute : o.Tier2PerMinute;
        return (perMinute + o.Instances - 1) / o.Instances;
    }

    public static bool IsTier1(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    static string Key(HttpContext context)
    {
        var caller = context.Features.Get<Caller>()!;
        return $"{caller.TenantId}/{caller.UserId}/{(IsTier1(context.Request.Method) ? 1 : 2)}";
    }
}
