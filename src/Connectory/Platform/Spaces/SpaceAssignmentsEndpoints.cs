using Connectory.Data;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Paging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Platform.Spaces;

/// <summary>/api/v1/spaces/{spaceId}/assignments: which users and groups hold which roles in a space.</summary>
internal static class SpaceAssignmentsEndpoints
{
    static readonly PageSpec Paging = new("space-assignments", ["createdAt"], "+createdAt", 10, ["createdAt"]);

    public static void MapSpaceAssignments(this RouteGroupBuilder spaces)
    {
        spaces.MapGet("/{spaceId}/assignments", List).FirstOfRepeatedQuery();
        spaces.MapPost("/{spaceId}/assignments", Create);
        spaces.MapGet("/{spaceId}/assignments/{assignmentId}", Get);
        spaces.MapPut("/{spaceId}/assignments/{assignmentId}", Update);
        spaces.MapDelete("/{spaceId}/assignments/{assignmentId}", Delete);
    }

    static async Task<Results<Ok<Assignments>, ApiError>> List(
        string spaceId, Caller caller, ConnectoryDb db, PageTokens tokens, HttpRequest request,
        int? limit, string? next, string? prev, string? type, string? assigneeId, CancellationToken ct)
    {
        if (await db.FindVisibleSpaceAsync(caller, spaceId, ct) is null)
        {
            return ApiError.NotFound($"Space '{spaceId}'");
        }
        var scope = new PageScope(Paging.List, caller).With("spaceId", spaceId).With("type", type).With("assigneeId", assigneeId);
        if (PageRequest.TryParse(Paging, scope, tokens, limit, null, next, prev, out var page) is { } invalid)
        {
            return invalid;
        }
        var query = db.SpaceAssignments.AsNoTracking().Where(a => a.SpaceId == spaceId);
        query = type is null ? query : query.Where(a => a.Type == type);
        query = assigneeId is null ? query : query.Where(a => a.AssigneeId == assigneeId);
        var result = await Keyset.PageAsync(query, a => a.CreatedAt, a => a.Id, a => a.CreatedAt, a => a.Id, page, ct);
        return TypedResults.Ok(new Assignments(
            result.Rows.Select(a => AssignmentResponse.From(a, request)).ToList(),
            page.Links(request, result.Next, result.Prev),
            new AssignmentsMeta(await query.CountAsync(ct))));
    }

