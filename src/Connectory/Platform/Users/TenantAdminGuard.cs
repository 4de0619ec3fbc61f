using Connectory.Data;
using Connectory.Errors;
using Connectory.Platform.Groups;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Connectory.Platform.Users;

/// <summary>
/// The tenant keeps at least one active TenantAdmin, whether the role is a user's own, a group's role, or comes from a
/// group named in <c>Auth:AdminGroups</c>. A change to users, groups or memberships runs inside a guard: the tenant is
/// locked, the change is written, and it is undone if it took the last admin away. Memberships an identity provider's
/// groups claim replaces at sign-in are the provider's to decide and are not guarded.
/// </summary>
internal sealed class TenantAdminGuard : IAsyncDisposable
{
    readonly ConnectoryDb db;
    readonly IDbContextTransaction transaction;
    readonly IReadOnlyCollection<string> adminGroups;
    readonly bool hadAdmin;

    TenantAdminGuard(ConnectoryDb db, IDbContextTransaction transaction, IReadOnlyCollection<string> adminGroups, bool hadAdmin)
    {
        this.db = db;
        this.transaction = transaction;
        this.adminGroups = adminGroups;
        this.hadAdmin = hadAdmin;
    }

    /// <summary>
    /// Locks the tenant's users and groups against another admin's concurrent change (a no-op update takes the tenant
    /// row's lock, the write lock on SQLite) and notes whether the tenant has an admin before the change.
    /// </summary>
    public static async Task<TenantAdminGuard> BeginAsync(ConnectoryDb db, string tenantId, IReadOnlyCollection<string> adminGroups, CancellationToken ct)
    {
        var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.Tenants.Where(t => t.Id == tenantId).ExecuteUpdateAsync(s => s.SetProperty(t => t.Name, t => t.Name), ct);
            return new TenantAdminGuard(db, transaction, adminGroups, await AnyAdminAsync(db, adminGroups, ct));
        }
        catch
        {
            await transaction.DisposeAsync();
            throw;
        }
    }

    /// <summary>Commits the written change, or rolls it back with the error when the tenant had an admin and would have none.</summary>
    public async Task<ApiError?> CommitAsync(CancellationToken ct)
    {
        if (hadAdmin && !await AnyAdminAsync(db, adminGroups, ct))
        {
            await transaction.RollbackAsync(ct);
            db.ChangeTracker.Clear();
            return ApiError.BadRequest("The tenant must keep at least one active TenantAdmin (a user's own role or one a group gives).");
        }
        await transaction.CommitAsync(ct);
        return null;
    }

    public ValueTask DisposeAsync() => transaction.DisposeAsync();

    /// <summary>Whether an active user of the current tenant is a TenantAdmin in their own right or through an active group.</summary>
    static Task<bool> AnyAdminAsync(ConnectoryDb db, IReadOnlyCollection<string> adminGroups, CancellationToken ct)
    {
        var names = adminGroups.ToList();
        return db.Users.AsNoTracking().AnyAsync(u => u.Status == UserStatus.Active
            && (u.Roles.Contains(TenantRoles.TenantAdmin)
                || db.GroupMembers.Any(m => m.UserId == u.Id && db.Groups.Any(g => g.Id == m.GroupId && g.Status == GroupStatus.Active
                    && (g.Roles.Contains(TenantRoles.TenantAdmin) || names.Contains(g.Name))))), ct);
    }
}
