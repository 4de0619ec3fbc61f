using Connectory.Data;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Connectory.DataConnections;

internal sealed record SpaceInfo(string Id, string Name, string Type, string OwnerId, DateTime CreatedAt);

/// <summary>
/// The caller's standing in every space that matters for a request, loaded once, so listing thousands of
/// connections asks the access rules per row without a query per row. Decisions stay in <see cref="AccessRules"/>.
/// </summary>
internal sealed class ConnectionAccess
{
    readonly Caller caller;
    readonly Dictionary<string, (SpaceInfo Space, SpaceStanding Standing)> spaces;

    ConnectionAccess(Caller caller, Dictionary<string, (SpaceInfo, SpaceStanding)> spaces)
    {
        this.caller = caller;
        this.spaces = spaces;
    }

    public Caller Caller => caller;

    /// <summary>Every space the caller owns, is assigned to (themselves or through a group), or administers by tenant role.</summary>
    /// <param name="withAdministered">
    /// Also load the spaces of kinds the caller administers by tenant role. Rights there follow from the kind alone,
    /// which every connection row carries, so only callers that list those spaces themselves (DataFiles) need them.
    /// </param>
    public static async Task<ConnectionAccess> LoadAsync(ConnectoryDb db, Caller caller, CancellationToken ct, bool withAdministered = true)
    {
        var uid = caller.UserId;
        var shared = AccessRules.IsSpaceAdmin(caller, SpaceKind.Shared);
        var data = AccessRules.IsSpaceAdmin(caller, SpaceKind.Data);
        if (!withAdministered && shared && data)
        {
            // Every space is of a kind the caller administers, and rights there follow from the kind alone.
            return new ConnectionAccess(caller, []);
        }
        // The spaces the caller holds assignments in, with the roles of each assignment (one row each), led by the
        // assignments; then those they own or administer by kind, which need no roles.
        var held = await (
                from a in db.HeldAssignments(caller)
                join s in db.Spaces on a.SpaceId equals s.Id
                where withAdministered || !((shared && (s.Type == SpaceTypes.Shared || s.Type == SpaceTypes.Managed)) || (data && s.Type == SpaceTypes.Data))
                select new { Space = new SpaceInfo(s.Id, s.Name, s.Type, s.OwnerId, s.CreatedAt), a.Roles })
            .AsNoTracking().ToListAsync(ct);
        var ownedOrAdministered = await db.Spaces.AsNoTracking()
            .Where(s => (withAdministered && ((shared && (s.Type == SpaceTypes.Shared || s.Type == SpaceTypes.Managed)) || (data && s.Type == SpaceTypes.Data)))
                        || (s.OwnerId == uid && (withAdministered || !((shared && (s.Type == SpaceTypes.Shared || s.Type == SpaceTypes.Managed)) || (data && s.Type == SpaceTypes.Data)))))
            .Select(s => new SpaceInfo(s.Id, s.Name, s.Type, s.OwnerId, s.CreatedAt))
            .ToListAsync(ct);
        var roles = held.ToLookup(h => h.Space.Id, h => h.Roles);
        var spaces = held.Select(h => h.Space).Concat(ownedOrAdministered).DistinctBy(s => s.Id);
        return new ConnectionAccess(caller, spaces.ToDictionary(
            s => s.Id,
            s => (s, Standing(s, roles[s.Id].ToList()))));
    }

    /// <summary>Only what one connection needs: its space and the caller's roles there (their own and their groups').</summary>
    public static async Task<ConnectionAccess> ForSpaceAsync(ConnectoryDb db, Caller caller, string? spaceId, CancellationToken ct)
    {
        if (spaceId is null)
        {
            return new ConnectionAccess(caller, []);
        }
        var held = db.HeldBy(caller);
        var row = await db.Spaces.AsNoTracking().Where(s => s.Id == spaceId)
            .Select(s => new
            {
                Space = new SpaceInfo(s.Id, s.Name, s.Type, s.OwnerId, s.CreatedAt),
                Roles = db.SpaceAssignments.Where(a => a.SpaceId == s.Id).Where(held).Select(a => a.Roles).ToList(),
            })
            .FirstOrDefaultAsync(ct);
        return new ConnectionAccess(caller, row is null ? [] : new() { [row.Space.Id] = (row.Space, Standing(row.Space, row.Roles)) });
    }

    /// <summary>From a space (and the caller's roles there, one entry per assignment) read along with the connection itself.</summary>
    public static ConnectionAccess ForKnownSpace(Caller caller, SpaceInfo? space, List<string> roles) =>
        new(caller, space is null ? [] : new() { [space.Id] = (space, Standing(space, roles)) });

    static SpaceStanding Standing(SpaceInfo space, List<string> roles) =>
        new(SpaceKinds.Of(space.Type), space.OwnerId, roles.SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToHashSet());

