using System.Text.Json.Nodes;
using Connectory.Errors;
using Connectory.Platform.Auth;

namespace Connectory.DataConnections;

/// <summary>
/// Connections described by a data source's definition rather than by a connect statement: the spec's
/// DcaasConnectionCreate body, <c>parseConnection</c>, <c>/connectionProperties/...</c> patches and OAuth
/// re-authorization. The data-sources face registers the one implementation; this API only asks it.
/// </summary>
internal interface IDefinedConnections
{
    /// <summary>Whether a create body is the properties variant (then <see cref="CreateAsync"/> takes it).</summary>
    bool IsPropertiesBody(ConnectionCreate body);

    /// <summary>Creates from properties: the new connection, or only an authorize URL (OAuth, authUrlOnly), or why not.</summary>
    Task<DefinedCreate> CreateAsync(ConnectionCreate body, Caller caller, CancellationToken ct);

    /// <summary>403 when a statement-made connection names a data source the tenant has disabled; else null.</summary>
    Task<ApiError?> RefuseDisabledAsync(string? dataSourceId, CancellationToken ct);

    /// <summary>The connection's properties read back through its definition (secrets left out), or null when it was not made from one.</summary>
    Task<JsonObject?> ReadPropertiesAsync(DataConnection connection, CancellationToken ct);

    /// <summary>Refreshes an OAuth connection's expired tokens and reports their status in a response header; others untouched.</summary>
    Task ReportTokenStatusAsync(DataConnection connection, Caller caller, HttpResponse response, CancellationToken ct);

    /// <summary>Whether a PATCH is this one's: it re-authorizes (an auth code) or touches connection properties.</summary>
    bool HandlesPatch(IReadOnlyList<PatchOperation?> operations, string? authCode);

    Task<ApiError?> PatchAsync(
        DataConnection connection, IReadOnlyList<PatchOperation?> operations, string? authCode, string? authState, Caller caller, CancellationToken ct);
}

/// <summary>What a create from properties came to: a connection, an authorize URL, or an error.</summary>
internal sealed record DefinedCreate(CreatedConnection? Created = null, string? AuthUrl = null, ApiError? Error = null);
