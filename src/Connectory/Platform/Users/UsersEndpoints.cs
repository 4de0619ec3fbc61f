using System.Text.Json;
using Connectory.Data;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Paging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Connectory.Platform.Users;

/// <summary>A Qlik-compatible subset of /api/v1/users (shapes of @qlik/api's `users` module).</summary>
internal static class UsersEndpoints
{
    static readonly PageSpec Paging = new("users", ["name", "subject", "email", "status", "createdAt", "id", "_id"], "+name", 20, ["createdAt"]);

    /// <summary><c>actions/filter</c> sorts by name only, as Qlik's spec says.</summary>
    static readonly PageSpec FilterPaging = new("users-filter", ["name"], "+name", 20, []);

    public static RouteGroupBuilder MapUsers(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/users").RequireAuthorization();
        group.MapGet("/me", Me);
        group.MapGet("/", List).FirstOfRepeatedQuery();
        group.MapPost("/", Create);
        group.MapGet("/actions/count", CountUsers);
        group.MapPost("/actions/filter", FilterUsers).FirstOfRepeatedQuery();
        group.MapGet("/{userId}", Get);
        group.MapPatch("/{userId}", Patch);
        group.MapDelete("/{userId}", Delete);
        return group;
    }

    static async Task<Results<Ok<UserResponse>, ApiError>> Me(Caller caller, ConnectoryDb db, HttpRequest request, CancellationToken ct) =>
        await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == caller.UserId, ct) is { } user
            ? TypedResults.Ok(await UserGroups.ResponseAsync(db, user, request, ct))
            : ApiError.NotFound("User");

    static async Task<Results<Ok<Users>, ApiError>> List(
        Caller caller, ConnectoryDb db, PageTokens tokens, HttpRequest request,
        int? limit, string? sort, string? next, string? prev, string? filter, string? fields, bool? totalResults, CancellationToken ct)
    {
        if (Matching(db, caller, filter, out var query) is { } badFilter)
        {
            return ApiError.InvalidParameter("filter", badFilter);
        }
        var scope = new PageScope(Paging.List, caller).With("filter", filter);
        if (PageRequest.TryParse(Paging, scope, tokens, limit, sort, next, prev, out var page) is { } invalid)
        {
            return invalid;
        }
        return TypedResults.Ok(await PageAsync(db, query, page, UserFields.Parse(fields), totalResults == true, request, ct));
    }

    /// <summary>How many users the caller may see match the filter (all of them without one).</summary>
    static async Task<Results<Ok<UserCount>, ApiError>> CountUsers(Caller caller, ConnectoryDb db, string? filter, CancellationToken ct)
    {
        if (Matching(db, caller, filter, out var query) is { } badFilter)
        {
            return ApiError.InvalidParameter("filter", badFilter);
        }
        return TypedResults.Ok(new UserCount(await query.CountAsync(ct)));
    }

    /// <summary>The list with its filter in the body (Qlik's clients send long filters this way); the paging links repeat the body's request.</summary>
    static async Task<Results<Ok<Users>, ApiError>> FilterUsers(
        Filter? body, Caller caller, ConnectoryDb db, PageTokens tokens, HttpRequest request,
        int? limit, string? sort, string? next, string? prev, string? fields, CancellationToken ct)
    {
        if (Matching(db, caller, body?.filter, out var query) is { } badFilter)
        {
            return ApiError.InvalidField("filter", badFilter);
        }
        var scope = new PageScope(FilterPaging.List, caller).With("filter", body?.filter);
        if (PageRequest.TryParse(FilterPaging, scope, tokens, limit, sort, next, prev, out var page) is { } invalid)
        {
            return invalid;
        }
        return TypedResults.Ok(await PageAsync(db, query, page, UserFields.Parse(fields), false, request, ct));
    }

    /// <summary>
    /// The users the caller may see (admins the tenant, anyone else only themselves; the tenant filter keeps every
    /// other tenant out) that match <paramref name="filter"/>; or why the filter is refused.
    /// </summary>
    static string? Matching(ConnectoryDb db, Caller caller, string? filter, out IQueryable<User> query)
    {
        var seesTenant = AccessRules.CanManageUsers(caller);
        query = db.Users.AsNoTracking().Where(u => seesTenant || u.Id == caller.UserId);
        if (string.IsNullOrWhiteSpace(filter))
        {
            return null;
        }
        if (UserFilter.TryParse(filter, db, out var error) is not { } predicate)
        {
            return error;
        }
        query = query.Where(predicate);
        return null;
    }

    static async Task<Users> PageAsync(ConnectoryDb db, IQueryable<User> query, PageRequest page, UserFields fields, bool totalResults, HttpRequest request, CancellationToken ct)
    {
        var result = page.SortField switch
        {
            "createdAt" => await Keyset.PageAsync(query, u => u.CreatedAt, u => u.Id, u => u.CreatedAt, u => u.Id, page, ct),
            "subject" => await Keyset.PageAsync(query, u => u.Subject, u => u.Id, u => u.Subject, u => u.Id, page, ct),
            "email" => await Keyset.PageAsync(query, u => u.Email ?? "", u => u.Id, u => u.Email ?? "", u => u.Id, page, ct),
            "status" => await Keyset.PageAsync(query, u => u.Status, u => u.Id, u => u.Status, u => u.Id, page, ct),
            "id" or "_id" => await Keyset.PageAsync(query, u => u.Id, u => u.Id, u => u.Id, u => u.Id, page, ct),
            _ => await Keyset.PageAsync(query, u => u.Name, u => u.Id, u => u.Name, u => u.Id, page, ct),
        };
        int? total = totalResults ? await query.CountAsync(ct) : null;
        var groups = await UserGroups.ForAsync(db, result.Rows.Select(u => u.Id).ToList(), ct);
        return new Users(
            result.Rows.Select(u => fields.Project(UserResponse.From(u, groups(u.Id), request))).ToList(),
            page.Links(request, result.Next, result.Prev),
            total);
    }

    static async Task<Results<Created<UserResponse>, ApiError>> Create(
        UserPostSchema body, Caller caller, ConnectoryDb db, TimeProvider time, HttpRequest request, CancellationToken ct)
    {
        if (!AccessRules.CanManageUsers(caller))
        {
            return ApiError.Forbidden("Only a TenantAdmin may create users.");
        }
        if (string.IsNullOrWhiteSpace(body.Subject))
        {
            return ApiError.MissingField("subject");
        }
        if (body.Subject.Length > 256 || (body.Name?.Length ?? 0) > 256 || (body.Email?.Length ?? 0) > 256)
        {
            return ApiError.InvalidField("subject", "name and email must be at most 256 characters");
        }
        if (body.TenantId is not null && body.TenantId != caller.TenantId)
        {
            return ApiError.InvalidField("tenantId", "must be the caller's tenant");
        }
        if (ResolveRoles(body.AssignedRoles, out var roles) is { } badRole)
        {
            return badRole;
        }
        var now = time.UtcNow();
        var user = new User
        {
            Id = Ids.New(),
            TenantId = caller.TenantId,
            Subject = body.Subject,
            Name = string.IsNullOrWhiteSpace(body.Name) ? body.Subject : body.Name,
            Email = body.Email,
            Roles = TenantRoles.Format(roles),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return ApiError.Conflict($"A user with subject '{body.Subject}' already exists.");
        }
        var response = await UserGroups.ResponseAsync(db, user, request, ct);
        return TypedResults.Created(response.Links.Self.Href, response);
    }

    static async Task<Results<Ok<UserResponse>, ApiError>> Get(string userId, Caller caller, ConnectoryDb db, HttpRequest request, CancellationToken ct) =>
        (userId == caller.UserId || AccessRules.CanManageUsers(caller))
        && await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct) is { } user
            ? TypedResults.Ok(await UserGroups.ResponseAsync(db, user, request, ct))
            : ApiError.NotFound($"User '{userId}'");

    static async Task<Results<NoContent, ApiError>> Patch(
        string userId, List<JsonPatchOperation?> operations, Caller caller, ConnectoryDb db, TimeProvider time, SignInCache signIns,
        IOptions<AuthOptions> auth, CancellationToken ct)
    {
        if (DataConnections.PatchOperation.CheckCount(operations.Count) is { } tooMany)
        {
            return tooMany;
        }
        await using var guard = await TenantAdminGuard.BeginAsync(db, caller.TenantId, auth.Value.AdminGroups, ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null || (userId != caller.UserId && !AccessRules.CanManageUsers(caller)))
        {
            return ApiError.NotFound($"User '{userId}'");
        }
        var roles = user.RoleSet.ToHashSet();
        var groupChanges = new List<JsonPatchOperation>();
        foreach (var operation in operations)
        {
            if (operation?.Op is not ("replace" or "add" or "set" or "remove-value"))
            {
                return ApiError.InvalidField("op", $"'{operation?.Op}' is not supported (replace, add, set, remove-value)");
            }
            switch (operation.Path)
            {
                case "/name" when operation.Value.ValueKind == JsonValueKind.String && operation.Value.GetString() is { Length: > 0 and <= 256 } name:
                    user.Name = name;
                    break;
                case "/status" when AccessRules.CanManageUsers(caller) && operation.Value.ValueKind == JsonValueKind.String
                                   && operation.Value.GetString() is UserStatus.Active or UserStatus.Disabled:
                    user.Status = operation.Value.GetString()!;
                    break;
                case "/assignedRoles" or "/roles" when AccessRules.CanManageUsers(caller):
                    List<RoleRef>? refs = null;
                    try
                    {
                        refs = operation.Value.ValueKind == JsonValueKind.Array ? operation.Value.Deserialize<List<RoleRef>>(ErrorJson.Options) : null;
                    }
                    catch (JsonException)
                    {
                    }
                    if (refs is null)
                    {
                        return ApiError.InvalidField(operation.Path, "must be an array of {\"id\"} or {\"name\"} role references");
                    }
                    if (ResolveRoles(refs, out var named) is { } badRole)
                    {
                        return badRole;
                    }
                    if (operation.Op == "remove-value")
                    {
                        roles.ExceptWith(named);
                    }
                    else if (operation.Op == "add")
                    {
                        roles.UnionWith(named);
                    }
                    else
                    {
                        roles = named.ToHashSet();
                    }
                    break;
                case "/assignedGroups" when AccessRules.CanManageUsers(caller):
                    // Applied after the user's own fields, in the order given.
                    groupChanges.Add(operation);
                    break;
                case "/status" or "/assignedRoles" or "/roles" or "/assignedGroups" when !AccessRules.CanManageUsers(caller):
                    return ApiError.Forbidden($"Only a TenantAdmin may change {operation.Path}.");
                default:
                    return ApiError.InvalidField(operation.Path ?? "path", "is not a patchable path or has a value of the wrong type");
            }
        }
        user.Roles = TenantRoles.Format(roles);
        user.UpdatedAt = time.UtcNow();
        await db.SaveChangesAsync(ct);
        foreach (var change in groupChanges)
        {
            if (await UserGroups.PatchAsync(db, user, change.Op!, change.Value, user.UpdatedAt, ct) is { } badGroups)
            {
                return badGroups;
            }
        }
        if (await guard.CommitAsync(ct) is { } lastAdmin)
        {
            return lastAdmin;
        }
        signIns.ForgetUser(user.Id);
        return TypedResults.NoContent();
    }

    static async Task<Results<NoContent, ApiError>> Delete(
        string userId, Caller caller, ConnectoryDb db, SignInCache signIns, IOptions<AuthOptions> auth, CancellationToken ct)
    {
        if (!AccessRules.CanManageUsers(caller))
        {
            return userId == caller.UserId ? ApiError.Forbidden("Only a TenantAdmin may delete users.") : ApiError.NotFound($"User '{userId}'");
        }
        await using var guard = await TenantAdminGuard.BeginAsync(db, caller.TenantId, auth.Value.AdminGroups, ct);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null)
        {
            return ApiError.NotFound($"User '{userId}'");
        }
        db.Users.Remove(user);
        await db.SaveChangesAsync(ct);
        // Assignments name users (or groups) by id without a foreign key: remove the user's here.
        await db.SpaceAssignments.Where(a => a.Type == "user" && a.AssigneeId == userId).ExecuteDeleteAsync(ct);
        if (await guard.CommitAsync(ct) is { } lastAdmin)
        {
            return lastAdmin;
        }
        signIns.ForgetUser(userId);
        return TypedResults.NoContent();
    }

    internal static ApiError? ResolveRoles(List<RoleRef>? refs, out List<string> roles)
    {
        roles = [];
        foreach (var roleRef in refs ?? [])
        {
            var role = TenantRoles.Find(roleRef?.Id ?? roleRef?.Name ?? "");
            if (role is null)
            {
                return ApiError.InvalidField("assignedRoles", $"names an unknown role '{roleRef?.Id ?? roleRef?.Name}' (known: {string.Join(", ", TenantRoles.All.Select(r => r.Name))})");
            }
            roles.Add(role.Name);
        }
        return null;
    }
}
