using System.Text;
using System.Text.Json.Nodes;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.DataCredentials;
using Connectory.DataSources;
using Connectory.Platform.ApiKeys;
using Connectory.Platform.Auth;
using Connectory.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Connectory.Platform.Audit;

/// <summary>
/// Records every change to connections, credentials, data-source settings and API keys in the audit trail, in the
/// same save (so a change and its record commit together or not at all): who (the request's caller; none for an
/// admin command), when, from where, what, and the fields before and after. Secret fields (a connection's statement
/// and secret, a credential's password, a key's token hash) are recorded as a keyed hash (HMAC-SHA256 under a key
/// derived from the current master key and the tenant), so a change shows but the value does not.
/// </summary>
internal sealed class ChangeAudit(IHttpContextAccessor http, SecretProtector protector, TimeProvider time)
{
    const int MaxValue = 256;
    public const string AppliedOutcome = "applied";

    /// <summary>One audited kind of row: its name, its id, the fields shown as they are, and the secret ones.</summary>
    sealed record Kind(string Name, Func<object, string> Id, string[] Plain, (string Property, string? SealedField)[] Secrets);

    static readonly Dictionary<Type, Kind> Kinds = new()
    {
        [typeof(DataConnection)] = new("data-connection", e => ((DataConnection)e).Id,
            [nameof(DataConnection.Name), nameof(DataConnection.SpaceId), nameof(DataConnection.SpaceType), nameof(DataConnection.OwnerId),
             nameof(DataConnection.Type), nameof(DataConnection.DatasourceId), nameof(DataConnection.LogOn), nameof(DataConnection.Architecture),
             nameof(DataConnection.SeparateCredentials), nameof(DataConnection.CredentialId), nameof(DataConnection.Tags), nameof(DataConnection.AppOwner)],
            // A statement may carry a password typed into it: it is hashed like the secrets.
            [(nameof(DataConnection.ConnectStatement), null), (nameof(DataConnection.ConnectionSecret), ConnectionWrites.SecretField)]),
        [typeof(DataCredential)] = new("data-credential", e => ((DataCredential)e).Id,
            [nameof(DataCredential.Name), nameof(DataCredential.OwnerId), nameof(DataCredential.Type), nameof(DataCredential.DatasourceId),
             nameof(DataCredential.Username), nameof(DataCredential.Separated), nameof(DataCredential.ConnectionId)],
            [(nameof(DataCredential.Password), CredentialStore.PasswordField)]),
        [typeof(DataSourceSetting)] = new("data-source-setting", e => ((DataSourceSetting)e).DataSourceId, [nameof(DataSourceSetting.Disabled)], []),
        [typeof(ApiKey)] = new("api-key", e => ((ApiKey)e).Id,
            [nameof(ApiKey.UserId), nameof(ApiKey.Description), nameof(ApiKey.ExpiresAt), nameof(ApiKey.RevokedAt)],
            [(nameof(ApiKey.TokenHash), null)]),
    };

