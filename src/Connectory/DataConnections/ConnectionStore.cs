using System.Data.Common;
using Connectory.Data;
using Connectory.Platform.Auth;
using Connectory.Platform.Spaces;

namespace Connectory.DataConnections;

/// <summary>
/// Every hand-written statement on data_connections, and what its rows read back into. Each is made from
/// <see cref="TenantRows"/>, so it begins with the tenant predicate (EF Core's tenant filter does not reach hand-written
/// SQL); a test checks that no other file of the service writes SQL on this table. Reads through EF Core get the
/// tenant filter from the model.
/// </summary>
internal static class ConnectionStore
{
    /// <summary>The rows of one tenant, on alias <c>c</c>: the start of every statement below.</summary>
    public static TenantRows Of(string tenantId) => new(tenantId);

    /// <summary>A listing's rows (<see cref="ListedColumns"/>), then <paramref name="keySql"/> when a sort key is read too.</summary>
    public static SqlText Listed(TenantRows rows, bool withQri, string? keySql) =>
        rows.Statement($"SELECT {ListedColumns(withQri)}{(keySql is null ? "" : ", " + keySql)} FROM data_connections c WHERE ");

    public static SqlText Count(TenantRows rows) => rows.Statement("SELECT COUNT(*) FROM data_connections c WHERE ");

    public static SqlText Ids(TenantRows rows) => rows.Statement("SELECT c.\"Id\" FROM data_connections c WHERE ");

    /// <summary>One row when the tenant already holds a connection with this id.</summary>
    public static SqlText Taken(string tenantId, string id)
    {
        var rows = Of(tenantId);
        return rows.And($"c.\"Id\" = {rows.Parameters.Param(id)}").Statement("SELECT 1 FROM data_connections c WHERE ");
    }

    /// <summary>
    /// A connection with its space and the caller's roles there, in one round trip. (SpaceId, Type, AssigneeId) is
    /// unique, so the joins yield one row per assignment the caller holds there (their own and their groups'), and one
    /// row without roles when they hold none. Read back with <see cref="ReadWithSpace"/>.
    /// </summary>
    public static SqlText WithSpace(Caller caller, string id)
    {
        var rows = Of(caller.TenantId);
        var held = SpaceLookup.HeldBySql(rows.Parameters, caller, rows.Tenant);
        return rows.And($"c.\"Id\" = {rows.Parameters.Param(id)}").Statement(
            $"SELECT {Columns}, s.\"Id\", s.\"Name\", s.\"Type\", s.\"OwnerId\", s.\"CreatedAt\", a.\"Roles\" " +
            "FROM data_connections c " +
            $"LEFT JOIN spaces s ON s.\"Id\" = c.\"SpaceId\" AND s.\"TenantId\" = {rows.Tenant} " +
            $"LEFT JOIN space_assignments a ON a.\"SpaceId\" = c.\"SpaceId\" AND {held} AND a.\"TenantId\" = {rows.Tenant} " +
            "WHERE ");
    }

    public static ConnectionWithSpace ReadWithSpace(DbDataReader r)
    {
        const int s = ColumnCount;
        var space = r.IsDBNull(s) ? null : new SpaceInfo(r.GetString(s), r.GetString(s + 1), r.GetString(s + 2), r.GetString(s + 3), r.GetUtc(s + 4));
        return new ConnectionWithSpace(Read(r), space, r.IsDBNull(s + 5) ? [] : [r.GetString(s + 5)]);
    }

    /// <summary>Every column, qualified by alias <c>c</c>, in the order <see cref="Read"/> expects.</summary>
    const string Columns =
        "c.\"Id\", c.\"TenantId\", c.\"SpaceId\", c.\"SpaceType\", c.\"OwnerId\", c.\"Scope\", c.\"Name\", c.\"NameFold\", c.\"NameSortKey\", " +
        "c.\"Type\", c.\"DatasourceId\", c.\"ConnectStatement\", c.\"LogOn\", c.\"Architecture\", c.\"SeparateCredentials\", c.\"CredentialId\", " +
        "c.\"ConnectionSecret\", c.\"Tags\", c.\"AppOwner\", c.\"Qri\", c.\"CreatedBy\", c.\"CreatedAt\", c.\"UpdatedAt\", c.\"Version\"";

    const int ColumnCount = 24;

