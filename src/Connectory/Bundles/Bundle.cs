namespace Connectory.Bundles;

/// <summary>
/// A bundle of data connections as <c>actions/export</c> writes it and <c>actions/import</c> reads it (README
/// "Bundles"). Every member is nullable: a bundle is input, checked where it is read.
/// </summary>
internal sealed record Bundle
{
    public const string FormatName = "connectory-bundle";
    public const int CurrentVersion = 1;

    public string? Format { get; init; }
    public int? Version { get; init; }
    /// <summary>A random id, bound into every sealed value, so none can be moved into another bundle.</summary>
    public string? Id { get; init; }
    public string? ExportedAt { get; init; }
    public string? SourceTenant { get; init; }
    /// <summary>The key the secrets are sealed to; null when the bundle carries no secrets.</summary>
    public BundleRecipient? Recipient { get; init; }
    /// <summary>The source tenant's data-source settings: those it has disabled.</summary>
    public List<BundleDataSource?>? DataSources { get; init; }
    public List<BundleConnection?>? Connections { get; init; }
}

internal sealed record BundleRecipient(string? Algorithm, string? Fingerprint);

internal sealed record BundleDataSource(string? Id, bool? Disabled);

internal sealed record BundleSpace(string? Id, string? Name, string? Type);

internal sealed record BundleOwner(string? Id, string? Subject);

/// <summary>A username and a password, each sealed to the recipient (null: none).</summary>
internal sealed record BundleCredential(string? Username, string? Password);

internal sealed record BundleConnection
{
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? Type { get; init; }
    public string? DatasourceId { get; init; }
    public string? ConnectStatement { get; init; }
    /// <summary>Null: the owner's personal space.</summary>
    public BundleSpace? Space { get; init; }
    public BundleOwner? Owner { get; init; }
    public int? LogOn { get; init; }
    public int? Architecture { get; init; }
    public bool? SeparateCredentials { get; init; }
    public List<string?>? Tags { get; init; }
    public BundleCredential? Credential { get; init; }
    /// <summary>The connection secret, sealed to the recipient.</summary>
    public string? ConnectionSecret { get; init; }
    /// <summary>True when the connection holds secrets the bundle does not carry (no recipient, or the exporter may not read them).</summary>
    public bool? SecretsLeftOut { get; init; }

    /// <summary>Where a sealed value of this connection belongs: a value opens only in its own bundle, connection and field.</summary>
    public static string Binding(string? bundleId, string? connectionId, string field) => $"connectory|bundle|{bundleId}|{connectionId?.ToLowerInvariant()}|{field}";

    public const string UsernameField = "username";
    public const string PasswordField = "password";
    public const string SecretField = "connectionSecret";
}
