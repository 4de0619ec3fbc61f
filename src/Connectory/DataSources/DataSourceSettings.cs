using Connectory.Data;
using Microsoft.EntityFrameworkCore;

namespace Connectory.DataSources;

/// <summary>A tenant's settings for one data source. No row means the defaults (enabled).</summary>
internal sealed class DataSourceSetting
{
    public required string TenantId { get; init; }
    public required string DataSourceId { get; init; }
    public bool Disabled { get; set; }
    public DateTime UpdatedAt { get; set; }
    public required string UpdatedBy { get; set; }
}

internal sealed class DataSourceSettings(ConnectoryDb db, HotSql reads, TimeProvider time)
{
    public async Task<bool> IsDisabledAsync(string dataSourceId, CancellationToken ct)
    {
        var sql = new SqlText();
        sql.Append($"SELECT 1 FROM data_source_settings WHERE \"TenantId\" = {sql.Param(db.CurrentTenantId)} " +
                   $"AND \"DataSourceId\" = {sql.Param(dataSourceId.ToLowerInvariant())} AND \"Disabled\" = {sql.Param(true)}");
        return await reads.FirstOrDefaultAsync(sql, _ => true, ct);
    }

    /// <summary>The tenant's disabled data sources. Every list page asks, so it is a hand-written read.</summary>
    public async Task<HashSet<string>> DisabledAsync(CancellationToken ct)
    {
        var sql = new SqlText();
        sql.Append($"SELECT \"DataSourceId\" FROM data_source_settings WHERE \"TenantId\" = {sql.Param(db.CurrentTenantId)} AND \"Disabled\" = {sql.Param(true)}");
        return (await reads.ListAsync(sql, r => r.GetString(0), ct)).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Stores the setting; two admins racing on the first write both win (the later value stays).</summary>
    public async Task SetDisabledAsync(string tenantId, string dataSourceId, bool disabled, string userId, CancellationToken ct)
    {
        var key = dataSourceId.ToLowerInvariant();
        for (var attempt = 0; ; attempt++)
        {
            var row = await db.DataSourceSettings.FirstOrDefaultAsync(s => s.DataSourceId == key, ct);
            if (row is null)
            {
                row = new DataSourceSetting { TenantId = tenantId, DataSourceId = key, UpdatedBy = userId };
                db.DataSourceSettings.Add(row);
            }
            row.Disabled = disabled;
            row.UpdatedBy = userId;
            row.UpdatedAt = time.UtcNow();
            try
            {
                await db.SaveChangesAsync(ct);
                return;
            }
            catch (DbUpdateException e) when (attempt == 0 && e.IsUniqueViolation())
            {
                db.Entry(row).State = EntityState.Detached;
            }
        }
    }
}
