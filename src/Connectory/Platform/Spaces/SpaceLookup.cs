using Connectory.Data;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Groups;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Platform.Spaces;

/// <summary>A space together with the caller's roles in it: what every access decision about it starts from.</summary>
internal sealed record SpaceWithStanding(Space Space, SpaceStanding Standing);

internal static class SpaceLookup
{
    /// <summary>The space if it exists in the caller's tenant, with the caller's standing; null otherwise.</summary>
    public static async Task<SpaceWithStanding?> FindSpaceAsync(this ConnectoryDb db, Caller caller, string spaceId, CancellationToken ct, bool tracked = false)
    {
        var query = tracked ? db.Spaces : db.Spaces.AsNoTracking();
        var space = await query.FirstOrDefaultAsync(s => s.Id == spaceId, ct);
        if (space is null)
        {
            return null;
        }
        var roles = await db.CallerRolesAsync(caller, spaceId, ct);
        return new SpaceWithStanding(space, SpaceStanding.Of(space, roles));
    }

    /// <summary>As <see cref="FindSpaceAsync"/>, but null also when the caller may not see the space.</summary>
    public static async Task<SpaceWithStanding?> FindVisibleSpaceAsync(this ConnectoryDb db, Caller caller, string spaceId, CancellationToken ct, bool tracked = false) =>
        await db.FindSpaceAsync(caller, spaceId, ct, tracked) is { } found && AccessRules.CanSeeSpace(caller, found.Standing) ? found : null;

    /// <summary>The caller's roles in a space: their own assignment's and their groups' (a union; the rules take the strongest).</summary>
    public static async Task<IReadOnlyCollection<string>> CallerRolesAsync(this ConnectoryDb db, Caller caller, string spaceId, CancellationToken ct)
    {
        var assignments = await db.SpaceAssignments.AsNoTracking()
            .Where(a => a.SpaceId == spaceId)
            .Where(db.HeldBy(caller))
            .Select(a => a.Roles)
            .ToListAsync(ct);
        return assignments.SelectMany(r => r.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToHashSet();
    }

    /// <summary>Spaces the caller can see, as a query the database filters.</summary>
    public static IQueryable<Space> VisibleSpaces(this ConnectoryDb db, Caller caller)
    {
        var all = caller.IsTenantAdmin;
        var analytics = AccessRules.IsSpaceAdmin(caller, SpaceKind.Shared);
        var data = AccessRules.IsSpaceAdmin(caller, SpaceKind.Data);
        var userId = caller.UserId;
        var assigned = db.HeldAssignments(caller).Select(a => a.SpaceId);
        return db.Spaces.AsNoTracking().Where(s =>
            all
            || (analytics && (s.Type == SpaceTypes.Shared || s.Type == SpaceTypes.Managed))
            || (data && s.Type == SpaceTypes.Data)
            || s.OwnerId == userId
            || assigned.Contains(s.Id));
    }

    /// <summary>
    /// Every space assignment that gives the caller roles, in all spaces: their own, and their active groups'. Two
    /// lookups by assignee (one for the user, one joining their memberships) as a UNION ALL, so the cost follows the
    /// caller's assignments, not the tenant's spaces or assignments. Membership is read in the database, so a removal
    /// counts at once; a caller who signed in without groups skips the second part.
    /// </summary>
    public static IQueryable<SpaceAssignment> HeldAssignments(this ConnectoryDb db, Caller caller)
    {
        var userId = caller.UserId;
        var own = db.SpaceAssignments.Where(a => a.Type == "user" && a.AssigneeId == userId);
        if (caller.GroupIds.Count == 0)
        {
            return own;
        }
        var throughGroups =
            from m in db.GroupMembers
            where m.UserId == userId
            join g in db.Groups on m.GroupId equals g.Id
            where g.Status == GroupStatus.Active
            join a in db.SpaceAssignments on m.GroupId equals a.AssigneeId
            where a.Type == "group"
            select a;
        return own.Concat(throughGroups);
    }

    /// <summary>
    /// Assignments that give the caller roles: to the user, or to an active group the user is a member of, as a test of
    /// one space's assignments (for all spaces, <see cref="HeldAssignments"/>). Membership is read in the database rather
    /// than passed as a list of group ids, so the statement is the same however many groups a caller has (the database
    /// keeps it prepared) and a membership removed counts at once. A caller who signed in without groups skips it.
    /// </summary>
    public static System.Linq.Expressions.Expression<Func<SpaceAssignment, bool>> HeldBy(this ConnectoryDb db, Caller caller)
    {
        var userId = caller.UserId;
        var viaGroups = caller.GroupIds.Count > 0;
        // Correlated per assignment: one space holds a few, so a membership lookup for each beats reading all of them.
        return a => (a.Type == "user" && a.AssigneeId == userId)
                    || (viaGroups && a.Type == "group" && db.GroupMembers.Any(m => m.GroupId == a.AssigneeId && m.UserId == userId
                        && db.Groups.Any(g => g.Id == m.GroupId && g.Status == GroupStatus.Active)));
    }

    /// <summary>
    /// <see cref="HeldBy"/> as SQL on space_assignments (alias <paramref name="alias"/>), for the hand-written statements;
    /// <paramref name="tenant"/> is the statement's tenant parameter.
    /// </summary>
    public static string HeldBySql(SqlText sql, Caller caller, string tenant, string alias = "a")
    {
        var uid = sql.Param(caller.UserId);
        var own = $"({alias}.\"Type\" = 'user' AND {alias}.\"AssigneeId\" = {uid})";
        return caller.GroupIds.Count == 0
            ? own
            : $"({own} OR ({alias}.\"Type\" = 'group' AND EXISTS (SELECT 1 FROM group_members m JOIN groups g ON g.\"Id\" = m.\"GroupId\" " +
              $"WHERE m.\"GroupId\" = {alias}.\"AssigneeId\" AND m.\"UserId\" = {uid} AND m.\"TenantId\" = {tenant} AND g.\"Status\" = '{GroupStatus.Active}')))";
    }
}
