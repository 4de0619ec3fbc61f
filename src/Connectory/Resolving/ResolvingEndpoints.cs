using System.Text.Json;
using Connectory.Dcaas;
using Connectory.Errors;
using Connectory.Hosting;
using Connectory.Platform.Audit;
using Connectory.Platform.Auth;
using Connectory.Platform.RateLimits;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Connectory.Resolving;

/// <summary>
/// Contract: shared/spec/connectivity/data-sources.d.ts (generateQriDataSources, getDataSourceEndpoints,
/// filterDataSourceEndpoints). Errors are in the Cloud shape, as everywhere under /api.
/// </summary>
internal static class ResolvingEndpoints
{
    const string ResolvePolicy = "connection-resolve";

    public static IServiceCollection AddResolving(this IServiceCollection services)
    {
        services.AddSettings<ResolveOptions>(ResolveOptions.Section)
            .Validate(o => o.PermitPerMinute >= 1, "Resolve:PermitPerMinute must be at least 1.")
            .ValidateOnStart();
        services.AddSingleton<AuditLog>();
        services.AddScoped<ConnectionResolver>();
        services.AddScoped<QriGenerator>();
        services.AddRateLimiter(o => o.AddPolicy(ResolvePolicy, new PerUserMinuteLimit("resolve", "resolutions",
            sp => sp.GetRequiredService<IOptions<ResolveOptions>>().Value.PermitPerMinute,
            (sp, caller, origin) => sp.GetRequiredService<ConnectionResolver>().RecordThrottledAsync(caller, origin))));
        return services;
    }

    public static RouteGroupBuilder MapResolving(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/connectivity/data-sources").RequireAuthorization();
        group.MapPost("/actions/generate-qri", GenerateQri);
        group.MapGet("/endpoints", Endpoints);
        group.MapPost("/endpoints/actions/filter", Filter).RequireRateLimiting(ResolvePolicy).WithNoStore();
        return group;
    }

    static async Task<Results<JsonHttpResult<QriResponse>, ApiError>> GenerateQri(QriRequest body, Caller caller, QriGenerator generator, CancellationToken ct)
    {
        if (body.data is not { } items)
        {
            return ApiError.MissingField("data");
        }
        if (items.Count > QriGenerator.MaxItems)
        {
            return ApiError.InvalidField("data", $"may hold at most {QriGenerator.MaxItems} items, not {items.Count}");
        }
        var raw = body.rawValues == true;
        var results = new List<QriResponseItem>(items.Count);
        foreach (var item in items)
        {
            if (item is null)
            {
                results.Add(Failed(new QriRequestItem(null, null, null, null, null, null, null), ApiError.InvalidField("data", "must hold objects, not null")));
                continue;
            }
            var order = new QriOrder(
                item.connectionType, item.connection, item.spaceId, item.dataSourceId,
                Values(item.pathProperties), Values(item.itemProperties), raw);
            var (made, error) = await generator.MakeAsync(caller, order, ct);
            results.Add(made is null
                ? Failed(item, error ?? ApiError.BadRequest("The QRI could not be made."))
                : new QriResponseItem(item.connection ?? "", item.connectionType ?? "", made.DataSourceId, made.IsFullyQualified, made.Qri, item.requestId, new QriResponseStatus(200, null)));
        }
        // The spec: 207 whatever the items' outcomes, each reported in place.
        return TypedResults.Json(new QriResponse(results), ErrorJson.Options, statusCode: StatusCodes.Status207MultiStatus);
    }

    static List<QriValue?> Values(List<QriPropertyRef?>? refs) => refs?.Select(r => r is null ? null : new QriValue(r.name, r.value)).ToList() ?? [];

    static QriResponseItem Failed(QriRequestItem item, ApiError error)
    {
        var (code, title) = DcaasError.Code(error.Kind, disabled: error.Kind.Status == StatusCodes.Status403Forbidden);
        var number = int.Parse(code.AsSpan(code.IndexOf('-', StringComparison.Ordinal) + 1), System.Globalization.CultureInfo.InvariantCulture);
        return new QriResponseItem(
            item.connection ?? "", item.connectionType ?? "", item.dataSourceId ?? "", false, "", item.requestId,
            new QriResponseStatus(error.Kind.Status, new DcaasApiError(number, title, error.Detail)));
    }

    // No connector nodes run inside this service: a load reads the resolved connection itself.
    static Ok<GetEndpointsResponse> Endpoints() => TypedResults.Ok(new GetEndpointsResponse([]));

    static async Task<IResult> Filter(HttpContext context, Caller caller, ConnectionResolver resolver, CancellationToken ct)
    {
        var origin = RequestOrigin.Of(context);
        // Read here rather than bound, so that a body that does not parse is recorded like every other refusal.
        PostEndpointRequest? body;
        if (!context.Request.HasJsonContentType())
        {
            return Answer(await resolver.RefuseAsync(caller, origin, new ApiError(ErrorCatalog.UnsupportedMediaType, "The request body must be application/json.")));
        }
        try
        {
            body = await JsonSerializer.DeserializeAsync<PostEndpointRequest>(context.Request.Body, ErrorJson.Options, ct);
        }
        catch (JsonException e)
        {
            return Answer(await resolver.RefuseAsync(caller, origin, new ApiError(ErrorCatalog.MalformedJson, $"The request body is not valid JSON for this operation: {e.Message}")));
        }
        if (body is null)
        {
            return Answer(await resolver.RefuseAsync(caller, origin, new ApiError(ErrorCatalog.MalformedJson, "The request body must be a JSON object.")));
        }
        var command = new ResolveConnection(
            body.connectionId, body.connectionName, body.spaceId, body.connectionString, body.dataSourceId,
            body.checkCredentials == true, body.reloadId, body.type);
        return Answer(await resolver.ResolveAsync(caller, command, origin, ct));
    }

    static IResult Answer(Resolution resolution) => resolution switch
    {
        Resolution.Granted { Instance: var i } => TypedResults.Json(
            new PostEndpointResponse(new ConnectionInstance(i.ConnectionId, i.ConnectionString, i.DataInterfaceType, i.Qri, i.SpaceQualifiedConnectionName, i.User, i.Password)),
            ErrorJson.Options, statusCode: StatusCodes.Status201Created),
        Resolution.Refused { Error: var error } => error,
        _ => throw new InvalidOperationException("A resolution is granted or refused."),
    };
}
