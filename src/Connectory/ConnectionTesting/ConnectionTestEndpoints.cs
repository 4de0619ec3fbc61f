using Connectory.DataConnections;
using Connectory.Errors;
using Connectory.Hosting;
using Connectory.Platform.Audit;
using Connectory.Platform.Auth;
using Connectory.Platform.RateLimits;
using Microsoft.AspNetCore.Http.HttpResults;
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
        // Within Tier 2: a test reaches out to another host, so a user gets fewer of them.
        services.AddRateLimiter(o => o.AddPolicy(TestPolicy, new PerUserMinuteLimit("test", "connection tests",
            sp => sp.GetRequiredService<IOptions<ConnectionTestOptions>>().Value.PermitPerMinute,
            (sp, caller, origin) => sp.GetRequiredService<ConnectionTester>().RecordThrottledAsync(caller, origin))));
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
}
