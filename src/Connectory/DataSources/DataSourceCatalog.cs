using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Connectory.DataSources;

internal sealed class DataSourcesOptions
{
    public const string Section = "DataSources";

    /// <summary>A folder of extra definition files; a file with a shipped dataSourceId replaces the shipped one.</summary>
    public string? DefinitionsPath { get; set; }

    /// <summary>Per data source: ClientId, ClientSecret and optionally RedirectUri.</summary>
    public Dictionary<string, OAuthClientOptions> OAuth { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where the OAuth provider sends the user back with a code, unless a data source names its own.</summary>
    public string? OAuthRedirectUri { get; set; }

    /// <summary>How long a token endpoint may take before the exchange fails with 502.</summary>
    public TimeSpan TokenTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an authUrl's state stays valid.</summary>
    public TimeSpan OAuthStateLifetime { get; set; } = TimeSpan.FromMinutes(15);
}

internal sealed class OAuthClientOptions
{
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string? RedirectUri { get; set; }
}

/// <summary>
/// The data sources this service knows: the shipped definition files (embedded in the binary), then the operator's
/// folder (<c>DataSources:DefinitionsPath</c>), later ones replacing earlier ones by dataSourceId. Every definition is
/// checked when the service starts; a bad one stops the start with its file and fault named.
/// </summary>
internal sealed class DataSourceCatalog
{
    const string ResourcePrefix = "datasource:";
    readonly Dictionary<string, DataSourceDefinition> byId = new(StringComparer.OrdinalIgnoreCase);

    public DataSourceCatalog(IOptions<DataSourcesOptions> options, TimeProvider time, ILogger<DataSourceCatalog> logger)
    {
        var assembly = typeof(DataSourceCatalog).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            Add(Load(stream, "shipped " + name[ResourcePrefix.Length..]));
        }
        var folder = options.Value.DefinitionsPath;
        if (!string.IsNullOrWhiteSpace(folder))
        {
            if (!Directory.Exists(folder))
            {
                throw new InvalidOperationException($"DataSources:DefinitionsPath '{folder}' is not a folder.");
            }
            foreach (var file in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                using var stream = File.OpenRead(file);
                var definition = Load(stream, file);
                logger.LogInformation("Data source {DataSourceId} {Action} from {File}", definition.DataSourceId, byId.ContainsKey(definition.DataSourceId) ? "replaced" : "added", file);
                Add(definition);
            }
        }
        All = byId.Values.OrderBy(d => d.DataSourceId, StringComparer.OrdinalIgnoreCase).ToList();
        LastUpdated = time.GetUtcNow();
    }

    public IReadOnlyList<DataSourceDefinition> All { get; }

    public DateTimeOffset LastUpdated { get; }

    public DataSourceDefinition? Find(string? dataSourceId) =>
        dataSourceId is not null && byId.TryGetValue(dataSourceId, out var definition) ? definition : null;

    void Add(DataSourceDefinition definition) => byId[definition.DataSourceId] = definition;

    static DataSourceDefinition Load(Stream stream, string origin)
    {
        try
        {
            var definition = JsonSerializer.Deserialize<DataSourceDefinition>(stream, DataSourceDefinition.FileJson)
                ?? throw new InvalidDataException("the file is empty");
            if (string.IsNullOrWhiteSpace(definition.DataSourceId) || definition.DataSourceId.Any(c => char.IsWhiteSpace(c) || c is '/' or '?' or '#'))
            {
                throw new InvalidDataException("dataSourceId must be a non-empty word usable in a URL path");
            }
            definition.Origin = origin;
            definition.Schema = PropertySchema.Read(definition.ConnectionProperties);
            definition.Template = StatementTemplate.Read(definition.ConnectStatement, definition.Schema);
            CheckQri(definition);
            CheckOAuth(definition);
            return definition;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException or FormatException)
        {
            throw new InvalidOperationException($"Data source definition {origin} is invalid: {e.Message}", e);
        }
    }

    static void CheckQri(DataSourceDefinition definition)
    {
        var qri = definition.QriDefinition;
        if (!qri.QriPrefix.StartsWith("qri:", StringComparison.Ordinal) || !qri.QriPrefix.EndsWith("://", StringComparison.Ordinal))
        {
            throw new InvalidDataException("qriDefinition.qriPrefix must look like qri:<kind>:<source>://");
        }
        foreach (var name in qri.ConnectionPart.Properties)
        {
            if (definition.Schema.Find(name) is not { } spec || spec.Secret || spec.WriteOnly)
            {
                throw new InvalidDataException($"qriDefinition.connectionPart names '{name}', which is not a readable property");
            }
            if (!qri.ConnectionPart.Template.Contains($"{{{name}}}", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"qriDefinition.connectionPart lists '{name}' but its template does not use it");
            }
        }
    }

    static void CheckOAuth(DataSourceDefinition definition)
    {
        if (definition.OAuth is not { } oauth)
        {
            return;
        }
        foreach (var (field, url) in new[] { ("authorizeUrl", oauth.AuthorizeUrl), ("tokenUrl", oauth.TokenUrl) })
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            {
                throw new InvalidDataException($"oauth.{field} must be an absolute http(s) URL");
            }
        }
        foreach (var name in new[] { OAuthFlow.AuthCodeProperty, OAuthFlow.StateProperty })
        {
            if (definition.Schema.Find(name) is not { WriteOnly: true })
            {
                throw new InvalidDataException($"an OAuth data source must declare '{name}' as a writeOnly property");
            }
        }
    }
}

/// <summary>Base QRIs from a definition: the prefix, then unpadded base64url of HMAC-SHA256(tenant key, connection part).</summary>
internal static class DataSourceQri
{
    public static string For(DataSourceDefinition definition, IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode> values, string tenantQriKey)
    {
        var part = definition.QriDefinition.ConnectionPart;
        var rendered = part.Template;
        foreach (var name in part.Properties)
        {
            var text = values.TryGetValue(name, out var value) && definition.Schema.Find(name) is { } spec ? PropertySchema.ToText(spec, value) : "";
            rendered = rendered.Replace($"{{{name}}}", text.ToLowerInvariant(), StringComparison.Ordinal);
        }
        var key = Encoding.UTF8.GetBytes(tenantQriKey.Length > 0 ? tenantQriKey : "connectory");
        var mac = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(definition.DataSourceId.ToLowerInvariant() + "|" + rendered));
        return definition.QriDefinition.QriPrefix + Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }
}

/// <summary>Builds the catalog at start, so a bad definition stops the service before it listens.</summary>
internal sealed class DataSourceCatalogCheck(DataSourceCatalog catalog, ILogger<DataSourceCatalogCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        logger.LogInformation("{Count} data sources in the catalog", catalog.All.Count);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
