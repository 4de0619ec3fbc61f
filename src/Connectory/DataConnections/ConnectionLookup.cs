using Connectory.Data;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Connectory.DataConnections;

/// <summary>What a {qID} (or, with type=connectionname, a name) resolves to for the caller.</summary>
internal sealed record ResolvedConnection(DataConnection? Stored, ConnectionAccess Access, SpaceInfo? DataFilesSpace, bool IsDataFiles, string? DataFilesOwner)
{
    public ConnectionPrivileges Privileges => IsDataFiles ? ConnectionPrivileges.Read : Access.Privileges(Stored!);

    public bool May(ConnectionPrivileges privilege) => Privileges.HasFlag(privilege);
}

internal static class ConnectionLookup
{
    /// <summary>
    /// Finds a connection the caller can see: 400 for a malformed id or type, 404 when there is none or the caller
    /// cannot see it (other tenants' and other users' personal connections included).
    /// </summary>
    public static async Task<(ResolvedConnection? Found, ApiError? Error)> ResolveAsync(
        ConnectoryDb db, Caller caller, string qID, string? type, string? spaceId, bool tracked, CancellationToken ct, HotSql? reads = null)
    {
        if (type is not (null or "" or "connectionname"))
        {
            return (null, ApiError.InvalidParameter("type", "must be 'connectionname' when given"));
        }
        DataConnection? stored;
        if (type == "connectionname")
        {
            var scope = string.IsNullOrEmpty(spaceId) ? DataConnection.PersonalScope(caller.UserId) : spaceId;
            if (DataFiles.IsReservedName(qID))
            {
                return await DataFilesInScopeAsync(db, caller, spaceId, ct);
            }
            var fold = ConnectionFields.Fold(qID);
            stored = await (tracked ? db.DataConnections : db.DataConnections.AsNoTracking()).FirstOrDefaultAsync(c => c.Scope == scope && c.NameFold == fold, ct);
        }
        else
        {
            if (ConnectionFields.CheckUuid(qID, "qID", out var id) is { } invalid)
            {
                return (null, ApiError.InvalidParameter("qID", "is not a valid UUID"));
            }
            // One round trip: the connection with its space and the caller's roles there. Reads (GET) take the
            // hand-written statement: it is the hottest path, and EF Core's per-query work cost more than the query.
            var row = tracked
                ? await TrackedWithSpaceAsync(db, caller, id!, ct)
                : Merge(await (reads ?? new HotSql(db)).ListAsync(ConnectionStore.WithSpace(caller, id!), ConnectionStore.ReadWithSpace, ct));
            if (row is null)
            {
                return await DataFilesByIdAsync(db, caller, id!, ct);
            }
            var known = ConnectionAccess.ForKnownSpace(caller, row.Space, row.Roles);
            return known.CanSee(row.Connection)
                ? (new ResolvedConnection(row.Connection, known, null, false, null), null)
                : (null, ApiError.NotFound($"Data connection '{qID}'"));
        }
        if (stored is null)
        {
            return (null, ApiError.NotFound($"Data connection '{qID}'"));
        }
        var access = await ConnectionAccess.ForSpaceAsync(db, caller, stored.SpaceId, ct);
        return access.CanSee(stored)
            ? (new ResolvedConnection(stored, access, null, false, null), null)
            : (null, ApiError.NotFound($"Data connection '{qID}'"));
    }

    /// <summary>The connection of the first row with the roles of every row (one per assignment), or null for no rows.</summary>
    static ConnectionWithSpace? Merge(List<ConnectionWithSpace> rows) =>
        rows.Count <= 1 ? rows.FirstOrDefault() : rows[0] with { Roles = rows.SelectMany(r => r.Roles).ToList() };

    static Task<ConnectionWithSpace?> TrackedWithSpaceAsync(ConnectoryDb db, Caller caller, string id, CancellationToken ct)
    {
        var held = db.HeldBy(caller);
        return (
                from c in db.DataConnections
                where c.Id == id
                from s in db.Spaces.Where(s => s.Id == c.SpaceId).DefaultIfEmpty()
                select new ConnectionWithSpace(
                    c,
                    s == null ? null : new SpaceInfo(s.Id, s.Name, s.Type, s.OwnerId, s.CreatedAt),
                    db.SpaceAssignments.Where(a => a.SpaceId == c.SpaceId).Where(held).Select(a => a.Roles).ToList()))
            .FirstOrDefaultAsync(ct);
    }

    static async Task<(ResolvedConnection?, ApiError?)> DataFilesInScopeAsync(ConnectoryDb db, Caller caller, string? spaceId, CancellationToken ct)
    {
        var access = await ConnectionAccess.ForSpaceAsync(db, caller, string.IsNullOrEmpty(spaceId) ? null : spaceId, ct);
        if (string.IsNullOrEmpty(spaceId))
        {
            return (new ResolvedConnection(null, access, null, true, caller.UserId), null);
        }
        return access.VisibleSpaces.FirstOrDefault() is { } space
            ? (new ResolvedConnection(null, access, space, true, null), null)
            : (null, ApiError.NotFound($"Data connection '{DataFiles.Name}' in space '{spaceId}'"));
    }

    /// <summary>DataFiles ids are derived; an unknown id is matched against the caller's personal space and visible spaces.</summary>
    static async Task<(ResolvedConnection?, ApiError?)> DataFilesByIdAsync(ConnectoryDb db, Caller caller, string id, CancellationToken ct)
    {
        if (DataFiles.Id(caller.TenantId, DataConnection.PersonalScope(caller.UserId)) == id)
        {
            return (new ResolvedConnection(null, await ConnectionAccess.ForSpaceAsync(db, caller, null, ct), null, true, caller.UserId), null);
        }
        var access = await ConnectionAccess.LoadAsync(db, caller, ct);
        var space = access.VisibleSpaces.FirstOrDefault(s => DataFiles.Id(caller.TenantId, s.Id) == id);
        return space is null
            ? (null, ApiError.NotFound($"Data connection '{id}'"))
            : (new ResolvedConnection(null, access, space, true, null), null);
    }
}
