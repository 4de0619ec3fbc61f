using Connectory.DataConnections;
using Connectory.Errors;
using Connectory.Platform.Auth;
using Connectory.Platform.Namespaces;
using Connectory.Platform.Preconditions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Connectory.DataCredentials;

/// <summary>
/// Contract: shared/spec/data-credentials.openapi.json. A credential is its owner's: only the owner reads or changes it
/// (anyone else, other tenants included, gets 404); a TenantAdmin also lists and deletes the tenant's orphans.
/// No response ever carries a password.
/// </summary>
internal static class DataCredentialsEndpoints
{
    public static IServiceCollection AddDataCredentials(this IServiceCollection services)
    {
        services.TryAddScoped<CredentialStore>();
        services.AddScoped<CredentialWrites>();
        return services;
    }

    public static RouteGroupBuilder MapDataCredentials(this IEndpointRouteBuilder app, ApiNamespace ns)
    {
        var group = app.MapGroup(ns.Prefix + "/data-credentials").RequireAuthorization().InNamespace(ns);
        group.MapPost("/actions/filter-orphan", FilterOrphan);
        group.MapGet("/{qID}", Get);
        group.MapPut("/{qID}", Put);
        group.MapPatch("/{qID}", Patch);
        group.MapDelete("/{qID}", Delete);
        return group;
    }

    static async Task<Results<Ok<Credential>, ApiError>> Get(string qID, bool? byCredentialName, Caller caller, CredentialStore store, HttpRequest request, CancellationToken ct)
    {
        var (credential, error) = await store.ResolveAsync(caller, qID, byCredentialName == true, tracked: false, ct);
        if (credential is null || credential.OwnerId != caller.UserId)
        {
            return error ?? ApiError.NotFound($"Credential '{qID}'");
        }
        // A credential exists for its secret: one that no longer decrypts is reported, not served as if intact.
        store.VerifyPassword(credential);
        Preconditions.Tag(request.HttpContext.Response, credential);
        return TypedResults.Ok(await store.ViewAsync(credential, request, ct));
    }

    static async Task<Results<NoContent, ApiError>> Put(
        string qID, CredentialCreate body, bool? byCredentialName, Caller caller, CredentialWrites writes, HttpRequest request, CancellationToken ct) =>
        await writes.PutAsync(qID, byCredentialName == true, body, caller, existing => Require(request, existing), ct) is { } error ? error : TypedResults.NoContent();

    static async Task<Results<NoContent, ApiError>> Patch(
        string qID, List<CredentialPatchOperation?> operations, bool? byCredentialName, Caller caller, CredentialStore store, CredentialWrites writes, HttpRequest request,
        CancellationToken ct)
    {
        if (PatchOperation.CheckCount(operations.Count) is { } tooMany)
        {
            return tooMany;
        }
        var (credential, error) = await store.ResolveAsync(caller, qID, byCredentialName == true, tracked: true, ct);
        if (credential is null || credential.OwnerId != caller.UserId)
        {
            return error ?? ApiError.NotFound($"Credential '{qID}'");
        }
        if (Require(request, credential) is { } failedCondition)
        {
            return failedCondition;
        }
        if (await writes.PatchAsync(credential, operations, ct) is { } failed)
        {
            return failed;
        }
        // A PATCH answers 204 with the patched credential's new ETag (RFC 5789 §2).
        Preconditions.Tag(request.HttpContext.Response, credential);
        return TypedResults.NoContent();
    }

    static async Task<Results<NoContent, ApiError>> Delete(
        string qID, bool? byCredentialName, Caller caller, CredentialStore store, CredentialWrites writes, HttpRequest request, CancellationToken ct)
    {
        var (credential, error) = await store.ResolveAsync(caller, qID, byCredentialName == true, tracked: false, ct);
        if (credential is null)
        {
            return error!;
        }
        return await writes.DeleteAsync(credential, caller, existing => Require(request, existing), ct) is { } failed ? failed : TypedResults.NoContent();
    }

    /// <summary>
    /// If-Match and If-None-Match against the credential as read (412 or 400 when they fail; none for one not made
    /// yet unless If-Match asks for one); an If-Match tag makes the save conditional on the version read.
    /// </summary>
    static ApiError? Require(HttpRequest request, DataCredential? credential)
    {
        var (error, required) = Preconditions.ForUpsert(request, "credential", credential);
        if (credential is not null)
        {
            credential.RequiredVersion = required;
        }
        return error;
    }

    /// <summary>A user lists their own orphans; a TenantAdmin the tenant's (or one user's, with <c>user</c>). Asking for another user's is 403 otherwise.</summary>
    static async Task<Results<Ok<ActionFilterOrphanResponse>, ApiError>> FilterOrphan(ActionFilterOrphanRequest body, Caller caller, CredentialStore store, CancellationToken ct)
    {
        if (body.qSeparated is not (null or 0 or 1))
        {
            return ApiError.InvalidField("qSeparated", "must be 0 (embedded) or 1 (separated)");
        }
        if (ConnectionFields.CheckLimits(qType: body.qType, datasourceID: body.datasourceID) is { } tooLong)
        {
            return tooLong;
        }
        if (body.user?.Length > ConnectionFields.MaxTypeLength)
        {
            return ApiError.InvalidField("user", $"must be at most {ConnectionFields.MaxTypeLength} characters");
        }
        if (!string.IsNullOrEmpty(body.user) && body.user != caller.UserId && !caller.IsTenantAdmin)
        {
            return ApiError.Forbidden("User has no access to other users' credentials: only a TenantAdmin may list them.");
        }
        var owner = !string.IsNullOrEmpty(body.user) ? body.user : caller.IsTenantAdmin ? null : caller.UserId;
        var query = store.Orphans();
        if (owner is not null)
        {
            query = query.Where(c => c.OwnerId == owner);
        }
        if (!string.IsNullOrEmpty(body.qType))
        {
            query = query.Where(c => c.Type == body.qType);
        }
        if (body.datasourceID is not null)
        {
            query = query.Where(c => c.DatasourceId == body.datasourceID);
        }
        if (body.qSeparated is { } separated)
        {
            var wantSeparated = separated == 1;
            query = query.Where(c => c.Separated == wantSeparated);
        }
        var items = await query.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)
            .Select(c => new { c.Id, c.OwnerId, c.Name, c.Type, c.TenantId, c.CreatedAt, c.UpdatedAt, c.DatasourceId })
            .ToListAsync(ct);
        var data = items.Select(c => new OrphanCredentialResItem(
            c.Id, c.OwnerId, c.Name, c.Type, c.TenantId, Data.Clock.ToRfc3339(c.CreatedAt), Data.Clock.ToRfc3339(c.UpdatedAt), c.DatasourceId)).ToList();
        return TypedResults.Ok(new ActionFilterOrphanResponse(data, data.Count));
    }
}
