using System.Text.Json;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Errors;
using Connectory.Platform.Auth;
using Microsoft.EntityFrameworkCore;

namespace Connectory.DataCredentials;

/// <summary>PUT, PATCH and DELETE of credentials: every check happens before the one save, so a request applies whole or not at all.</summary>
internal sealed class CredentialWrites(ConnectoryDb db, CredentialStore store, TimeProvider time, Platform.Audit.ChangeAudit audit)
{
    public const int MaxNameLength = 256;
    public static readonly IReadOnlyList<string> PatchPaths = ["/qName", "/qType", "/qUsername", "/qPassword", "/datasourceID", "/connectionId"];

    /// <summary>Creates or replaces the caller's credential. With connectionId, it becomes the caller's own credential for a connection with separate credentials.</summary>
    /// <paramref name="condition"/> checks the request's preconditions against the credential found (null: none yet)
    /// once the request would otherwise succeed.
    public async Task<ApiError?> PutAsync(
        string qID, bool byName, CredentialCreate body, Caller caller, Func<DataCredential?, ApiError?> condition, CancellationToken ct)
    {
        var bodyIdError = ConnectionFields.CheckUuid(body.qID, "qID", out var bodyId);
        var connectionIdError = ConnectionFields.CheckUuid(body.connectionId, "connectionId", out var connectionId);
        var error = CheckName(body.qName)
            ?? (string.IsNullOrWhiteSpace(body.qType) ? ApiError.MissingField("qType") : null)
            ?? (body.qUsername is null ? ApiError.MissingField("qUsername") : null)
            ?? (body.qPassword is null ? ApiError.MissingField("qPassword") : null)
            ?? ConnectionFields.CheckLimits(qType: body.qType, datasourceID: body.datasourceID, username: body.qUsername, password: body.qPassword)
            ?? bodyIdError ?? connectionIdError;
        if (error is not null)
        {
            return error;
        }
        DataCredential? existing;
        string id;
        if (byName)
        {
            if (string.IsNullOrWhiteSpace(qID))
            {
                return ApiError.InvalidParameter("qID", "an empty credential name is not permitted");
            }
            existing = await store.FindOwnAsync(caller.UserId, qID, byName: true, ct, tracked: true);
            id = existing?.Id ?? bodyId ?? Guid.NewGuid().ToString();
        }
        else
        {
            if (ConnectionFields.CheckUuid(qID, "qID", out var pathId) is not null)
            {
                return ApiError.InvalidParameter("qID", "is not a valid UUID (use byCredentialName=true to name a credential)");
            }
            id = pathId!;
            existing = await db.DataCredentials.FirstOrDefaultAsync(c => c.Id == id, ct);
            // Another user's credential is not the caller's to replace.
            if (existing is not null && existing.OwnerId != caller.UserId)
            {
                return ApiError.NotFound($"Credential '{qID}'");
            }
        }
        if (bodyId is not null && bodyId != id)
        {
            return ApiError.InvalidField("qID", $"must equal the credential's id ('{id}')");
        }

        DataConnection? connection = null;
        if (connectionId is not null && existing?.ConnectionId is { } current && !string.Equals(current, connectionId, StringComparison.OrdinalIgnoreCase))
        {
            return ConnectionIdChanged(current, connectionId);
        }
        if (connectionId is not null && existing?.ConnectionId is null)
        {
            var (resolved, notFound) = await ConnectionLookup.ResolveAsync(db, caller, connectionId, null, null, tracked: false, ct);
            if (resolved is null)
            {
                return notFound;
            }
            if (resolved.IsDataFiles || !resolved.Stored!.SeparateCredentials)
            {
                return ApiError.InvalidField("connectionId", $"names connection '{connectionId}', which does not take separate credentials; link a credential to it with the connection's qCredentialsID instead");
            }
            connection = resolved.Stored;
            if (await store.SeparatedForAsync(connection.Id, caller.UserId, ct) is { } held && held.Id != id)
            {
                return ApiError.Conflict($"The caller already holds credential '{held.Id}' for connection '{connection.Id}'; replace that one.");
            }
        }

        if (condition(existing) is { } failedCondition)
        {
            return failedCondition;
        }
        var now = time.UtcNow();
        var credential = existing;
        if (credential is null)
        {
            credential = new DataCredential
            {
                Id = id,
                TenantId = caller.TenantId,
                OwnerId = caller.UserId,
                Name = "",
                NameFold = "",
                CreatedAt = now,
            };
            db.DataCredentials.Add(credential);
        }
        credential.Name = body.qName!.Trim();
        credential.NameFold = ConnectionFields.Fold(body.qName);
        credential.Type = body.qType!.Trim();
        credential.DatasourceId = body.datasourceID?.Trim() ?? connection?.DatasourceId ?? credential.DatasourceId;
        credential.Username = body.qUsername!;
        if (connection is not null)
        {
            credential.ConnectionId = connection.Id;
            credential.Separated = true;
        }
        store.SetPassword(credential, body.qPassword);
        credential.UpdatedAt = now;
        return await SaveAsync(credential, ct);
    }

