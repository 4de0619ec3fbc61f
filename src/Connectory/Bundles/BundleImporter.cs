using Connectory.Data;
using Connectory.DataConnections;
using Connectory.DataCredentials;
using Connectory.DataSources;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Bundles;

/// <summary>
/// The one import engine, whatever the source: each item is matched against the target tenant (by id in its target
/// space, then by name there), compared, and created or updated through the registry's own writes
/// (<see cref="ConnectionWrites"/>), so every rule of names, spaces, access and audit applies. A dry run decides the
/// same way and writes nothing. A re-run of the same items finds them equal and reports them unchanged.
/// </summary>
internal sealed class BundleImporter(ConnectoryDb db, ConnectionWrites writes, CredentialStore credentials, DataSourceSettings dataSourceSettings, DataSourceCatalog catalog)
{
    public async Task<List<ImportResult>> ImportAsync(IEnumerable<ImportItem> items, ImportPolicy policy, Caller caller, bool dryRun, CancellationToken ct)
    {
        var results = new List<ImportResult>();
        var planned = new HashSet<(string Scope, string Name)>();
        foreach (var item in items)
        {
            db.ChangeTracker.Clear();
            results.Add(await ImportOneAsync(item, policy, caller, dryRun, planned, ct));
        }
        db.ChangeTracker.Clear();
        return results;
    }

