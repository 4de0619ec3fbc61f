using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Extensions;

namespace Connectory.Platform.Paging;

internal sealed record Link(string Href);

internal sealed record PageLinks(
    Link Self,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Link? Next,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Link? Prev);

internal static class Urls
{
    /// <summary>The absolute URL of this request, on the service's public origin.</summary>
    public static Link Self(HttpRequest request) => To(request, request.Path, request.QueryString);

    /// <summary>An absolute URL for <paramref name="path"/> on the service's public origin (<see cref="PublicOrigin"/>).</summary>
    public static Link To(HttpRequest request, string path) => To(request, new PathString(path), QueryString.Empty);

    static Link To(HttpRequest request, PathString path, QueryString query)
    {
        var (scheme, host, pathBase) = request.HttpContext.RequestServices.GetRequiredService<PublicOrigin>().Of(request);
        return new(UriHelper.BuildAbsolute(scheme, host, pathBase, path, query));
    }

    /// <summary>This request's URL with the page parameters replaced by <paramref name="name"/>=<paramref name="cursor"/>.</summary>
    public static Link Page(HttpRequest request, string name, string cursor, params string[] drop)
    {
        var query = request.Query
            .Where(q => q.Key != "next" && q.Key != "prev" && q.Key != "page" && !drop.Contains(q.Key))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new KeyValuePair<string, string?>(name, cursor));
        return To(request, request.Path, QueryString.Create(query));
    }
}
