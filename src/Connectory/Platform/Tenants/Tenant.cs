namespace Connectory.Platform.Tenants;

internal sealed class Tenant
{
    public required string Id { get; init; }
    public required string Name { get; set; }
    /// <summary>Whether a valid JWT for an unknown subject creates that user on first sign-in.</summary>
    public bool AutoCreateUsers { get; set; }
    /// <summary>Whether a group named in a sign-in's groups claim that the tenant lacks is created (Qlik's <c>autoCreateGroups</c>).</summary>
    public bool AutoCreateGroups { get; set; } = true;
    public DateTime CreatedAt { get; init; }
    /// <summary>Per-tenant key for QRIs, so equal targets in two tenants never yield the same QRI.</summary>
    public string QriKey { get; init; } = "";
    /// <summary>
    /// Bumped by a database trigger on every insert, update and delete of the tenant's data connections, so any
    /// instance can tell whether something it derived from them (a list's match count) is still current.
    /// </summary>
    public long ConnectionsVersion { get; init; }
}
