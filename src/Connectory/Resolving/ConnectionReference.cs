using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Errors;
using Connectory.Platform.Auth;
using Connectory.Platform.Spaces;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Resolving;

/// <summary>
/// A stored connection the caller may read, found by id or by name. Whatever the caller cannot read answers exactly
/// as what does not exist (404), so no answer tells whether a connection exists in another space or tenant.
/// </summary>
internal static class ConnectionReference
{
    /// <param name="field">The request field the id came in, named in a 400.</param>
    public static async Task<(ResolvedConnection? Found, ApiError? Error)> ByIdAsync(ConnectoryDb db, Caller caller, string? id, string field, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(id))
        {
            return (null, ApiError.MissingField(field));
        }
        if (ConnectionFields.CheckUuid(id, field, out var normalized) is { } invalid)
        {
            return (null, invalid);
        }
        return Stored(await ConnectionLookup.ResolveAsync(db, caller, normalized!, null, null, tracked: false, ct));
    }

    /// <summary>
    /// <c>Space:Name</c> names the space called Space that the caller can see (<paramref name="spaceId"/> is ignored);
    /// <c>:Name</c> and a plain <c>Name</c> name the space <paramref name="spaceId"/>, or the caller's personal space
    /// without it. The first colon splits, so a name may hold colons after it.
    /// </summary>
    public static async Task<(ResolvedConnection? Found, ApiError? Error)> ByNameAsync(
        ConnectoryDb db, Caller caller, string? name, string? spaceId, string field, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return (null, ApiError.MissingField(field));
        }
        var colon = name.IndexOf(':', StringComparison.Ordinal);
        var connectionName = colon < 0 ? name : name[(colon + 1)..];
        if (string.IsNullOrWhiteSpace(connectionName))
        {
            return (null, ApiError.InvalidField(field, "names a space but no connection (expected 'Space:Name', ':Name' or 'Name')"));
        }
        var scope = string.IsNullOrEmpty(spaceId) ? null : spaceId;
        if (colon > 0)
        {
            var spaceName = Space.Normalize(name[..colon]);
            scope = await db.VisibleSpaces(caller).Where(s => s.NormalizedName == spaceName).Select(s => s.Id).FirstOrDefaultAsync(ct);
            if (scope is null)
            {
                return (null, ApiError.NotFound($"Data connection '{name}'"));
            }
        }
        return Stored(await ConnectionLookup.ResolveAsync(db, caller, connectionName, "connectionname", scope, tracked: false, ct));
    }

    /// <summary>The one connection among those the caller may read that <paramref name="filter"/> keeps; 409 when several do.</summary>
    public static async Task<(ResolvedConnection? Found, ApiError? Error)> OnlyAsync(
        ConnectoryDb db, Caller caller, Func<IQueryable<DataConnection>, IQueryable<DataConnection>> filter, string what, string ambiguity, CancellationToken ct)
    {
        var access = await ConnectionAccess.LoadAsync(db, caller, ct, withAdministered: false);
        var matches = await filter(access.Visible(db.DataConnections.AsNoTracking())).OrderBy(c => c.Id).Take(2).ToListAsync(ct);
        if (matches is not [var only])
        {
            return (null, matches.Count == 0 ? ApiError.NotFound(what) : ApiError.Conflict(ambiguity));
        }
        // The space's name (for the space-qualified name) and the caller's standing there, read as a lookup by id does.
        var standing = await ConnectionAccess.ForSpaceAsync(db, caller, only.SpaceId, ct);
        return (new ResolvedConnection(only, standing, null, false, null), null);
    }

    /// <summary>The reserved DataFiles connections are derived, not stored: they have no statement or credential to hand out.</summary>
    static (ResolvedConnection?, ApiError?) Stored((ResolvedConnection? Found, ApiError? Error) lookup) => lookup switch
    {
        ({ IsDataFiles: true }, _) => (null, ApiError.BadRequest($"The reserved '{DataFiles.Name}' connection is served by the engine itself and cannot be resolved here.")),
        _ => lookup,
    };

    /// <summary><c>SpaceName:ConnectionName</c>; <c>:ConnectionName</c> for a personal space, which names it back for its owner.</summary>
    public static string SpaceQualifiedName(DataConnection connection, ConnectionAccess access) =>
        (connection.SpaceId is { } id ? access.Space(id)?.Name ?? "" : "") + ":" + connection.Name;
}
