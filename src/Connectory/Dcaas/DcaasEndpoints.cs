using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.DataSources;
using Connectory.Errors;
using Connectory.Platform.Auth;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Dcaas;

/// <summary>
/// Contract: shared/spec/dcaas.openapi.json and dcaas-deprecated.txt — the deprecated DCaaS endpoints, in their own
/// request, response and error shapes, over the same logic as DcaasConnectionCreate on /api/v1/data-connections.
/// Every answer carries <c>Deprecation</c> and a <c>Link</c> to its successor; every call is counted in the log.
/// </summary>
internal static class DcaasEndpoints
{
    public const string Root = "/api/v1/dcaas/actions/data-connections";

    public static IServiceCollection AddDcaas(this IServiceCollection services)
    {
        services.AddScoped<DcaasConnections>();
        services.AddScoped<IDefinedConnections, DefinedConnections>();
        services.AddSingleton<DeprecatedCalls>();
        return services;
    }

    public static RouteGroupBuilder MapDcaas(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(Root).RequireAuthorization().AddEndpointFilter<DeprecationFilter>().WithErrorFamily(ErrorFamilies.Dcaas);
        group.MapPost("/", Create).WithMetadata(new Successor("/api/v1/data-connections"));
        group.MapGet("/api-specs", ApiSpecs).WithMetadata(new Successor("/api/v1/data-sources/{dataSourceId}/api-specs"));
        group.MapGet("/{connectionId}", Get).WithMetadata(new Successor("/api/v1/data-connections/{connectionId}?parseConnection=true"));
        return group;
    }

    /// <summary>The body is read here, not bound, so that malformed JSON is answered in this family's error shape.</summary>
    static async Task<IResult> Create(HttpRequest request, Caller caller, DcaasConnections connections, CancellationToken ct)
    {
        JsonElement body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: ct);
        }
        catch (JsonException e)
        {
            return DcaasError.Single(400, "DCAAS-1001", "Malformed request body", $"The request body is not valid JSON: {e.Message}");
        }
        if (body.ValueKind != JsonValueKind.Object)
        {
            return DcaasError.Single(400, "DCAAS-1001", "Bad request", "The request body must be a JSON object (CreateConnectionReq).");
        }
        string? Text(string name) => body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        // Qlik's published example sends tags and connectionProperties as JSON text; both forms are taken.
        JsonElement? Structured(string name) => !body.TryGetProperty(name, out var v) ? null
            : v.ValueKind == JsonValueKind.String && TryParse(v.GetString()!) is { } parsed ? parsed : v;
        var tags = Structured("tags");
        if (tags is { } t && (t.ValueKind != JsonValueKind.Array || t.EnumerateArray().Any(i => i.ValueKind != JsonValueKind.String)))
        {
            return DcaasError.Single(400, "DCAAS-1002", "Invalid field value", "Field 'tags' must be an array of strings", new JsonObject { ["property"] = "tags" });
        }
        var authUrlOnly = body.TryGetProperty("authUrlOnly", out var a) && a.ValueKind == JsonValueKind.True;
        var outcome = await connections.CreateAsync(
            new DcaasRequest(Text("connectionName"), Text("dataSourceId"), Structured("connectionProperties"), Text("spaceId"),
                tags?.EnumerateArray().Select(i => i.GetString()).ToList(), authUrlOnly, "connectionName", "dataSourceId"),
            caller, ct);
        if (outcome.AuthUrl is { } url)
        {
            return TypedResults.Json(new AuthUrlResponse(url), ErrorJson.Options, statusCode: StatusCodes.Status201Created);
        }
        if (outcome.Connection is not { } c)
        {
            return DcaasError.From(outcome);
        }
        return TypedResults.Json(
            new CreateConnectionRes(c.Id, c.Name, c.DatasourceId, c.OwnerId, c.TenantId, c.CreatedAt.ToRfc3339(), c.UpdatedAt.ToRfc3339(), c.SpaceId, outcome.Credential?.Id),
            ErrorJson.Options, statusCode: StatusCodes.Status201Created);
    }

    static async Task<IResult> Get(string connectionId, Caller caller, ConnectoryDb db, DcaasConnections connections, CancellationToken ct)
    {
        var (found, error) = await ConnectionLookup.ResolveAsync(db, caller, connectionId, null, null, tracked: false, ct);
        if (found is null || found.IsDataFiles)
        {
            return DcaasError.From(new DcaasOutcome(Error: error ?? ApiError.NotFound($"Data connection '{connectionId}'")));
        }
        var c = found.Stored!;
        var properties = await connections.ReadPropertiesAsync(c, ct) ?? ConnectionProperties.From(ConnectStatement.Parse(c.ConnectStatement));
        var credentialId = c.SeparateCredentials
            ? await db.DataCredentials.AsNoTracking().Where(x => x.ConnectionId == c.Id && x.OwnerId == caller.UserId && x.Separated).Select(x => x.Id).FirstOrDefaultAsync(ct)
            : c.CredentialId;
        return TypedResults.Json(
            new GetConnectionResponse(c.Id, c.Name, c.DatasourceId, c.OwnerId, c.TenantId, c.CreatedAt.ToRfc3339(), c.UpdatedAt.ToRfc3339(),
                properties, c.TagList(), c.SpaceId, credentialId),
            ErrorJson.Options);
    }

    static async Task<IResult> ApiSpecs(string? dataSourceId, DataSourceCatalog catalog, DataSourceSettings settings, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(dataSourceId))
        {
            return DcaasError.Single(400, "DCAAS-1003", "Missing required field", "Query parameter 'dataSourceId' is required.", new JsonObject { ["property"] = "dataSourceId" });
        }
        if (catalog.Find(dataSourceId) is not { } definition)
        {
            return DcaasError.Single(404, "DCAAS-3001", "Not found", $"Data source '{dataSourceId}' not found.");
        }
        if (await settings.IsDisabledAsync(definition.DataSourceId, ct))
        {
            return DcaasError.Single(403, DcaasError.DisabledCode, "Data source is not enabled.", $"Data source '{definition.DataSourceId}' is disabled in this tenant.");
        }
        return TypedResults.Json(definition.ToApiSpec(), ErrorJson.Options);
    }

    static JsonElement? TryParse(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>Which endpoint replaces a deprecated one (a path template filled from the request).</summary>
internal sealed record Successor(string Template);

/// <summary>Counts calls to deprecated endpoints, per endpoint, for the log line that lets operators find their callers.</summary>
internal sealed class DeprecatedCalls
{
    readonly ConcurrentDictionary<string, long> counts = new(StringComparer.Ordinal);

    public long Count(string endpoint) => counts.AddOrUpdate(endpoint, 1, (_, n) => n + 1);
}

internal sealed class DeprecationFilter(DeprecatedCalls calls, ILogger<DeprecationFilter> logger) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var endpoint = http.GetEndpoint();
        var name = $"{http.Request.Method} {(endpoint as RouteEndpoint)?.RoutePattern.RawText}";
        var successor = endpoint?.Metadata.GetMetadata<Successor>()?.Template ?? "/api/v1/data-connections";
        foreach (var (key, value) in http.Request.RouteValues)
        {
            successor = successor.Replace("{" + key + "}", Uri.EscapeDataString(value?.ToString() ?? ""), StringComparison.Ordinal);
        }
        if (http.Request.Query.TryGetValue("dataSourceId", out var source))
        {
            successor = successor.Replace("{dataSourceId}", Uri.EscapeDataString(source.ToString()), StringComparison.Ordinal);
        }
        // Deprecation in the boolean form of its draft: RFC 9745 wants the date, and Qlik publishes none for these endpoints.
        http.Response.Headers["Deprecation"] = "true";
        http.Response.Headers.Link = $"<{successor}>; rel=\"successor-version\"";
        var count = calls.Count(name);
        logger.LogWarning("Deprecated endpoint {Endpoint} called by tenant {TenantId} ({Count} calls since start); its successor is {Successor}",
            name, http.User.FindFirst("tid")?.Value, count, successor);
        return next(context);
    }
}

