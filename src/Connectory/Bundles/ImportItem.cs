namespace Connectory.Bundles;

/// <summary>
/// One connection to import, as its source (a bundle, a QRS export) mapped it onto the target tenant: name, space and
/// owner already remapped, secrets already opened. <see cref="BundleImporter"/> decides and applies the rest.
/// </summary>
internal sealed record ImportItem
{
    public required string SourceId { get; init; }
    public required string Name { get; init; }
    public string Type { get; init; } = "";
    public string DatasourceId { get; init; } = "";
    public string Statement { get; init; } = "";
    /// <summary>A space of the target tenant, by id or name; null is the owner's personal space.</summary>
    public string? TargetSpace { get; init; }
    /// <summary>A user of the target tenant; null is the importing user.</summary>
    public string? OwnerId { get; init; }
    public int LogOn { get; init; }
    public int Architecture { get; init; }
    public bool SeparateCredentials { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>Null: the item carries no credential (an existing one is kept).</summary>
    public string? Username { get; init; }
    /// <summary>Null: no password carried (an existing one is kept).</summary>
    public string? Password { get; init; }
    /// <summary>Null: no connection secret carried (an existing one is kept).</summary>
    public string? Secret { get; init; }
    /// <summary>Why the source already refuses the item (invalid, unsupported, unmapped), or null.</summary>
    public ImportRefusal? Refusal { get; init; }
    /// <summary>What the source's mapping did, told in the item's result.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>Why an item is not imported, in terms a source can word in its own way.</summary>
internal sealed record ImportRefusal(ImportRefusalKind Kind, string Detail, bool Failure = false);

internal enum ImportRefusalKind
{
    /// <summary>Decided by the source before the engine saw the item.</summary>
    Source,
    /// <summary>The target space does not exist (or is not visible to the importing user).</summary>
    NoSpace,
    /// <summary>The target space already holds another connection of that name (with <see cref="ImportPolicy.SameNameIsSameConnection"/> off).</summary>
    NameTaken,
    /// <summary>Two items of the same import go to the same name in the same space.</summary>
    DuplicateInImport,
    /// <summary>The registry's rules refuse it: access, a field, a disabled data source.</summary>
    Registry,
}

/// <summary>How an import recognises what is already there.</summary>
/// <param name="IdMatchesAnywhere">A connection with the item's id anywhere in the tenant is the item, already imported (QRS migration).</param>
/// <param name="SameNameIsSameConnection">A connection of the item's name in the target space is the item, updated to match; otherwise a name clash refuses it.</param>
internal sealed record ImportPolicy(bool IdMatchesAnywhere, bool SameNameIsSameConnection)
{
    public static readonly ImportPolicy Bundle = new(IdMatchesAnywhere: false, SameNameIsSameConnection: true);
    public static readonly ImportPolicy QrsMigration = new(IdMatchesAnywhere: true, SameNameIsSameConnection: false);
}

internal enum ImportOutcome
{
    Created,
    Updated,
    Unchanged,
    Refused,
    Failed,
}

/// <summary>What happened to one item (or, in a dry run, what would).</summary>
internal sealed record ImportResult(
    ImportItem Item, ImportOutcome Outcome, bool DryRun, string? TargetId, string? SpaceId, string? SpaceName, IReadOnlyList<string> Changes,
    string Detail, ImportRefusalKind? RefusalKind = null)
{
    /// <summary>created, updated, unchanged, refused or failed; wouldCreate and wouldUpdate in a dry run.</summary>
    public string OutcomeName => (Outcome, DryRun) switch
    {
        (ImportOutcome.Created, true) => "wouldCreate",
        (ImportOutcome.Updated, true) => "wouldUpdate",
        _ => Outcome.ToString().ToLowerInvariant(),
    };
}
