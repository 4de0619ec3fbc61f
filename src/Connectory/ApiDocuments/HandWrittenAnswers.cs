using System.Text.Json;
using Connectory.DataConnections;
using Connectory.DataSources;
using Connectory.Dcaas;
using Connectory.Platform.Namespaces;
using Connectory.Platform.Paging;
using Connectory.Qrs;
using Connectory.Resolving;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Connectory.ApiDocuments;

/// <summary>A body an operation takes or answers, with its status (0 for a request body).</summary>
internal sealed record Shape(int Status, Type? Type, string Description);

/// <summary>
/// What the endpoints that read or write their bodies by hand take and answer (streamed lists, QRS and DCaaS bodies,
/// the resolver, which reads its body itself so that a bad one is audited). Their signatures say <c>IResult</c>, so
/// the generator sees a bare 200; this table replaces it with what the handler really does.
/// </summary>
internal sealed class HandWrittenAnswers : IOpenApiOperationTransformer
{
    static readonly Dictionary<string, Shape[]> Operations = Build();

    static Dictionary<string, Shape[]> Build()
    {
        var table = new Dictionary<string, Shape[]>(StringComparer.Ordinal);
        foreach (var ns in ApiNamespace.All)
        {
            table[$"GET {ns.Prefix}/data-connections"] = [new(200, typeof(Connections), "The matching connections, a page at a time with limit (every match without it).")];
            table[$"POST {ns.Prefix}/data-connections/actions/delete"] = [new(207, typeof(BulkResponse), "A status per item.")];
            table[$"POST {ns.Prefix}/data-connections/actions/update"] = [new(207, typeof(BulkResponse), "A status per item.")];
        }
        table["POST /api/connectivity/data-sources/actions/generate-qri"] = [new(207, typeof(QriResponse), "A QRI, or an error, per item.")];
        table["POST /api/connectivity/data-sources/endpoints/actions/filter"] =
        [
            new(0, typeof(PostEndpointRequest), "Exactly one of connectionId, connectionName, connectionString, dataSourceId."),
            new(201, typeof(PostEndpointResponse), "The connection's statement and credentials, for a load (callers with the ConnectionResolver role only)."),
        ];
        table["POST /api/v1/dcaas/actions/data-connections"] =
        [
            new(0, typeof(CreateConnectionReq), "tags and connectionProperties may also be given as JSON text."),
            new(201, typeof(CreateConnectionRes), "The connection made (or, with authUrlOnly, {\"authUrl\"} to start an OAuth sign-in)."),
        ];
        table["GET /api/v1/dcaas/actions/data-connections/{connectionId}"] = [new(200, typeof(GetConnectionResponse), "The connection with its properties parsed.")];
        table["GET /api/v1/dcaas/actions/data-connections/api-specs"] = [new(200, typeof(ApiSpecResponse), "The data source's connection properties.")];
        table["GET /qrs/dataconnection"] = [new(200, typeof(List<QrsDataConnectionCondensed>), "The matching connections, condensed.")];
        table["POST /qrs/dataconnection"] = [new(0, typeof(QrsDataConnectionIn), "The connection to make."), new(201, typeof(QrsDataConnection), "The connection made.")];
        table["GET /qrs/dataconnection/full"] = [new(200, typeof(List<QrsDataConnection>), "The matching connections, in full.")];
        table["GET /qrs/dataconnection/count"] = [new(200, typeof(QrsCount), "How many connections match.")];
        table["POST /qrs/dataconnection/many"] = [new(0, typeof(List<QrsDataConnectionIn>), "The connections to make, all or none."), new(201, typeof(List<QrsDataConnection>), "The connections made.")];
        table["GET /qrs/dataconnection/{id}"] = [new(200, typeof(QrsDataConnection), "The connection.")];
        table["PUT /qrs/dataconnection/{id}"] = [new(0, typeof(QrsDataConnectionIn), "The connection as it is to be."), new(200, typeof(QrsDataConnection), "The connection as stored.")];
        table["DELETE /qrs/dataconnection/{id}"] = [new(204, null, "Deleted.")];
        table["GET /qrs/about/api/default/dataconnection"] = [new(200, typeof(QrsDataConnection), "A connection with every property at its default.")];
        return table;
    }

    /// <summary>The table's key for an operation: method and route pattern without constraints (<c>{id:guid}</c> as <c>{id}</c>).</summary>
    public static string Key(string method, string path) => $"{method} {path}";

    public static IEnumerable<string> Keys => Operations.Keys;

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var path = RoutePaths.Of(description);
        if (!Operations.TryGetValue(Key(description.HttpMethod ?? "", path), out var shapes))
        {
            return;
        }
        operation.Responses ??= new OpenApiResponses();
        // The bare 200 the generator guessed from IResult.
        if (operation.Responses.TryGetValue("200", out var guessed) && guessed.Content is not { Count: > 0 })
        {
            operation.Responses.Remove("200");
        }
        foreach (var shape in shapes)
        {
            var content = shape.Type is null ? null : new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await ReferenceAsync(shape.Type, context, cancellationToken) },
            };
            if (shape.Status == 0)
            {
                operation.RequestBody = new OpenApiRequestBody { Required = true, Description = shape.Description, Content = content };
            }
            else
            {
                operation.Responses[shape.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse { Description = shape.Description, Content = content };
            }
        }
    }

    /// <summary>A component schema for <paramref name="type"/> and a reference to it (an array of references for a list).</summary>
    static async Task<IOpenApiSchema> ReferenceAsync(Type type, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return new OpenApiSchema { Type = JsonSchemaType.Array, Items = await ReferenceAsync(type.GetGenericArguments()[0], context, ct) };
        }
        var schema = await context.GetOrCreateSchemaAsync(type, null, ct);
        return SchemaNames.Register(context.Document!, SchemaNames.Of(type), schema);
    }
}

internal static class RoutePaths
{
    /// <summary>The operation's path as its document names it: <c>/qrs/dataconnection/{id}</c>, no trailing slash.</summary>
    public static string Of(Microsoft.AspNetCore.Mvc.ApiExplorer.ApiDescription description) =>
        "/" + WithoutConstraints(description.RelativePath ?? "").Trim('/');

    /// <summary><c>qrs/dataconnection/{id:guid}</c> as <c>qrs/dataconnection/{id}</c>, as OpenAPI paths name parameters.</summary>
    public static string WithoutConstraints(string path) =>
        System.Text.RegularExpressions.Regex.Replace(path, @"\{\*{0,2}([A-Za-z0-9_]+)(:[^}]*)?\??\}", "{$1}");
}

// Shapes that handlers write or read by hand, named as Qlik's documents name them.

/// <summary>A page of connections, as ConnectionsBody writes it (the array is named by dataName, <c>data</c> by default).</summary>
internal sealed record Connections(IReadOnlyList<ConnectionGet> data, Meta meta, PageLinks links);

internal sealed record Meta(int count);

/// <summary>What the deprecated DCaaS create reads from its body.</summary>
internal sealed record CreateConnectionReq(
    string connectionName,
    string dataSourceId,
    JsonElement? connectionProperties,
    string? spaceId,
    IReadOnlyList<string>? tags,
    bool? authUrlOnly);