    async Task<ImportResult> ImportOneAsync(ImportItem item, ImportPolicy policy, Caller caller, bool dryRun, HashSet<(string, string)> planned, CancellationToken ct)
    {
        ImportResult Refuse(ImportRefusalKind kind, string detail, Space? space = null, string? targetId = null, bool failure = false) =>
            new(item, failure ? ImportOutcome.Failed : ImportOutcome.Refused, dryRun, targetId, space?.Id, space?.Name, [], detail, kind);

        if (item.Refusal is { } refusal)
        {
            return Refuse(refusal.Kind, refusal.Detail, failure: refusal.Failure);
        }
        Space? space = null;
        if (item.TargetSpace is { } spaceRef)
        {
            var fold = Space.Normalize(spaceRef);
            space = await db.Spaces.AsNoTracking().FirstOrDefaultAsync(s => s.Id == spaceRef || s.NormalizedName == fold, ct);
            if (space is null)
            {
                return Refuse(ImportRefusalKind.NoSpace, $"Space '{spaceRef}' not found");
            }
            var (_, _, spaceError) = await writes.TargetSpaceAsync(caller, space.Id, ct);
            if (spaceError is not null)
            {
                // Unseen is unseen: the same words whether the space is missing or hidden from the caller.
                return spaceError.StatusCode == StatusCodes.Status404NotFound
                    ? Refuse(ImportRefusalKind.NoSpace, $"Space '{spaceRef}' not found")
                    : Refuse(ImportRefusalKind.Registry, spaceError.Detail ?? spaceError.Kind.Title, space);
            }
        }
        var ownerId = item.OwnerId ?? caller.UserId;
        // Before anything is matched: another user's personal space is not the caller's to look into.
        if (ownerId != caller.UserId && !(space is null ? caller.IsTenantAdmin : AccessRules.IsSpaceAdmin(caller, SpaceKinds.Of(space.Type))))
        {
            return Refuse(ImportRefusalKind.Registry, "The caller may not make connections owned by another user.", space);
        }
        var scope = space?.Id ?? DataConnection.PersonalScope(ownerId);
        var nameFold = ConnectionFields.Fold(item.Name);

        var byId = await db.DataConnections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == item.SourceId, ct);
        if (byId is not null && policy.IdMatchesAnywhere)
        {
            return new(item, ImportOutcome.Unchanged, dryRun, byId.Id, byId.SpaceId, null, [], $"already imported as {byId.Id}");
        }
        var existing = byId is not null && byId.Scope == scope ? byId : null;
        if (existing is null)
        {
            var byName = await db.DataConnections.AsNoTracking().FirstOrDefaultAsync(c => c.Scope == scope && c.NameFold == nameFold, ct);
            if (byName is not null && !policy.SameNameIsSameConnection)
            {
                return Refuse(ImportRefusalKind.NameTaken, $"space '{space?.Name ?? "personal"}' already has a data connection named '{item.Name.Trim()}'", space);
            }
            existing = byName;
        }
        if (!planned.Add((scope, nameFold)))
        {
            return Refuse(ImportRefusalKind.DuplicateInImport, $"space '{space?.Name ?? "personal"}' already has a data connection named '{item.Name.Trim()}' (from this import)", space);
        }
        return existing is null
            ? await CreateAsync(item, space, ownerId, reuseId: byId is null, dryRun, caller, ct)
            : await UpdateAsync(item, caller, space, existing.Id, dryRun, ct);
    }

    async Task<ImportResult> CreateAsync(ImportItem item, Space? space, string ownerId, bool reuseId, bool dryRun, Caller caller, CancellationToken ct)
    {
        ImportResult Refuse(string detail) => new(item, ImportOutcome.Refused, dryRun, null, space?.Id, space?.Name, [], detail, ImportRefusalKind.Registry);

        // Checked here too, so a dry run refuses what the create would.
        var invalid = ConnectionFields.CheckName(item.Name) ?? ConnectionFields.CheckStatement(item.Statement) ?? ConnectionFields.CheckTags(item.Tags)
            ?? (string.IsNullOrWhiteSpace(item.Type) ? ApiError.MissingField("qType") : null)
            ?? ConnectionFields.CheckLimits(item.Type, item.DatasourceId, null, item.Username, item.Password, item.Secret, null);
        if (invalid is not null)
        {
            return Refuse(invalid.Detail ?? invalid.Kind.Title);
        }
        if (catalog.Find(item.DatasourceId) is not null && await dataSourceSettings.IsDisabledAsync(item.DatasourceId, ct))
        {
            return Refuse($"The data source '{item.DatasourceId}' is disabled in this tenant.");
        }
        var targetId = reuseId ? item.SourceId : null;
        if (dryRun)
        {
            return new(item, ImportOutcome.Created, dryRun, targetId, space?.Id, space?.Name, [], Describe(item.Notes));
        }
        var (created, error) = await writes.CreateAsync(new NewConnection
        {
            Id = targetId,
            Name = item.Name,
            Type = item.Type,
            DatasourceId = item.DatasourceId,
            Statement = item.Statement,
            SpaceId = space?.Id,
            LogOn = item.LogOn,
            Architecture = item.Architecture,
            SeparateCredentials = item.SeparateCredentials,
            Tags = item.Tags,
            OwnerId = ownerId,
            Username = item.Username is not null || item.Password is not null ? item.Username ?? "" : null,
            Password = item.Password,
            Secret = item.Secret,
        }, caller, ct);
        if (created is null)
        {
            var kind = error!.StatusCode == StatusCodes.Status409Conflict ? ImportRefusalKind.NameTaken : ImportRefusalKind.Registry;
            var outcome = error.StatusCode >= 500 ? ImportOutcome.Failed : ImportOutcome.Refused;
            return new(item, outcome, dryRun, null, space?.Id, space?.Name, [], error.Detail ?? error.Kind.Title, kind);
        }
        return new(item, ImportOutcome.Created, dryRun, created.Connection.Id, space?.Id, space?.Name, [], Describe(item.Notes));
    }

    async Task<ImportResult> UpdateAsync(ImportItem item, Caller caller, Space? space, string id, bool dryRun, CancellationToken ct)
    {
        var (found, _) = await ConnectionLookup.ResolveAsync(db, caller, id, null, null, tracked: true, ct);
        if (found?.Stored is not { } connection)
        {
            // Named by neither id nor detail: the caller does not see it.
            return new(item, ImportOutcome.Refused, dryRun, null, space?.Id, space?.Name, [], "The target space holds a data connection of this name that the caller may not see.", ImportRefusalKind.Registry);
        }
        var change = await DiffAsync(item, connection, ct);
        var changes = change.Fields;
        if (changes.Count == 0)
        {
            return new(item, ImportOutcome.Unchanged, dryRun, id, space?.Id, space?.Name, [], Describe(item.Notes));
        }
        if (!found.May(ConnectionPrivileges.Update))
        {
            return new(item, ImportOutcome.Refused, dryRun, id, space?.Id, space?.Name, changes, $"The caller may not {ConnectionPrivileges.Update.Verb()} this connection.", ImportRefusalKind.Registry);
        }
        if (dryRun)
        {
            return new(item, ImportOutcome.Updated, dryRun, id, space?.Id, space?.Name, changes, Describe(item.Notes));
        }
        if (await writes.ApplyAsync(connection, change.Change, caller, ct) is { } refused)
        {
            return new(item, ImportOutcome.Refused, dryRun, id, space?.Id, space?.Name, changes, refused.Detail ?? refused.Kind.Title, ImportRefusalKind.Registry);
        }
        return new(item, ImportOutcome.Updated, dryRun, id, space?.Id, space?.Name, changes, Describe(item.Notes));
    }

    /// <summary>The fields the item would change, and the change that makes them so; secrets compare by value, never shown.</summary>
    async Task<(List<string> Fields, ConnectionChange Change)> DiffAsync(ImportItem item, DataConnection connection, CancellationToken ct)
    {
        var fields = new List<string>();
        var change = new ConnectionChange();
        if (item.Name.Trim() != connection.Name)
        {
            fields.Add("qName");
            change.Name = item.Name;
        }
        if (item.Type.Trim() != connection.Type)
        {
            fields.Add("qType");
            change.Type = item.Type;
        }
        if (item.DatasourceId.Trim() != connection.DatasourceId)
        {
            fields.Add("datasourceID");
            change.DatasourceId = item.DatasourceId;
        }
        if (item.Statement != connection.ConnectStatement)
        {
            fields.Add("qConnectStatement");
            change.Statement = item.Statement;
        }
        if (item.LogOn != connection.LogOn)
        {
            fields.Add("qLogOn");
            change.LogOn = item.LogOn;
        }
        if (item.Architecture != connection.Architecture)
        {
            fields.Add("qArchitecture");
            change.Architecture = item.Architecture;
        }
        if (item.SeparateCredentials != connection.SeparateCredentials)
        {
            fields.Add("qSeparateCredentials");
            change.SeparateCredentials = item.SeparateCredentials;
        }
        if (!item.Tags.Order(StringComparer.Ordinal).SequenceEqual(connection.TagList().Order(StringComparer.Ordinal)))
        {
            fields.Add("tags");
            change.Tags = item.Tags;
        }
        if (!connection.SeparateCredentials && (item.Username is not null || item.Password is not null))
        {
            var stored = connection.CredentialId is null ? null : await db.DataCredentials.AsNoTracking().FirstOrDefaultAsync(c => c.Id == connection.CredentialId, ct);
            if (item.Username is not null && item.Username != (stored?.Username ?? ""))
            {
                fields.Add("qUsername");
                change.Username = item.Username;
            }
            if (item.Password is not null && item.Password != (stored is null ? null : credentials.PasswordOf(stored)))
            {
                fields.Add("qPassword");
                change.Password = item.Password;
                change.PasswordGiven = true;
                change.Username ??= item.Username ?? stored?.Username ?? "";
            }
        }
        if (item.Secret is not null && item.Secret != writes.SecretOf(connection))
        {
            fields.Add("qConnectionSecret");
            change.Secret = item.Secret;
            change.SecretGiven = true;
        }
        return (fields, change);
    }

    static string Describe(IReadOnlyList<string> notes) => string.Join("; ", notes);

    /// <summary>The bundle's data-source settings: each applied when it differs, by those who may change them (TenantAdmin, DataAdmin).</summary>
    public async Task<List<DataSourceResult>> ImportDataSourcesAsync(IEnumerable<BundleDataSource?> sources, Caller caller, bool dryRun, CancellationToken ct)
    {
        var results = new List<DataSourceResult>();
        foreach (var source in sources)
        {
            if (source?.Id is not { Length: > 0 } id || source.Disabled is not { } disabled)
            {
                results.Add(new(source?.Id ?? "", "refused", "invalid entry: id and disabled are required"));
                continue;
            }
            if (catalog.Find(id) is not { } definition)
            {
                results.Add(new(id, "refused", $"Data source '{id}' not found"));
                continue;
            }
            if (await dataSourceSettings.IsDisabledAsync(definition.DataSourceId, ct) == disabled)
            {
                results.Add(new(definition.DataSourceId, "unchanged", disabled ? "disabled" : "enabled"));
                continue;
            }
            if (!DataSourcesEndpoints.CanManage(caller))
            {
                results.Add(new(definition.DataSourceId, "refused", "Changing data-source settings needs the TenantAdmin or DataAdmin role."));
                continue;
            }
            if (!dryRun)
            {
                await dataSourceSettings.SetDisabledAsync(caller.TenantId, definition.DataSourceId, disabled, caller.UserId, ct);
            }
            results.Add(new(definition.DataSourceId, dryRun ? "wouldUpdate" : "updated", disabled ? "disabled" : "enabled"));
        }
        return results;
    }
}

internal sealed record DataSourceResult(string Id, string Outcome, string Detail);
