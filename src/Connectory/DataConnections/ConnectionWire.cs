using Connectory.Errors;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Connectory.Platform.Paging;

namespace Connectory.DataConnections;

// Wire shapes of shared/spec/data-connections.openapi.json; names are the spec's schema names.

/// <summary>The POST body: the spec's <c>ConnectionCreate</c> (the <c>DcaasConnectionCreate</c> variant is told apart by connectionProperties).</summary>
internal sealed record ConnectionCreate(
    string? qID,
    string? qName,
    string? qType,
    string? qConnectStatement,
    string? datasourceID,
    string? space,
    JsonElement? qLogOn,
    JsonElement? qArchitecture,
    string? qUsername,
    string? qPassword,
    string? qCredentialsID,
    string? qCredentialsName,
    bool? qSeparateCredentials,
    string? qConnectionSecret,
    string? qEngineObjectID,
    List<string>? tags,
    string? owner,
    string? ownerId,
    string? qriInRequest,
    JsonElement? connectionProperties,
    bool? authUrlOnly);

/// <summary>The answer to a DcaasConnectionCreate with authUrlOnly on an OAuth source.</summary>
internal sealed record DcaasConnectionCreateAuthResponse(string authUrl);

/// <summary>The PUT body: the spec's <c>ConnectionUpdate</c>.</summary>
internal sealed record ConnectionUpdate(
    string? qID,
    string? qName,
    string? qType,
    string? qConnectStatement,
    string? qEngineObjectID,
    string? datasourceID,
    string? space,
    JsonElement? qLogOn,
    JsonElement? qArchitecture,
    string? qUsername,
    string? qPassword,
    string? qCredentialsID,
    string? qCredentialsName,
    bool? qSeparateCredentials,
    string? qConnectionSecret,
    List<string>? tags);

internal sealed record ConnectionCreateResponse(
    string qID,
    string qName,
    string qConnectStatement,
    string qType,
    string qLogOn,
    string qEngineObjectID,
    int qArchitecture,
    bool qSeparateCredentials,
    IReadOnlyList<string> privileges,
    string user,
    string space,
    string created,
    string updated,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? qCredentialsID,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? qCredentialsName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? qReferenceKey,
    ConnectionLinks links);

internal sealed record ConnectionGet(
    string qID,
    string qName,
    string qConnectStatement,
    string qType,
    int qLogOn,
    string qEngineObjectID,
    int qArchitecture,
    bool qSeparateCredentials,
    IReadOnlyList<string> privileges,
    string tenant,
    string user,
    string space,
    string datasourceID,
    IReadOnlyList<string> tags,
    string created,
    string updated,
    ConnectionLinks links,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? qCredentialsID = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? qri = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? qConnectionSecret = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? connectionProperties = null);

internal sealed record ConnectionLinks(Link self);

internal sealed record PatchOperation(string? op, string? path, JsonElement? value)
{
    /// <summary>Operations one PATCH may carry on a connection, credential or space; a handful is the real need.</summary>
    public const int MaxOperations = 100;

    public static ApiError? CheckCount(int count) => count > MaxOperations
        ? ApiError.BadRequest($"A patch request may hold at most {MaxOperations} operations, not {count}.")
        : null;

    /// <summary>The checks every PATCH array shares: a known op, a path, and a value unless removing.</summary>
    public static ApiError? CheckShape(PatchOperation? operation, int index) => CheckShape(operation?.op, operation?.path, operation?.value, index);

    /// <inheritdoc cref="CheckShape(PatchOperation?, int)"/>
    public static ApiError? CheckShape(string? op, string? path, JsonElement? value, int index)
    {
        var at = $"operation {index}";
        if (op is not ("add" or "replace" or "remove"))
        {
            return ApiError.InvalidField("op", $"of {at} must be add, replace or remove");
        }
        if (string.IsNullOrEmpty(path))
        {
            return ApiError.MissingField("path");
        }
        return op != "remove" && value is null ? ApiError.InvalidField("value", $"is required for '{op}' ({at}, {path})") : null;
    }
}

internal sealed record ActionDeleteRequest(List<BulkItem>? connections);

internal sealed record ActionUpdateRequest(List<BulkItem>? connections);

internal sealed record BulkItem(string? id, string? name, string? ownerId, string? spaceId, string? spaceType);

internal sealed record ActionDuplicateRequest(string? id, string? name, string? spaceId, string? qUsername, string? qPassword);

internal sealed record BulkResponse(IReadOnlyList<BulkResult> data);

internal sealed record BulkResult(
    string id,
    int status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Errors.Error? error);
