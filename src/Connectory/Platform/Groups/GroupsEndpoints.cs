using System.Text.Json;
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
/// /api/v1/groups, as @qlik/api's `groups` module calls it (shared/spec/groups.d.ts). Every user of a tenant may list
/// and read its groups (space owners assign them); a TenantAdmin creates, changes and deletes them. The tenant filter
/// keeps every other tenant's groups out: their ids answer 404, as unknown ones.
/// </summary>
internal static class GroupsEndpoints
{
    static readonly PageSpec Paging = new("groups", ["name", "createdAt", "lastUpdatedAt", "id"], "+name", 20, ["createdAt", "lastUpdatedAt"]);

    /// <summary><c>actions/filter</c> sorts by name only, as Qlik's spec says.</summary>
    static readonly PageSpec FilterPaging = new("groups-filter", ["name"], "+name", 20, []);

    /// <summary>Qlik's limit of groups per tenant.</summary>
    public const int MaxGroupsPerTenant = 10_000;

    public static RouteGroupBuilder MapGroups(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/groups").RequireAuthorization();
        group.MapGet("/", List).FirstOfRepeatedQuery();
        group.MapPost("/", Create);
        group.MapPost("/actions/filter", FilterGroups).FirstOfRepeatedQuery();
        group.MapGet("/settings", GetSettings);
        group.MapPatch("/settings", PatchSettings);
        group.MapGet("/{groupId}", Get);
        group.MapPatch("/{groupId}", Patch);
        group.MapDelete("/{groupId}", Delete);
        group.MapGroupMembers();
        return group;
    }

    static async Task<Results<Ok<Groups>, ApiError>> List(
        Caller caller, ConnectoryDb db, PageTokens tokens, HttpRequest request,
        int? limit, string? sort, string? next, string? prev, string? filter, bool? systemGroups, bool? totalResults, CancellationToken ct)
    {
        if (systemGroups == true)
        {
            // Connectory keeps no system groups (Qlik's Everyone): the list of them is empty.
            return request.Query.Count > 1
                ? ApiError.InvalidParameter("systemGroups", "cannot be combined with other query parameters")
                : TypedResults.Ok(new Groups([], new PageLinks(Urls.Self(request), null, null), null));
        }
        if (Matching(db, filter, out var query) is { } badFilter)
        {
            return ApiError.InvalidParameter("filter", badFilter);
        }
        var scope = new PageScope(Paging.List, caller).With("filter", filter);
        if (PageRequest.TryParse(Paging, scope, tokens, limit, sort, next, prev, out var page) is { } invalid)
        {
            return invalid;
        }
        return TypedResults.Ok(await PageAsync(query, page, totalResults == true, request, ct));
    }

    static async Task<Results<Ok<Groups>, ApiError>> FilterGroups(
        GroupFilterBody? body, Caller caller, ConnectoryDb db, PageTokens tokens, HttpRequest request,
        int? limit, string? sort, string? next, string? prev, CancellationToken ct)
    {
        if (Matching(db, body?.Filter, out var query) is { } badFilter)
        {
            return ApiError.InvalidField("filter", badFilter);
        }
        var scope = new PageScope(FilterPaging.List, caller).With("filter", body?.Filter);
        if (PageRequest.TryParse(FilterPaging, scope, tokens, limit, sort, next, prev, out var page) is { } invalid)
        {
            return invalid;
        }
        return TypedResults.Ok(await PageAsync(query, page, false, request, ct));
    }

    static string? Matching(ConnectoryDb db, string? filter, out IQueryable<Group> query)
    {
        query = db.Groups.AsNoTracking();
        if (string.IsNullOrWhiteSpace(filter))
        {
            return null;
        }
        if (GroupFilter.TryParse(filter, out var error) is not { } predicate)
        {
            return error;
        }
        query = query.Where(predicate);
        return null;
    }

    static async Task<Groups> PageAsync(IQueryable<Group> query, PageRequest page, bool totalResults, HttpRequest request, CancellationToken ct)
    {
        var result = page.SortField switch
        {
            "createdAt" => await Keyset.PageAsync(query, g => g.CreatedAt, g => g.Id, g => g.CreatedAt, g => g.Id, page, ct),
            "lastUpdatedAt" => await Keyset.PageAsync(query, g => g.UpdatedAt, g => g.Id, g => g.UpdatedAt, g => g.Id, page, ct),
            "id" => await Keyset.PageAsync(query, g => g.Id, g => g.Id, g => g.Id, g => g.Id, page, ct),
            _ => await Keyset.PageAsync(query, g => g.Name, g => g.Id, g => g.Name, g => g.Id, page, ct),
        };
        int? total = totalResults ? await query.CountAsync(ct) : null;
        return new Groups(result.Rows.Select(g => GroupResponse.From(g, request)).ToList(), page.Links(request, result.Next, result.Prev), total);
    }

