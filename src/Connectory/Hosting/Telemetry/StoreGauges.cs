using System.Diagnostics.Metrics;
using Connectory.Data;
using Connectory.Secrets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Hosting.Telemetry;

/// <summary>
/// Gauges read from the store: connections and credentials per tenant (by tenant id) and how many secrets each master
/// key guards (a rotation's progress). One grouped count serves every tenant, and it is read again at most every
/// <see cref="MetricsOptions.GaugeRefreshSeconds"/>, however often the gauges are scraped. A store that does not answer
/// keeps the last figures rather than failing the scrape.
/// </summary>
internal sealed class StoreGauges
{
    readonly IServiceScopeFactory scopes;
    readonly TimeProvider time;
    readonly TimeSpan refreshEvery;
    readonly ILogger<StoreGauges> logger;
    readonly Lock gate = new();
    Snapshot current = Snapshot.Empty;
    DateTimeOffset? readAt;

    sealed record Snapshot(IReadOnlyList<(string TenantId, int Count)> Connections, IReadOnlyList<(string TenantId, int Count)> Credentials, IReadOnlyList<KeyUsage> Keys)
    {
        public static readonly Snapshot Empty = new([], [], []);
    }

    public StoreGauges(ConnectoryMetrics metrics, IServiceScopeFactory scopes, TimeProvider time, IOptions<MetricsOptions> options, ILogger<StoreGauges> logger)
    {
        this.scopes = scopes;
        this.time = time;
        this.logger = logger;
        refreshEvery = TimeSpan.FromSeconds(Math.Max(1, options.Value.GaugeRefreshSeconds));
        metrics.Meter.CreateObservableGauge("connectory.connections", () => PerTenant(Read().Connections), "{connection}", "Data connections per tenant id.");
        metrics.Meter.CreateObservableGauge("connectory.credentials", () => PerTenant(Read().Credentials), "{credential}", "Data credentials per tenant id.");
        metrics.Meter.CreateObservableGauge("connectory.master_key.secrets", () => Read().Keys.Select(k =>
            new Measurement<int>(k.Total, new KeyValuePair<string, object?>("key", k.KeyId), new KeyValuePair<string, object?>("current", k.Current))),
            "{secret}", "Stored secrets per master key; secrets under a key that is not current are what a rotation has left to do.");
    }

    static IEnumerable<Measurement<int>> PerTenant(IReadOnlyList<(string TenantId, int Count)> counts) =>
        counts.Select(c => new Measurement<int>(c.Count, new KeyValuePair<string, object?>("tenant_id", c.TenantId)));

    Snapshot Read()
    {
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (readAt is { } at && now - at < refreshEvery)
            {
                return current;
            }
            // Set first: a failing store is asked again after the interval too, not on every instrument of one scrape.
            readAt = now;
            try
            {
                // Gauges are read on a collection thread that offers no async callback.
                current = ReadAsync().GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning("The store gauges were not refreshed ({Reason}); the last figures stand", e.GetType().Name);
            }
            return current;
        }
    }

    async Task<Snapshot> ReadAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
        var connections = await db.DataConnections.IgnoreQueryFilters().AsNoTracking()
            .GroupBy(c => c.TenantId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(timeout.Token);
        var credentials = await db.DataCredentials.IgnoreQueryFilters().AsNoTracking()
            .GroupBy(c => c.TenantId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(timeout.Token);
        var keys = await scope.ServiceProvider.GetRequiredService<KeyRotation>().StatusAsync(timeout.Token);
        return new Snapshot(
            connections.Select(c => (c.Key, c.Count)).ToList(),
            credentials.Select(c => (c.Key, c.Count)).ToList(),
            keys.Keys);
    }
}
