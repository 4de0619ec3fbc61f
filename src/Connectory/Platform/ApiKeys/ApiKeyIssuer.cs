using System.Xml;
using Connectory.Data;
using Connectory.Platform.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Platform.ApiKeys;

/// <summary>What a new key is for; <see cref="Expiry"/> null takes ApiKeys:DefaultExpiry.</summary>
internal sealed record ApiKeyRequest(string TenantId, string UserId, string CreatedByUserId, string Description, TimeSpan? Expiry);

/// <summary>An issued key, or why none was: the API, the command line and provisioning each word the refusal their own way.</summary>
internal abstract record ApiKeyIssue
{
    private ApiKeyIssue() { }

    /// <summary>The key as stored and its token, which is shown once and never stored.</summary>
    public sealed record Issued(ApiKey Key, string Token) : ApiKeyIssue;

    public sealed record ExpiryOutOfRange(TimeSpan MaxExpiry) : ApiKeyIssue
    {
        public string Detail => $"must be positive and at most {XmlConvert.ToString(MaxExpiry)}";
    }

    public sealed record TooManyKeys(int Active, int Limit) : ApiKeyIssue
    {
        public string Detail => $"The user already holds {Active} active API keys (the limit is {Limit}).";
    }
}

/// <summary>
/// The one place API keys are minted (the API, <c>connectory apikeys create</c>, tenant provisioning and so the
/// bootstrap key), so ApiKeys:MaxKeysPerUser, :MaxExpiry and :DefaultExpiry hold whichever way a key is asked for.
/// </summary>
internal sealed class ApiKeyIssuer(ConnectoryDb db, TimeProvider time, IOptions<ApiKeyOptions> options)
{
    /// <summary>
    /// Saves the key, in the caller's transaction when one is open (provisioning makes the user in the same one),
    /// else in its own. <paramref name="token"/> is a preset token (the configured bootstrap key); null makes one.
    /// </summary>
    public async Task<ApiKeyIssue> IssueAsync(ApiKeyRequest request, CancellationToken ct, string? token = null)
    {
        var limits = options.Value;
        var lifetime = request.Expiry ?? limits.DefaultExpiry;
        if (lifetime <= TimeSpan.Zero || lifetime > limits.MaxExpiry)
        {
            return new ApiKeyIssue.ExpiryOutOfRange(limits.MaxExpiry);
        }
        var now = time.UtcNow();
        await using var transaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        // The count and the insert run under the user row's lock, so concurrent requests cannot pass the limit together.
        await db.Users.IgnoreQueryFilters().Where(u => u.TenantId == request.TenantId && u.Id == request.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.UpdatedAt, u => u.UpdatedAt), ct);
        var active = await db.ApiKeys.IgnoreQueryFilters().CountAsync(k => k.TenantId == request.TenantId && k.UserId == request.UserId && k.RevokedAt == null && k.ExpiresAt > now, ct);
        if (active >= limits.MaxKeysPerUser)
        {
            return new ApiKeyIssue.TooManyKeys(active, limits.MaxKeysPerUser);
        }
        token ??= ApiKeyTokens.NewToken();
        var key = new ApiKey
        {
            Id = Ids.New(),
            TenantId = request.TenantId,
            UserId = request.UserId,
            CreatedByUserId = request.CreatedByUserId,
            Description = request.Description,
            TokenHash = ApiKeyTokens.Hash(token),
            ExpiresAt = now + lifetime,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(ct);
        if (transaction is not null)
        {
            await transaction.CommitAsync(ct);
        }
        return new ApiKeyIssue.Issued(key, token);
    }
}
