namespace Connectory.Hosting;

/// <summary>Endpoint metadata: no answer of this endpoint, errors included, may be kept by a cache.</summary>
internal sealed class NoStoreMetadata;

internal static class NoStore
{
    public static TBuilder WithNoStore<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new NoStoreMetadata());

    /// <summary>
    /// Sets <c>Cache-Control: no-store</c> and <c>Pragma: no-cache</c> on every answer of a marked endpoint. The headers
    /// go on as the response starts, not now: the error handler clears headers before it writes, and a 401 or 429 is
    /// written by middleware that runs before the endpoint.
    /// </summary>
    public static WebApplication UseNoStore(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<NoStoreMetadata>() is not null)
            {
                var response = context.Response;
                response.OnStarting(() =>
                {
                    response.Headers.CacheControl = "no-store";
                    response.Headers.Pragma = "no-cache";
                    return Task.CompletedTask;
                });
            }
            return next(context);
        });
        return app;
    }
}
