using System.Text.Json.Serialization;

namespace Connectory.Errors;

/// <summary>The Qlik Cloud error body: <c>{"errors":[{"code","title","detail","status"}]}</c>.</summary>
internal sealed record ResponseErrors(IReadOnlyList<Error> Errors, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TraceId = null);

internal sealed record Error(
    string Code,
    string Title,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail,
    int Status);

/// <summary>An expected failure, returned from handlers (never thrown) and written in the one error shape.</summary>
internal sealed class ApiError(ErrorKind kind, string? detail) : IResult, IStatusCodeHttpResult
{
    public ErrorKind Kind { get; } = kind;
    public string? Detail { get; } = detail;
    public int? StatusCode => Kind.Status;

    public static ApiError BadRequest(string detail) => new(ErrorCatalog.BadRequest, detail);
    public static ApiError InvalidParameter(string name, string detail) => new(ErrorCatalog.InvalidParameter, $"{name}: {detail}");
    public static ApiError MissingField(string name) => new(ErrorCatalog.MissingField, $"Field '{name}' is missing in the request");
    public static ApiError InvalidField(string name, string detail) => new(ErrorCatalog.InvalidField, $"Field '{name}' {detail}");
    public static ApiError Forbidden(string detail) => new(ErrorCatalog.Forbidden, detail);
    public static ApiError NotFound(string what) => new(ErrorCatalog.NotFound, $"{what} not found");
    public static ApiError Conflict(string detail) => new(ErrorCatalog.Conflict, detail);

    public Task ExecuteAsync(HttpContext httpContext) => ErrorWriter.WriteAsync(httpContext, Kind, Detail);
}

internal static class ErrorWriter
{
    public static Task WriteAsync(HttpContext context, ErrorKind kind, string? detail, string? traceId = null)
    {
        context.Response.StatusCode = kind.Status;
        var body = new ResponseErrors([new Error(kind.Code, kind.Title, detail, kind.Status)], traceId);
        return context.Response.WriteAsJsonAsync(body, ErrorJson.Options, "application/json; charset=utf-8");
    }
}

internal static class ErrorJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        // Bodies are application/json, never embedded in HTML: keep quotes and '<' readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
