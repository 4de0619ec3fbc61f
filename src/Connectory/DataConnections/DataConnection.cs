namespace Connectory.DataConnections;

/// <summary>A stored data connection. Reserved DataFiles connections are not stored: see <see cref="DataFiles"/>.</summary>
internal sealed class DataConnection : Data.IVersioned, IShownConnection
{
    public required string Id { get; init; }
    public required string TenantId { get; init; }
    /// <summary>Null for the owner's personal space.</summary>
    public string? SpaceId { get; set; }
    /// <summary>personal, shared, managed or data: a space's type never changes, so it is kept here for filtering.</summary>
    public required string SpaceType { get; set; }
    public required string OwnerId { get; set; }
    /// <summary>The naming scope: the space id, or "~" + owner id for a personal space. Names are unique per scope.</summary>
    public required string Scope { get; set; }
    public required string Name { get; set; }
    /// <summary>Name lower-cased with full Unicode folding: the unique key and the case-insensitive filter column.</summary>
    public required string NameFold { get; set; }
    /// <summary>ICU (root collation) sort key of the name, ignoring case, as hex: ordinal order equals collation order.</summary>
    public required string NameSortKey { get; set; }
    public required string Type { get; set; }
    public string DatasourceId { get; set; } = "";
    public required string ConnectStatement { get; set; }
    public int LogOn { get; set; }
    public int Architecture { get; set; }
    public bool SeparateCredentials { get; set; }
    /// <summary>The shared credential (embedded or linked); null when separated or credential-less.</summary>
    public string? CredentialId { get; set; }
    /// <summary>Encrypted connection-level secret (see Secrets); never returned in lists.</summary>
    public string? ConnectionSecret { get; set; }
    /// <summary>Tags as a JSON array.</summary>
    public string Tags { get; set; } = "[]";
    /// <summary>The app id in the spec's <c>owner</c> field.</summary>
    public string? AppOwner { get; set; }
    public required string Qri { get; set; }
    public required string CreatedBy { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>Raised by one on every write (see <see cref="Data.Versioned"/>); the ETag is made from it.</summary>
    public long Version { get; set; } = 1;
    /// <summary>The version a conditional request (If-Match) requires at save; null for Qlik's last-writer-wins.</summary>
    public long? RequiredVersion { get; set; }

    public static string PersonalScope(string ownerId) => "~" + ownerId;

    // The invariants of a name and a place. Writes go through these, never through the setters above (which the
    // row readers need): a name's unique and sort keys and the naming scope are derived here and nowhere else.

    /// <summary>A new connection named <paramref name="name"/>, owned by <paramref name="ownerId"/>, in a space (null: the owner's personal space).</summary>
    public static DataConnection New(
        string id, string tenantId, string ownerId, string? spaceId, string spaceType, string name, string type, string datasourceId,
        string statement, string createdBy, DateTime now)
    {
        var connection = new DataConnection
        {
            Id = id,
            TenantId = tenantId,
            SpaceId = null,
            SpaceType = "",
            OwnerId = ownerId,
            Scope = "",
            Name = "",
            NameFold = "",
            NameSortKey = "",
            Type = type.Trim(),
            DatasourceId = datasourceId.Trim(),
            ConnectStatement = statement,
            Qri = "",
            CreatedBy = createdBy,
            CreatedAt = now,
            UpdatedAt = now,
        };
        connection.Rename(name);
        connection.PlaceIn(spaceId, spaceType);
        return connection;
    }

    /// <summary>Names the connection; names are unique per scope, compared folded.</summary>
    public void Rename(string name)
    {
        Name = name.Trim();
        NameFold = ConnectionFields.Fold(name);
        NameSortKey = ConnectionFields.SortKey(name);
    }

    /// <summary>Puts the connection in a space, or in its owner's personal space when <paramref name="spaceId"/> is null.</summary>
    public void PlaceIn(string? spaceId, string spaceType)
    {
        SpaceId = spaceId;
        SpaceType = spaceId is null ? PersonalSpaceType : spaceType;
        Scope = spaceId ?? PersonalScope(OwnerId);
    }

    /// <summary>Hands the connection to another owner; in a personal space it moves to the new owner's.</summary>
    public void HandTo(string ownerId)
    {
        OwnerId = ownerId;
        Scope = SpaceId ?? PersonalScope(ownerId);
    }

    public const string PersonalSpaceType = Platform.Spaces.SpaceTypes.Personal;
}
