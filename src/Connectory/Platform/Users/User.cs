namespace Connectory.Platform.Users;

internal sealed class User
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string Subject { get; init; }
    public required string Name { get; set; }
    public string? Email { get; set; }
    public string Status { get; set; } = UserStatus.Active;
    /// <summary>Tenant roles, comma separated (see <see cref="TenantRoles"/>).</summary>
    public string Roles { get; set; } = "";
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    public IReadOnlySet<string> RoleSet => TenantRoles.Parse(Roles);
}

internal static class UserStatus
{
    public const string Active = "active";
    public const string Disabled = "disabled";
}
