using Connectory.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Secrets;

/// <summary>How many stored secrets one master key guards, per column.</summary>
internal sealed record KeyUsage(string KeyId, bool InRing, bool Current, DateTime? RecordedAt, DateTime? RetiredAt, IReadOnlyDictionary<string, int> Secrets)
{
    public int Total => Secrets.Values.Sum();
}

internal sealed record KeyStatus(string Source, string CurrentKeyId, IReadOnlyList<KeyUsage> Keys, int UnderUnknownKeys);

internal sealed record RotationResult(string CurrentKeyId, int Rewrapped, int Undecryptable, int Passes, IReadOnlyList<string> Retired, IReadOnlyList<string> UndecryptableIds);

/// <summary>
/// Moves every stored secret to the current master key, online: batches of rows, each row replaced only if it still
/// holds the value read (a concurrent write wins and is looked at again in the next pass). Interrupting loses nothing;
/// running again continues with what is left. Keys no secret uses any more are marked retired.
/// </summary>
internal sealed class KeyRotation(IServiceScopeFactory scopes, MasterKeyRing ring, SecretProtector protector, IOptions<SecretsOptions> options, TimeProvider time, Hosting.Telemetry.ConnectoryMetrics? metrics = null)
{
    const int MaxPasses = 20;

    /// <summary>Adds a key to the key file and waits until every instance (re-reading every ReloadSeconds) has taken it.</summary>
    public async Task<string> AddKeyAsync(TextWriter progress, CancellationToken ct)
    {
        // The key being replaced is recorded first, so that rotation can retire it once nothing uses it.
        await RecordAsync(ring.CurrentKeyId, ct);
        var keyId = await ring.AddKeyAsync(ct);
        await RecordAsync(keyId, ct);
        progress.WriteLine($"Added master key {keyId} to {ring.Source}; it is now the current key.");
        var settle = ring.ReloadInterval * 2;
        if (settle > TimeSpan.Zero)
        {
            progress.WriteLine($"Waiting {settle.TotalSeconds:0}s so every instance re-reads the key file (Secrets:ReloadSeconds={ring.ReloadInterval.TotalSeconds:0}).");
            await Task.Delay(settle, time, ct);
        }
        return keyId;
    }

    public async Task<RotationResult> RewrapAllAsync(TextWriter progress, CancellationToken ct)
    {
        // Nothing is sealed under a key before the key is on disk: else a power loss could keep the secrets and lose the key.
        ring.MakeDurable();
        var current = ring.CurrentKeyId;
        await RecordAsync(current, ct);
        var prefix = SecretProtector.PrefixOf(current);
        var batchSize = Math.Max(1, options.Value.RotationBatchSize);
        var rewrapped = 0;
        var undecryptable = new HashSet<string>(StringComparer.Ordinal);
        var rewrappedPerTenant = new Dictionary<string, int>(StringComparer.Ordinal);
        var passes = 0;
        while (passes < MaxPasses)
        {
            passes++;
            var changedThisPass = 0;
            foreach (var column in StoredSecrets.Columns)
            {
                var left = await WithDbAsync(db => column.CountAsync(db, null, ct)) - await WithDbAsync(db => column.CountAsync(db, prefix, ct));
                var done = 0;
                SecretRow? after = null;
                while (true)
                {
                    var batch = await WithDbAsync(db => column.BatchAsync(db, after, prefix, batchSize, ct));
                    if (batch.Count == 0)
                    {
                        break;
                    }
                    after = batch[^1];
                    var moved = await WithDbAsync(async db =>
                    {
                        var count = 0;
                        await using var transaction = column.OneRowPerTransaction ? null : await db.Database.BeginTransactionAsync(ct);
                        foreach (var row in batch)
                        {
                            if (protector.Rewrap(row.Value, column.Context(row)) is not { } value)
                            {
                                undecryptable.Add($"{column.Name}:{row.Id}");
                                continue;
                            }
                            var replaced = await column.ReplaceAsync(db, row, value, ct);
                            count += replaced;
                            rewrappedPerTenant[row.TenantId] = rewrappedPerTenant.GetValueOrDefault(row.TenantId) + replaced;
                        }
                        if (transaction is not null)
                        {
                            await transaction.CommitAsync(ct);
                        }
                        return count;
                    });
                    rewrapped += moved;
                    metrics?.Rewrapped(moved);
                    changedThisPass += moved;
                    done += batch.Count;
                    progress.WriteLine($"pass {passes}: {column.Name}: {done}/{left} looked at, {moved} re-wrapped under {current}");
                }
            }
            if (changedThisPass == 0)
            {
                break;
            }
        }
        await RecordRotationAsync(current, rewrappedPerTenant, ct);
        var status = await StatusAsync(ct);
        var retired = new List<string>();
        await WithDbAsync(async db =>
        {
            foreach (var usage in status.Keys.Where(k => !k.Current && k.Total == 0 && k.RecordedAt is not null && k.RetiredAt is null))
            {
                await db.Set<MasterKeyRecord>().Where(k => k.Id == usage.KeyId).ExecuteUpdateAsync(s => s.SetProperty(k => k.RetiredAt, time.UtcNow()), ct);
                retired.Add(usage.KeyId);
            }
            return 0;
        });
        return new RotationResult(current, rewrapped, undecryptable.Count, passes, retired, undecryptable.Order(StringComparer.Ordinal).ToList());
    }

