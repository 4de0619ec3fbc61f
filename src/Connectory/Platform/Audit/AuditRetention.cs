using System.ComponentModel.DataAnnotations;
using Connectory.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Platform.Audit;

/// <summary>The <c>Audit</c> section.</summary>
internal sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>
    /// Days an audit event is kept; older ones are pruned in the background. Unset: kept for ever. At least 1: the
    /// database itself refuses to delete an event younger than a day.
    /// </summary>
    [Range(1, 36500)]
    public int? RetentionDays { get; set; }
}

/// <summary>
/// Prunes audit events older than <see cref="AuditOptions.RetentionDays"/>, shortly after start and then hourly. The
/// trail stays append-only otherwise: the database refuses any update, and any delete of an event younger than a day.
/// </summary>
internal sealed class AuditRetention(IServiceScopeFactory scopes, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditRetention> logger) : BackgroundService
{
    static readonly TimeSpan Every = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RetentionDays is not { } days)
        {
            return;
        }
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(30), time, stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var pruned = await PruneAsync(scope.ServiceProvider.GetRequiredService<ConnectoryDb>(), time.UtcNow().AddDays(-days), stoppingToken);
                    if (pruned > 0)
                    {
                        logger.LogInformation("Pruned {Count} audit event(s) older than {Days} day(s)", pruned, days);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning("Pruning the audit trail failed ({Reason}); retrying in an hour", e.GetType().Name);
                }
                await Task.Delay(Every, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Deletes every tenant's events that occurred before <paramref name="before"/>, a tenant at a time.</summary>
    public static async Task<int> PruneAsync(ConnectoryDb db, DateTime before, CancellationToken ct)
    {
        var tenants = await db.Tenants.AsNoTracking().Select(t => t.Id).ToListAsync(ct);
        var pruned = 0;
        foreach (var tenant in tenants)
        {
            pruned += await db.AuditEvents.IgnoreQueryFilters().Where(a => a.TenantId == tenant && a.OccurredAt < before).ExecuteDeleteAsync(ct);
        }
        return pruned;
    }
}
