using Connectory.Errors;
using Connectory.Platform.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Connectory.Bundles;

/// <summary>The body of <c>POST /api/v1/data-connections/actions/export</c>.</summary>
internal sealed record BundleExportRequest(string? spaceId, string? filter, List<string?>? ids, string? recipientPublicKey);

/// <summary>The body of <c>POST /api/v1/data-connections/actions/import</c>.</summary>
internal sealed record BundleImportRequest(
    Bundle? bundle, bool? dryRun, Dictionary<string, string>? spaceMap, Dictionary<string, string>? ownerMap, Dictionary<string, string>? nameMap, string? privateKey);

internal sealed record BundleImportResponse(bool dryRun, BundleImportSummary summary, List<BundleImportItem> connections, List<DataSourceResult> dataSources);

internal sealed record BundleImportSummary(int created, int updated, int unchanged, int refused, int failed);

/// <summary>One connection's result: outcome created, updated, unchanged, refused or failed (wouldCreate, wouldUpdate in a dry run).</summary>
internal sealed record BundleImportItem(string sourceId, string name, string outcome, string? id, string? spaceId, string? spaceName, List<string> changes, string detail);

/// <summary>Export and import of bundles of data connections (README "Bundles").</summary>
internal static class BundlesEndpoints
{
    public const string ExportPath = "/api/v1/data-connections/actions/export";
    public const string ImportPath = "/api/v1/data-connections/actions/import";

    public static IServiceCollection AddBundles(this IServiceCollection services)
    {
        services.AddScoped<BundleExporter>();
        services.AddScoped<BundleReader>();
        services.AddScoped<BundleImporter>();
        return services;
    }

    public static IEndpointRouteBuilder MapBundles(this IEndpointRouteBuilder app)
    {
        // The family as metadata only: WithErrorFamily would also answer every unmatched path under this (empty) prefix.
        var group = app.MapGroup("").RequireAuthorization().WithMetadata(ErrorFamilies.Cloud);
        group.MapPost(ExportPath, Export);
        group.MapPost(ImportPath, Import);
        return app;
    }

    static async Task<Results<Ok<Bundle>, ApiError>> Export(BundleExportRequest? body, Caller caller, BundleExporter exporter, HttpResponse response, CancellationToken ct)
    {
        var (bundle, error) = await exporter.ExportAsync(new ExportSelection(body?.spaceId, body?.filter, body?.ids, body?.recipientPublicKey), caller, ct);
        if (bundle is null)
        {
            return error!;
        }
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(bundle);
    }

    /// <summary>
    /// The private key may come with the request: the service it is sent to is the one that will hold the secrets
    /// (encrypted under its own master key) anyway, so the key tells it nothing it is not meant to learn, as long as it
    /// is the one-time key of this transfer. It is used for this request only: never stored or logged.
    /// </summary>
    static async Task<Results<Ok<BundleImportResponse>, ApiError>> Import(
        BundleImportRequest? body, Caller caller, BundleReader reader, BundleImporter importer, CancellationToken ct)
    {
        if (body is null)
        {
            return ApiError.MissingField("bundle");
        }
        BundleKey? key = null;
        if (!string.IsNullOrWhiteSpace(body.privateKey))
        {
            (key, var keyError) = BundleKey.ReadPrivate(body.privateKey);
            if (key is null)
            {
                return ApiError.InvalidField("privateKey", keyError!);
            }
        }
        using var _ = key;
        var outcome = await ImportAsync(body.bundle, new ImportMapping(body.spaceMap, body.ownerMap, body.nameMap), key, body.dryRun == true, caller, reader, importer, ct);
        return outcome.Response is { } response ? TypedResults.Ok(response) : outcome.Error!;
    }

    /// <summary>Reads, maps and imports a bundle: the API's import and the command line's share it.</summary>
    public static async Task<(BundleImportResponse? Response, ApiError? Error)> ImportAsync(
        Bundle? bundle, ImportMapping mapping, BundleKey? key, bool dryRun, Caller caller, BundleReader reader, BundleImporter importer, CancellationToken ct)
    {
        var (items, error) = await reader.ReadAsync(bundle, mapping, key, caller, ct);
        if (items is null)
        {
            return (null, error);
        }
        var results = await importer.ImportAsync(items, ImportPolicy.Bundle, caller, dryRun, ct);
        // Connections first: a data source the bundle disables would otherwise refuse its own connections.
        var sources = await importer.ImportDataSourcesAsync(bundle!.DataSources ?? [], caller, dryRun, ct);
        int Count(ImportOutcome outcome) => results.Count(r => r.Outcome == outcome);
        return (new BundleImportResponse(
            dryRun,
            new BundleImportSummary(Count(ImportOutcome.Created), Count(ImportOutcome.Updated), Count(ImportOutcome.Unchanged), Count(ImportOutcome.Refused), Count(ImportOutcome.Failed)),
            [.. results.Select(r => new BundleImportItem(r.Item.SourceId, r.Item.Name, r.OutcomeName, r.TargetId, r.SpaceId, r.SpaceName, [.. r.Changes], r.Detail))],
            sources), null);
    }
}