    public async Task<KeyStatus> StatusAsync(CancellationToken ct)
    {
        var recorded = await WithDbAsync(db => db.Set<MasterKeyRecord>().AsNoTracking().ToListAsync(ct));
        var current = ring.CurrentKeyId;
        var ids = ring.KeyIds.Union(recorded.Select(r => r.Id)).Order(StringComparer.Ordinal).ToList();
        var usages = new List<KeyUsage>();
        var totals = new Dictionary<string, int>();
        foreach (var column in StoredSecrets.Columns)
        {
            totals[column.Name] = await WithDbAsync(db => column.CountAsync(db, null, ct));
        }
        foreach (var id in ids)
        {
            var secrets = new Dictionary<string, int>();
            foreach (var column in StoredSecrets.Columns)
            {
                secrets[column.Name] = await WithDbAsync(db => column.CountAsync(db, SecretProtector.PrefixOf(id), ct));
            }
            var record = recorded.FirstOrDefault(r => r.Id == id);
            usages.Add(new KeyUsage(id, ring.KeyIds.Contains(id), id == current, record?.CreatedAt, record?.RetiredAt, secrets));
        }
        return new KeyStatus(ring.Source, current, usages, totals.Values.Sum() - usages.Sum(u => u.Total));
    }

    async Task<T> WithDbAsync<T>(Func<ConnectoryDb, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<ConnectoryDb>());
    }

    /// <summary>Each tenant whose secrets were re-wrapped gets an event in its audit trail: the key and how many (never a value).</summary>
    Task<int> RecordRotationAsync(string keyId, Dictionary<string, int> rewrappedPerTenant, CancellationToken ct) => WithDbAsync(db =>
    {
        foreach (var (tenantId, count) in rewrappedPerTenant.Where(t => t.Value > 0))
        {
            db.AuditEvents.Add(new Platform.Audit.AuditEvent
            {
                Id = Guid.CreateVersion7().ToString(),
                TenantId = tenantId,
                OccurredAt = time.UtcNow(),
                ActorSubject = "connectory (admin command)",
                Action = "master-key.rotate",
                TargetKind = "master-key",
                TargetId = keyId,
                Outcome = Platform.Audit.ChangeAudit.AppliedOutcome,
                Status = StatusCodes.Status200OK,
                Detail = new System.Text.Json.Nodes.JsonObject { ["rewrapped"] = count }.ToJsonString(),
            });
        }
        return db.SaveChangesAsync(ct);
    });

    async Task RecordAsync(string keyId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<MasterKeyCheck>().RecordAsync(keyId, ct);
    }
}
