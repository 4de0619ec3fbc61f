using System.Text.Json;
using System.Text.Json.Serialization;
using Connectory.Data;
using Connectory.Platform.Paging;

namespace Connectory.Platform.Users;

// Shapes of @qlik/api's `users` module (User, Users, UserPostSchema, JSONPatch).

internal sealed record AssignedRole(string Id, string Name, string Type, string Level);

/// <summary>The spec's <c>User</c> (the entity of the same name is the stored row).</summary>
internal sealed record UserResponse(
    string Id,
    string TenantId,
    string Subject,
    string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Email,
    string Status,
    IReadOnlyList<AssignedRole> AssignedRoles,
    string CreatedAt,
    string LastUpdatedAt,
    UserLinks Links)
{
    public static UserResponse From(User user, HttpRequest request) => new(
        user.Id, user.TenantId, user.Subject, user.Name, user.Email, user.Status,
        user.RoleSet.Select(TenantRoles.Find).OfType<RoleDefinition>().Select(r => new AssignedRole(r.Id, r.Name, "default", r.Level)).ToList(),
        user.CreatedAt.ToRfc3339(), user.UpdatedAt.ToRfc3339(),
        new UserLinks(Urls.To(request, $"/api/v1/users/{user.Id}")));
}

internal sealed record UserLinks(Link Self);

internal sealed record Users(
    IReadOnlyList<UserResponse> Data,
    PageLinks Links,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TotalResults);

/// <summary>A role reference: <c>{"id": ...}</c> or <c>{"name": ...}</c>.</summary>
internal sealed record RoleRef(string? Id, string? Name);

internal sealed record UserPostSchema(string? Subject, string? Name, string? Email, List<RoleRef>? AssignedRoles, string? Status, string? TenantId, string? Picture);

internal sealed record JsonPatchOperation(string? Op, string? Path, JsonElement Value);
