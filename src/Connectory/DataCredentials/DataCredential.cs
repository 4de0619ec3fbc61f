namespace Connectory.DataCredentials;

/// <summary>
/// A username and encrypted password. Embedded credentials belong to one connection and go with it; separated
/// credentials belong to one user for one connection and outlive it (then they are orphans).
/// </summary>
internal sealed class DataCredential : Data.IVersioned
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    public required string OwnerId { get; set; }
    public required string Name { get; set; }
    public required string NameFold { get; set; }
    public string Type { get; set; } = "";
    public string DatasourceId { get; set; } = "";
    public string Username { get; set; } = "";
    /// <summary>Encrypted; see Secrets.</summary>
    public string? Password { get; set; }
    public bool Separated { get; set; }
    /// <summary>The connection it was made for; kept after that connection is deleted.</summary>
    public string? ConnectionId { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Raised by one on every write (see <see cref="Data.Versioned"/>); the ETag is made from it.</summary>
    public long Version { get; set; } = 1;
    /// <summary>The version a conditional request (If-Match) requires at save; null for Qlik's last-writer-wins.</summary>
    public long? RequiredVersion { get; set; }
}
