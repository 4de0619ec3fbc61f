using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Connectory.DataSources;

/// <summary>
/// One data source as read from its definition file (DataSources/Definitions/*.json, or the operator's folder).
/// Names follow the spec's <c>DataSourceNew</c>, <c>ApiSpecResponse</c> and <c>QriDefinition</c> schemas.
/// </summary>
internal sealed class DataSourceDefinition
{
    public required string DataSourceId { get; init; }
    public required string Name { get; init; }
    /// <summary>The connector file, e.g. QvOdbcConnectorPackage.exe.</summary>
    public required string Provider { get; init; }
    public required string ProviderName { get; init; }
    public required string ConnectorVersion { get; init; }
    /// <summary>The connection's qType; the provider when absent.</summary>
    public string? QType { get; init; }
    public string DataSourceType { get; init; } = "connector";
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    /// <summary>A JSON schema (type object) with two extra keywords per property: <c>secret</c> and <c>credential</c>.</summary>
    public required JsonObject ConnectionProperties { get; init; }
    /// <summary>The connect statement with <c>{property}</c> placeholders, e.g. <c>CUSTOM CONNECT TO "provider=x.exe;host={host};"</c>.</summary>
    public required string ConnectStatement { get; init; }
    public required QriDefinition QriDefinition { get; init; }
    public OAuthDefinition? OAuth { get; init; }
    public JsonObject? UiInfo { get; init; }

    [JsonIgnore]
    public string ConnectionType => string.IsNullOrEmpty(QType) ? Provider : QType;

    /// <summary>Set by the catalog once the file is checked.</summary>
    [JsonIgnore]
    public PropertySchema Schema { get; set; } = null!;

    [JsonIgnore]
    public StatementTemplate Template { get; set; } = null!;

    /// <summary>Where the definition came from (shipped resource or file path), for start-up errors.</summary>
    [JsonIgnore]
    public string Origin { get; set; } = "";

    public static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}

internal sealed record QriDefinition(
    string QriPrefix,
    QriPart ConnectionPart,
    QriPart PathPart,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QriPart? ItemPart);

internal sealed record QriPart(
    string Template,
    IReadOnlyList<string> Properties,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Prefix = null);

/// <summary>The authorization-code flow of an OAuth data source. Client id and secret come from configuration.</summary>
internal sealed record OAuthDefinition(
    string AuthorizeUrl,
    string TokenUrl,
    IReadOnlyList<string> Scopes,
    string ScopeSeparator = " ",
    IReadOnlyDictionary<string, string>? AuthorizeParameters = null);
