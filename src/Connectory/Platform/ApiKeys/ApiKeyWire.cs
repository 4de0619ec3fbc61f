using System.Text.Json.Serialization;
using Connectory.Data;
using Connectory.Platform.Paging;

namespace Connectory.Platform.ApiKeys;

// Shapes of @qlik/api's `api-keys` module.

internal sealed record ApiKeyBody(string? Description, string? Expiry, string? Sub, string? SubType);

/// <summary>The spec's <c>ApiKey</c>; <c>token</c> is present only in the create response.</summary>
internal sealed record ApiKeyResponse(
    string Id,
    string TenantId,
    string Description,
    string Sub,
    string SubType,
    string Status,
    string Expiry,
    string CreatedByUser,
    string Created,
    string LastUpdated,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Token = null)
{
    public static ApiKeyResponse From(ApiKey key, DateTime now, string? token = null) => new(
        key.Id, key.TenantId, key.Description, key.UserId, "user", key.StatusAt(now), key.ExpiresAt.ToRfc3339(),
        key.CreatedByUserId, key.CreatedAt.ToRfc3339(), key.UpdatedAt.ToRfc3339(), token);
}

internal sealed record ApiKeyPage(IReadOnlyList<ApiKeyResponse> Data, PageLinks Links);

internal sealed record ApiKeyPatch(string? Op, string? Path, string? Value);

internal sealed record ApiKeysConfig(
    [property: JsonPropertyName("max_api_key_expiry")] string MaxApiKeyExpiry,
    [property: JsonPropertyName("max_keys_per_user")] int MaxKeysPerUser);
