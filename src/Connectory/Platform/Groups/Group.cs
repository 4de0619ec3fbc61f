using Connectory.Platform.Users;

namespace Connectory.Platform.Groups;

/// <summary>
/// A group of users in one tenant, as Qlik Cloud keeps them: made by an admin (<c>custom</c>) or named by the identity
/// provider in a sign-in's groups claim (<c>idp</c>). Space assignments of type <c>group</c> and the group's tenant
/// roles reach every member.
/// </summary>
internal sealed class Group
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    /// <summary>Case-sensitive and unique in the tenant, as Qlik's.</summary>
    public required string Name { get; set; }
    public string Description { get; set; } = "";
    public required string ProviderType { get; init; }
    public string Status { get; set; } = GroupStatus.Active;
    /// <summary>Tenant roles, comma separated, granted to every member (see <see cref="TenantRoles"/>).</summary>
    public string Roles { get; set; } = "";
    /// <summary>The user who made it; null for a group the identity provider named first.</summary>
    public string? CreatedBy { get; init; }
    public string? UpdatedBy { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    public IReadOnlySet<string> RoleSet => TenantRoles.Parse(Roles);
}

/// <summary>One user's membership of one group, and where it comes from.</summary>
internal sealed class GroupMember
{
    public required string TenantId { get; init; }
    public required string GroupId { get; init; }
    public required string UserId { get; init; }
    /// <summary><see cref="MembershipSource.Idp"/> (replaced at each JWT sign-in) or <see cref="MembershipSource.Admin"/> (kept until removed).</summary>
    public required string Source { get; init; }
    public DateTime CreatedAt { get; init; }
}

internal static class GroupProviders
{
    public const string Idp = "idp";
    public const string Custom = "custom";
}

internal static class GroupStatus
{
    public const string Active = "active";
    public const string Disabled = "disabled";
}

internal static class MembershipSource
{
    /// <summary>From the groups claim of the user's latest JWT sign-in.</summary>
    public const string Idp = "idp";
    /// <summary>Stored by a TenantAdmin (<c>PUT /api/v1/groups/{id}/members/{userId}</c>).</summary>
    public const string Admin = "admin";
}
