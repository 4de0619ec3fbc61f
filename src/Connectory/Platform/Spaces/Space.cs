namespace Connectory.Platform.Spaces;

internal sealed class Space
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string Name { get; set; }
    /// <summary>Name folded to lower case invariant: the unique key, so "Sales" and "sales" clash.</summary>
    public required string NormalizedName { get; set; }
    public required string Type { get; init; }
    public string Description { get; set; } = "";
    public required string OwnerId { get; set; }
    public required string CreatedBy { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    public static string Normalize(string name) => name.Trim().ToLowerInvariant();
}

internal sealed class SpaceAssignment
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string SpaceId { get; init; }
    public required string AssigneeId { get; init; }
    public required string Type { get; init; }
    /// <summary>Space roles, comma separated.</summary>
    public required string Roles { get; set; }
    public required string CreatedBy { get; init; }
    public DateTime CreatedAt { get; init; }
    public required string UpdatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }

    public IReadOnlyList<string> RoleList => Roles.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
