using System.Security.Cryptography;
using System.Text;
using Connectory.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Connectory.DataConnections;

/// <summary>
/// A list's <c>meta.count</c>, counted once per state of the tenant's connections. Counting a large match is the
/// costliest part of a page; the tenant's connections version (bumped by a database trigger on every change, on
/// every instance) tells when a remembered count is still exact, so paging through an unchanged set counts once.
/// </summary>
internal sealed class ConnectionCounts(ConnectoryDb db, IMemoryCache cache)
{
    static readonly TimeSpan KeepFor = TimeSpan.FromMinutes(2);

    /// <param name="shape">Everything that decides which rows match: the caller's visibility and the list's filters.</param>
    public async Task<int> CountAsync(string tenantId, string shape, IQueryable<DataConnection> matches, CancellationToken ct)
    {
        // Read the version before counting: a change that lands in between bumps it, so the count is never
        // remembered under a version newer than what it saw.
        var version = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.ConnectionsVersion).FirstOrDefaultAsync(ct);
        var key = $"count:{tenantId}:{version}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(shape)))}";
        if (cache.TryGetValue(key, out int known))
        {
            return known;
        }
        var count = await matches.CountAsync(ct);
        cache.Set(key, count, KeepFor);
        return count;
    }
}
