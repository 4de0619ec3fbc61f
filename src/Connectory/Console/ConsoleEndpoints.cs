using Microsoft.Net.Http.Headers;

// The namespace is not Connectory.Console: that would hide System.Console from every Connectory.* namespace.
namespace Connectory.WebConsole;

/// <summary>
/// Serves the web console at <c>/console</c>: static files that call the public API with the user's key, so the page
/// itself needs no sign-in, is outside <c>/api</c> (no rate tier counts it) and is left out of the API documents.
/// </summary>
internal static class ConsoleEndpoints
{
    public const string Root = "/console";

    /// <summary>No inline script or style anywhere, no other host, not framed.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        var assets = ConsoleAssets.Load(typeof(ConsoleEndpoints).Assembly);
        // Every path below /console that is not a file is the page itself: the console routes on the client (#/...).
        app.MapMethods(Root + "/{**path}", [HttpMethods.Get, HttpMethods.Head], (string? path, HttpContext context) =>
            Serve(context, assets.Find(path ?? "") ?? assets.Index))
            .ExcludeFromDescription();
        return app;
    }

    static IResult Serve(HttpContext context, ConsoleAsset asset)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        if (asset.Path == ConsoleAssets.IndexPath)
        {
            // The page is tiny and names the current files: always fetched anew.
            headers.CacheControl = "no-store";
            return Results.Bytes(asset.Body, asset.ContentType);
        }
        // Assets are revalidated on each load: a new build is picked up at once, an unchanged file costs a 304.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        var ifNoneMatch = context.Request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(new EntityTagHeaderValue(asset.ETag), useStrongComparison: false)))
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }
        return Results.Bytes(asset.Body, asset.ContentType);
    }
}
