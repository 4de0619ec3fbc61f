using Connectory.Data;
using Connectory.Platform.Access;
using Connectory.Platform.Auth;
using Connectory.Platform.Paging;

namespace Connectory.Platform.Spaces;

// Shapes of @qlik/api's `spaces` module (Space, Spaces, SpaceCreate, SpacePatch, SpaceUpdate, Assignment...).

internal sealed record SpaceCreate(string? Name, string? Type, string? Description);

internal sealed record SpaceUpdate(string? Name, string? Description, string? OwnerId);

internal sealed record SpacePatchOperation(string? Op, string? Path, string? Value);

internal sealed record SpaceResponse(
    string Id,
    string TenantId,
    string Name,
    string Description,
    string Type,
    string OwnerId,
    string CreatedBy,
    string CreatedAt,
    string UpdatedAt,
    SpaceLinks Links,
    SpaceMeta Meta)
{
    public static SpaceResponse From(Space space, Caller caller, SpaceStanding standing, HttpRequest request)
    {
        var actions = new List<string> { "read" };
        if (AccessRules.CanManageSpace(caller, standing))
        {
            actions.Add("update");
        }
        if (AccessRules.CanOwnSpace(caller, standing))
        {
            // Whoever may delete the space may also hand it over (the PUT/PATCH of ownerId checks the same rule).
            actions.Add("delete");
            actions.Add("change_owner");
        }
        if (AccessRules.ForConnections(caller, standing).Create)
        {
            actions.Add("create");
        }
        var assignable = AccessRules.CanManageSpace(caller, standing) ? SpaceTypes.AssignableRoles(space.Type) : [];
        return new SpaceResponse(
            space.Id, space.TenantId, space.Name, space.Description, space.Type, space.OwnerId, space.CreatedBy,
            space.CreatedAt.ToRfc3339(), space.UpdatedAt.ToRfc3339(),
            new SpaceLinks(Urls.To(request, $"/api/v1/spaces/{space.Id}"), Urls.To(request, $"/api/v1/spaces/{space.Id}/assignments")),
            new SpaceMeta(actions, standing.CallerRoles.Order().ToList(), assignable));
    }
}

internal sealed record SpaceLinks(Link Self, Link Assignments);

internal sealed record SpaceMeta(IReadOnlyList<string> Actions, IReadOnlyList<string> Roles, IReadOnlyList<string> AssignableRoles);

internal sealed record Spaces(IReadOnlyList<SpaceResponse> Data, PageLinks Links, SpacesMeta Meta);

internal sealed record SpacesMeta(int Count, PersonalSpaceMeta PersonalSpace);

internal sealed record PersonalSpaceMeta(IReadOnlyList<string> Actions, string ResourceType);

internal sealed record SpaceTypesResponse(IReadOnlyList<string> Data);

internal sealed record AssignmentCreate(string? AssigneeId, List<string>? Roles, string? Type);

internal sealed record AssignmentUpdate(List<string>? Roles);

internal sealed record AssignmentResponse(
    string Id,
    string AssigneeId,
    string Type,
    IReadOnlyList<string> Roles,
    string SpaceId,
    string TenantId,
    string CreatedAt,
    string CreatedBy,
    string UpdatedAt,
    string UpdatedBy,
    AssignmentLinks Links)
{
    public static AssignmentResponse From(SpaceAssignment a, HttpRequest request) => new(
        a.Id, a.AssigneeId, a.Type, a.RoleList, a.SpaceId, a.TenantId, a.CreatedAt.ToRfc3339(), a.CreatedBy,
        a.UpdatedAt.ToRfc3339(), a.UpdatedBy,
        new AssignmentLinks(Urls.To(request, $"/api/v1/spaces/{a.SpaceId}/assignments/{a.Id}"), Urls.To(request, $"/api/v1/spaces/{a.SpaceId}")));
}

internal sealed record AssignmentLinks(Link Self, Link Space);

internal sealed record Assignments(
    IReadOnlyList<AssignmentResponse> Data,
    PageLinks Links,
    AssignmentsMeta Meta);

internal sealed record AssignmentsMeta(int Count);

