using Connectory.Data;
using Connectory.Platform.ApiKeys;
using Connectory.Platform.Auth;
using Connectory.Platform.Users;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Platform.Tenants;

/// <summary>Creates a tenant with its first TenantAdmin and that admin's API key, in one transaction.</summary>
internal sealed class TenantProvisioning(ConnectoryDb db, TimeProvider time)
{
    public static readonly TimeSpan AdminKeyLifetime = TimeSpan.FromDays(365);

    /// <param name="autoCreateUsers">Whether a trusted JWT for an unknown subject creates that user on first sign-in.</param>
    public async Task<ProvisionedTenant> CreateAsync(string name, string? token, CancellationToken ct, bool autoCreateUsers = false)
    {
        var now = time.UtcNow();
        var tenant = new Tenant { Id = Ids.New(), Name = name, AutoCreateUsers = autoCreateUsers, CreatedAt = now, QriKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) };
        var admin = new User
        {
            Id = Ids.New(),
            TenantId = tenant.Id,
            Subject = "admin",
            Name = "Administrator",
            Roles = TenantRoles.TenantAdmin,
            CreatedAt = now,
            UpdatedAt = now,
        };
        token ??= ApiKeyTokens.NewToken();
        var key = new ApiKey
        {
            Id = Ids.New(),
            TenantId = tenant.Id,
            UserId = admin.Id,
            CreatedByUserId = admin.Id,
            Description = "Bootstrap admin key",
            TokenHash = ApiKeyTokens.Hash(token),
            ExpiresAt = now + AdminKeyLifetime,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.AddRange(tenant, admin, key);
        await db.SaveChangesAsync(ct);
        return new ProvisionedTenant(tenant, admin, token);
    }

    public Task<Tenant?> FindAsync(string idOrName, CancellationToken ct) =>
        db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == idOrName || t.Name == idOrName, ct);
}

internal sealed record ProvisionedTenant(Tenant Tenant, User Admin, string ApiKey);
