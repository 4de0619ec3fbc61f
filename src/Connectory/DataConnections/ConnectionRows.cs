using System.Data.Common;
using Connectory.Data;

namespace Connectory.DataConnections;

/// <summary>
/// The data_connections columns in one order, and a row read back into a <see cref="DataConnection"/>, for the
/// hand-written reads (GET by id, list pages). Writes stay with EF Core.
/// </summary>
internal static class ConnectionRows
{
    /// <summary>Every column, qualified by alias <c>c</c>, in the order <see cref="Read"/> expects.</summary>
    public const string Columns =
        "c.\"Id\", c.\"TenantId\", c.\"SpaceId\", c.\"SpaceType\", c.\"OwnerId\", c.\"Scope\", c.\"Name\", c.\"NameFold\", c.\"NameSortKey\", " +
        "c.\"Type\", c.\"DatasourceId\", c.\"ConnectStatement\", c.\"LogOn\", c.\"Architecture\", c.\"SeparateCredentials\", c.\"CredentialId\", " +
        "c.\"ConnectionSecret\", c.\"Tags\", c.\"AppOwner\", c.\"Qri\", c.\"CreatedBy\", c.\"CreatedAt\", c.\"UpdatedAt\", c.\"Version\"";

    public const int ColumnCount = 24;

    public static DataConnection Read(DbDataReader r) => new()
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
    public static string ListedColumns(bool withQri) =>
        "c.\"Id\", c.\"SpaceId\", c.\"SpaceType\", c.\"OwnerId\", c.\"Name\", c.\"Type\", c.\"DatasourceId\", c.\"ConnectStatement\", " +
        "c.\"LogOn\", c.\"Architecture\", c.\"SeparateCredentials\", c.\"CredentialId\", c.\"Tags\", c.\"CreatedAt\", c.\"UpdatedAt\"" +
        (withQri ? ", c.\"Qri\"" : "");

    public static int ListedColumnCount(bool withQri) => withQri ? 16 : 15;

    /// <summary>A row for a listing's view only: what <see cref="ListedColumns"/> leaves out is the tenant's id or empty.</summary>
    public static DataConnection ReadListed(DbDataReader r, string tenantId, bool withQri) => new()
    {
        Id = r.GetString(0),
        TenantId = tenantId,
        SpaceId = r.GetNullableString(1),
        SpaceType = r.GetString(2),
        OwnerId = r.GetString(3),
        Name = r.GetString(4),
        Type = r.GetString(5),
        DatasourceId = r.GetString(6),
        ConnectStatement = r.GetString(7),
        LogOn = r.GetInt32(8),
        Architecture = r.GetInt32(9),
        SeparateCredentials = r.GetBoolean(10),
        CredentialId = r.GetNullableString(11),
        Tags = r.GetString(12),
        CreatedAt = r.GetUtc(13),
        UpdatedAt = r.GetUtc(14),
        Qri = withQri ? r.GetString(15) : "",
        Scope = "",
        NameFold = "",
        NameSortKey = "",
        CreatedBy = "",
    };
}
