using System.Linq.Expressions;
using Connectory.Filtering;

namespace Connectory.Platform.Users;

/// <summary>
/// Qlik's users filter (SCIM, RFC 7644) as a predicate on stored users, for the list, <c>actions/filter</c> and
/// <c>actions/count</c>. Every comparison ignores case, as Qlik's does; every value reaches the database as a parameter.
/// </summary>
internal static class UserFilter
{
    static readonly ScimPredicate<User> Translator = new(
        [
            ("id", u => u.Id),
            ("subject", u => u.Subject),
            ("name", u => u.Name),
            ("email", u => u.Email ?? ""),
            ("status", u => u.Status),
        ],
        u => u.Roles,
        // Attributes Qlik documents that no user here carries (group roles, scopes or clients): they match no user.
        ["clientId", "assignedGroups.id", "assignedGroups.name", "assignedGroupsAssignedRoles.name", "assignedScopes"]);

    /// <returns>The predicate, or null with <paramref name="error"/> naming what is wrong and where.</returns>
    public static Expression<Func<User, bool>>? TryParse(string filter, out string? error) => Translator.TryParse(filter, out error);
}
