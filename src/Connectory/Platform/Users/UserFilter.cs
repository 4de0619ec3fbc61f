using System.Linq.Expressions;
using Connectory.Data;
using Connectory.Filtering;

namespace Connectory.Platform.Users;

/// <summary>
/// Qlik's users filter (SCIM, RFC 7644) as a predicate on stored users, for the list, <c>actions/filter</c> and
/// <c>actions/count</c>. Every comparison ignores case, as Qlik's does; every value reaches the database as a parameter.
/// </summary>
internal static class UserFilter
{
    static readonly IReadOnlyList<(string, Expression<Func<User, string>>)> Text =
    [
        ("id", u => u.Id),
        ("subject", u => u.Subject),
        ("name", u => u.Name),
        ("email", u => u.Email ?? ""),
        ("status", u => u.Status),
    ];

    // Attributes Qlik documents that no user here carries (scopes or clients): they match no user.
    static readonly string[] Absent = ["clientId", "assignedScopes"];

    /// <returns>The predicate, or null with <paramref name="error"/> naming what is wrong and where.</returns>
    public static Expression<Func<User, bool>>? TryParse(string filter, ConnectoryDb db, out string? error) =>
        new ScimPredicate<User>(Text, u => u.Roles, Absent, Groups(db)).TryParse(filter, out error);

    /// <summary>A user's groups, however they joined: by id or name (exact, as group names are), or by a role a group gives.</summary>
    static IReadOnlyList<(string, Func<string, Expression<Func<User, bool>>>)> Groups(ConnectoryDb db) =>
    [
        ("assignedGroups.id", id => u => db.GroupMembers.Any(m => m.UserId == u.Id && m.GroupId == id)),
        ("assignedGroups.name", name => u => db.GroupMembers.Any(m => m.UserId == u.Id && db.Groups.Any(g => g.Id == m.GroupId && g.Name == name))),
        ("assignedGroupsAssignedRoles.name", role => TenantRoles.Find(role) is { } known
            ? GroupGives(db, "," + known.Name + ",")
            : _ => false),
    ];

    static Expression<Func<User, bool>> GroupGives(ConnectoryDb db, string role) =>
        u => db.GroupMembers.Any(m => m.UserId == u.Id && db.Groups.Any(g => g.Id == m.GroupId && ("," + g.Roles + ",").Contains(role)));
}
