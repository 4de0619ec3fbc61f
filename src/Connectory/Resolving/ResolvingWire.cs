using System.Text.Json.Serialization;

namespace Connectory.Resolving;

// Wire shapes of shared/spec/connectivity/data-sources.d.ts; names are the spec's type names.

internal sealed record QriRequest(List<QriRequestItem?>? data, bool? rawValues);

internal sealed record QriRequestItem(
    string? connection,
    string? connectionType,
    string? dataSourceId,
    List<QriPropertyRef?>? itemProperties,
    List<QriPropertyRef?>? pathProperties,
    string? requestId,
    string? spaceId);

internal sealed record QriPropertyRef(string? name, string? value);

internal sealed record QriResponse(IReadOnlyList<QriResponseItem> data);

internal sealed record QriResponseItem(
    string connection,
    string connectionType,
    string dataSourceId,
    bool isFullyQualified,
    string qri,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? requestId,
    QriResponseStatus status);

internal sealed record QriResponseStatus(int code, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DcaasApiError? errorResponse);

internal sealed record DcaasApiError(int dcaasErrorCode, string errorCodeName, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? errorMessage);

internal sealed record GetEndpointsResponse(IReadOnlyList<EndpointInstanceRef> endpoints);

internal sealed record EndpointInstanceRef(string dataSourceId, string id, string url, bool isPodUrl);

/// <summary>The four request variants of the spec (PostEndpointRequestWithConnectionId, ...WithConnectionName, ...WithConnectionString, ...WithDatasourceID) in one shape.</summary>
internal sealed record PostEndpointRequest(
    string? connectionId,
    string? connectionName,
    string? spaceId,
    string? connectionString,
    string? dataSourceId,
    bool? checkCredentials,
    string? reloadId,
    string? type);

internal sealed record PostEndpointResponse(ConnectionInstance connection);

internal sealed record ConnectionInstance(
    string connectionId,
    string connectionString,
    string dataInterfaceType,
    string qri,
    string spaceQualifiedConnectionName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? user,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? password);
