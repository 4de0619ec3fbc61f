using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Connectory.Data;
using Connectory.Errors;
using Connectory.Hosting;
using Connectory.Platform.Auth;
using Connectory.Platform.Namespaces;
using Connectory.Platform.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Connectory.DataSources;

/// <summary>Contract: shared/spec/data-sources.openapi.json — paths, parameters, statuses and bodies follow it.</summary>
internal static class DataSourcesEndpoints
{
    public static IServiceCollection AddDataSources(this IServiceCollection services)
    {
        services.AddSettings<DataSourcesOptions>(DataSourcesOptions.Section)
            .Validate(o => o.TokenTimeout > TimeSpan.Zero && o.OAuthStateLifetime > TimeSpan.Zero, "DataSources:TokenTimeout and DataSources:OAuthStateLifetime must be positive.")
            .ValidateOnStart();
        services.AddSingleton<DataSourceCatalog>();
        services.AddHostedService<DataSourceCatalogCheck>();
        services.AddScoped<DataSourceSettings>();
        services.AddSingleton<OAuthState>();
        services.AddSingleton<OAuthStateLedger>();
        services.AddScoped<OAuthFlow>();
        services.AddHttpClient(OAuthFlow.HttpClientName, (sp, client) =>
        {
            client.Timeout = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DataSourcesOptions>>().Value.TokenTimeout;
            client.MaxResponseContentBufferSize = OAuthFlow.MaxTokenResponseBytes;
            client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        }).ConfigurePrimaryHttpMessageHandler(() => new HttpClientHandler { AllowAutoRedirect = false });
        return services;
    }

    public static RouteGroupBuilder MapDataSources(this IEndpointRouteBuilder app, ApiNamespace ns)
    {
        var group = app.MapGroup(ns.Prefix + "/data-sources").RequireAuthorization().InNamespace(ns);
        group.MapGet("/", List);
        group.MapGet("/{dataSourceId}/api-specs", ApiSpecs);
        group.MapGet("/{dataSourceId}/gateways", Gateways);
        group.MapGet("/{dataSourceId}/settings", GetSettings);
        group.MapPut("/{dataSourceId}/settings", PutSettings);
        return group;
    }

    static async Task<Results<Ok<DataSourcesResponseNew>, ApiError>> List(
        DataSourceCatalog catalog, DataSourceSettings settings,
        [FromQuery] string[]? dataSourceId, bool? detail, bool? includeDisabled, bool? includeui, CancellationToken ct)
    {
        // The spec: when dataSourceId is repeated, the last one counts.
        var wanted = dataSourceId is { Length: > 0 } ? dataSourceId[^1] : null;
        var disabled = await settings.DisabledAsync(ct);
        var sources = catalog.All
            .Where(d => wanted is null || string.Equals(d.DataSourceId, wanted, StringComparison.OrdinalIgnoreCase))
            .Where(d => includeDisabled == true || !disabled.Contains(d.DataSourceId))
            .Select(d => d.ToNew(disabled.Contains(d.DataSourceId), includeui == true))
            .ToList();
        if (wanted is not null && sources.Count == 0)
        {
            return ApiError.NotFound($"Data source '{wanted}' (or it is disabled)");
        }
        // No connector nodes run inside this service, so detail=true answers an empty node list.
        return TypedResults.Ok(new DataSourcesResponseNew(sources, catalog.LastUpdated.UtcDateTime.ToRfc3339(), detail == true ? [] : null));
    }

    static async Task<Results<Ok<ApiSpecResponse>, ApiError>> ApiSpecs(string dataSourceId, DataSourceCatalog catalog, DataSourceSettings settings, CancellationToken ct)
    {
        var (definition, error) = await EnabledAsync(dataSourceId, catalog, settings, ct);
        return definition is null ? error! : TypedResults.Ok(definition.ToApiSpec());
    }

