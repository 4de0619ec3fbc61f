using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Connectory.Data;
using Connectory.Errors;
using Connectory.Platform.Paging;

namespace Connectory.Platform.Users;

// Shapes of @qlik/api's `users` module (User, Users, UserCount, Filter, UserPostSchema, JSONPatch).

internal sealed record AssignedRole(string Id, string Name, string Type, string Level);

/// <summary>One of the user's groups (Qlik's <c>AssignedGroups</c> entry) with the tenant roles it gives its members.</summary>
internal sealed record AssignedGroup(string Id, string Name, string ProviderType, IReadOnlyList<AssignedRole> AssignedRoles);

/// <summary>The spec's <c>User</c> (the entity of the same name is the stored row).</summary>
internal sealed record UserResponse(
    string Id,
    string TenantId,
    string Subject,
    string Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Email,
    string Status,
    IReadOnlyList<AssignedRole> AssignedRoles,
    IReadOnlyList<AssignedGroup> AssignedGroups,
    string CreatedAt,
    string LastUpdatedAt,
    UserLinks Links)
{
    public static UserResponse From(User user, IReadOnlyList<AssignedGroup> groups, HttpRequest request) => new(
        user.Id, user.TenantId, user.Subject, user.Name, user.Email, user.Status, Roles(user.RoleSet), groups,
        user.CreatedAt.ToRfc3339(), user.UpdatedAt.ToRfc3339(),
        new UserLinks(Urls.To(request, $"/api/v1/users/{user.Id}")));

    public static IReadOnlyList<AssignedRole> Roles(IReadOnlySet<string> roles) =>
        roles.Select(TenantRoles.Find).OfType<RoleDefinition>().Select(r => new AssignedRole(r.Id, r.Name, "default", r.Level)).ToList();
}

internal sealed record UserLinks(Link Self);

/// <summary>A page of users; each entry a <see cref="UserResponse"/>, cut to the requested <c>fields</c> when given.</summary>
internal sealed record Users(
    IReadOnlyList<JsonObject> Data,
    PageLinks Links,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TotalResults);

/// <summary>A role reference: <c>{"id": ...}</c> or <c>{"name": ...}</c>.</summary>
internal sealed record RoleRef(string? Id, string? Name);

internal sealed record UserPostSchema(string? Subject, string? Name, string? Email, List<RoleRef>? AssignedRoles, string? Status, string? TenantId, string? Picture);

internal sealed record JsonPatchOperation(string? Op, string? Path, JsonElement Value);

/// <summary>The spec's <c>UserCount</c>: the users the caller may see that match the filter.</summary>
internal sealed record UserCount(int Total);

/// <summary>The spec's <c>Filter</c>, the body of <c>POST /users/actions/filter</c>.</summary>
internal sealed record Filter(string? filter);

/// <summary>
/// The <c>fields</c> of a users list: the members each entry keeps (any case); without it, every member. Names of
/// members a user here never carries (Qlik's <c>picture</c>, <c>locale</c>...) are accepted and give nothing.
/// </summary>
internal sealed class UserFields
{
    readonly HashSet<string>? kept;

    UserFields(HashSet<string>? kept) => this.kept = kept;

    public static UserFields Parse(string? fields) =>
        new(string.IsNullOrWhiteSpace(fields) ? null : fields.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase));

    public JsonObject Project(UserResponse user)
    {
        var entry = JsonSerializer.SerializeToNode(user, ErrorJson.Options)!.AsObject();
        if (kept is not null)
        {
            foreach (var name in entry.Select(p => p.Key).Where(k => !kept.Contains(k)).ToList())
            {
                entry.Remove(name);
            }
        }
        return entry;
    }
}
