using System.Threading.RateLimiting;
using Connectory.DataConnections;
using Connectory.Errors;
using Connectory.Hosting;
using Connectory.Platform.Audit;
using Connectory.Platform.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Connectory.ConnectionTesting;

/// <summary>
/// <c>POST .../data-connections/actions/test</c> (a connection as a create body, not stored) and
/// <c>POST .../data-connections/{qID}/actions/test</c> (a stored one, with its stored credentials, which never leave).
/// Not in Qlik's spec. 200 for every test that ran, passed or not; 4xx in the Cloud shape when none could run.
/// </summary>
internal static class ConnectionTestEndpoints
{
    const string TestPolicy = "connection-test";

    public static IServiceCollection AddConnectionTesting(this IServiceCollection services)
    {
        services.AddSettings<ConnectionTestOptions>(ConnectionTestOptions.Section)
            .Validate(o => o.Timeout >= TimeSpan.FromMilliseconds(100) && o.Timeout <= TimeSpan.FromMinutes(5), "ConnectionTests:Timeout must be from 00:00:00.1 to 00:05:00.")
            .Validate(o => o.PermitPerMinute >= 1, "ConnectionTests:PermitPerMinute must be at least 1.")
            .Validate(o => o.AllowedPorts.All(p => p is >= 1 and <= 65535), "ConnectionTests:AllowedPorts must hold ports from 1 to 65535.")
            .Validate(o => o.AllowedNetworks.Concat(o.BlockedNetworks).All(IsNetwork), "ConnectionTests:AllowedNetworks and BlockedNetworks must hold networks (CIDR) or addresses.")
            .Validate(o => o.AllowedPaths.All(Path.IsPathFullyQualified), "ConnectionTests:AllowedPaths must hold absolute paths.")
            .ValidateOnStart();
        services.AddSingleton<OutboundPolicy>();
        services.AddScoped<ConnectionTester>();
        services.AddRateLimiter(o => o.AddPolicy<string, PerUserTestLimit>(TestPolicy));
        return services;
    }

    /// <summary>Adds the test actions to a namespace's data-connections group (its error shape and catch-all routes).</summary>
    public static RouteGroupBuilder MapConnectionTests(this RouteGroupBuilder dataConnections)
    {
        dataConnections.MapPost("/actions/test", TestNew).RequireRateLimiting(TestPolicy).WithNoStore();
        dataConnections.MapPost("/{qID}/actions/test", TestSaved).RequireRateLimiting(TestPolicy).WithNoStore();
        return dataConnections;
    }

    static bool IsNetwork(string text)
    {
        try
        {
            OutboundPolicy.ParseNetwork(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    static async Task<Results<Ok<ConnectionTestResult>, ApiError>> TestNew(
        ConnectionCreate body, Caller caller, ConnectionTester tester, HttpContext context, CancellationToken ct)
    {
        var (result, error) = await tester.TestNewAsync(body, caller, RequestOrigin.Of(context), ct);
        return result is null ? error! : TypedResults.Ok(result);
    }

    static async Task<Results<Ok<ConnectionTestResult>, ApiError>> TestSaved(
        string qID, Caller caller, ConnectionTester tester, HttpContext context, CancellationToken ct)
    {
        var (result, error) = await tester.TestSavedAsync(qID, caller, RequestOrigin.Of(context), ct);
        return result is null ? error! : TypedResults.Ok(result);
    }

    /// <summary>Tests per user per tenant in a fixed one-minute window (<see cref="ConnectionTestOptions.PermitPerMinute"/>), within Tier 2.</summary>
    sealed class PerUserTestLimit(IOptions<ConnectionTestOptions> options) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = RejectedAsync;

        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            httpContext.Features.Get<Caller>() is { } caller
                ? RateLimitPartition.GetFixedWindowLimiter(caller.TenantId + "/" + caller.UserId, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.Value.PermitPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter("");

        static async ValueTask RejectedAsync(OnRejectedContext rejected, CancellationToken ct)
        {
            var context = rejected.HttpContext;
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 60;
            context.Response.Headers.RetryAfter = Math.Max(1, retryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.RequestServices.GetRequiredService<Hosting.Telemetry.ConnectoryMetrics>().RateLimited("test");
            if (context.Features.Get<Caller>() is { } caller)
            {
                await context.RequestServices.GetRequiredService<ConnectionTester>().RecordThrottledAsync(caller, RequestOrigin.Of(context));
            }
            var limit = context.RequestServices.GetRequiredService<IOptions<ConnectionTestOptions>>().Value.PermitPerMinute;
            await ErrorWriter.WriteAsync(context, ErrorCatalog.TooManyRequests, $"Over {limit} connection tests a minute; retry after {retryAfter} s.");
        }
    }
}
