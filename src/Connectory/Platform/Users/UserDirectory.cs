using Connectory.Data;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Platform.Users;

/// <summary>
/// Finds the user a sign-in names, and creates it on first sign-in when the tenant allows. Every sign-in path (a
/// trusted JWT, a QRS X-Qlik-User header) goes through here.
/// </summary>
internal sealed class UserDirectory(ConnectoryDb db, TimeProvider time, ILogger<UserDirectory> logger)
{
    /// <summary>The user with <paramref name="subject"/>; with <paramref name="ignoreCase"/>, an exact match first, else the oldest that differs only in case.</summary>
    public async Task<User?> FindAsync(string tenantId, string subject, bool ignoreCase, CancellationToken ct)
    {
        var users = db.Users.IgnoreQueryFilters().AsNoTracking().Where(u => u.TenantId == tenantId);
        var exact = await users.FirstOrDefaultAsync(u => u.Subject == subject, ct);
        if (exact is not null || !ignoreCase)
        {
            return exact;
        }
        var lower = subject.ToLowerInvariant();
#pragma warning disable CA1862 // translated to SQL lower(); the parameter is lowered the same way
        return await users.Where(u => u.Subject.ToLower() == lower).OrderBy(u => u.CreatedAt).ThenBy(u => u.Id).FirstOrDefaultAsync(ct);
#pragma warning restore CA1862
    }

    /// <summary>
    /// The user with the new user's subject; when there is none and <paramref name="autoCreate"/> is set, the new user.
    /// When a concurrent sign-in creates the same subject first, its row is returned (never a unique-key error).
    /// </summary>
    public async Task<User?> FindOrCreateAsync(string tenantId, NewUser who, bool autoCreate, bool ignoreCase, CancellationToken ct)
    {
        if (await FindAsync(tenantId, who.Subject, ignoreCase, ct) is { } found)
        {
            return found;
        }
        if (!autoCreate)
        {
            return null;
        }
        var now = time.UtcNow();
        var user = new User
        {
            Id = Ids.New(),
            TenantId = tenantId,
            Subject = who.Subject,
            Name = who.Name,
            Email = who.Email,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
            logger.LogInformation("Created user {UserId} in tenant {TenantId} on first sign-in", user.Id, tenantId);
            return user;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another request signed the same subject in first: use its row.
            db.ChangeTracker.Clear();
            return await FindAsync(tenantId, who.Subject, ignoreCase, ct);
        }
    }
}

/// <summary>What a sign-in says about a user it may create.</summary>
internal sealed record NewUser(string Subject, string Name, string? Email = null);
