using System.Security.Cryptography;
using System.Text;
using Connectory.Data;
using Connectory.Platform.Paging;

namespace Connectory.DataConnections;

/// <summary>
/// The reserved <c>DataFiles</c> connection every space (and each personal space) has. It is derived, not stored:
/// its id is a name-based UUID of tenant and scope, so it is stable and needs no row to keep in step with spaces.
/// </summary>
internal static class DataFiles
{
    public const string Name = "DataFiles";
    public const string Type = "qix-datafiles.exe";

    public static bool IsReservedName(string? name) => string.Equals(name?.Trim(), Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>A version-5-style UUID from SHA-256 of tenant and scope.</summary>
    public static string Id(string tenantId, string scope)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"datafiles|{tenantId}|{scope}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }

    public static string Statement(SpaceInfo? space) =>
        $"CUSTOM CONNECT TO \"provider={Type};path={(space is null ? "mydatafiles" : space.Name.Replace("\"", "\"\"", StringComparison.Ordinal) + ":datafiles")};\"";

    /// <summary>The DataFiles connection of a space, or of <paramref name="personalOwnerId"/>'s personal space when space is null.</summary>
    public static ConnectionGet Get(string tenantId, SpaceInfo? space, string personalOwnerId, DateTime created, HttpRequest request)
    {
        var scope = space?.Id ?? DataConnection.PersonalScope(personalOwnerId);
        var id = Id(tenantId, scope);
        var stamp = (space?.CreatedAt ?? created).ToRfc3339();
        return new ConnectionGet(
            id, Name, Statement(space), Type, 0, id, 0, false, ["read"], tenantId, space?.OwnerId ?? personalOwnerId, space?.Id ?? "",
            "", [], stamp, stamp, new ConnectionLinks(new Link(ConnectionViews.SelfBase(request) + id)));
    }
}
