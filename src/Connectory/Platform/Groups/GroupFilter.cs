using System.Linq.Expressions;
using Connectory.Filtering;

namespace Connectory.Platform.Groups;

/// <summary>Qlik's groups filter (SCIM, RFC 7644) as a predicate on stored groups; every comparison ignores case.</summary>
internal static class GroupFilter
{
    static readonly ScimPredicate<Group> Translator = new(
        [
            ("id", g => g.Id),
            ("name", g => g.Name),
            ("description", g => g.Description),
            ("providerType", g => g.ProviderType),
            ("status", g => g.Status),
        ],
        g => g.Roles,
        []);

    /// <returns>The predicate, or null with <paramref name="error"/> naming what is wrong and where.</returns>
    public static Expression<Func<Group, bool>>? TryParse(string filter, out string? error) => Translator.TryParse(filter, out error);
}
