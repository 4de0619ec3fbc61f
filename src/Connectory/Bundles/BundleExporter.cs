using Connectory.Data;
using Connectory.DataConnections;
using Connectory.DataCredentials;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Bundles;

/// <summary>What to export: every member narrows the selection (all of them together: their intersection).</summary>
internal sealed record ExportSelection(string? SpaceId, string? Filter, IReadOnlyList<string?>? Ids, string? RecipientPublicKey);

/// <summary>
/// Writes a bundle of the connections the caller may read. Secrets go only sealed to the recipient's public key, and
/// only of connections the caller may update (those who may read a connection's secret through the API); the others
/// are marked <c>secretsLeftOut</c>. Each user's own separated credentials never go.
/// </summary>
internal sealed class BundleExporter(ConnectoryDb db, HotSql reads, ConnectionWrites writes, CredentialStore credentials, TimeProvider time)
{
    public const int MaxConnections = 1000;
    public const int MaxIds = 1000;

    public async Task<(Bundle? Bundle, ApiError? Error)> ExportAsync(ExportSelection selection, Caller caller, CancellationToken ct)
    {
        BundleKey? recipient = null;
        if (!string.IsNullOrWhiteSpace(selection.RecipientPublicKey))
        {
            (recipient, var keyError) = BundleKey.ReadPublic(selection.RecipientPublicKey);
            if (recipient is null)
            {
                return (null, ApiError.InvalidField("recipientPublicKey", keyError!));
            }
        }
        using var _ = recipient;
        if (selection.Ids is { } ids && (ids.Count > MaxIds || ids.Any(i => string.IsNullOrEmpty(i))))
        {
            return (null, ApiError.InvalidField("ids", ids.Count > MaxIds ? $"may hold at most {MaxIds} ids" : "must hold connection ids, not null or empty"));
        }

        var access = await ConnectionAccess.LoadAsync(db, caller, ct);
        var query = access.Visible(db.DataConnections.AsNoTracking().Where(c => c.TenantId == caller.TenantId));
        if (!string.IsNullOrEmpty(selection.SpaceId))
        {
            var space = access.Space(selection.SpaceId);
            if (space is null || !AccessRules.CanSeeSpace(caller, access.StandingIn(space.Id, space.Type, "")))
            {
                return (null, ApiError.NotFound($"Space '{selection.SpaceId}'"));
            }
            query = query.Where(c => c.SpaceId == space.Id);
        }
        if (!string.IsNullOrEmpty(selection.Filter))
        {
            var conditions = ConnectionStore.Of(caller.TenantId);
            if (ConnectionFilter.TryBuild(selection.Filter, conditions.Parameters, out var condition) is { } badFilter)
            {
                return (null, badFilter);
            }
            var matching = await reads.ListAsync(ConnectionStore.Ids(conditions.And(condition!)), r => r.GetString(0), ct);
            query = query.Where(c => matching.Contains(c.Id));
        }
        if (selection.Ids is { Count: > 0 } wanted)
        {
            var idList = wanted.OfType<string>().Distinct().ToList();
            query = query.Where(c => idList.Contains(c.Id));
        }
        var connections = await query.OrderBy(c => c.Scope).ThenBy(c => c.NameFold).Take(MaxConnections + 1).ToListAsync(ct);
        if (connections.Count > MaxConnections)
        {
            return (null, ApiError.BadRequest($"The selection holds more than {MaxConnections} data connections; narrow it with spaceId, filter or ids."));
        }
        if (selection.Ids is { Count: > 0 } named && named.OfType<string>().FirstOrDefault(i => connections.All(c => c.Id != i)) is { } missing)
        {
            // Not there, or not the caller's to read: the same answer as GET.
            return (null, ApiError.NotFound($"Data connection '{missing}'"));
        }

        var spaceIds = connections.Select(c => c.SpaceId).OfType<string>().Distinct().ToList();
        var spaces = await db.Spaces.AsNoTracking().Where(s => s.TenantId == caller.TenantId && spaceIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct);
        var ownerIds = connections.Select(c => c.OwnerId).Distinct().ToList();
        var owners = await db.Users.AsNoTracking().Where(u => u.TenantId == caller.TenantId && ownerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Subject, ct);
        var credentialIds = connections.Select(c => c.CredentialId).OfType<string>().Distinct().ToList();
        var storedCredentials = await db.DataCredentials.AsNoTracking().Where(c => c.TenantId == caller.TenantId && credentialIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var settings = await db.DataSourceSettings.AsNoTracking().Where(s => s.TenantId == caller.TenantId).OrderBy(s => s.DataSourceId).ToListAsync(ct);

        var bundleId = Guid.NewGuid().ToString();
        var entries = new List<BundleConnection?>();
        foreach (var c in connections)
        {
            var credential = c.CredentialId is null ? null : storedCredentials.GetValueOrDefault(c.CredentialId);
            var holdsSecrets = credential is not null || c.ConnectionSecret is not null;
            var carries = holdsSecrets && recipient is not null && access.Privileges(c).HasFlag(ConnectionPrivileges.Update);
            string? Sealed(string? value, string field) => value is null ? null : SealedValue.Seal(recipient!, value, BundleConnection.Binding(bundleId, c.Id, field));
            var space = c.SpaceId is null ? null : spaces.GetValueOrDefault(c.SpaceId);
            entries.Add(new BundleConnection
            {
                Id = c.Id,
                Name = c.Name,
                Type = c.Type,
                DatasourceId = c.DatasourceId,
                ConnectStatement = c.ConnectStatement,
                Space = space is null ? null : new BundleSpace(space.Id, space.Name, space.Type),
                Owner = new BundleOwner(c.OwnerId, owners.GetValueOrDefault(c.OwnerId)),
                LogOn = c.LogOn,
                Architecture = c.Architecture,
                SeparateCredentials = c.SeparateCredentials,
                Tags = [.. c.TagList()],
                Credential = carries && credential is not null
                    ? new BundleCredential(Sealed(credential.Username, BundleConnection.UsernameField), Sealed(credentials.PasswordOf(credential), BundleConnection.PasswordField))
                    : null,
                ConnectionSecret = carries ? Sealed(writes.SecretOf(c), BundleConnection.SecretField) : null,
                SecretsLeftOut = holdsSecrets && !carries,
            });
        }
        return (new Bundle
        {
            Format = Bundle.FormatName,
            Version = Bundle.CurrentVersion,
            Id = bundleId,
            ExportedAt = time.UtcNow().ToRfc3339(),
            SourceTenant = caller.TenantId,
            Recipient = recipient is null || !entries.Any(e => e!.Credential is not null || e.ConnectionSecret is not null)
                ? null
                : new BundleRecipient(recipient.Algorithm, recipient.Fingerprint),
            DataSources = [.. settings.Select(s => new BundleDataSource(s.DataSourceId, s.Disabled))],
            Connections = entries,
        }, null);
    }
}
