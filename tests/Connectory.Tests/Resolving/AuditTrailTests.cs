using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.Resolving;

/// <summary>The audit trail is append-only in the database itself, and each tenant reads only its own.</summary>
public sealed class AuditTrailTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    [Fact]
    public async Task TheDatabaseRefusesToChangeOrDeleteAuditEvents()
    {
        var tenant = await factory.NewTenantAsync();
        await ApiAssert.ErrorAsync(await tenant.Admin.ResolveAsync(new { connectionId = Guid.NewGuid().ToString() }), System.Net.HttpStatusCode.Forbidden);
        // Making the tenant recorded its first API key; the resolve call is the one event of its kind.
        var id = Assert.Single(await factory.AuditAsync(tenant.Id), a => a.Action == "connection.resolve").Id;

        foreach (var statement in new[]
        {
            $"UPDATE audit_events SET \"Outcome\" = 'granted' WHERE \"Id\" = '{id}'",
            $"DELETE FROM audit_events WHERE \"Id\" = '{id}'",
        })
        {
            await Assert.ThrowsAnyAsync<Exception>(() => factory.WithDbAsync(db => db.Database.ExecuteSqlRawAsync(statement)));
        }
        var kept = Assert.Single(await factory.AuditAsync(tenant.Id), a => a.Action == "connection.resolve");
        Assert.Equal(("refused", 403), (kept.Outcome, kept.Status));
    }

    [Fact]
    public async Task ATenantsQueriesSeeOnlyItsOwnEvents()
    {
        var first = await factory.NewTenantAsync();
        var second = await factory.NewTenantAsync();
        await first.Admin.ResolveAsync(new { connectionId = Guid.NewGuid().ToString() });
        await second.Admin.ResolveAsync(new { connectionId = Guid.NewGuid().ToString() });

        var seen = await factory.WithDbAsync(db =>
        {
            db.TenantScope.TenantId = first.Id;
            return db.AuditEvents.Select(a => a.TenantId).Distinct().ToListAsync();
        });

        Assert.Equal([first.Id], seen);
    }
}