    static async Task<Results<Created<GroupResponse>, ApiError>> Create(
        GroupPostSchema body, Caller caller, ConnectoryDb db, TimeProvider time, HttpRequest request, CancellationToken ct)
    {
        if (!AccessRules.CanManageGroups(caller))
        {
            return ApiError.Forbidden("Only a TenantAdmin may create groups.");
        }
        if (GroupNames.Check(body.Name, "name") is { } badName)
        {
            return badName;
        }
        if (body.ProviderType is not (null or GroupProviders.Idp or GroupProviders.Custom))
        {
            return ApiError.InvalidField("providerType", "must be 'idp' or 'custom'");
        }
        if (body.Status is not (null or "" or GroupStatus.Active))
        {
            return ApiError.InvalidField("status", "must be 'active' when given");
        }
        if (body.Description is { Length: > 1024 })
        {
            return ApiError.InvalidField("description", "must be at most 1024 characters");
        }
        if (UsersEndpoints.ResolveRoles(body.AssignedRoles, out var roles) is { } badRole)
        {
            return badRole;
        }
        if (await db.Groups.CountAsync(ct) >= MaxGroupsPerTenant)
        {
            return ApiError.BadRequest($"A tenant holds at most {MaxGroupsPerTenant} groups.");
        }
        var now = time.UtcNow();
        var group = new Group
        {
            Id = Ids.New(),
            TenantId = caller.TenantId,
            Name = body.Name!,
            Description = body.Description ?? "",
            ProviderType = body.ProviderType ?? GroupProviders.Idp,
            Roles = TenantRoles.Format(roles),
            CreatedBy = caller.UserId,
            UpdatedBy = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Groups.Add(group);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return ApiError.Conflict($"A group named '{body.Name}' already exists.");
        }
        var response = GroupResponse.From(group, request);
        return TypedResults.Created(response.Links.Self.Href, response);
    }

    static async Task<Results<Ok<GroupResponse>, ApiError>> Get(string groupId, ConnectoryDb db, HttpRequest request, CancellationToken ct) =>
        await db.Groups.AsNoTracking().FirstOrDefaultAsync(g => g.Id == groupId, ct) is { } group
            ? TypedResults.Ok(GroupResponse.From(group, request))
            : ApiError.NotFound($"Group '{groupId}'");

