using Connectory.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Connectory.DataConnections;

/// <summary>Each tenant's QRI key. Keys never change, so one lookup per tenant per process is enough.</summary>
internal sealed class TenantKeys(ConnectoryDb db, IMemoryCache cache)
{
    public async Task<string> QriKeyAsync(string tenantId, CancellationToken ct)
    {
        if (cache.TryGetValue("qrikey:" + tenantId, out string? key) && key is not null)
        {
            return key;
        }
        key = await db.Tenants.AsNoTracking().Where(t => t.Id == tenantId).Select(t => t.QriKey).FirstOrDefaultAsync(ct) ?? "";
        cache.Set("qrikey:" + tenantId, key, TimeSpan.FromHours(1));
        return key;
    }
}
