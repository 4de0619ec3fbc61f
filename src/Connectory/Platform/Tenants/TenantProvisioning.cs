using Connectory.Data;
using Connectory.Platform.ApiKeys;
using Connectory.Platform.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Platform.Tenants;

/// <summary>Creates a tenant with its first TenantAdmin and that admin's API key, in one transaction.</summary>
internal sealed class TenantProvisioning(ConnectoryDb db, ApiKeyIssuer issuer, IOptions<ApiKeyOptions> apiKeyOptions, TimeProvider time)
{
    /// <param name="token">A preset admin key (the configured bootstrap key); null makes one.</param>
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
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.AddRange(tenant, admin);
        await db.SaveChangesAsync(ct);
        // The admin key lives as long as any key may (ApiKeys:MaxExpiry): it is how the tenant is first reached.
        var request = new ApiKeyRequest(tenant.Id, admin.Id, admin.Id, "Bootstrap admin key", apiKeyOptions.Value.MaxExpiry);
        switch (await issuer.IssueAsync(request, ct, token))
        {
            case ApiKeyIssue.Issued issued:
                await transaction.CommitAsync(ct);
                return new ProvisionedTenant(tenant, admin, issued.Token);
            case var refused:
                // Unreachable while ApiKeys:MaxKeysPerUser is at least 1 (validated at start): the admin is new.
                throw new InvalidOperationException($"The tenant's admin key was refused: {refused}");
        }
    }

    public Task<Tenant?> FindAsync(string idOrName, CancellationToken ct) =>
        db.Tenants.AsNoTracking().FirstOrDefaultAsync(t => t.Id == idOrName || t.Name == idOrName, ct);
}

internal sealed record ProvisionedTenant(Tenant Tenant, User Admin, string ApiKey);
