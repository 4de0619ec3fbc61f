using Connectory.Platform.Auth;
using Connectory.Platform.Spaces;
using Connectory.Platform.Users;

namespace Connectory.Platform.Access;

/// <summary>The kind of space something lives in; personal spaces are implicit, one per user.</summary>
internal enum SpaceKind { Personal, Shared, Managed, Data }

/// <summary>What the access rules need to know about a space and the caller's place in it.</summary>
internal sealed record SpaceStanding(SpaceKind Kind, string OwnerId, IReadOnlyCollection<string> CallerRoles)
{
    public static SpaceStanding Personal(string ownerId) => new(SpaceKind.Personal, ownerId, []);

    public static SpaceStanding Of(Space space, IReadOnlyCollection<string> callerRoles) => new(SpaceKinds.Of(space.Type), space.OwnerId, callerRoles);
}

internal static class SpaceKinds
{
    /// <summary>The kind of a stored space type, or of a connection's space type ("personal" for a personal space).</summary>
    public static SpaceKind Of(string spaceType) => spaceType switch
    {
        SpaceTypes.Shared => SpaceKind.Shared,
        SpaceTypes.Managed => SpaceKind.Managed,
        SpaceTypes.Data => SpaceKind.Data,
        SpaceTypes.Personal => SpaceKind.Personal,
        // Types come from the store, which holds no others: a new one must be given its rules here first.
        _ => throw new ArgumentOutOfRangeException(nameof(spaceType), spaceType, "not a space type"),
    };
}

/// <summary>What a caller may do with data connections in one space.</summary>
internal sealed record ConnectionRights(bool List, bool Create, bool ChangeAny, bool ChangeOwn, bool Admin)
{
    public static readonly ConnectionRights None = new(false, false, false, false, false);
}

/// <summary>
/// The one place that decides "may user U do action A on something in space S". Every API asks it; nothing else
/// decides access. The table is documented in README ("Access rules").
/// </summary>
internal static class AccessRules
{
    public static ConnectionRights ForConnections(Caller caller, SpaceStanding space)
    {
        if (IsSpaceAdmin(caller, space.Kind))
        {
            return new ConnectionRights(true, true, true, true, true);
        }
        var isOwner = space.OwnerId == caller.UserId;
        if (space.Kind == SpaceKind.Personal)
        {
            return isOwner ? new ConnectionRights(true, true, true, true, false) : ConnectionRights.None;
        }
        var roles = space.CallerRoles;
        bool Any(params string[] names) => names.Any(roles.Contains);

        var managesAll = isOwner || Any("facilitator");
        var createsOwn = space.Kind switch
        {
            SpaceKind.Shared => Any("producer", "codeveloper"),
            SpaceKind.Data => Any("producer"),
            _ => false,
        };
        var reads = space.Kind switch
        {
            SpaceKind.Shared => Any("dataconsumer"),
            SpaceKind.Managed => Any("contributor", "operator", "publisher", "dataconsumer"),
            SpaceKind.Data => Any("operator", "publisher", "dataconsumer", "datapreview"),
            _ => false,
        };
        var create = managesAll || createsOwn;
        return new ConnectionRights(create || reads, create, managesAll, create, false);
    }

    /// <summary>What the caller may do with one connection in the space, owned by <paramref name="connectionOwnerId"/>.</summary>
    public static ConnectionPrivileges Privileges(Caller caller, SpaceStanding space, string connectionOwnerId)
    {
        var rights = ForConnections(caller, space);
        if (!rights.List)
        {
            return ConnectionPrivileges.None;
        }
        var changes = rights.ChangeAny || (rights.ChangeOwn && connectionOwnerId == caller.UserId);
        return (changes, rights.Admin) switch
        {
            (true, true) => ConnectionPrivileges.Administers,
            (true, false) => ConnectionPrivileges.Changes,
            _ => ConnectionPrivileges.Reads,
        };
    }

    /// <summary>Tenant roles that act as admin over every space of a kind.</summary>
    public static bool IsSpaceAdmin(Caller caller, SpaceKind kind) => caller.IsTenantAdmin || kind switch
    {
        SpaceKind.Shared or SpaceKind.Managed => caller.Has(TenantRoles.AnalyticsAdmin),
        SpaceKind.Data => caller.Has(TenantRoles.DataAdmin),
        _ => false,
    };

    /// <summary>Whether the caller may see a space at all (else it is answered as not found).</summary>
    public static bool CanSeeSpace(Caller caller, SpaceStanding space) =>
        IsSpaceAdmin(caller, space.Kind) || space.OwnerId == caller.UserId || space.CallerRoles.Count > 0;

    /// <summary>Rename, describe, delete the space and manage its assignments.</summary>
    public static bool CanManageSpace(Caller caller, SpaceStanding space) =>
        IsSpaceAdmin(caller, space.Kind) || space.OwnerId == caller.UserId || space.CallerRoles.Contains("facilitator");

    /// <summary>Delete the space or hand it to another owner.</summary>
    public static bool CanOwnSpace(Caller caller, SpaceStanding space) =>
        IsSpaceAdmin(caller, space.Kind) || space.OwnerId == caller.UserId;

    public static bool CanCreateSpace(Caller caller, string type) => type switch
    {
        SpaceTypes.Shared => true,
        SpaceTypes.Managed => caller.IsTenantAdmin || caller.Has(TenantRoles.AnalyticsAdmin),
        SpaceTypes.Data => caller.IsTenantAdmin || caller.Has(TenantRoles.DataAdmin),
        _ => false,
    };

    /// <summary>Manage users and other users' API keys.</summary>
    public static bool CanManageUsers(Caller caller) => caller.IsTenantAdmin;

    /// <summary>Create, change and delete groups, their roles and stored memberships (every user may list and read groups).</summary>
    public static bool CanManageGroups(Caller caller) => caller.IsTenantAdmin;
}
