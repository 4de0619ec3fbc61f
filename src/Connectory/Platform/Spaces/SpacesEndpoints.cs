using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Errors;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Paging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Platform.Spaces;

/// <summary>A Qlik-compatible subset of /api/v1/spaces (shapes of @qlik/api's `spaces` module).</summary>
internal static class SpacesEndpoints
{
    static readonly PageSpec Paging = new("spaces", ["name", "createdAt", "updatedAt"], "+name", 10, ["createdAt", "updatedAt"]);

    public static RouteGroupBuilder MapSpaces(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/spaces").RequireAuthorization().WithErrorFamily(ErrorFamilies.Cloud);
        group.MapGet("/", List).FirstOfRepeatedQuery();
        group.MapPost("/", Create);
        group.MapGet("/types", Types);
        group.MapGet("/{spaceId}", Get);
        group.MapPatch("/{spaceId}", Patch);
        group.MapPut("/{spaceId}", Update);
        group.MapDelete("/{spaceId}", Delete);
        group.MapSpaceAssignments();
        return group;
    }

    static SpaceTypesResponse Types() => new(SpaceTypes.All);

    static async Task<Results<Ok<Spaces>, ApiError>> List(
        Caller caller, ConnectoryDb db, PageTokens tokens, HttpRequest request,
        int? limit, string? sort, string? next, string? prev, string? type, string? name, string? ownerId, string? action, CancellationToken ct)
    {
        var scope = new PageScope(Paging.List, caller).With("type", type).With("name", name).With("ownerId", ownerId).With("action", action);
        if (PageRequest.TryParse(Paging, scope, tokens, limit, sort, next, prev, out var page) is { } invalid)
        {
            return invalid;
        }
        var types = type?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (types.Any(t => !SpaceTypes.All.Contains(t)))
        {
            return ApiError.InvalidParameter("type", $"must be among {string.Join(", ", SpaceTypes.All)}");
        }
        var query = db.VisibleSpaces(caller);
        if (types.Length > 0)
        {
            query = query.Where(s => types.Contains(s.Type));
        }
        if (!string.IsNullOrEmpty(name))
        {
            var fragment = Space.Normalize(name);
            query = query.Where(s => s.NormalizedName.Contains(fragment));
        }
        if (!string.IsNullOrEmpty(ownerId))
        {
            query = query.Where(s => s.OwnerId == ownerId);
        }
        var result = page.SortField switch
        {
            "createdAt" => await Keyset.PageAsync(query, s => s.CreatedAt, s => s.Id, s => s.CreatedAt, s => s.Id, page, ct),
            "updatedAt" => await Keyset.PageAsync(query, s => s.UpdatedAt, s => s.Id, s => s.UpdatedAt, s => s.Id, page, ct),
            _ => await Keyset.PageAsync(query, s => s.NormalizedName, s => s.Id, s => s.NormalizedName, s => s.Id, page, ct),
        };
        var count = await query.CountAsync(ct);
        var pageIds = result.Rows.Select(s => s.Id).ToList();
        var myRoles = (await db.SpaceAssignments.AsNoTracking()
                .Where(a => pageIds.Contains(a.SpaceId))
                .Where(db.HeldBy(caller))
                .Select(a => new { a.SpaceId, a.Roles }).ToListAsync(ct))
            .GroupBy(a => a.SpaceId)
            .ToDictionary(g => g.Key, g => (IReadOnlyCollection<string>)g.SelectMany(a => a.Roles.Split(',')).ToHashSet());
        var views = result.Rows
            .Select(s => SpaceResponse.From(s, caller, SpaceStanding.Of(s, myRoles.GetValueOrDefault(s.Id) ?? []), request))
            .Where(v => action is null || v.Meta.Actions.Contains(action))
            .ToList();
        return TypedResults.Ok(new Spaces(
            views,
            page.Links(request, result.Next, result.Prev),
            new SpacesMeta(count, new PersonalSpaceMeta(["create", "read", "update", "delete"], "space"))));
    }