    /// <summary>Qlik's GroupPatch: <c>replace</c> of <c>assignedRoles</c> (any group), <c>name</c> and <c>description</c> (custom groups only).</summary>
    static async Task<Results<NoContent, ApiError>> Patch(
        string groupId, List<JsonPatchOperation?> operations, Caller caller, ConnectoryDb db, TimeProvider time, SignInCache signIns,
        IOptions<AuthOptions> auth, CancellationToken ct)
    {
        if (!AccessRules.CanManageGroups(caller))
        {
            return await db.Groups.AnyAsync(g => g.Id == groupId, ct) ? ApiError.Forbidden("Only a TenantAdmin may change groups.") : ApiError.NotFound($"Group '{groupId}'");
        }
        if (DataConnections.PatchOperation.CheckCount(operations.Count) is { } tooMany)
        {
            return tooMany;
        }
        // A new name may leave Auth:AdminGroups, new roles may drop TenantAdmin: either may take the last admin away.
        await using var guard = await TenantAdminGuard.BeginAsync(db, caller.TenantId, auth.Value.AdminGroups, ct);
        var group = await db.Groups.FirstOrDefaultAsync(g => g.Id == groupId, ct);
        if (group is null)
        {
            return ApiError.NotFound($"Group '{groupId}'");
        }
        foreach (var operation in operations)
        {
            if (operation?.Op != "replace")
            {
                return ApiError.InvalidField("op", $"'{operation?.Op}' is not supported (replace)");
            }
            var path = operation.Path?.TrimStart('/');
            if (path is "name" or "description" && group.ProviderType != GroupProviders.Custom)
            {
                return ApiError.InvalidField("path", $"'{path}' may change on custom groups only; this group comes from the identity provider");
            }
            switch (path)
            {
                case "name":
                    var name = operation.Value.ValueKind == JsonValueKind.String ? operation.Value.GetString() : null;
                    if (GroupNames.Check(name, "name") is { } badName)
                    {
                        return badName;
                    }
                    group.Name = name!;
                    break;
                case "description" when operation.Value.ValueKind == JsonValueKind.String && operation.Value.GetString() is { Length: <= 1024 } description:
                    group.Description = description;
                    break;
                case "assignedRoles":
                    if (RoleRefs(operation.Value) is not { } refs)
                    {
                        return ApiError.InvalidField("assignedRoles", "must be an array of {\"id\"} or {\"name\"} role references");
                    }
                    if (UsersEndpoints.ResolveRoles(refs, out var roles) is { } badRole)
                    {
                        return badRole;
                    }
                    group.Roles = TenantRoles.Format(roles);
                    break;
                default:
                    return ApiError.InvalidField(operation.Path ?? "path", "is not a patchable path (assignedRoles, name, description) or has a value of the wrong type");
            }
        }
        group.UpdatedBy = caller.UserId;
        group.UpdatedAt = time.UtcNow();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return ApiError.Conflict($"A group named '{group.Name}' already exists.");
        }
        if (await guard.CommitAsync(ct) is { } lastAdmin)
        {
            return lastAdmin;
        }
        await ForgetMembersAsync(db, signIns, groupId, ct);
        return TypedResults.NoContent();
    }

    static List<RoleRef>? RoleRefs(JsonElement value)
    {
        try
        {
            return value.ValueKind == JsonValueKind.Array ? value.Deserialize<List<RoleRef>>(ErrorJson.Options) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Deletes the group, its memberships and its space assignments; an IdP group that a later sign-in names again comes back new.</summary>
    static async Task<Results<NoContent, ApiError>> Delete(
        string groupId, Caller caller, ConnectoryDb db, SignInCache signIns, IOptions<AuthOptions> auth, CancellationToken ct)
    {
        if (!await db.Groups.AnyAsync(g => g.Id == groupId, ct))
        {
            return ApiError.NotFound($"Group '{groupId}'");
        }
        if (!AccessRules.CanManageGroups(caller))
        {
            return ApiError.Forbidden("Only a TenantAdmin may delete groups.");
        }
        var members = await db.GroupMembers.Where(m => m.GroupId == groupId).Select(m => m.UserId).Distinct().ToListAsync(ct);
        await using var guard = await TenantAdminGuard.BeginAsync(db, caller.TenantId, auth.Value.AdminGroups, ct);
        // Assignments name groups by id without a foreign key (the assignee may be a user): remove them here.
        await db.SpaceAssignments.Where(a => a.Type == "group" && a.AssigneeId == groupId).ExecuteDeleteAsync(ct);
        var deleted = await db.Groups.Where(g => g.Id == groupId).ExecuteDeleteAsync(ct);
        if (await guard.CommitAsync(ct) is { } lastAdmin)
        {
            return lastAdmin;
        }
        members.ForEach(signIns.ForgetUser);
        return deleted == 0 ? ApiError.NotFound($"Group '{groupId}'") : TypedResults.NoContent();
    }

    static async Task<Ok<GroupSettings>> GetSettings(Caller caller, ConnectoryDb db, HttpRequest request, CancellationToken ct) =>
        TypedResults.Ok(GroupSettings.From(await db.Tenants.AsNoTracking().FirstAsync(t => t.Id == caller.TenantId, ct), request));

    /// <summary>Qlik's SettingsPatch: <c>/autoCreateGroups</c>; <c>/syncIdpGroups</c> only as true (sign-ins always sync); no system groups here.</summary>
    static async Task<Results<NoContent, ApiError>> PatchSettings(List<JsonPatchOperation?> operations, Caller caller, ConnectoryDb db, CancellationToken ct)
    {
        if (!AccessRules.CanManageGroups(caller))
        {
            return ApiError.Forbidden("Only a TenantAdmin may change group settings.");
        }
        if (DataConnections.PatchOperation.CheckCount(operations.Count) is { } tooMany)
        {
            return tooMany;
        }
        var tenant = await db.Tenants.FirstAsync(t => t.Id == caller.TenantId, ct);
        foreach (var operation in operations)
        {
            if (operation?.Op != "replace")
            {
                return ApiError.InvalidField("op", $"'{operation?.Op}' is not supported (replace)");
            }
            var flag = operation.Value.ValueKind is JsonValueKind.True or JsonValueKind.False ? operation.Value.GetBoolean() : (bool?)null;
            switch (operation.Path)
            {
                case "/autoCreateGroups" when flag is { } autoCreate:
                    tenant.AutoCreateGroups = autoCreate;
                    break;
                case "/syncIdpGroups" when flag == true:
                    break;
                case "/syncIdpGroups" when flag == false:
                    return ApiError.InvalidField("/syncIdpGroups", "cannot be turned off: every JWT sign-in reads the groups claim (see Auth:Jwt:N:GroupsClaim)");
                default:
                    return ApiError.InvalidField(operation.Path ?? "path", "is not a patchable path (/autoCreateGroups, /syncIdpGroups) or has a value of the wrong type");
            }
        }
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>Makes the group's members sign in afresh on this instance, so a change of the group reaches them at once.</summary>
    internal static async Task ForgetMembersAsync(ConnectoryDb db, SignInCache signIns, string groupId, CancellationToken ct)
    {
        foreach (var userId in await db.GroupMembers.AsNoTracking().Where(m => m.GroupId == groupId).Select(m => m.UserId).Distinct().ToListAsync(ct))
        {
            signIns.ForgetUser(userId);
        }
    }
}
