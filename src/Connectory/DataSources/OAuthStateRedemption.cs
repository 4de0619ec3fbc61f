namespace Connectory.DataSources;

/// <summary>
/// An OAuth <c>state</c> that has been spent. The key is a SHA-256 of the state, so the table says which states were
/// used without holding one; the unique key is what refuses a second redemption on any instance.
/// </summary>
internal sealed class OAuthStateRedemption
{
    public required string StateHash { get; init; }
    public required string TenantId { get; init; }
    /// <summary>When the state would have expired anyway: past it the row may go, since the state is refused as expired.</summary>
    public DateTime ExpiresAt { get; init; }
    public DateTime RedeemedAt { get; init; }
}
