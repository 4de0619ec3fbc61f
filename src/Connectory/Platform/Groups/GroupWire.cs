using System.Text.Json.Serialization;
using Connectory.Data;
using Connectory.Platform.Paging;
using Connectory.Platform.Tenants;
using Connectory.Platform.Users;

namespace Connectory.Platform.Groups;

// Shapes of @qlik/api's `groups` module (shared/spec/groups.d.ts): Group, Groups, GroupPostSchema, GroupPatch,
// GroupSettings, SettingsPatch.

/// <summary>The spec's <c>Group</c> (the entity of the same name is the stored row).</summary>
internal sealed record GroupResponse(
    string Id,
    string TenantId,
    string Name,
    string Description,
    string ProviderType,
    string Status,
    IReadOnlyList<AssignedRole> AssignedRoles,
    string CreatedAt,
    string LastUpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CreatedBy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UpdatedBy,
    GroupLinks Links)
{
    public static GroupResponse From(Group group, HttpRequest request) => new(
        group.Id, group.TenantId, group.Name, group.Description, group.ProviderType, group.Status,
        group.RoleSet.Select(TenantRoles.Find).OfType<RoleDefinition>().Select(r => new AssignedRole(r.Id, r.Name, "default", r.Level)).ToList(),
        group.CreatedAt.ToRfc3339(), group.UpdatedAt.ToRfc3339(), group.CreatedBy, group.UpdatedBy,
        new GroupLinks(Urls.To(request, $"/api/v1/groups/{group.Id}")));
}

internal sealed record GroupLinks(Link Self);

internal sealed record Groups(
    IReadOnlyList<GroupResponse> Data,
    PageLinks Links,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TotalResults);

internal sealed record GroupPostSchema(string? Name, string? Description, string? ProviderType, string? Status, List<RoleRef>? AssignedRoles);

/// <summary>The body of <c>actions/filter</c>.</summary>
internal sealed record GroupFilterBody(string? Filter);

internal sealed record GroupSettings(bool AutoCreateGroups, bool SyncIdpGroups, string TenantId, GroupLinks Links)
{
    public static GroupSettings From(Tenant tenant, HttpRequest request) =>
        new(tenant.AutoCreateGroups, true, tenant.Id, new GroupLinks(Urls.To(request, "/api/v1/groups/settings")));
}
