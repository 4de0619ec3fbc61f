using Connectory.Errors;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Connectory.Hosting;

/// <summary>What one request may weigh and how slowly it may arrive, so no client can tie up memory or a worker.</summary>
internal static class RequestLimits
{
    public const long MaxRequestBodyBytes = 1024 * 1024;
    public const int MaxQueryStringLength = 8 * 1024;
    /// <summary>Above the query limit, so an over-long query reaches the check below and is answered in the family's shape.</summary>
    public const int MaxRequestLineBytes = 16 * 1024;
    public const int MaxRequestHeadersBytes = 32 * 1024;
    public const int MaxRequestHeaderCount = 100;
    public static readonly TimeSpan RequestHeadersTimeout = TimeSpan.FromSeconds(30);
    public static readonly MinDataRate MinRequestBodyDataRate = new(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

    public static void Apply(KestrelServerLimits limits)
    {
        limits.MaxRequestBodySize = MaxRequestBodyBytes;
        limits.MaxRequestLineSize = MaxRequestLineBytes;
        limits.MaxRequestHeadersTotalSize = MaxRequestHeadersBytes;
        limits.MaxRequestHeaderCount = MaxRequestHeaderCount;
        // Kestrel's defaults, stated here so they are part of the product rather than of the framework version.
        limits.RequestHeadersTimeout = RequestHeadersTimeout;
        limits.MinRequestBodyDataRate = MinRequestBodyDataRate;
    }

    /// <summary>An over-long query string is a 400 before routing, in the shape of the API family the path belongs to.</summary>
    public static WebApplication UseQueryStringLimit(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var length = context.Request.QueryString.Value?.Length ?? 0;
            if (length > MaxQueryStringLength)
            {
                await ErrorFamilies.Of(context).WriteAsync(context, ErrorCatalog.InvalidParameter,
                    $"The query string is {length} characters; at most {MaxQueryStringLength} are accepted.");
                return;
            }
            await next(context);
        });
        return app;
    }
}
