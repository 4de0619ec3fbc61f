using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Connectory.Errors;
using Connectory.Platform.Paging;

namespace Connectory.Platform.Namespaces;

/// <summary>
/// A namespace Qlik serves its connection APIs under. <c>/api/v1</c> keeps the first names (<c>created</c>,
/// <c>lastUpdated</c>); <c>/api/connectivity</c> is the same API with newer ones (<c>createdAt</c>, <c>updatedAt</c>).
/// One set of handlers serves both: a face maps its group once per namespace, and the namespace, as endpoint
/// metadata, decides the links' prefix and the names the response is written with.
/// </summary>
internal sealed class ApiNamespace
{
    public static readonly ApiNamespace V1 = new("/api/v1", renames: null);

    public static readonly ApiNamespace Connectivity = new("/api/connectivity", new Dictionary<string, string>
    {
        ["created"] = "createdAt",
        ["lastUpdated"] = "updatedAt",
    });

    /// <summary>Both, in the order their routes are mapped.</summary>
    public static readonly IReadOnlyList<ApiNamespace> All = [V1, Connectivity];

    ApiNamespace(string prefix, IReadOnlyDictionary<string, string>? renames)
    {
        Prefix = prefix;
        if (renames is not null)
        {
            var modifier = (Action<JsonTypeInfo>)(info => Rename(info, renames));
            Json = new JsonSerializerOptions(ErrorJson.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver().WithAddedModifier(modifier) };
            Modifier = modifier;
        }
    }

    /// <summary>Where the namespace's paths start, e.g. <c>/api/connectivity</c>.</summary>
    public string Prefix { get; }

    /// <summary>How this namespace writes a response body; null when the handlers' own shapes are its names.</summary>
    public JsonSerializerOptions? Json { get; }

    /// <summary>The renaming, for serializer contexts generated at build time (null when nothing is renamed).</summary>
    public Action<JsonTypeInfo>? Modifier { get; }

    /// <summary>The namespace of the request's endpoint; /api/v1 for endpoints that belong to no namespace.</summary>
    public static ApiNamespace Of(HttpRequest request) => request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<ApiNamespace>() ?? V1;

    /// <summary>An absolute URL for <paramref name="path"/> (which starts after the prefix, e.g. <c>/data-connections/1</c>) in this namespace.</summary>
    public Link Url(HttpRequest request, string path) => Urls.To(request, Prefix + path);

    static void Rename(JsonTypeInfo info, IReadOnlyDictionary<string, string> renames)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }
        foreach (var property in info.Properties)
        {
            if (renames.TryGetValue(property.Name, out var renamed))
            {
                property.Name = renamed;
            }
        }
    }
}

internal static class ApiNamespaceRouting
{
    /// <summary>Marks the group's endpoints as <paramref name="ns"/>'s and, where it renames, writes their bodies with its names.</summary>
    public static RouteGroupBuilder InNamespace(this RouteGroupBuilder group, ApiNamespace ns)
    {
        group.WithMetadata(ns).WithErrorFamily(ErrorFamilies.Cloud);
        if (ns.Json is { } json)
        {
            group.AddEndpointFilter(async (context, next) => Renamed(await next(context), json));
        }
        return group;
    }

    /// <summary>A handler's JSON result (Ok, Created, Json, possibly inside Results&lt;...&gt;) written with <paramref name="json"/>.</summary>
    static object? Renamed(object? result, JsonSerializerOptions json)
    {
        var inner = result is INestedHttpResult nested ? nested.Result : result;
        if (inner is not IValueHttpResult { Value: { } value } || inner is ApiError)
        {
            return result;
        }
        var status = (inner as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        // Created and Accepted carry their Location in a property no interface exposes.
        var location = inner.GetType().GetProperty("Location")?.GetValue(inner) as string;
        return new RenamedJson(value, status, location, json);
    }

    sealed class RenamedJson(object value, int status, string? location, JsonSerializerOptions json) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = status;
            if (location is not null)
            {
                response.Headers.Location = location;
            }
            response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(response.Body, value, value.GetType(), json, httpContext.RequestAborted);
        }
    }
}
