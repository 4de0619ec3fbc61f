namespace Connectory.Platform.Users;

/// <summary>Tenant-level roles. Ids are stable so clients may assign roles by id or by name, as in Qlik.</summary>
internal static class TenantRoles
{
    public const string TenantAdmin = "TenantAdmin";
    public const string AnalyticsAdmin = "AnalyticsAdmin";
    public const string DataAdmin = "DataAdmin";
    public const string Developer = "Developer";

    /// <summary>
    /// May resolve a data connection into its connect statement and credentials (POST
    /// /api/connectivity/data-sources/endpoints/actions/filter). No other role implies it, TenantAdmin included:
    /// handing out secrets is a grant of its own, given to the accounts that run loads.
    /// </summary>
    public const string ConnectionResolver = "ConnectionResolver";

    public static readonly IReadOnlyList<RoleDefinition> All =
    [
        new("605a1c2151382ffc836af862", TenantAdmin, "admin"),
        new("605a1c2151382ffc836af863", AnalyticsAdmin, "admin"),
        new("605a1c2151382ffc836af864", DataAdmin, "admin"),
        new("605a1c2151382ffc836af865", Developer, "user"),
        new("605a1c2151382ffc836af866", ConnectionResolver, "user"),
    ];

    public static RoleDefinition? Find(string idOrName) =>
        All.FirstOrDefault(r => r.Id == idOrName || string.Equals(r.Name, idOrName, StringComparison.OrdinalIgnoreCase));

    public static IReadOnlySet<string> Parse(string csv) =>
        csv.Length == 0 ? new HashSet<string>() : csv.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    public static string Format(IEnumerable<string> roles) => string.Join(',', roles.Distinct().Order(StringComparer.Ordinal));
}

internal sealed record RoleDefinition(string Id, string Name, string Level);
