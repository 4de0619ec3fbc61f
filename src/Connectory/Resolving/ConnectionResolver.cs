using System.Text.Json.Nodes;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.DataCredentials;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Audit;
using Connectory.Platform.Auth;
using Connectory.Platform.Users;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Resolving;

/// <summary>
/// Which connection to resolve: exactly one of id, name (with <see cref="SpaceId"/> for an unqualified name), connect
/// statement or data source.
/// </summary>
internal sealed record ResolveConnection(
    string? ConnectionId, string? ConnectionName, string? SpaceId, string? ConnectionString, string? DataSourceId,
    bool CheckCredentials, string? ReloadId, string? Type);

/// <summary>A connection as a load needs it: statement, QRI and the credential the caller is entitled to, decrypted.</summary>
internal sealed record ResolvedInstance(
    string ConnectionId, string ConnectionString, string DataInterfaceType, string Qri, string SpaceQualifiedConnectionName, string? User, string? Password);

/// <summary>The answer to a resolution: the instance, or why not.</summary>
internal abstract record Resolution
{
    public sealed record Granted(ResolvedInstance Instance) : Resolution;

    public sealed record Refused(ApiError Error) : Resolution;
}

/// <summary>
/// Resolves a connection into its connect statement and credentials for a load. This hands out secrets, so it is
/// refused by default: only holders of the <see cref="TenantRoles.ConnectionResolver"/> role, only connections they may
/// read, never another user's separated credential. Every call, granted or refused, is recorded in the audit trail
/// before it is answered, and the record never holds a secret or the statement.
/// </summary>
internal sealed class ConnectionResolver(
    ConnectoryDb db, CredentialStore credentials, Secrets.SecretReferences references, AuditLog audit, Hosting.Telemetry.ConnectoryMetrics metrics)
{
    public const string Action = "connection.resolve";
    public const string TargetKind = "data-connection";

    /// <summary>Longest reference (id, name, data source) the audit detail keeps.</summary>
    const int MaxReference = 256;

    public async Task<Resolution> ResolveAsync(Caller caller, ResolveConnection command, RequestOrigin origin, CancellationToken ct)
    {
        var detail = Describe(command);
        Decision decision;
        try
        {
            decision = await DecideAsync(caller, command, ct);
        }
        catch (SecretDecryptionException)
        {
            metrics.Resolve("failed");
            detail["error"] = ErrorCatalog.DecryptionFailed.Code;
            await audit.RecordAsync(caller, origin, new AuditEntry(Action, AuditEntry.Failed, ErrorCatalog.DecryptionFailed.Status, Detail: detail));
            throw;
        }
        var (resolution, target, credential) = decision;
        metrics.Resolve(resolution is Resolution.Refused ? "refused" : "granted");
        if (resolution is Resolution.Refused { Error: var error })
        {
            detail["error"] = error.Kind.Code;
            await audit.RecordAsync(caller, origin, new AuditEntry(Action, AuditEntry.Refused, error.Kind.Status, target is null ? null : TargetKind, target?.Id, detail));
            return resolution;
        }
        detail["credential"] = credential;
        detail["dataSourceId"] = target?.DatasourceId;
        await audit.RecordAsync(caller, origin, new AuditEntry(Action, AuditEntry.Granted, StatusCodes.Status201Created, TargetKind, target?.Id, detail));
        return resolution;
    }

    /// <summary>A call the rate limiter turned away before it reached <see cref="ResolveAsync"/>.</summary>
    public Task RecordThrottledAsync(Caller caller, RequestOrigin origin)
    {
        metrics.Resolve("throttled");
        return audit.RecordAsync(caller, origin, new AuditEntry(Action, AuditEntry.Refused, StatusCodes.Status429TooManyRequests,
            Detail: new JsonObject { ["error"] = ErrorCatalog.TooManyRequests.Code }));
    }

    /// <summary>A body that could not be read as a request.</summary>
    public async Task<Resolution> RefuseAsync(Caller caller, RequestOrigin origin, ApiError error)
    {
        metrics.Resolve("refused");
        await audit.RecordAsync(caller, origin, new AuditEntry(Action, AuditEntry.Refused, error.Kind.Status, Detail: new JsonObject { ["error"] = error.Kind.Code }));
        return new Resolution.Refused(error);
    }

    sealed record Decision(Resolution Resolution, DataConnection? Target = null, string? Credential = null);

    async Task<Decision> DecideAsync(Caller caller, ResolveConnection command, CancellationToken ct)
    {
        if (!caller.Has(TenantRoles.ConnectionResolver))
        {
            return Refuse(ApiError.Forbidden($"Resolving a connection needs the {TenantRoles.ConnectionResolver} tenant role."));
        }
        if (command.Type is not (null or "rld" or "dq"))
        {
            return Refuse(ApiError.InvalidField("type", "must be 'rld' or 'dq'"));
        }
        var (found, error) = await FindAsync(caller, command, ct);
        if (error is not null)
        {
            return Refuse(error);
        }
        if (found is not { Stored: { } connection })
        {
            return Refuse(ApiError.NotFound("Data connection"));
        }
        // Read is the least privilege any visible connection carries; asked for anyway, so a rule that ever lets a
        // caller list without reading cannot hand out credentials.
        if (!found.May(ConnectionPrivileges.Read))
        {
            return Refuse(ApiError.NotFound($"Data connection '{connection.Id}'"));
        }

        string? user = null, password = null, kind = "none";
        if (connection.SeparateCredentials)
        {
            // Each user's own, and only the caller's: never another user's credential, whoever asks.
            if (await credentials.SeparatedForAsync(connection.Id, caller.UserId, ct) is { } own)
            {
                (user, password, kind) = (own.Username, credentials.PasswordOf(own), "separated");
            }
            else if (command.CheckCredentials)
            {
                return new Decision(new Resolution.Refused(ApiError.BadRequest(
                    "The connection takes each user's own credentials, and the caller has stored none for it (PUT /api/v1/data-credentials with its connectionId).")), connection);
            }
        }
        else if (connection.CredentialId is { } credentialId
                 && await db.DataCredentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == credentialId, ct) is { } shared)
        {
            (user, password, kind) = (shared.Username, credentials.PasswordOf(shared), "embedded");
        }

        try
        {
            // A stored reference (env://, file://) is read now; its value is handed out and never stored.
            password = await references.ValueOfAsync(password, connection.TenantId, ct);
        }
        catch (Secrets.SecretReferenceException unresolved)
        {
            return new Decision(new Resolution.Refused(new ApiError(ErrorCatalog.SecretReferenceUnresolved, unresolved.Message)), connection);
        }

        var instance = new ResolvedInstance(
            connection.Id, connection.ConnectStatement, DataInterfaceType(connection.Qri), connection.Qri,
            ConnectionReference.SpaceQualifiedName(connection, found.Access), string.IsNullOrEmpty(user) ? null : user, password);
        return new Decision(new Resolution.Granted(instance), connection, kind);
    }

    static Decision Refuse(ApiError error) => new(new Resolution.Refused(error));

    Task<(ResolvedConnection? Found, ApiError? Error)> FindAsync(Caller caller, ResolveConnection command, CancellationToken ct)
    {
        var given = new[] { command.ConnectionId, command.ConnectionName, command.ConnectionString, command.DataSourceId }.Count(v => !string.IsNullOrEmpty(v));
        if (given > 1)
        {
            return Task.FromResult<(ResolvedConnection?, ApiError?)>((null,
                ApiError.BadRequest("Give exactly one of connectionId, connectionName, connectionString and dataSourceId.")));
        }
        return command switch
        {
            { ConnectionId: { Length: > 0 } id } => ConnectionReference.ByIdAsync(db, caller, id, "connectionId", ct),
            { ConnectionName: { Length: > 0 } name } => ConnectionReference.ByNameAsync(db, caller, name, command.SpaceId, "connectionName", ct),
            { ConnectionString: { Length: > 0 } statement } => ConnectionReference.OnlyAsync(db, caller, q => q.Where(c => c.ConnectStatement == statement),
                "Data connection with this connectionString",
                "More than one connection the caller may use has this connectionString; name one by connectionId or connectionName.", ct),
            { DataSourceId: { Length: > 0 } source } => ByDataSourceAsync(caller, source, ct),
            _ => Task.FromResult<(ResolvedConnection?, ApiError?)>((null,
                ApiError.BadRequest("Give one of connectionId, connectionName, connectionString and dataSourceId."))),
        };
    }

    Task<(ResolvedConnection? Found, ApiError? Error)> ByDataSourceAsync(Caller caller, string dataSourceId, CancellationToken ct)
    {
        var folded = dataSourceId.Trim().ToLowerInvariant();
#pragma warning disable CA1862 // translated to SQL lower(); the parameter is lowered the same way
        return ConnectionReference.OnlyAsync(db, caller, q => q.Where(c => c.DatasourceId.ToLower() == folded),
#pragma warning restore CA1862
            $"Data connection of data source '{dataSourceId}'",
            $"More than one connection the caller may use is of data source '{dataSourceId}'; name one by connectionId or connectionName.", ct);
    }

    /// <summary>The kind of source the QRI names (<c>db</c>, <c>file</c>, <c>api</c>): how a load reads it.</summary>
    public static string DataInterfaceType(string qri)
    {
        var parts = qri.Split(':', 3);
        return parts is ["qri", { Length: > 0 } kind, _] ? kind : "data";
    }

    /// <summary>The request as the audit trail keeps it: how the connection was named, never a connect statement.</summary>
    static JsonObject Describe(ResolveConnection command)
    {
        var (by, reference) = command switch
        {
            { ConnectionId: { Length: > 0 } id } => ("connectionId", id),
            { ConnectionName: { Length: > 0 } name } => ("connectionName", name),
            // A statement may carry a password (ODBC PWD=...): only the fact that one was given is kept.
            { ConnectionString: { Length: > 0 } } => ("connectionString", null),
            { DataSourceId: { Length: > 0 } source } => ("dataSourceId", source),
            _ => ((string?)null, (string?)null),
        };
        var detail = new JsonObject { ["by"] = by };
        if (reference is not null)
        {
            detail["reference"] = reference.Length > MaxReference ? reference[..MaxReference] : reference;
        }
        if (!string.IsNullOrEmpty(command.SpaceId))
        {
            detail["spaceId"] = command.SpaceId.Length > MaxReference ? command.SpaceId[..MaxReference] : command.SpaceId;
        }
        if (!string.IsNullOrEmpty(command.ReloadId))
        {
            detail["reloadId"] = command.ReloadId.Length > MaxReference ? command.ReloadId[..MaxReference] : command.ReloadId;
        }
        if (command.Type is { Length: <= 8 } type)
        {
            detail["type"] = type;
        }
        detail["checkCredentials"] = command.CheckCredentials;
        return detail;
    }
}
