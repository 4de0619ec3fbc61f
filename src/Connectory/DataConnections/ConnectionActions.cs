using Connectory.Data;
using Connectory.DataCredentials;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Microsoft.EntityFrameworkCore;

namespace Connectory.DataConnections;

/// <summary>Delete, duplicate and the admin bulk actions.</summary>
internal sealed class ConnectionActions(ConnectoryDb db, ConnectionWrites writes, CredentialStore credentials, TimeProvider time)
{
    /// <summary>Items one bulk request may carry.</summary>
    public const int MaxBulkItems = 100;

    /// <summary>
    /// Deletes the connection and its embedded credential; separated credentials stay (as orphans). A conditional
    /// delete (If-Match) whose version changed meanwhile is a 412, and nothing is deleted.
    /// </summary>
    public async Task<ApiError?> DeleteAsync(DataConnection connection, CancellationToken ct)
    {
        var embedded = await db.DataCredentials
            .Where(c => c.Id == connection.CredentialId && c.ConnectionId == connection.Id && !c.Separated)
            .ToListAsync(ct);
        if (embedded.Count > 0)
        {
            // Other connections linked to the embedded credential lose the link, as the credential goes.
            var ids = embedded.Select(c => c.Id).ToList();
            var now = time.UtcNow();
            foreach (var other in await db.DataConnections.Where(c => c.CredentialId != null && ids.Contains(c.CredentialId) && c.Id != connection.Id).ToListAsync(ct))
            {
                other.CredentialId = null;
                other.UpdatedAt = now;
            }
        }
        db.DataCredentials.RemoveRange(embedded);
        db.DataConnections.Remove(connection);
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateConcurrencyException) when (connection.RequiredVersion is not null)
        {
            return Platform.Preconditions.Preconditions.LostRace("data connection");
        }
    }

    public async Task<BulkResponse> BulkDeleteAsync(IReadOnlyList<BulkItem> items, Caller caller, CancellationToken ct)
    {
        var results = new List<BulkResult>();
        foreach (var item in items)
        {
            results.Add(await OneAsync(item, caller, async resolved =>
            {
                if (!resolved.May(ConnectionPrivileges.Delete))
                {
                    return ApiError.Forbidden("The caller may not delete this connection.");
                }
                await DeleteAsync(resolved.Stored!, ct);
                return null;
            }, ct));
        }
        return new BulkResponse(results);
    }

    /// <summary>Moves connections to another owner and/or space. Credentials stay with whoever owns them.</summary>
    public async Task<BulkResponse> BulkUpdateAsync(IReadOnlyList<BulkItem> items, Caller caller, CancellationToken ct)
    {
        var results = new List<BulkResult>();
        foreach (var item in items)
        {
            results.Add(await OneAsync(item, caller, async resolved => await MoveAsync(resolved, item, caller, ct), ct));
        }
        return new BulkResponse(results);
    }

    async Task<ApiError?> MoveAsync(ResolvedConnection resolved, BulkItem item, Caller caller, CancellationToken ct)
    {
        var connection = resolved.Stored!;
        if (item.ownerId is null && item.spaceId is null)
        {
            return ApiError.BadRequest("Give ownerId and/or spaceId.");
        }
        if (item.spaceId is not null && item.spaceType is not ("personal" or "shared" or "managed" or "data"))
        {
            return ApiError.InvalidField("spaceType", "is required with spaceId and must be personal, shared, managed or data");
        }
        if (item.ownerId is not null)
        {
            if (!resolved.May(ConnectionPrivileges.ChangeOwner))
            {
                return ApiError.Forbidden("The caller may not change this connection's owner.");
            }
            if (!await db.Users.AnyAsync(u => u.Id == item.ownerId, ct))
            {
                return ApiError.InvalidField("ownerId", $"names no user of this tenant ('{item.ownerId}')");
            }
            connection.HandTo(item.ownerId);
        }
        if (item.spaceId is not null)
        {
            if (!resolved.May(ConnectionPrivileges.ChangeSpace))
            {
                return ApiError.Forbidden("The caller may not move this connection to another space.");
            }
            if (item.spaceId.Length == 0)
            {
                if (item.spaceType != "personal")
                {
                    return ApiError.InvalidField("spaceType", "must be 'personal' when spaceId is empty");
                }
                connection.PlaceIn(null, DataConnection.PersonalSpaceType);
            }
            else
            {
                // The same rule as creating there: 404 when the caller cannot see the space, 403 when they may not create in it.
                var (spaceId, spaceType, spaceError) = await writes.TargetSpaceAsync(caller, item.spaceId, ct);
                if (spaceError is not null)
                {
                    return spaceError;
                }
                if (spaceType != item.spaceType)
                {
                    return ApiError.InvalidField("spaceType", $"is '{item.spaceType}' but space '{item.spaceId}' is a {spaceType} space");
                }
                connection.PlaceIn(spaceId, spaceType);
            }
        }
        connection.UpdatedAt = time.UtcNow();
        return await writes.SaveAsync(connection.Name, ct);
    }

    /// <summary>Runs one bulk item in its own unit of work; its failure is reported in place and touches no other item.</summary>
    async Task<BulkResult> OneAsync(BulkItem item, Caller caller, Func<ResolvedConnection, Task<ApiError?>> action, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        if (string.IsNullOrEmpty(item.id))
        {
            return Failed("", ApiError.MissingField("id"));
        }
        var (resolved, error) = await ConnectionLookup.ResolveAsync(db, caller, item.id, null, null, tracked: true, ct);
        if (resolved is null)
        {
            return Failed(item.id, error!);
        }
        if (resolved.IsDataFiles)
        {
            return Failed(item.id, ApiError.BadRequest($"'{DataFiles.Name}' connections are reserved and cannot be changed."));
        }
        var failure = await action(resolved);
        return failure is null ? new BulkResult(item.id, 204, null) : Failed(item.id, failure);
    }

    static BulkResult Failed(string id, ApiError error) =>
        new(id, error.Kind.Status, new Error(error.Kind.Code, error.Kind.Title, error.Detail, error.Kind.Status));

    public async Task<(DataConnection? Copy, string? CredentialId, string? CredentialName, ApiError? Error)> DuplicateAsync(
        ActionDuplicateRequest body, Caller caller, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(body.id))
        {
            return (null, null, null, ApiError.MissingField("id"));
        }
        var (resolved, error) = await ConnectionLookup.ResolveAsync(db, caller, body.id, null, null, tracked: false, ct);
        if (resolved is null)
        {
            return (null, null, null, error);
        }
        if (resolved.IsDataFiles)
        {
            return (null, null, null, ApiError.BadRequest($"'{DataFiles.Name}' connections are reserved and cannot be duplicated."));
        }
        if (((body.name is null ? null : ConnectionFields.CheckName(body.name, "name"))
             ?? ConnectionFields.CheckLimits(username: body.qUsername, password: body.qPassword)) is { } badField)
        {
            return (null, null, null, badField);
        }
        var source = resolved.Stored!;
        var (spaceId, spaceType, spaceError) = await writes.TargetSpaceAsync(caller, body.spaceId ?? source.SpaceId, ct);
        if (spaceError is not null)
        {
            return (null, null, null, spaceError);
        }
        var scope = spaceId ?? DataConnection.PersonalScope(caller.UserId);
        var name = body.name?.Trim() ?? await FreeCopyNameAsync(source.Name, scope, ct);
        var copy = DataConnection.New(
            Guid.NewGuid().ToString(), caller.TenantId, caller.UserId, spaceId, spaceType, name, source.Type, source.DatasourceId,
            source.ConnectStatement, caller.UserId, time.UtcNow());
        copy.LogOn = source.LogOn;
        copy.Architecture = source.Architecture;
        copy.SeparateCredentials = source.SeparateCredentials;
        copy.Tags = source.Tags;
        copy.AppOwner = source.AppOwner;
        copy.Qri = source.Qri;
        // The copy's owner may read its secret and use its credentials, so a copy carries the source's secret and
        // credentials only for callers who may change the source; a reader's copy starts without them.
        var carriesSecrets = resolved.May(ConnectionPrivileges.Update);
        var secret = carriesSecrets ? writes.SecretOf(source) : null;
        var change = new ConnectionChange { Secret = secret, SecretGiven = secret is not null };
        DataCredential? credential = null;
        if (body.qUsername is not null || body.qPassword is not null)
        {
            credential = credentials.New(copy, caller.UserId, body.qUsername ?? "", body.qPassword, copy.SeparateCredentials);
        }
        else if (carriesSecrets && !source.SeparateCredentials && source.CredentialId is not null
                 && await db.DataCredentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == source.CredentialId, ct) is { } shared)
        {
            // An embedded credential is copied into the duplicate; a linked one is linked again.
            credential = shared.ConnectionId == source.Id
                ? credentials.New(copy, caller.UserId, shared.Username, credentials.PasswordOf(shared), separated: false)
                : shared;
        }
        copy.CredentialId = copy.SeparateCredentials ? null : credential?.Id;
        db.DataConnections.Add(copy);
        if (await writes.ApplyAsync(copy, change, caller, ct) is { } saveError)
        {
            return (null, null, null, saveError);
        }
        return (copy, credential?.Id, credential?.Name, null);
    }

    /// <summary>"Name - Copy", then "Name - Copy (2)", "Name - Copy (3)"... the first free in the target scope.</summary>
    async Task<string> FreeCopyNameAsync(string name, string scope, CancellationToken ct)
    {
        var stem = name.Length > ConnectionFields.MaxNameLength - 16 ? name[..(ConnectionFields.MaxNameLength - 16)] : name;
        var prefix = ConnectionFields.Fold(stem + " - Copy");
        var taken = (await db.DataConnections.AsNoTracking()
                .Where(c => c.Scope == scope && c.NameFold.StartsWith(prefix))
                .Select(c => c.NameFold).ToListAsync(ct))
            .ToHashSet();
        for (var n = 1; ; n++)
        {
            var candidate = n == 1 ? $"{stem} - Copy" : $"{stem} - Copy ({n})";
            if (!taken.Contains(ConnectionFields.Fold(candidate)))
            {
                return candidate;
            }
        }
    }
}
