using Connectory.Data;
using Connectory.Platform.Auth;
using Connectory.Platform.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Platform.Groups;

/// <summary>
/// Which groups a signing-in user belongs to, and what that gives them. Every sign-in (API key, JWT, QRS header)
/// makes its <see cref="Caller"/> here, so group ids and the roles groups grant reach every access rule.
/// </summary>
internal sealed class GroupMemberships(ConnectoryDb db, TimeProvider time, IOptions<AuthOptions> options, ILogger<GroupMemberships> logger)
{
    /// <summary>Group names one sign-in may carry; beyond them the claim is cut (membership is never guessed).</summary>
    public const int MaxClaimGroups = 1000;

    /// <summary>The caller the user signs in as: their own roles, their active groups and those groups' roles.</summary>
    public async Task<Caller> CallerForAsync(User user, CancellationToken ct)
    {
        var tenantId = user.TenantId;
        var userId = user.Id;
        var groups = await db.GroupMembers.IgnoreQueryFilters()
            .Where(m => m.TenantId == tenantId && m.UserId == userId)
            .Join(db.Groups.IgnoreQueryFilters().Where(g => g.TenantId == tenantId && g.Status == GroupStatus.Active), m => m.GroupId, g => g.Id,
                (m, g) => new { g.Id, g.Name, g.Roles })
            .Distinct()
            .ToListAsync(ct);
        var roles = user.RoleSet.ToHashSet(StringComparer.Ordinal);
        var adminGroups = options.Value.AdminGroups;
        foreach (var group in groups)
        {
            roles.UnionWith(TenantRoles.Parse(group.Roles));
            if (adminGroups.Contains(group.Name, StringComparer.Ordinal))
            {
                roles.Add(TenantRoles.TenantAdmin);
            }
        }
        var ids = groups.Select(g => g.Id).Distinct().Order(StringComparer.Ordinal).ToList();
        return new Caller(tenantId, userId, user.Subject, roles, ids);
    }

    /// <summary>
    /// Makes the user's identity-provider memberships those the claim names: groups the tenant lacks are created as
    /// <c>idp</c> groups when the tenant auto-creates groups, else skipped. Memberships an admin stored stay.
    /// </summary>
    public async Task SyncFromClaimAsync(User user, bool autoCreateGroups, IReadOnlyCollection<string> names, CancellationToken ct)
    {
        var tenantId = user.TenantId;
        var wanted = names.Where(GroupNames.IsAcceptable).Distinct(StringComparer.Ordinal).Take(MaxClaimGroups).ToList();
        var ids = await FindOrCreateAsync(tenantId, wanted, autoCreateGroups, ct);
        var userId = user.Id;
        var current = await db.GroupMembers.IgnoreQueryFilters()
            .Where(m => m.TenantId == tenantId && m.UserId == userId && m.Source == MembershipSource.Idp)
            .Select(m => m.GroupId).ToListAsync(ct);
        var stale = current.Except(ids).ToList();
        if (stale.Count > 0)
        {
            await db.GroupMembers.IgnoreQueryFilters()
                .Where(m => m.TenantId == tenantId && m.UserId == userId && m.Source == MembershipSource.Idp && stale.Contains(m.GroupId))
                .ExecuteDeleteAsync(ct);
        }
        var added = ids.Except(current).ToList();
        if (added.Count == 0)
        {
            return;
        }
        var now = time.UtcNow();
        db.GroupMembers.AddRange(added.Select(id => new GroupMember { TenantId = tenantId, GroupId = id, UserId = userId, Source = MembershipSource.Idp, CreatedAt = now }));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation() || e.IsForeignKeyViolation())
        {
            // A concurrent sign-in of the same user wrote them first, or a group went away meanwhile; the next sign-in settles it.
            db.ChangeTracker.Clear();
        }
    }

    async Task<HashSet<string>> FindOrCreateAsync(string tenantId, List<string> names, bool create, CancellationToken ct)
    {
        if (names.Count == 0)
        {
            return [];
        }
        var found = await db.Groups.IgnoreQueryFilters()
            .Where(g => g.TenantId == tenantId && names.Contains(g.Name))
            .Select(g => new { g.Id, g.Name }).ToListAsync(ct);
        var ids = found.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        if (!create)
        {
            return ids;
        }
        foreach (var name in names.Except(found.Select(f => f.Name), StringComparer.Ordinal))
        {
            var now = time.UtcNow();
            var group = new Group { Id = Ids.New(), TenantId = tenantId, Name = name, ProviderType = GroupProviders.Idp, CreatedAt = now, UpdatedAt = now };
            db.Groups.Add(group);
            try
            {
                await db.SaveChangesAsync(ct);
                ids.Add(group.Id);
                logger.LogInformation("Created identity-provider group {GroupId} in tenant {TenantId} on sign-in", group.Id, tenantId);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation())
            {
                // Another sign-in named it first: use its row.
                db.ChangeTracker.Clear();
                if (await db.Groups.IgnoreQueryFilters().Where(g => g.TenantId == tenantId && g.Name == name).Select(g => g.Id).FirstOrDefaultAsync(ct) is { } id)
                {
                    ids.Add(id);
                }
            }
        }
        return ids;
    }
}