    static async Task<Results<Created<AssignmentResponse>, ApiError>> Create(
        string spaceId, AssignmentCreate body, Caller caller, ConnectoryDb db, TimeProvider time, HttpRequest request, CancellationToken ct)
    {
        if (await ManageableSpaceAsync(db, caller, spaceId, ct) is not { } space)
        {
            return await NotManageableAsync(db, caller, spaceId, ct);
        }
        if (string.IsNullOrEmpty(body.Type))
        {
            return ApiError.MissingField("type");
        }
        if (body.Type is not ("user" or "group"))
        {
            return ApiError.InvalidField("type", $"'{body.Type}' is not supported: assignments are to users ('user') or groups ('group')");
        }
        if (string.IsNullOrEmpty(body.AssigneeId))
        {
            return ApiError.MissingField("assigneeId");
        }
        if (ValidateRoles(space, body.Roles) is { } badRoles)
        {
            return badRoles;
        }
        // The tenant filter keeps other tenants' users and groups out: their ids answer as unknown.
        var known = body.Type == "user"
            ? await db.Users.AnyAsync(u => u.Id == body.AssigneeId, ct)
            : await db.Groups.AnyAsync(g => g.Id == body.AssigneeId, ct);
        if (!known)
        {
            return ApiError.InvalidField("assigneeId", $"names no {body.Type} of this tenant ('{body.AssigneeId}')");
        }
        var now = time.UtcNow();
        var assignment = new SpaceAssignment
        {
            Id = Ids.New(),
            TenantId = caller.TenantId,
            SpaceId = spaceId,
            AssigneeId = body.AssigneeId,
            Type = body.Type,
            Roles = string.Join(',', body.Roles!.Distinct()),
            CreatedBy = caller.UserId,
            CreatedAt = now,
            UpdatedBy = caller.UserId,
            UpdatedAt = now,
        };
        db.SpaceAssignments.Add(assignment);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return ApiError.Conflict($"{(body.Type == "user" ? "User" : "Group")} '{body.AssigneeId}' already has an assignment in this space; update it instead.");
        }
        var view = AssignmentResponse.From(assignment, request);
        return TypedResults.Created(view.Links.Self.Href, view);
    }

    static async Task<Results<Ok<AssignmentResponse>, ApiError>> Get(
        string spaceId, string assignmentId, Caller caller, ConnectoryDb db, HttpRequest request, CancellationToken ct)
    {
        if (await db.FindVisibleSpaceAsync(caller, spaceId, ct) is null)
        {
            return ApiError.NotFound($"Space '{spaceId}'");
        }
        return await db.SpaceAssignments.AsNoTracking().FirstOrDefaultAsync(a => a.Id == assignmentId && a.SpaceId == spaceId, ct) is { } assignment
            ? TypedResults.Ok(AssignmentResponse.From(assignment, request))
            : ApiError.NotFound($"Assignment '{assignmentId}'");
    }

    static async Task<Results<Ok<AssignmentResponse>, ApiError>> Update(
        string spaceId, string assignmentId, AssignmentUpdate body, Caller caller, ConnectoryDb db, TimeProvider time, HttpRequest request, CancellationToken ct)
    {
        if (await ManageableSpaceAsync(db, caller, spaceId, ct) is not { } space)
        {
            return await NotManageableAsync(db, caller, spaceId, ct);
        }
        if (ValidateRoles(space, body.Roles) is { } badRoles)
        {
            return badRoles;
        }
        var assignment = await db.SpaceAssignments.FirstOrDefaultAsync(a => a.Id == assignmentId && a.SpaceId == spaceId, ct);
        if (assignment is null)
        {
            return ApiError.NotFound($"Assignment '{assignmentId}'");
        }
        assignment.Roles = string.Join(',', body.Roles!.Distinct());
        assignment.UpdatedBy = caller.UserId;
        assignment.UpdatedAt = time.UtcNow();
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(AssignmentResponse.From(assignment, request));
    }

    static async Task<Results<NoContent, ApiError>> Delete(string spaceId, string assignmentId, Caller caller, ConnectoryDb db, CancellationToken ct)
    {
        if (await ManageableSpaceAsync(db, caller, spaceId, ct) is null)
        {
            return await NotManageableAsync(db, caller, spaceId, ct);
        }
        var deleted = await db.SpaceAssignments.Where(a => a.Id == assignmentId && a.SpaceId == spaceId).ExecuteDeleteAsync(ct);
        return deleted == 0 ? ApiError.NotFound($"Assignment '{assignmentId}'") : TypedResults.NoContent();
    }

    static async Task<Space?> ManageableSpaceAsync(ConnectoryDb db, Caller caller, string spaceId, CancellationToken ct) =>
        await db.FindVisibleSpaceAsync(caller, spaceId, ct) is { } found && AccessRules.CanManageSpace(caller, found.Standing) ? found.Space : null;

    /// <summary>404 when the caller cannot see the space at all, 403 when they can but may not manage it.</summary>
    static async Task<ApiError> NotManageableAsync(ConnectoryDb db, Caller caller, string spaceId, CancellationToken ct) =>
        await db.FindVisibleSpaceAsync(caller, spaceId, ct) is null
            ? ApiError.NotFound($"Space '{spaceId}'")
            : ApiError.Forbidden("Only the space owner, a facilitator or an admin may manage assignments.");

    static ApiError? ValidateRoles(Space space, List<string>? roles)
    {
        if (roles is null || roles.Count == 0)
        {
            return ApiError.MissingField("roles");
        }
        var allowed = SpaceTypes.AssignableRoles(space.Type);
        var bad = roles.Where(r => !allowed.Contains(r)).ToList();
        return bad.Count == 0
            ? null
            : ApiError.InvalidField("roles", $"contains {string.Join(", ", bad.Select(b => $"'{b}'"))}, not allowed in a {space.Type} space (allowed: {string.Join(", ", allowed)})");
    }
}