    /// <summary>Adds an audit event for each audited row the context is about to insert, change or delete.</summary>
    public void Collect(ConnectoryDb db)
    {
        var events = new List<AuditEvent>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && Kinds.TryGetValue(entry.Entity.GetType(), out var kind)
                && Describe(entry, kind) is { } recorded)
            {
                events.Add(recorded);
            }
        }
        db.AuditEvents.AddRange(events);
    }

    /// <summary>The audit event of a row inserted or deleted by hand (not through the change tracker), to write with it.</summary>
    public AuditEvent Written(ConnectoryDb db, object row, bool deleted = false) =>
        Describe(db.Entry(row), Kinds[row.GetType()], deleted ? EntityState.Deleted : EntityState.Added)!;

    /// <summary>One event for <paramref name="entry"/>; <paramref name="written"/> says what happened to a row the context does not track.</summary>
    AuditEvent? Describe(EntityEntry entry, Kind kind, EntityState? written = null)
    {
        var state = written ?? entry.State;
        // An untracked row has no original values of its own: what it holds is what was deleted.
        object? Before(PropertyEntry property) => written is null ? property.OriginalValue : property.CurrentValue;
        var before = new JsonObject();
        var after = new JsonObject();
        var tenantId = (string)entry.Property("TenantId").CurrentValue!;
        var id = kind.Id(entry.Entity);
        foreach (var name in kind.Plain)
        {
            var property = entry.Property(name);
            if (state == EntityState.Modified && Equals(property.OriginalValue, property.CurrentValue))
            {
                continue;
            }
            if (state != EntityState.Added)
            {
                before[name] = Value(Before(property));
            }
            if (state != EntityState.Deleted)
            {
                after[name] = Value(property.CurrentValue);
            }
        }
        foreach (var (name, sealedField) in kind.Secrets)
        {
            var property = entry.Property(name);
            var old = state == EntityState.Added ? null : Fingerprint(tenantId, id, sealedField, Before(property) as string);
            var now = state == EntityState.Deleted ? null : Fingerprint(tenantId, id, sealedField, property.CurrentValue as string);
            if (state == EntityState.Modified && old == now)
            {
                continue;
            }
            if (state != EntityState.Added)
            {
                before[name] = old;
            }
            if (state != EntityState.Deleted)
            {
                after[name] = now;
            }
        }
        if (state == EntityState.Modified && before.Count == 0 && after.Count == 0)
        {
            return null;
        }
        var context = http.HttpContext;
        var caller = context?.Features.Get<Caller>();
        var origin = context is null ? null : RequestOrigin.Of(context);
        var detail = new JsonObject();
        if (state != EntityState.Added)
        {
            detail["before"] = before;
        }
        if (state != EntityState.Deleted)
        {
            detail["after"] = after;
        }
        return new AuditEvent
        {
            Id = Guid.CreateVersion7().ToString(),
            TenantId = tenantId,
            OccurredAt = time.UtcNow(),
            ActorUserId = caller?.UserId,
            ActorSubject = caller?.Subject ?? (context is null ? "connectory (admin command)" : null),
            Action = kind.Name + "." + Verb(entry, state, context),
            TargetKind = kind.Name,
            TargetId = id,
            Outcome = AppliedOutcome,
            Status = state == EntityState.Added ? StatusCodes.Status201Created : StatusCodes.Status204NoContent,
            SourceAddress = origin?.Address,
            UserAgent = origin?.UserAgent,
            Detail = AuditLog.Limit(detail.ToJsonString(Errors.ErrorJson.Options)),
        };
    }

    static string Verb(EntityEntry entry, EntityState state, HttpContext? context)
    {
        if (state == EntityState.Added)
        {
            return context?.Request.Path.Value?.EndsWith("/actions/duplicate", StringComparison.Ordinal) == true ? "duplicate" : "create";
        }
        if (state == EntityState.Deleted)
        {
            return "delete";
        }
        bool Changed(string name) => entry.Metadata.FindProperty(name) is not null && entry.Property(name) is { } p && !Equals(p.OriginalValue, p.CurrentValue);
        return entry.Entity switch
        {
            DataConnection when Changed(nameof(DataConnection.OwnerId)) => "change-owner",
            DataConnection when Changed(nameof(DataConnection.SpaceId)) => "move",
            ApiKey when Changed(nameof(ApiKey.RevokedAt)) => "revoke",
            _ => "update",
        };
    }

    static JsonNode? Value(object? value) => value switch
    {
        null => null,
        string text => text.Length > MaxValue ? text[..MaxValue] + "…" : text,
        bool flag => flag,
        int number => number,
        long number => number,
        DateTime at => at.ToRfc3339(),
        _ => value.ToString(),
    };

    /// <summary>
    /// A keyed hash of a secret's plaintext (a sealed value is opened first, so re-encryption by a key rotation does
    /// not read as a change); null when there is none.
    /// </summary>
    string? Fingerprint(string tenantId, string id, string? sealedField, string? stored)
    {
        if (stored is null)
        {
            return null;
        }
        var plaintext = sealedField is null ? stored : protector.TryUnprotect(stored, new SecretContext(tenantId, id, sealedField));
        if (plaintext is null)
        {
            return "undecryptable";
        }
        var mac = protector.Mac("audit-fingerprint|" + tenantId, Encoding.UTF8.GetBytes(plaintext));
        return "hmac-sha256:" + Convert.ToHexStringLower(mac.AsSpan(0, 16));
    }
}