    static async Task<Results<Created<SpaceResponse>, ApiError>> Create(
        SpaceCreate body, Caller caller, ConnectoryDb db, TimeProvider time, HttpRequest request, CancellationToken ct)
    {
        if (ValidateName(body.Name) is { } badName)
        {
            return badName;
        }
        if (string.IsNullOrEmpty(body.Type))
        {
            return ApiError.MissingField("type");
        }
        if (!SpaceTypes.All.Contains(body.Type))
        {
            return ApiError.InvalidField("type", $"must be one of {string.Join(", ", SpaceTypes.All)}");
        }
        if ((body.Description?.Length ?? 0) > 1024)
        {
            return ApiError.InvalidField("description", "must be at most 1024 characters");
        }
        if (!AccessRules.CanCreateSpace(caller, body.Type))
        {
            return ApiError.Forbidden($"Creating a {body.Type} space needs {(body.Type == SpaceTypes.Data ? "TenantAdmin or DataAdmin" : "TenantAdmin or AnalyticsAdmin")}.");
        }
        var now = time.UtcNow();
        var space = new Space
        {
            Id = Ids.New(),
            TenantId = caller.TenantId,
            Name = body.Name!.Trim(),
            NormalizedName = Space.Normalize(body.Name),
            Type = body.Type,
            Description = body.Description ?? "",
            OwnerId = caller.UserId,
            CreatedBy = caller.UserId,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Spaces.Add(space);
        if (await SaveOrConflictAsync(db, space.Name, ct) is { } conflict)
        {
            return conflict;
        }
        var view = SpaceResponse.From(space, caller, SpaceStanding.Of(space, []), request);
        return TypedResults.Created(view.Links.Self.Href, view);
    }

    static async Task<Results<Ok<SpaceResponse>, ApiError>> Get(string spaceId, Caller caller, ConnectoryDb db, HttpRequest request, CancellationToken ct) =>
        await db.FindVisibleSpaceAsync(caller, spaceId, ct) is { } found
            ? TypedResults.Ok(SpaceResponse.From(found.Space, caller, found.Standing, request))
            : ApiError.NotFound($"Space '{spaceId}'");

    static async Task<Results<Ok<SpaceResponse>, ApiError>> Patch(
        string spaceId, List<SpacePatchOperation?> operations, Caller caller, ConnectoryDb db, TimeProvider time, HttpRequest request, CancellationToken ct)
    {
        if (PatchOperation.CheckCount(operations.Count) is { } tooMany)
        {
            return tooMany;
        }
        var update = new SpaceUpdate(null, null, null);
        foreach (var operation in operations)
        {
            if (operation is not { Op: "replace", Value: not null })
            {
                return ApiError.InvalidField("op", "only 'replace' with a string value is supported");
            }
            update = operation.Path switch
            {
                "/name" => update with { Name = operation.Value },
                "/description" => update with { Description = operation.Value },
                "/ownerId" => update with { OwnerId = operation.Value },
                _ => null!,
            };
            if (update is null)
            {
                return ApiError.InvalidField("path", $"'{operation.Path}' is not one of /name, /description, /ownerId");
            }
        }
        return await ApplyAsync(spaceId, update, caller, db, time, request, ct);
    }

    static Task<Results<Ok<SpaceResponse>, ApiError>> Update(
        string spaceId, SpaceUpdate body, Caller caller, ConnectoryDb db, TimeProvider time, HttpRequest request, CancellationToken ct) =>
        ApplyAsync(spaceId, body, caller, db, time, request, ct);

    static async Task<Results<Ok<SpaceResponse>, ApiError>> ApplyAsync(
        string spaceId, SpaceUpdate update, Caller caller, ConnectoryDb db, TimeProvider time, HttpRequest request, CancellationToken ct)
    {
        if (await db.FindVisibleSpaceAsync(caller, spaceId, ct, tracked: true) is not { } found)
        {
            return ApiError.NotFound($"Space '{spaceId}'");
        }
        var (space, standing) = (found.Space, found.Standing);
        if (!AccessRules.CanManageSpace(caller, standing))
        {
            return ApiError.Forbidden("Only the space owner, a facilitator or an admin may change this space.");
        }
        if (update.Name is not null)
        {
            if (ValidateName(update.Name) is { } badName)
            {
                return badName;
            }
            space.Name = update.Name.Trim();
            space.NormalizedName = Space.Normalize(update.Name);
        }
        if (update.Description is not null)
        {
            if (update.Description.Length > 1024)
            {
                return ApiError.InvalidField("description", "must be at most 1024 characters");
            }
            space.Description = update.Description;
        }
        if (update.OwnerId is not null && update.OwnerId != space.OwnerId)
        {
            if (!AccessRules.CanOwnSpace(caller, standing))
            {
                return ApiError.Forbidden("Only the space owner or an admin may change the owner.");
            }
            if (!await db.Users.AnyAsync(u => u.Id == update.OwnerId, ct))
            {
                return ApiError.InvalidField("ownerId", $"names no user of this tenant ('{update.OwnerId}')");
            }
            space.OwnerId = update.OwnerId;
        }
        space.UpdatedAt = time.UtcNow();
        if (await SaveOrConflictAsync(db, space.Name, ct) is { } conflict)
        {
            return conflict;
        }
        var roles = await db.CallerRolesAsync(caller, spaceId, ct);
        return TypedResults.Ok(SpaceResponse.From(space, caller, SpaceStanding.Of(space, roles), request));
    }

    static async Task<Results<NoContent, ApiError>> Delete(string spaceId, Caller caller, ConnectoryDb db, IEnumerable<ISpaceDeletionGuard> guards, CancellationToken ct)
    {
        if (await db.FindVisibleSpaceAsync(caller, spaceId, ct, tracked: true) is not { } found)
        {
            return ApiError.NotFound($"Space '{spaceId}'");
        }
        if (!AccessRules.CanOwnSpace(caller, found.Standing))
        {
            return ApiError.Forbidden("Only the space owner or an admin may delete this space.");
        }
        foreach (var guard in guards)
        {
            if (await guard.BlockingReasonAsync(db, spaceId, ct) is { } reason)
            {
                return new ApiError(ErrorCatalog.PreconditionFailed, reason);
            }
        }
        db.Spaces.Remove(found.Space);
        await db.SaveChangesAsync(ct);
        return TypedResults.NoContent();
    }

    internal static ApiError? ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return ApiError.MissingField("name");
        }
        return name.Trim().Length > 256 ? ApiError.InvalidField("name", "must be at most 256 characters") : NameCharacters.Check(name, "name");
    }

    internal static async Task<ApiError?> SaveOrConflictAsync(ConnectoryDb db, string name, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return ApiError.Conflict($"A space named '{name}' already exists in this tenant.");
        }
    }
}

/// <summary>Lets a feature that keeps things in spaces refuse the deletion of a space that still holds them.</summary>
internal interface ISpaceDeletionGuard
{
    Task<string?> BlockingReasonAsync(ConnectoryDb db, string spaceId, CancellationToken ct);
}
