using System.Text.Json;
using Connectory.Data;
using Connectory.Errors;
using Connectory.Platform.Groups;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Platform.Users;

/// <summary>The groups users belong to (however they joined), as their <c>assignedGroups</c> show them.</summary>
internal static class UserGroups
{
    /// <summary>Each user's groups by name, in one query for a whole page of users.</summary>
    public static async Task<Func<string, IReadOnlyList<AssignedGroup>>> ForAsync(ConnectoryDb db, IReadOnlyCollection<string> userIds, CancellationToken ct)
    {
        if (userIds.Count == 0)
        {
            return _ => [];
        }
        var ids = userIds.ToList();
        var rows = await db.GroupMembers.AsNoTracking()
            .Where(m => ids.Contains(m.UserId))
            .Join(db.Groups.AsNoTracking(), m => m.GroupId, g => g.Id, (m, g) => new { m.UserId, g.Id, g.Name, g.ProviderType, g.Roles })
            .ToListAsync(ct);
        var byUser = rows
            .GroupBy(r => r.UserId)
            .ToDictionary(
                u => u.Key,
                u => (IReadOnlyList<AssignedGroup>)u.DistinctBy(r => r.Id).OrderBy(r => r.Name, StringComparer.Ordinal)
                    .Select(r => new AssignedGroup(r.Id, r.Name, r.ProviderType, UserResponse.Roles(TenantRoles.Parse(r.Roles))))
                    .ToList());
        return userId => byUser.TryGetValue(userId, out var groups) ? groups : [];
    }

    public static async Task<UserResponse> ResponseAsync(ConnectoryDb db, User user, HttpRequest request, CancellationToken ct) =>
        UserResponse.From(user, (await ForAsync(db, [user.Id], ct))(user.Id), request);

    /// <summary>
    /// A TenantAdmin's patch of <c>/assignedGroups</c> with Qlik's group references (<c>{"name", "providerType"}</c>, or
    /// <c>{"id"}</c>): <c>replace</c> makes the named groups the user's stored memberships (those a groups claim gives are
    /// the identity provider's and stay), <c>add</c> adds them, <c>remove-value</c> removes them however they were joined.
    /// </summary>
    public static async Task<ApiError?> PatchAsync(ConnectoryDb db, User user, string op, JsonElement value, DateTime now, CancellationToken ct)
    {
        if (References(value) is not { } refs)
        {
            return ApiError.InvalidField("/assignedGroups", "must be an array of group references: {\"name\", \"providerType\"} or {\"id\"}");
        }
        if (refs.Count > GroupMemberships.MaxClaimGroups)
        {
            return ApiError.InvalidField("/assignedGroups", $"names more than {GroupMemberships.MaxClaimGroups} groups");
        }
        var names = refs.Where(r => r.Id is null).Select(r => r.Name!).Distinct(StringComparer.Ordinal).ToList();
        var ids = refs.Where(r => r.Id is not null).Select(r => r.Id!).Distinct(StringComparer.Ordinal).ToList();
        var found = await db.Groups.AsNoTracking().Where(g => names.Contains(g.Name) || ids.Contains(g.Id))
            .Select(g => new { g.Id, g.Name, g.ProviderType }).ToListAsync(ct);
        foreach (var reference in refs)
        {
            var match = found.FirstOrDefault(g => reference.Id is not null ? g.Id == reference.Id : g.Name == reference.Name);
            if (match is null || (reference.ProviderType is { } type && type != match.ProviderType))
            {
                return ApiError.InvalidField("/assignedGroups", $"names a group the tenant does not have: '{reference.Id ?? reference.Name}'"
                    + (reference.ProviderType is { } t ? $" ({t})" : ""));
            }
        }
        var named = found.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var userId = user.Id;
        var current = await db.GroupMembers.Where(m => m.UserId == userId).Select(m => new { m.GroupId, m.Source }).ToListAsync(ct);
        if (op == "remove-value")
        {
            await db.GroupMembers.Where(m => m.UserId == userId && named.Contains(m.GroupId)).ExecuteDeleteAsync(ct);
            return null;
        }
        if (op is "replace" or "set")
        {
            var dropped = current.Where(m => m.Source == MembershipSource.Admin && !named.Contains(m.GroupId)).Select(m => m.GroupId).ToList();
            await db.GroupMembers.Where(m => m.UserId == userId && m.Source == MembershipSource.Admin && dropped.Contains(m.GroupId)).ExecuteDeleteAsync(ct);
        }
        var held = current.Where(m => m.Source == MembershipSource.Admin).Select(m => m.GroupId).ToHashSet(StringComparer.Ordinal);
        db.GroupMembers.AddRange(named.Where(id => !held.Contains(id)).Select(id => new GroupMember
        {
            TenantId = user.TenantId,
            GroupId = id,
            UserId = userId,
            Source = MembershipSource.Admin,
            CreatedAt = now,
        }));
        await db.SaveChangesAsync(ct);
        return null;
    }

    sealed record GroupReference(string? Id, string? Name, string? ProviderType);

    static List<GroupReference>? References(JsonElement value)
    {
        try
        {
            var refs = value.ValueKind == JsonValueKind.Array ? value.Deserialize<List<GroupReference?>>(ErrorJson.Options) : null;
            return refs is not null && refs.All(r => r is not null && (r.Id ?? r.Name) is { Length: > 0 }) ? refs.Cast<GroupReference>().ToList() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
