using System.Xml;
using Connectory.Data;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Paging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Platform.ApiKeys;

/// <summary>A Qlik-compatible subset of /api/v1/api-keys (shapes of @qlik/api's `api-keys` module).</summary>
internal static class ApiKeysEndpoints
{
    static readonly PageSpec Paging = new("api-keys", ["created", "description", "sub", "createdByUser", "status"], "-created", 20, ["created"], "startingAfter", "endingBefore");

    public static RouteGroupBuilder MapApiKeys(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/api-keys").RequireAuthorization().WithErrorFamily(ErrorFamilies.Cloud);
        group.MapGet("/", List).FirstOfRepeatedQuery();
        group.MapPost("/", Create);
        group.MapGet("/configs/{tenantId}", GetConfig);
        group.MapGet("/{id}", Get);
        group.MapPatch("/{id}", Patch);
        group.MapDelete("/{id}", Revoke);
        return group;
    }

    static async Task<Results<Created<ApiKeyResponse>, ApiError>> Create(
        ApiKeyBody body, Caller caller, ConnectoryDb db, ApiKeyIssuer issuer, HttpRequest request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body.Description))
        {
            return ApiError.MissingField("description");
        }
        if (body.Description.Length > 256)
        {
            return ApiError.InvalidField("description", "must be at most 256 characters");
        }
        if (body.SubType is not (null or "user"))
        {
            return ApiError.InvalidField("subType", "only 'user' keys are supported");
        }
        TimeSpan? expiry = null;
        if (body.Expiry is not null)
        {
            try
            {
                expiry = XmlConvert.ToTimeSpan(body.Expiry);
            }
            catch (FormatException)
            {
                return ApiError.InvalidField("expiry", "must be an ISO 8601 duration such as PT24H or P30D");
            }
        }
        var sub = string.IsNullOrEmpty(body.Sub) ? caller.UserId : body.Sub;
        if (sub != caller.UserId)
        {
            if (!AccessRules.CanManageUsers(caller))
            {
                return ApiError.Forbidden("Only a TenantAdmin may create API keys for another user.");
            }
            if (!await db.Users.AnyAsync(u => u.Id == sub, ct))
            {
                return ApiError.InvalidField("sub", $"names no user of this tenant ('{sub}')");
            }
        }
        return await issuer.IssueAsync(new ApiKeyRequest(caller.TenantId, sub, caller.UserId, body.Description, expiry), ct) switch
        {
            ApiKeyIssue.Issued issued => TypedResults.Created(
                Urls.To(request, $"/api/v1/api-keys/{issued.Key.Id}").Href, ApiKeyResponse.From(issued.Key, issued.Key.CreatedAt, issued.Token)),
            ApiKeyIssue.ExpiryOutOfRange refused => ApiError.InvalidField("expiry", refused.Detail),
            ApiKeyIssue.TooManyKeys refused => ApiError.Conflict(refused.Detail),
            _ => throw new InvalidOperationException("Unknown API key outcome."),
        };
    }

    static async Task<Results<Ok<ApiKeyPage>, ApiError>> List(
        Caller caller, ConnectoryDb db, TimeProvider time, PageTokens tokens, HttpRequest request,
        int? limit, string? sort, string? startingAfter, string? endingBefore, string? sub, string? createdByUser, string? status, CancellationToken ct)
    {
        var scope = new PageScope(Paging.List, caller).With("sub", sub).With("createdByUser", createdByUser).With("status", status);
        if (PageRequest.TryParse(Paging, scope, tokens, limit, sort, startingAfter, endingBefore, out var page) is { } invalid)
        {
            return invalid;
        }
        if (status is not (null or "active" or "expired" or "revoked"))
        {
            return ApiError.InvalidParameter("status", "must be active, expired or revoked");
        }
        var now = time.UtcNow();
        var seesTenant = AccessRules.CanManageUsers(caller);
        var query = db.ApiKeys.AsNoTracking().Where(k => seesTenant || k.UserId == caller.UserId);
        query = sub is null ? query : query.Where(k => k.UserId == sub);
        query = createdByUser is null ? query : query.Where(k => k.CreatedByUserId == createdByUser);
        query = status switch
        {
            "revoked" => query.Where(k => k.RevokedAt != null),
            "expired" => query.Where(k => k.RevokedAt == null && k.ExpiresAt <= now),
            "active" => query.Where(k => k.RevokedAt == null && k.ExpiresAt > now),
            _ => query,
        };
        var result = page.SortField switch
        {
            "description" => await Keyset.PageAsync(query, k => k.Description, k => k.Id, k => k.Description, k => k.Id, page, ct),
            "sub" => await Keyset.PageAsync(query, k => k.UserId, k => k.Id, k => k.UserId, k => k.Id, page, ct),
            "createdByUser" => await Keyset.PageAsync(query, k => k.CreatedByUserId, k => k.Id, k => k.CreatedByUserId, k => k.Id, page, ct),
            _ => await Keyset.PageAsync(query, k => k.CreatedAt, k => k.Id, k => k.CreatedAt, k => k.Id, page, ct),
        };
        return TypedResults.Ok(new ApiKeyPage(
            result.Rows.Select(k => ApiKeyResponse.From(k, now)).ToList(),
            page.Links(request, result.Next, result.Prev)));
    }

    static async Task<Results<Ok<ApiKeyResponse>, ApiError>> Get(string id, Caller caller, ConnectoryDb db, TimeProvider time, CancellationToken ct) =>
        await FindVisibleAsync(db, caller, id, ct) is { } key
            ? TypedResults.Ok(ApiKeyResponse.From(key, time.UtcNow()))
            : ApiError.NotFound($"API key '{id}'");

    static async Task<Results<NoContent, ApiError>> Patch(string id, List<ApiKeyPatch> operations, Caller caller, ConnectoryDb db, TimeProvider time, CancellationToken ct)
    {
        if (DataConnections.PatchOperation.CheckCount(operations.Count) is { } tooMany)
        {
            return tooMany;
        }
        if (await FindVisibleAsync(db, caller, id, ct, tracked: true) is not { } key)
        {
            return ApiError.NotFound($"API key '{id}'");
        }
        foreach (var operation in operations)
        {
            if (operation is not { Op: "replace", Path: "/description", Value: { Length: > 0 and <= 256 } })
            {
                return ApiError.InvalidField("path", "only 'replace' of '/description' with a non-empty string (at most 256 characters) is supported");
            }
            key.Description = operation.Value;
        }
        key.UpdatedAt = time.UtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Deleting a key revokes it: the row stays so its status reads "revoked".</summary>
    static async Task<Results<NoContent, ApiError>> Revoke(string id, Caller caller, ConnectoryDb db, TimeProvider time, SignInCache signIns, CancellationToken ct)
    {
        if (await FindVisibleAsync(db, caller, id, ct, tracked: true) is not { } key || key.RevokedAt is not null)
        {
            return ApiError.NotFound($"API key '{id}'");
        }
        key.RevokedAt = key.UpdatedAt = time.UtcNow();
        await db.SaveChangesAsync(ct);
        signIns.ForgetUser(key.UserId);
        return TypedResults.NoContent();
    }

    static Results<Ok<ApiKeysConfig>, ApiError> GetConfig(string tenantId, Caller caller, IOptions<ApiKeyOptions> options) =>
        tenantId == caller.TenantId && AccessRules.CanManageUsers(caller)
            ? TypedResults.Ok(new ApiKeysConfig(XmlConvert.ToString(options.Value.MaxExpiry), options.Value.MaxKeysPerUser))
            : ApiError.NotFound($"Tenant '{tenantId}'");

    static Task<ApiKey?> FindVisibleAsync(ConnectoryDb db, Caller caller, string id, CancellationToken ct, bool tracked = false)
    {
        var seesTenant = AccessRules.CanManageUsers(caller);
        var query = tracked ? db.ApiKeys : db.ApiKeys.AsNoTracking();
        return query.FirstOrDefaultAsync(k => k.Id == id && (seesTenant || k.UserId == caller.UserId), ct);
    }
}
