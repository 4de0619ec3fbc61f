using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Users;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Connectory.Tests.DataConnections;

/// <summary>
/// The one visibility rule has two renderings: LINQ (QRS, counts) and SQL (the hand-written list statements). For
/// callers in every standing, both let exactly the connections through that the access rules grant list on.
/// </summary>
public sealed class VisibilityRuleTests(ConnectoryFactory factory) : IClassFixture<ConnectoryFactory>
{
    [Fact]
    public async Task TheLinqAndSqlRenderingsAgreeWithTheAccessRules()
    {
        var tenant = await factory.NewTenantAsync();
        var analytics = await tenant.NewUserAsync(TenantRoles.AnalyticsAdmin);
        var dataAdmin = await tenant.NewUserAsync(TenantRoles.DataAdmin);
        var plain = new List<TestUser>();
        for (var i = 0; i < 5; i++)
        {
            plain.Add(await tenant.NewUserAsync());
        }
        var shared = await tenant.NewSpaceAsync("shared", plain[0].Client);
        var sharedByAdmin = await tenant.NewSpaceAsync("shared");
        var managed = await tenant.NewSpaceAsync("managed");
        var data = await tenant.NewSpaceAsync("data");
        await tenant.AssignAsync(sharedByAdmin, plain[1].Id, "consumer");
        await tenant.AssignAsync(sharedByAdmin, plain[2].Id, "dataconsumer");
        await tenant.AssignAsync(sharedByAdmin, plain[3].Id, "producer");
        await tenant.AssignAsync(managed, plain[1].Id, "publisher");
        await tenant.AssignAsync(managed, plain[4].Id, "consumer");
        await tenant.AssignAsync(data, plain[2].Id, "datapreview");
        await tenant.AssignAsync(data, plain[3].Id, "consumer");
        foreach (var space in new[] { shared, sharedByAdmin, managed, data })
        {
            await tenant.Admin.NewConnectionAsync("a", space);
            await tenant.Admin.NewConnectionAsync("b", space);
        }
        await plain[3].Client.NewConnectionAsync("producers", sharedByAdmin);
        foreach (var user in plain.Take(3))
        {
            await user.Client.NewConnectionAsync("mine");
        }
        await tenant.Admin.NewConnectionAsync("admins-own");

        var callers = new List<Caller> { new(tenant.Id, tenant.AdminUserId, "admin", new HashSet<string> { TenantRoles.TenantAdmin }) };
        callers.Add(CallerOf(tenant, analytics, TenantRoles.AnalyticsAdmin));
        callers.Add(CallerOf(tenant, dataAdmin, TenantRoles.DataAdmin));
        callers.AddRange(plain.Select(u => CallerOf(tenant, u)));

        _ = factory.BaseAddress;
        var seen = new HashSet<string>();
        foreach (var caller in callers)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantScope>().TenantId = tenant.Id;
            var db = scope.ServiceProvider.GetRequiredService<ConnectoryDb>();
            var access = await ConnectionAccess.LoadAsync(db, caller, CancellationToken.None);
            var all = await db.DataConnections.AsNoTracking().ToListAsync();
            var granted = all.Where(c => access.Privileges(c).HasFlag(ConnectionPrivileges.List)).Select(c => c.Id).Order().ToList();
            var byLinq = await access.Visible(db.DataConnections.AsNoTracking()).Select(c => c.Id).ToListAsync();
            var rows = ConnectionStore.Of(tenant.Id);
            if (access.VisibleSql(rows.Parameters) is { } condition)
            {
                rows.And(condition);
            }
            var bySql = await new HotSql(db).ListAsync(ConnectionStore.Ids(rows), r => r.GetString(0), CancellationToken.None);

            Assert.Equal(granted, byLinq.Order().ToList());
            Assert.Equal(granted, bySql.Order().ToList());
            seen.Add(string.Join(',', granted));
        }
        // The callers stand differently, so the rule is tried on many different answers, not one.
        Assert.True(seen.Count >= 6, $"only {seen.Count} distinct visible sets");
    }

    static Caller CallerOf(TestTenant tenant, TestUser user, params string[] roles) =>
        new(tenant.Id, user.Id, user.Subject, roles.ToHashSet());
}