    /// <summary>A whole stored connection.</summary>
    static DataConnection Read(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        TenantId = r.GetString(1),
        SpaceId = r.GetNullableString(2),
        SpaceType = r.GetString(3),
        OwnerId = r.GetString(4),
        Scope = r.GetString(5),
        Name = r.GetString(6),
        NameFold = r.GetString(7),
        NameSortKey = r.GetString(8),
        Type = r.GetString(9),
        DatasourceId = r.GetString(10),
        ConnectStatement = r.GetString(11),
        LogOn = r.GetInt32(12),
        Architecture = r.GetInt32(13),
        SeparateCredentials = r.GetBoolean(14),
        CredentialId = r.GetNullableString(15),
        ConnectionSecret = r.GetNullableString(16),
        Tags = r.GetString(17),
        AppOwner = r.GetNullableString(18),
        Qri = r.GetString(19),
        CreatedBy = r.GetString(20),
        CreatedAt = r.GetUtc(21),
        UpdatedAt = r.GetUtc(22),
        Version = r.GetInt64(23),
    };

    /// <summary>
    /// What a listed row shows: no tenant (the caller's), no connection secret, no name keys (the sort key, when
    /// needed, is selected on its own), no naming scope, and the QRI only when asked for. Every column read costs a
    /// page a hundred reads, so a list reads no more. Read back with <see cref="ReadListed"/>.
    /// </summary>
    static string ListedColumns(bool withQri) =>
        "c.\"Id\", c.\"SpaceId\", c.\"SpaceType\", c.\"OwnerId\", c.\"Name\", c.\"Type\", c.\"DatasourceId\", c.\"ConnectStatement\", " +
        "c.\"LogOn\", c.\"Architecture\", c.\"SeparateCredentials\", c.\"CredentialId\", c.\"Tags\", c.\"CreatedAt\", c.\"UpdatedAt\"" +
        (withQri ? ", c.\"Qri\"" : "");

    /// <summary>Where a sort key selected after the listed columns is read.</summary>
    public static int ListedKeyOrdinal(bool withQri) => withQri ? 16 : 15;

    public static ListedConnection ReadListed(DbDataReader r, bool withQri) => new(
        Id: r.GetString(0),
        SpaceId: r.GetNullableString(1),
        SpaceType: r.GetString(2),
        OwnerId: r.GetString(3),
        Name: r.GetString(4),
        Type: r.GetString(5),
        DatasourceId: r.GetString(6),
        ConnectStatement: r.GetString(7),
        LogOn: r.GetInt32(8),
        Architecture: r.GetInt32(9),
        SeparateCredentials: r.GetBoolean(10),
        CredentialId: r.GetNullableString(11),
        Tags: r.GetString(12),
        CreatedAt: r.GetUtc(13),
        UpdatedAt: r.GetUtc(14),
        Qri: withQri ? r.GetString(15) : null);
}

/// <summary>A stored connection with its space (null: personal) and the roles the caller holds there.</summary>
internal sealed record ConnectionWithSpace(DataConnection Connection, SpaceInfo? Space, List<string> Roles);

/// <summary>
/// What a connection shows in its views and decides access by, whether a whole stored connection or a listed row.
/// </summary>
internal interface IShownConnection
{
    string Id { get; }
    /// <summary>Null for the owner's personal space.</summary>
    string? SpaceId { get; }
    string SpaceType { get; }
    string OwnerId { get; }
    string Name { get; }
    string Type { get; }
    string DatasourceId { get; }
    string ConnectStatement { get; }
    int LogOn { get; }
    int Architecture { get; }
    bool SeparateCredentials { get; }
    string? CredentialId { get; }
    /// <summary>Tags as a JSON array.</summary>
    string Tags { get; }
    DateTime CreatedAt { get; }
    DateTime UpdatedAt { get; }
    /// <summary>Null when it was not read (a listing without includeQris).</summary>
    string? Qri { get; }
}

/// <summary>A listed row: the columns a listing shows, nothing more (no secret, no name keys, no tenant: the caller's).</summary>
internal sealed record ListedConnection(
    string Id, string? SpaceId, string SpaceType, string OwnerId, string Name, string Type, string DatasourceId, string ConnectStatement,
    int LogOn, int Architecture, bool SeparateCredentials, string? CredentialId, string Tags, DateTime CreatedAt, DateTime UpdatedAt,
    string? Qri) : IShownConnection;