    public SpaceInfo? Space(string spaceId) => spaces.TryGetValue(spaceId, out var s) ? s.Space : null;

    /// <summary>
    /// Spaces, known to this access object, whose connections the caller may list, so whose DataFiles connection they
    /// see: seeing a space is not enough (a shared space's consumer sees its apps, not its data; README "Access rules").
    /// </summary>
    public IEnumerable<SpaceInfo> VisibleSpaces => spaces.Values.Where(s => AccessRules.ForConnections(caller, s.Standing).List).Select(s => s.Space);

    /// <summary>The caller's standing in a space (or a personal space), as the access rules take it.</summary>
    public SpaceStanding StandingIn(string? spaceId, string spaceType, string personalOwnerId) =>
        spaceId is null
            ? SpaceStanding.Personal(personalOwnerId)
            : spaces.TryGetValue(spaceId, out var s) ? s.Standing : new SpaceStanding(SpaceKinds.Of(spaceType), "", []);

    public ConnectionRights RightsIn(string? spaceId, string spaceType, string personalOwnerId) =>
        AccessRules.ForConnections(caller, StandingIn(spaceId, spaceType, personalOwnerId));

    public ConnectionPrivileges Privileges(IShownConnection connection) =>
        AccessRules.Privileges(caller, StandingIn(connection.SpaceId, connection.SpaceType, connection.OwnerId), connection.OwnerId);

    public bool CanSee(IShownConnection connection) => Privileges(connection) != ConnectionPrivileges.None;

    public bool CanChange(IShownConnection connection) => Privileges(connection).HasFlag(ConnectionPrivileges.Update);

    /// <summary>The connections the caller may list, as a filter the database applies.</summary>
    public IQueryable<DataConnection> Visible(IQueryable<DataConnection> connections)
    {
        var uid = caller.UserId;
        var all = caller.IsTenantAdmin;
        var sharedAdmin = AccessRules.IsSpaceAdmin(caller, SpaceKind.Shared);
        var dataAdmin = AccessRules.IsSpaceAdmin(caller, SpaceKind.Data);
        var listed = ListableSpaces();
        return connections.Where(c =>
            all
            || (c.SpaceId == null && c.OwnerId == uid)
            || (c.SpaceId != null && (
                (sharedAdmin && (c.SpaceType == SpaceTypes.Shared || c.SpaceType == SpaceTypes.Managed))
                || (dataAdmin && c.SpaceType == SpaceTypes.Data)
                || listed.Contains(c.SpaceId))));
    }

    /// <summary>
    /// <see cref="Visible"/> as a SQL condition on data_connections (alias <c>c</c>), for the hand-written list
    /// statements; null when the caller sees every connection of the tenant.
    /// </summary>
    public string? VisibleSql(SqlText sql)
    {
        if (caller.IsTenantAdmin)
        {
            return null;
        }
        var inSpace = new List<string>();
        if (AccessRules.IsSpaceAdmin(caller, SpaceKind.Shared))
        {
            inSpace.Add($"c.\"SpaceType\" IN ('{SpaceTypes.Shared}', '{SpaceTypes.Managed}')");
        }
        if (AccessRules.IsSpaceAdmin(caller, SpaceKind.Data))
        {
            inSpace.Add($"c.\"SpaceType\" = '{SpaceTypes.Data}'");
        }
        if (ListableSpaces() is { Count: > 0 } listed)
        {
            inSpace.Add($"c.\"SpaceId\" IN ({sql.Params(listed)})");
        }
        var personal = $"(c.\"SpaceId\" IS NULL AND c.\"OwnerId\" = {sql.Param(caller.UserId)})";
        return inSpace.Count == 0 ? personal : $"({personal} OR (c.\"SpaceId\" IS NOT NULL AND ({string.Join(" OR ", inSpace)})))";
    }

    // Asked for by Visible, VisibleSql and VisibilityKey on the same request: decided once.
    List<string>? listable;

    List<string> ListableSpaces() => listable ??= spaces.Where(s => AccessRules.ForConnections(caller, s.Value.Standing).List).Select(s => s.Key).ToList();

    /// <summary>Everything <see cref="Visible"/> decides by, as text: two equal keys let the same rows through.</summary>
    public string VisibilityKey()
    {
        var sorted = ListableSpaces().Order(StringComparer.Ordinal);
        return string.Join(',', [
            caller.UserId,
            caller.IsTenantAdmin ? "all" : "",
            AccessRules.IsSpaceAdmin(caller, SpaceKind.Shared) ? "shared" : "",
            AccessRules.IsSpaceAdmin(caller, SpaceKind.Data) ? "data" : "",
            .. sorted]);
    }
}
