using Connectory.DataCredentials;
using Connectory.Platform.Access;

namespace Connectory.DataConnections;

/// <summary>
/// The create command: a new connection in the registry's terms, whichever face it came from (the Cloud body, a
/// data source's properties, a QRS body, an import bundle). <see cref="ConnectionWrites.CreateAsync"/> checks it
/// whole and stores it, or says why not.
/// </summary>
internal sealed record NewConnection
{
    /// <summary>A caller-chosen id (a UUID); null makes one.</summary>
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Type { get; init; }
    public string? DatasourceId { get; init; }
    public string? Statement { get; init; }
    /// <summary>Null or empty: the owner's personal space.</summary>
    public string? SpaceId { get; init; }
    public int LogOn { get; init; }
    public int Architecture { get; init; }
    public bool SeparateCredentials { get; init; }
    public IReadOnlyList<string?>? Tags { get; init; }
    /// <summary>The app id of the Cloud spec's <c>owner</c> field.</summary>
    public string? AppOwner { get; init; }
    /// <summary>Who owns it; null is the caller. Another user needs change_owner in the target space.</summary>
    public string? OwnerId { get; init; }
    /// <summary>Credentials given with the connection (embedded, or the caller's own when separated).</summary>
    public string? Username { get; init; }
    public string? Password { get; init; }
    /// <summary>The name of the credential made from <see cref="Username"/>/<see cref="Password"/>.</summary>
    public string? CredentialName { get; init; }
    /// <summary>One of the caller's stored credentials to link, by id or (with <see cref="CredentialRefByName"/>) by name.</summary>
    public string? CredentialRef { get; init; }
    public bool CredentialRefByName { get; init; }
    public string? Secret { get; init; }
    /// <summary>A QRI derived by the data source's definition; null derives it from the statement.</summary>
    public string? Qri { get; init; }

    public bool HasInlineCredentials => Username is not null || Password is not null;
}

/// <summary>A stored new connection, its credential when one was made or linked, and what the caller may do with it.</summary>
internal sealed record CreatedConnection(DataConnection Connection, DataCredential? Credential, ConnectionPrivileges Privileges);
