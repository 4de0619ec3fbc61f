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
                : Merge(await (reads ?? new HotSql(db)).ListAsync(WithSpaceSql(caller, id!), ReadWithSpace, ct));
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

    sealed record WithSpace(DataConnection Connection, SpaceInfo? Space, List<string> Roles);

    // (SpaceId, Type, AssigneeId) is unique, so the joins yield one row per assignment the caller holds there (their
    // own and their groups'), and one row without roles when they hold none.
    static SqlText WithSpaceSql(Caller caller, string id)
    {
        var sql = new SqlText();
        var rows = new TenantRows(sql, caller.TenantId);
        sql.Append(
            $"SELECT {ConnectionRows.Columns}, s.\"Id\", s.\"Name\", s.\"Type\", s.\"OwnerId\", s.\"CreatedAt\", a.\"Roles\" " +
            "FROM data_connections c " +
            $"LEFT JOIN spaces s ON s.\"Id\" = c.\"SpaceId\" AND s.\"TenantId\" = {rows.Tenant} " +
            $"LEFT JOIN space_assignments a ON a.\"SpaceId\" = c.\"SpaceId\" AND {SpaceLookup.HeldBySql(sql, caller, rows.Tenant)} AND a.\"TenantId\" = {rows.Tenant} " +
            "WHERE ");
        return rows.And($"c.\"Id\" = {sql.Param(id)}").AppendCondition();
    }

    /// <summary>The connection of the first row with the roles of every row (one per assignment), or null for no rows.</summary>
    static WithSpace? Merge(List<WithSpace> rows) =>
        rows.Count <= 1 ? rows.FirstOrDefault() : rows[0] with { Roles = rows.SelectMany(r => r.Roles).ToList() };

    static WithSpace ReadWithSpace(System.Data.Common.DbDataReader r)
    {
        const int s = ConnectionRows.ColumnCount;
        var space = r.IsDBNull(s) ? null : new SpaceInfo(r.GetString(s), r.GetString(s + 1), r.GetString(s + 2), r.GetString(s + 3), r.GetUtc(s + 4));
        return new WithSpace(ConnectionRows.Read(r), space, r.IsDBNull(s + 5) ? [] : [r.GetString(s + 5)]);
    }

    static Task<WithSpace?> TrackedWithSpaceAsync(ConnectoryDb db, Caller caller, string id, CancellationToken ct)
    {
        var held = db.HeldBy(caller);
        return (
                from c in db.DataConnections
                where c.Id == id
                from s in db.Spaces.Where(s => s.Id == c.SpaceId).DefaultIfEmpty()
                select new WithSpace(
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