    public async Task<ApiError?> PatchAsync(DataCredential credential, IReadOnlyList<CredentialPatchOperation?>? operations, CancellationToken ct)
    {
        if (operations is null || operations.Count == 0)
        {
            return ApiError.BadRequest("The patch request must be a non-empty array of operations.");
        }
        // Validate every operation against a copy of the fields, then apply them all.
        var (name, type, username, datasource) = (credential.Name, credential.Type, credential.Username, credential.DatasourceId);
        string? password = null;
        var passwordGiven = false;
        for (var i = 0; i < operations.Count; i++)
        {
            var operation = operations[i];
            if (PatchOperation.CheckShape(operation?.op, operation?.path, operation?.value, i) is { } badShape)
            {
                return badShape;
            }
            var at = $"operation {i}";
            var remove = operation!.op == "remove";
            var path = operation.path!;
            var text = operation.value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;
            if (!remove && text is null && PatchPaths.Contains(path))
            {
                return ApiError.InvalidField(path, $"takes a string ({at})");
            }
            switch (path)
            {
                case "/qName" or "/qType" or "/qUsername" or "/qPassword" when remove:
                    return ApiError.InvalidField(path, "is required and cannot be removed");
                case "/qName":
                    if (CheckName(text) is { } badName)
                    {
                        return badName;
                    }
                    name = text!.Trim();
                    break;
                case "/qType":
                    if (string.IsNullOrWhiteSpace(text))
                    {
                        return ApiError.InvalidField("/qType", $"takes a non-empty string ({at})");
                    }
                    type = text.Trim();
                    break;
                case "/qUsername":
                    username = text!;
                    break;
                case "/qPassword":
                    password = text!;
                    passwordGiven = true;
                    break;
                case "/datasourceID":
                    datasource = remove ? "" : text!.Trim();
                    break;
                case "/connectionId":
                    var wanted = remove ? null : text;
                    if (!string.Equals(wanted, credential.ConnectionId, StringComparison.OrdinalIgnoreCase))
                    {
                        return ConnectionIdChanged(credential.ConnectionId, wanted);
                    }
                    break;
                default:
                    return ApiError.InvalidField("path", $"'{path}' is not patchable (one of {string.Join(", ", PatchPaths)})");
            }
        }
        if (ConnectionFields.CheckLimits(qType: type, datasourceID: datasource, username: username, password: passwordGiven ? password : null) is { } tooLong)
        {
            return tooLong;
        }
        credential.Name = name;
        credential.NameFold = ConnectionFields.Fold(name);
        credential.Type = type;
        credential.Username = username;
        credential.DatasourceId = datasource;
        if (passwordGiven)
        {
            store.SetPassword(credential, password);
        }
        credential.UpdatedAt = time.UtcNow();
        return await SaveAsync(credential, ct);
    }

    /// <summary>
    /// The owner deletes any of their credentials; a TenantAdmin deletes another user's orphan. Connections that used it
    /// are left without a credential (not broken); the caller learns nothing of credentials they may not touch.
    /// </summary>
    public async Task<ApiError?> DeleteAsync(DataCredential credential, Caller caller, Func<DataCredential, ApiError?> condition, CancellationToken ct)
    {
        if (credential.OwnerId != caller.UserId)
        {
            if (!caller.IsTenantAdmin)
            {
                return ApiError.NotFound($"Credential '{credential.Id}'");
            }
            if (!await store.Orphans().AnyAsync(c => c.Id == credential.Id, ct))
            {
                return ApiError.Forbidden("Only the owner may delete a credential that connections use; an admin may delete orphan credentials.");
            }
        }
        if (condition(credential) is { } failedCondition)
        {
            return failedCondition;
        }
        var (id, required) = (credential.Id, credential.RequiredVersion);
        var now = time.UtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.DataConnections.Where(x => x.CredentialId == id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.CredentialId, (string?)null).SetProperty(x => x.UpdatedAt, now).SetProperty(x => x.Version, x => x.Version + 1), ct);
        // With If-Match, the delete finds the row only at the version checked; otherwise (the transaction not
        // committed) the connections stay linked as they were.
        var deleted = await db.DataCredentials.Where(c => c.Id == id && (required == null || c.Version == required)).ExecuteDeleteAsync(ct);
        if (deleted == 0)
        {
            return required is null ? ApiError.NotFound($"Credential '{id}'") : Platform.Preconditions.Preconditions.LostRace("credential");
        }
        db.AuditEvents.Add(audit.Written(db, credential, deleted: true));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return null;
    }

    public static ApiError? CheckName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return ApiError.MissingField("qName");
        }
        return name.Trim().Length > MaxNameLength
            ? ApiError.InvalidField("qName", $"must be at most {MaxNameLength} characters")
            : NameCharacters.Check(name, "qName");
    }

    static ApiError ConnectionIdChanged(string? current, string? wanted) =>
        ApiError.BadRequest($"Connection ID changed: the credential belongs to connection '{current ?? "(none)"}' and cannot move to '{wanted ?? "(none)"}'.");

    /// <summary>Saves; a name the caller already uses for another credential (checked, or lost in a race) is a 409.</summary>
    async Task<ApiError?> SaveAsync(DataCredential credential, CancellationToken ct)
    {
        var (owner, fold, id) = (credential.OwnerId, credential.NameFold, credential.Id);
        if (await db.DataCredentials.AnyAsync(c => c.OwnerId == owner && c.NameFold == fold && c.Id != id, ct))
        {
            return NameTaken(credential.Name);
        }
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateConcurrencyException) when (credential.RequiredVersion is not null)
        {
            return Platform.Preconditions.Preconditions.LostRace("credential");
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return NameTaken(credential.Name);
        }
    }

    static ApiError NameTaken(string name) => ApiError.Conflict($"Credential already exists: the caller has another credential named '{name}'.");
}
