using System.Security.Cryptography;
using System.Text;
using Connectory.Data;
using Microsoft.Extensions.Caching.Memory;

namespace Connectory.DataConnections;

/// <summary>
/// A list's <c>meta.count</c>, counted once per state of the tenant's connections. Counting a large match is the
/// costliest part of a page; the tenant's connections version (bumped by a database trigger on every change, on
/// every instance) tells when a remembered count is still exact, so paging through an unchanged set counts once.
/// </summary>
internal sealed class ConnectionCounts(HotSql reads, IMemoryCache cache)
{
    static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(2);

    /// <param name="shape">Everything that decides which rows match: the caller's visibility and the list's filters.</param>
    public async Task<int> CountAsync(string tenantId, string shape, SqlText matches, CancellationToken ct)
    {
        // Read the version before counting: a change that lands in between bumps it, so the count is never
        // remembered under a version newer than what it saw.
        var versionSql = new SqlText();
        versionSql.Append($"SELECT \"ConnectionsVersion\" FROM tenants WHERE \"Id\" = {versionSql.Param(tenantId)}");
        var version = await reads.FirstOrDefaultAsync(versionSql, r => r.GetInt64(0), ct);
        var key = $"count:{tenantId}:{version}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(shape)))}";
        if (cache.TryGetValue(key, out int known))
        {
            return known;
        }
        var count = await reads.FirstOrDefaultAsync(matches, r => Convert.ToInt32(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), ct);
        cache.Set(key, count, KeepFor);
        return count;
    }
}