/// <summary>The DCaaS error body, written with its status.</summary>
internal static class DcaasError
{
    public const string DisabledCode = "DCAAS-2001";

    public static IResult Single(int status, string code, string title, string? detail, JsonObject? meta = null) =>
        TypedResults.Json(new DcaasResponseErrors([new PublicApiError(code, title, detail, meta)]), ErrorJson.Options, "application/json; charset=utf-8", status);

    /// <summary>A failed outcome: one error per bad property when there are several, else the one error.</summary>
    public static IResult From(DcaasOutcome outcome)
    {
        var error = outcome.Error!;
        var status = error.StatusCode ?? 500;
        if (outcome.Problems is { Count: > 0 } problems)
        {
            return TypedResults.Json(
                new DcaasResponseErrors(problems.Select(p => new PublicApiError("DCAAS-1002", "Invalid connection property", p.ToString(), new JsonObject { ["property"] = p.Property })).ToList()),
                ErrorJson.Options, "application/json; charset=utf-8", status);
        }
        var (code, title) = Code(error.Kind, outcome.Disabled);
        return Single(status, code, title, error.Detail);
    }

    /// <summary>An error of any kind, such as the framework's own (a 401, an unknown route, a 413), in this shape.</summary>
    public static IResult Write(ErrorKind kind, string? detail)
    {
        var (code, title) = Code(kind, disabled: false);
        return Single(kind.Status, code, title, detail);
    }

    /// <summary>The DCAAS code and title of an error kind; a 403 for a disabled data source has a code of its own.</summary>
    public static (string Code, string Title) Code(ErrorKind kind, bool disabled) => kind switch
    {
        { Status: 401 } => ("DCAAS-2000", "Unauthorized"),
        { Status: 403 } when disabled => (DisabledCode, "Data source is not enabled."),
        { Status: 403 } => ("DCAAS-2002", "Forbidden"),
        { Status: 404 } => ("DCAAS-3001", "Not found"),
        { Status: 405 } => ("DCAAS-1004", "Method not allowed"),
        { Status: 409 } => ("DCAAS-3002", "Conflict"),
        { Status: 413 } => ("DCAAS-1005", "Request body too large"),
        { Status: 415 } => ("DCAAS-1006", "Unsupported media type"),
        { Status: 502 } => ("DCAAS-5002", "Bad gateway"),
        { Status: >= 500 } => ("DCAAS-5000", "Internal error"),
        _ when kind == ErrorCatalog.MissingField => ("DCAAS-1003", "Missing required field"),
        _ when kind == ErrorCatalog.InvalidField => ("DCAAS-1002", "Invalid field value"),
        _ => ("DCAAS-1001", "Bad request"),
    };
}
