using Connectory.Data;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Paging;
using Connectory.Platform.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Platform.Groups;

/// <summary>
/// /api/v1/groups/{groupId}/members: stored memberships, which Qlik's API has no route for (README "Groups"). They serve
/// users who sign in without a groups claim (API keys, QRS). A TenantAdmin reads and changes them; nobody else sees who
/// is in a group.
/// </summary>
internal static class GroupMembersEndpoints
{
    static readonly PageSpec Paging = new("group-members", ["id"], "+id", 20, []);

    public static void MapGroupMembers(this RouteGroupBuilder groups)
    {
        groups.MapGet("/{groupId}/members", List).FirstOfRepeatedQuery();
        groups.MapPut("/{groupId}/members/{userId}", Add);
        groups.MapDelete("/{groupId}/members/{userId}", Remove);
    }

    static async Task<Results<Ok<Members>, ApiError>> List(
        string groupId, Caller caller, ConnectoryDb db, PageTokens tokens, HttpRequest request, int? limit, string? next, string? prev, CancellationToken ct)
    {
        if (await RefusedAsync(db, caller, groupId, ct) is { } refused)
        {
            return refused;
        }
        var scope = new PageScope(Paging.List, caller).With("groupId", groupId);
        if (PageRequest.TryParse(Paging, scope, tokens, limit, null, next, prev, out var page) is { } invalid)
        {
            return invalid;
        }
        var users = db.Users.AsNoTracking().Where(u => db.GroupMembers.Any(m => m.GroupId == groupId && m.UserId == u.Id));
        var result = await Keyset.PageAsync(users, u => u.Id, u => u.Id, u => u.Id, u => u.Id, page, ct);
        var ids = result.Rows.Select(u => u.Id).ToList();
        var sources = (await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == groupId && ids.Contains(m.UserId)).ToListAsync(ct))
            .ToLookup(m => m.UserId, m => m.Source);
        return TypedResults.Ok(new Members(
            result.Rows.Select(u => new MemberResponse(u.Id, u.Name, u.Subject, sources[u.Id].Order(StringComparer.Ordinal).ToList(),
                new MemberLinks(Urls.To(request, $"/api/v1/users/{u.Id}")))).ToList(),
            page.Links(request, result.Next, result.Prev)));
    }

    /// <summary>Stores the user's membership (idempotent: 204 whether or not it was there).</summary>
    static async Task<Results<NoContent, ApiError>> Add(
        string groupId, string userId, Caller caller, ConnectoryDb db, TimeProvider time, SignInCache signIns, CancellationToken ct)
    {
        if (await RefusedAsync(db, caller, groupId, ct) is { } refused)
        {
            return refused;
        }
        // The tenant filter keeps other tenants' users out: their ids answer as unknown.
        if (!await db.Users.AnyAsync(u => u.Id == userId, ct))
        {
            return ApiError.NotFound($"User '{userId}'");
        }
        if (!await db.GroupMembers.AnyAsync(m => m.GroupId == groupId && m.UserId == userId && m.Source == MembershipSource.Admin, ct))
        {
            db.GroupMembers.Add(new GroupMember { TenantId = caller.TenantId, GroupId = groupId, UserId = userId, Source = MembershipSource.Admin, CreatedAt = time.UtcNow() });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException e) when (e.IsUniqueViolation())
            {
                // A concurrent request stored the same membership: the outcome asked for holds.
            }
            catch (DbUpdateException e) when (e.IsForeignKeyViolation())
            {
                return ApiError.NotFound($"Group '{groupId}'");
            }
        }
        signIns.ForgetUser(userId);
        return TypedResults.NoContent();
    }

    /// <summary>Removes the user from the group, however they joined; a groups claim that still names it adds them again at their next sign-in.</summary>
    static async Task<Results<NoContent, ApiError>> Remove(
        string groupId, string userId, Caller caller, ConnectoryDb db, SignInCache signIns, IOptions<AuthOptions> auth, CancellationToken ct)
    {
        if (await RefusedAsync(db, caller, groupId, ct) is { } refused)
        {
            return refused;
        }
        await using var guard = await TenantAdminGuard.BeginAsync(db, caller.TenantId, auth.Value.AdminGroups, ct);
        var removed = await db.GroupMembers.Where(m => m.GroupId == groupId && m.UserId == userId).ExecuteDeleteAsync(ct);
        if (await guard.CommitAsync(ct) is { } lastAdmin)
        {
            return lastAdmin;
        }
        signIns.ForgetUser(userId);
        return removed == 0 ? ApiError.NotFound($"Member '{userId}' of group '{groupId}'") : TypedResults.NoContent();
    }

    /// <summary>404 for a group the tenant does not hold (another tenant's included); 403 for a caller who is no TenantAdmin.</summary>
    static async Task<ApiError?> RefusedAsync(ConnectoryDb db, Caller caller, string groupId, CancellationToken ct) =>
        !await db.Groups.AnyAsync(g => g.Id == groupId, ct) ? ApiError.NotFound($"Group '{groupId}'")
        : !AccessRules.CanManageGroups(caller) ? ApiError.Forbidden("Only a TenantAdmin may read or change a group's members.")
        : null;
}

internal sealed record Members(IReadOnlyList<MemberResponse> Data, PageLinks Links);

/// <param name="Sources">Where the membership comes from: <c>admin</c> (stored here), <c>idp</c> (the latest groups claim).</param>
internal sealed record MemberResponse(string Id, string Name, string Subject, IReadOnlyList<string> Sources, MemberLinks Links);

internal sealed record MemberLinks(Link Self);
