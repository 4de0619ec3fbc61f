using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Spaces;
using Connectory.Platform.Users;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Bundles;

/// <summary>
/// How a bundle's connections land in the target tenant. Map keys compare ignoring case. <paramref name="SpaceMap"/>:
/// a source space (id or name; <c>personal</c> for personal-space connections; <c>*</c> for any other) to a target
/// space (id or name; <c>personal</c> for the owner's personal space). <paramref name="OwnerMap"/>: a source owner (id
/// or subject) to a target user (id or subject). <paramref name="NameMap"/>: a source name to a new name.
/// </summary>
internal sealed record ImportMapping(
    IReadOnlyDictionary<string, string>? SpaceMap, IReadOnlyDictionary<string, string>? OwnerMap, IReadOnlyDictionary<string, string>? NameMap);

/// <summary>
/// Turns a bundle into import items for <see cref="BundleImporter"/>: checks its form, opens its sealed secrets with
/// the recipient's private key (any value that does not open refuses the whole import, before anything changes), and
/// applies the mapping. Without the key, connections come without their secrets, each saying so.
/// </summary>
internal sealed class BundleReader(ConnectoryDb db)
{
    public const string Personal = "personal";
    public const int MaxConnections = BundleExporter.MaxConnections;

    public async Task<(List<ImportItem>? Items, ApiError? Error)> ReadAsync(Bundle? bundle, ImportMapping mapping, BundleKey? privateKey, Caller caller, CancellationToken ct)
    {
        if (bundle is null)
        {
            return (null, ApiError.MissingField("bundle"));
        }
        if (bundle.Format != Bundle.FormatName || bundle.Version != Bundle.CurrentVersion)
        {
            return (null, ApiError.InvalidField("bundle", $"is not a {Bundle.FormatName} of version {Bundle.CurrentVersion}"));
        }
        if (bundle.Connections is not { } connections)
        {
            return (null, ApiError.MissingField("bundle.connections"));
        }
        if (connections.Count > MaxConnections)
        {
            return (null, ApiError.InvalidField("bundle.connections", $"may hold at most {MaxConnections} connections"));
        }
        if (privateKey is not null && bundle.Recipient?.Fingerprint is { } fingerprint && fingerprint != privateKey.Fingerprint)
        {
            return (null, ApiError.InvalidField("privateKey", "is not the key the bundle's secrets are sealed to (its fingerprint differs from recipient.fingerprint)"));
        }

        var items = new List<ImportItem>();
        for (var i = 0; i < connections.Count; i++)
        {
            var (item, error) = await ReadOneAsync(bundle, connections[i], $"bundle.connections[{i}]", mapping, privateKey, caller, ct);
            if (error is not null)
            {
                return (null, error);
            }
            items.Add(item!);
        }
        return (items, null);
    }