    static async Task<Results<Ok<GatewaysResponse>, ApiError>> Gateways(
        string dataSourceId, DataSourceCatalog catalog, DataSourceSettings settings, TimeProvider time, bool? forceRefresh, CancellationToken ct)
    {
        var (definition, error) = await EnabledAsync(dataSourceId, catalog, settings, ct);
        // Every connection here is made directly by this service: there are no gateways to list.
        return definition is null ? error! : TypedResults.Ok(new GatewaysResponse([], time.GetUtcNow().UtcDateTime.ToRfc3339()));
    }

    static async Task<Results<Ok<DataSourceSettingsResponse>, ApiError>> GetSettings(string dataSourceId, DataSourceCatalog catalog, DataSourceSettings settings, CancellationToken ct)
    {
        if (catalog.Find(dataSourceId) is not { } definition)
        {
            return ApiError.NotFound($"Data source '{dataSourceId}'");
        }
        return TypedResults.Ok(new DataSourceSettingsResponse(await settings.IsDisabledAsync(definition.DataSourceId, ct)));
    }

    static async Task<Results<Ok<DataSourceSettingsResponse>, ApiError>> PutSettings(
        string dataSourceId, DataSourceSettingsRequest? body, Caller caller, DataSourceCatalog catalog, DataSourceSettings settings, CancellationToken ct)
    {
        if (!CanManage(caller))
        {
            return ApiError.Forbidden("Changing data-source settings needs the TenantAdmin or DataAdmin role.");
        }
        if (catalog.Find(dataSourceId) is not { } definition)
        {
            return ApiError.NotFound($"Data source '{dataSourceId}'");
        }
        if (body?.disabled is not { } disabled)
        {
            return ApiError.MissingField("disabled");
        }
        await settings.SetDisabledAsync(caller.TenantId, definition.DataSourceId, disabled, caller.UserId, ct);
        return TypedResults.Ok(new DataSourceSettingsResponse(disabled));
    }

    public static bool CanManage(Caller caller) => caller.IsTenantAdmin || caller.Has(TenantRoles.DataAdmin);

    /// <summary>The definition when it exists and the tenant has not disabled it; 404 otherwise, as the spec says.</summary>
    static async Task<(DataSourceDefinition? Definition, ApiError? Error)> EnabledAsync(string dataSourceId, DataSourceCatalog catalog, DataSourceSettings settings, CancellationToken ct)
    {
        if (catalog.Find(dataSourceId) is not { } definition)
        {
            return (null, ApiError.NotFound($"Data source '{dataSourceId}'"));
        }
        return await settings.IsDisabledAsync(definition.DataSourceId, ct)
            ? (null, ApiError.NotFound($"Data source '{dataSourceId}' is disabled, so it"))
            : (definition, null);
    }

    public static ApiSpecResponse ToApiSpec(this DataSourceDefinition d) =>
        new((JsonObject)d.ConnectionProperties.DeepClone(), d.Provider, d.ConnectorVersion);

    static DataSourceNew ToNew(this DataSourceDefinition d, bool disabled, bool includeUi) => new(
        d.DataSourceId, d.Name, d.Provider, d.ProviderName, d.Capabilities, disabled, d.DataSourceType, d.QriDefinition,
        includeUi ? d.UiInfo : null);
}

// Wire shapes of shared/spec/data-sources.openapi.json; names are the spec's schema names.

internal sealed record DataSourcesResponseNew(
    IReadOnlyList<DataSourceNew> dataSources,
    string lastUpdated,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<object>? connectorNodes);

internal sealed record DataSourceNew(
    string dataSourceId,
    string name,
    string provider,
    string providerName,
    IReadOnlyList<string> capabilities,
    bool disabled,
    string dataSourceType,
    QriDefinition qriDefinition,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? uiInfo);

internal sealed record ApiSpecResponse(JsonObject connectionProperties, string connectorProvider, string connectorVersion);

internal sealed record DataSourceSettingsRequest(bool? disabled);

internal sealed record DataSourceSettingsResponse(bool disabled);

internal sealed record GatewaysResponse(IReadOnlyList<object> gateways, string refreshedAt);
