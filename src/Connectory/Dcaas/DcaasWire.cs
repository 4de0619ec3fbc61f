using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Connectory.Dcaas;

// Wire shapes of shared/spec/dcaas.openapi.json.

internal sealed record AuthUrlResponse(string authUrl);

internal sealed record CreateConnectionRes(
    string connectionId,
    string connectionName,
    string dataSourceId,
    string userId,
    string tenantId,
    string createdAt,
    string updateAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? spaceId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? credentialsId);

internal sealed record GetConnectionResponse(
    string connectionId,
    string connectionName,
    string dataSourceId,
    string userId,
    string tenantId,
    string createdAt,
    string updateAt,
    JsonObject connectionProperties,
    IReadOnlyList<string> tags,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? spaceId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? credentialsId);

/// <summary>The DCaaS error body: <c>{"errors":[{"code","title","detail","meta"}]}</c> (PublicApiError, no status).</summary>
internal sealed record DcaasResponseErrors(IReadOnlyList<PublicApiError> errors);

internal sealed record PublicApiError(
    string code,
    string title,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? meta = null);
