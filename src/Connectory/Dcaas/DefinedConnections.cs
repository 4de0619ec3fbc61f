using System.Text.Json;
using System.Text.Json.Nodes;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Errors;
using Connectory.Platform.Auth;

namespace Connectory.Dcaas;

/// <summary>
/// The data-connections API's hook for connections made from data-source definitions: its DcaasConnectionCreate
/// bodies, parseConnection, /connectionProperties patches and OAuth re-authorization, all served by <see cref="DcaasConnections"/>.
/// </summary>
internal sealed class DefinedConnections(DcaasConnections connections) : IDefinedConnections
{
    /// <summary>
    /// <c>Connectory-OAuth-Token: &lt;status&gt;[; expires-at=&lt;RFC 3339&gt;]</c> on GET ?parseConnection=true of an
    /// OAuth connection: its tokens are refreshed when expired, and this tells the outcome. The tokens never leave.
    /// </summary>
    public const string TokenStatusHeader = "Connectory-OAuth-Token";

    public bool IsPropertiesBody(ConnectionCreate body) => body.connectionProperties is { ValueKind: not JsonValueKind.Null };

    public async Task<DefinedCreate> CreateAsync(ConnectionCreate body, Caller caller, CancellationToken ct)
    {
        var outcome = await connections.CreateAsync(
            new DcaasRequest(body.qName, body.datasourceID, body.connectionProperties, body.space, body.tags, body.authUrlOnly == true), caller, ct);
        return outcome switch
        {
            { AuthUrl: { } url } => new DefinedCreate(AuthUrl: url),
            { Connection: { } made } => new DefinedCreate(new CreatedConnection(made, outcome.Credential, outcome.Privileges)),
            _ => new DefinedCreate(Error: outcome.Error),
        };
    }

    public Task<ApiError?> RefuseDisabledAsync(string? dataSourceId, CancellationToken ct) => connections.RefuseDisabledAsync(dataSourceId, ct);

    public Task<JsonObject?> ReadPropertiesAsync(DataConnection connection, CancellationToken ct) => connections.ReadPropertiesAsync(connection, ct);

    public async Task ReportTokenStatusAsync(DataConnection connection, Caller caller, HttpResponse response, CancellationToken ct)
    {
        var (_, status, expiresAt) = await connections.FreshTokensAsync(connection, caller, ct);
        if (status is not null)
        {
            response.Headers[TokenStatusHeader] = expiresAt is { } at ? $"{status}; expires-at={at.UtcDateTime.ToRfc3339()}" : status;
        }
    }

    public bool HandlesPatch(IReadOnlyList<PatchOperation?> operations, string? authCode) =>
        !string.IsNullOrEmpty(authCode) || DcaasConnections.Handles(operations);

    public Task<ApiError?> PatchAsync(
        DataConnection connection, IReadOnlyList<PatchOperation?> operations, string? authCode, string? authState, Caller caller, CancellationToken ct) =>
        string.IsNullOrEmpty(authCode)
            ? connections.PatchAsync(connection, operations, caller, ct)
            : connections.ReauthorizeAsync(connection, operations, authCode, authState, caller, ct);
}
