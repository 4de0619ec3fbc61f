using Connectory.Data;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Secrets;

/// <summary>
/// Runs at start, after migrations: every master key recorded as guarding secrets must be in the ring and be the same
/// key (by check value), else the service refuses to start and names the key. The current key gets recorded.
/// </summary>
internal sealed class MasterKeyCheck(ConnectoryDb db, MasterKeyRing ring, TimeProvider time, ILogger<MasterKeyCheck> logger)
{
    public async Task VerifyAsync(CancellationToken ct)
    {
        var recorded = await db.Set<MasterKeyRecord>().AsNoTracking().Where(k => k.RetiredAt == null).OrderBy(k => k.Id).ToListAsync(ct);
        var problems = new List<string>();
        foreach (var record in recorded)
        {
            if (ring.Find(record.Id) is not { } key)
            {
                problems.Add($"master key '{record.Id}' is missing from {ring.Source}");
            }
            else if (SecretProtector.KeyCheck(key) != record.Check)
            {
                problems.Add($"master key '{record.Id}' in {ring.Source} is not the key that encrypted the stored secrets");
            }
        }
        if (problems.Count > 0)
        {
            var message = $"Refusing to start: {string.Join("; ", problems)}. Stored secrets are encrypted under these keys: restore the key file (Secrets:MasterKeyFile) or Secrets__MasterKey that holds them.";
            logger.LogCritical("{Problem}", message);
            throw new InvalidOperationException(message);
        }
        await RecordAsync(ring.CurrentKeyId, ct);
    }

    /// <summary>Records <paramref name="keyId"/> as guarding secrets (again, if it had been retired).</summary>
    public async Task RecordAsync(string keyId, CancellationToken ct)
    {
        var check = SecretProtector.KeyCheck(ring.Find(keyId) ?? throw new InvalidOperationException($"The ring has no master key '{keyId}'."));
        var record = await db.Set<MasterKeyRecord>().FirstOrDefaultAsync(k => k.Id == keyId, ct);
        if (record is null)
        {
            db.Set<MasterKeyRecord>().Add(new MasterKeyRecord { Id = keyId, Check = check, CreatedAt = time.UtcNow() });
        }
        else if (record.Check != check)
        {
            throw new InvalidOperationException($"Refusing to use master key '{keyId}' from {ring.Source}: a different key with that id encrypted secrets before.");
        }
        else if (record.RetiredAt is not null)
        {
            record.RetiredAt = null;
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another instance recorded it first; the check values are equal because the keys are.
            db.ChangeTracker.Clear();
        }
    }
}
