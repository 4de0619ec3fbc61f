using Connectory.Errors;

namespace Connectory.Qrs;

/// <summary>
/// The Repository API's Xrfkey check, for the endpoints of a group marked with <see cref="RequireXrfkey"/>. It runs
/// before sign-in, as in QRS, so a request without the key is 403 whoever sends it.
/// </summary>
internal static class QrsGate
{
    public const string XsrfFailure = "XSRF prevention check failed. Possible XSRF discovered.";
    public const string UserHeader = QlikUserAuthenticationHandler.UserHeader;

    public static RouteGroupBuilder RequireXrfkey(this RouteGroupBuilder group) => group.WithMetadata(new XrfkeyRequired());

    public static WebApplication UseXrfkeyCheck(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<XrfkeyRequired>() is not null && !XrfkeyMatches(context.Request))
            {
                await ErrorFamilies.Of(context).WriteAsync(context, ErrorCatalog.Forbidden, XsrfFailure);
                return;
            }
            await next(context);
        });
        return app;
    }

    /// <summary>Query Xrfkey (16 characters of [0-9a-zA-Z]) must equal header X-Qlik-Xrfkey; names are case-insensitive.</summary>
    public static bool XrfkeyMatches(HttpRequest request)
    {
        var query = request.Query["Xrfkey"];
        var header = request.Headers["X-Qlik-Xrfkey"];
        if (query.Count != 1 || header.Count != 1)
        {
            return false;
        }
        var key = query[0]!;
        return key.Length == 16 && key.All(char.IsAsciiLetterOrDigit) && string.Equals(key, header[0], StringComparison.Ordinal);
    }
}

/// <summary>Endpoint metadata: the request must carry the Xrfkey pair.</summary>
internal sealed class XrfkeyRequired;

/// <summary>QRS errors are plain text bodies.</summary>
internal static class QrsText
{
    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(message);
    }

    public static IResult Result(int status, string message) => TypedResults.Text(message, "text/plain; charset=utf-8", System.Text.Encoding.UTF8, status);
}
