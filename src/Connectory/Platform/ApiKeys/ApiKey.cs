namespace Connectory.Platform.ApiKeys;

internal sealed class ApiKey
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    /// <summary>The user the key signs in as (<c>sub</c>).</summary>
    public required string UserId { get; init; }
    public required string CreatedByUserId { get; init; }
    public required string Description { get; set; }
    /// <summary>SHA-256 of the token; the token itself is shown once and never stored.</summary>
    public required string TokenHash { get; init; }
    public DateTime ExpiresAt { get; init; }
    public DateTime? RevokedAt { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }

    public string StatusAt(DateTime now) => RevokedAt is not null ? "revoked" : ExpiresAt <= now ? "expired" : "active";
}
