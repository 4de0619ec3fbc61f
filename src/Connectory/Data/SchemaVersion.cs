namespace Connectory.Data;

/// <summary>
/// A database's schema against this build's: the migrations applied there and the ones this build knows. Migration
/// ids start with their UTC timestamp, so the greatest id is the newest. A schema with a migration this build does
/// not know was made by a newer version, and this one must not serve it or migrate it.
/// </summary>
internal sealed record SchemaVersion(IReadOnlyList<string> Applied, IReadOnlyList<string> Known)
{
    public IReadOnlyList<string> Pending => [.. Known.Except(Applied, StringComparer.Ordinal)];

    public IReadOnlyList<string> Unknown => [.. Applied.Except(Known, StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>The newest migration applied (none on an empty database).</summary>
    public string? Latest => Applied.Max(StringComparer.Ordinal);

    /// <summary>The newest migration this build knows.</summary>
    public string BuildLatest => Known.Max(StringComparer.Ordinal) ?? "";

    public bool IsNewer => Unknown.Count > 0;

    /// <summary>Names both versions and what to do.</summary>
    public string NewerMessage(string what = "the database") =>
        $"{what} has schema version {Latest}, newer than this version of Connectory knows (its newest is {BuildLatest}; unknown: {string.Join(", ", Unknown)}). " +
        "A newer Connectory made it: run that version (or newer), or restore a backup taken with this one.";
}

/// <summary>A start, <c>migrate</c> or command refused to open a database whose schema is newer than this build.</summary>
internal sealed class SchemaTooNewException(string message) : InvalidOperationException(message);
