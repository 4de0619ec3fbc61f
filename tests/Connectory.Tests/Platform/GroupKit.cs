using System.Net;
using System.Net.Http.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.Platform;

/// <summary>Groups made through the API, as a tenant's admin does.</summary>
internal static class GroupKit
{
    /// <summary>Creates a custom group (a fresh name unless given) with the tenant roles given, and returns its id.</summary>
    public static async Task<string> NewGroupAsync(this TestTenant tenant, string? name = null, params string[] roles)
    {
        var created = await tenant.Admin.PostAsJsonAsync("/api/v1/groups", new
        {
            name = name ?? "group-" + Guid.NewGuid().ToString("N")[..10],
            providerType = "custom",
            assignedRoles = roles.Select(r => new { name = r }).ToArray(),
        }).JsonAsync(HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    /// <summary>Stores the user's membership of the group.</summary>
    public static async Task AddMemberAsync(this TestTenant tenant, string groupId, string userId) =>
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Admin.PutAsync($"/api/v1/groups/{groupId}/members/{userId}", null)).StatusCode);

    /// <summary>Assigns the group roles in the space and returns the assignment's id.</summary>
    public static async Task<string> AssignGroupAsync(this TestTenant tenant, string spaceId, string groupId, params string[] roles)
    {
        var created = await tenant.Admin.PostAsJsonAsync($"/api/v1/spaces/{spaceId}/assignments", new { type = "group", assigneeId = groupId, roles })
            .JsonAsync(HttpStatusCode.Created);
        Assert.Equal("group", created.GetProperty("type").GetString());
        return created.GetProperty("id").GetString()!;
    }
}