    async Task<(ImportItem? Item, ApiError? Error)> ReadOneAsync(
        Bundle bundle, BundleConnection? entry, string where, ImportMapping mapping, BundleKey? privateKey, Caller caller, CancellationToken ct)
    {
        var sourceId = entry?.Id ?? "";
        var sourceName = entry?.Name ?? "";
        var notes = new List<string>();

        // Secrets first: a value that is not sealed, or does not open, refuses the import whole.
        string? Open(string? value, string field)
        {
            if (value is null)
            {
                return null;
            }
            if (!SealedValue.IsWellFormed(value))
            {
                throw new BundleRefused($"{where}: {field} is not a sealed value");
            }
            if (privateKey is null)
            {
                return null;
            }
            return SealedValue.Open(privateKey, value, BundleConnection.Binding(bundle.Id, sourceId, field))
                ?? throw new BundleRefused($"{where} ('{sourceName}'): the sealed {field} does not open with the given key: it was changed, moved from another connection or bundle, or sealed to another key");
        }
        string? username, password, secret;
        try
        {
            username = Open(entry?.Credential?.Username, BundleConnection.UsernameField);
            password = Open(entry?.Credential?.Password, BundleConnection.PasswordField);
            secret = Open(entry?.ConnectionSecret, BundleConnection.SecretField);
        }
        catch (BundleRefused refused)
        {
            return (null, ApiError.BadRequest(refused.Message));
        }
        var sealedCount = new[] { entry?.Credential?.Username, entry?.Credential?.Password, entry?.ConnectionSecret }.Count(v => v is not null);
        if (sealedCount > 0)
        {
            notes.Add(privateKey is null ? "secrets left out: they are sealed, and no private key was given" : "secrets carried");
        }
        else if (entry?.SecretsLeftOut == true)
        {
            notes.Add("secrets left out by the export");
        }

        if (entry is null || ConnectionFields.CheckUuid(entry.Id, "id", out var id) is not null || id is null
            || string.IsNullOrWhiteSpace(entry.Name) || string.IsNullOrWhiteSpace(entry.Type) || string.IsNullOrEmpty(entry.ConnectStatement))
        {
            return (Refused(sourceId, sourceName, "invalid entry: id (a UUID), name, type and connectStatement are required"), null);
        }
        var name = Lookup(mapping.NameMap, entry.Name.Trim()) ?? entry.Name;
        if (name != entry.Name)
        {
            notes.Add($"renamed from '{entry.Name}'");
        }

        // The space: as mapped, else the same id or name as the source's, else refused.
        var sourceSpaceKeys = entry.Space is null ? [Personal] : new[] { entry.Space.Id, entry.Space.Name, "*" }.OfType<string>().ToArray();
        var mapped = sourceSpaceKeys.Select(k => Lookup(mapping.SpaceMap, k)).FirstOrDefault(v => v is not null);
        string? targetSpace;
        Space? space = null;
        if (mapped is not null)
        {
            targetSpace = string.Equals(mapped, Personal, StringComparison.OrdinalIgnoreCase) ? null : mapped;
        }
        else if (entry.Space is null)
        {
            targetSpace = null;
        }
        else
        {
            var byId = entry.Space.Id is null ? null : await db.Spaces.AsNoTracking().FirstOrDefaultAsync(s => s.Id == entry.Space.Id, ct);
            targetSpace = byId?.Id ?? entry.Space.Name ?? entry.Space.Id;
            if (targetSpace is null)
            {
                return (Refused(id, name, "invalid entry: space has neither id nor name"), null);
            }
        }
        if (targetSpace is not null)
        {
            var fold = Space.Normalize(targetSpace);
            space = await db.Spaces.AsNoTracking().FirstOrDefaultAsync(s => s.Id == targetSpace || s.NormalizedName == fold, ct);
        }

        // The owner: as mapped (required), else the same user if the importer may hand connections to them, else the importer.
        string? ownerId = null;
        var ownerKeys = new[] { entry.Owner?.Id, entry.Owner?.Subject }.OfType<string>().ToArray();
        if (ownerKeys.Select(k => Lookup(mapping.OwnerMap, k)).FirstOrDefault(v => v is not null) is { } ownerRef)
        {
            var owner = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => (u.Id == ownerRef || u.Subject == ownerRef) && u.Status == UserStatus.Active, ct);
            if (owner is null)
            {
                return (Refused(id, name, $"the owner map names '{ownerRef}', which is not an active user of the tenant"), null);
            }
            ownerId = owner.Id;
        }
        else if (ownerKeys.Length > 0)
        {
            var same = await db.Users.AsNoTracking()
                .FirstOrDefaultAsync(u => (u.Id == entry.Owner!.Id || (entry.Owner.Subject != null && u.Subject == entry.Owner.Subject)) && u.Status == UserStatus.Active, ct);
            var mayHandOver = space is null ? caller.IsTenantAdmin : AccessRules.IsSpaceAdmin(caller, SpaceKinds.Of(space.Type));
            if (same is not null && (same.Id == caller.UserId || mayHandOver))
            {
                ownerId = same.Id;
            }
            else
            {
                notes.Add($"owned by the importer ({(same is null ? "the source owner is not a user of this tenant" : "the importer may not hand connections to another user here")})");
            }
        }

        return (new ImportItem
        {
            SourceId = id,
            Name = name,
            Type = entry.Type,
            DatasourceId = entry.DatasourceId ?? entry.Type.Trim(),
            Statement = entry.ConnectStatement,
            // As the mapping named it, so a refusal names it so too (never the id of a space the importer cannot see).
            TargetSpace = targetSpace,
            OwnerId = ownerId,
            LogOn = entry.LogOn ?? 0,
            Architecture = entry.Architecture ?? 0,
            SeparateCredentials = entry.SeparateCredentials == true,
            Tags = [.. (entry.Tags ?? []).OfType<string>()],
            Username = password is not null ? username ?? "" : username,
            Password = password,
            Secret = secret,
            Notes = notes,
        }, null);
    }

    static ImportItem Refused(string id, string name, string why) =>
        new() { SourceId = id, Name = name, Refusal = new ImportRefusal(ImportRefusalKind.Source, why) };

    static string? Lookup(IReadOnlyDictionary<string, string>? map, string key) =>
        map?.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    sealed class BundleRefused(string message) : Exception(message);
}
