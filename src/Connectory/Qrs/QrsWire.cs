using System.Text.Json;

namespace Connectory.Qrs;

// Wire shapes of shared/spec/qrs-dataconnection.swagger.json. The spec calls the entity "DataConnection"; the Qrs
// prefix keeps it apart from the stored DataConnection. Member names are the spec's, so they serialize as written.

internal sealed record QrsUserCondensed(string id, IReadOnlyList<string>? privileges, string userId, string userDirectory, string? userDirectoryConnectorName, string name);

internal sealed record QrsTagCondensed(string id, IReadOnlyList<string>? privileges, string name);

internal sealed record QrsCustomPropertyDefinitionCondensed(string id, IReadOnlyList<string>? privileges, string name, string valueType, IReadOnlyList<string> choiceValues);

internal sealed record QrsCustomPropertyValueView(string id, string createdDate, string modifiedDate, string value, QrsCustomPropertyDefinitionCondensed definition);

internal sealed record QrsDataConnection(
    string id,
    string createdDate,
    string modifiedDate,
    string modifiedByUserName,
    IReadOnlyList<QrsCustomPropertyValueView> customProperties,
    QrsUserCondensed? owner,
    string name,
    string connectionstring,
    string type,
    string engineObjectId,
    string username,
    string? password,
    int logOn,
    int architecture,
    IReadOnlyList<QrsTagCondensed> tags,
    IReadOnlyList<string>? privileges,
    string schemaPath);

internal sealed record QrsDataConnectionCondensed(
    string id,
    IReadOnlyList<string>? privileges,
    string name,
    string connectionstring,
    string type,
    string engineObjectId,
    string username,
    string? password,
    int logOn,
    int architecture);

internal sealed record QrsCount(int value);

/// <summary>A DataConnection as a client sends it (POST, PUT, /many): everything optional, checked by the handler.</summary>
internal sealed record QrsDataConnectionIn(
    string? id,
    string? modifiedDate,
    string? name,
    string? connectionstring,
    string? type,
    string? engineObjectId,
    string? username,
    string? password,
    JsonElement? logOn,
    JsonElement? architecture,
    QrsUserRef? owner,
    List<QrsTagRef?>? tags,
    List<JsonElement>? customProperties);

internal sealed record QrsUserRef(string? id, string? userId, string? userDirectory);

internal sealed record QrsTagRef(string? id, string? name);

internal static class QrsJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = null,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
