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
        "c.\"ConnectionSecret\", c.\"Tags\", c.\"AppOwner\", c.\"Qri\", c.\"CreatedBy\", c.\"CreatedAt\", c.\"UpdatedAt\"";

    public const int ColumnCount = 23;

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
    };

    /// <summary>
    /// What a listed row shows: no connection secret, no name keys (the sort key, when needed, is selected on its
    /// own), no naming scope. Read back with <see cref="ReadListed"/>.
    /// </summary>
    public const string ListedColumns =
        "c.\"Id\", c.\"TenantId\", c.\"SpaceId\", c.\"SpaceType\", c.\"OwnerId\", c.\"Name\", c.\"Type\", c.\"DatasourceId\", " +
        "c.\"ConnectStatement\", c.\"LogOn\", c.\"Architecture\", c.\"SeparateCredentials\", c.\"CredentialId\", c.\"Tags\", " +
        "c.\"Qri\", c.\"CreatedAt\", c.\"UpdatedAt\"";

    public const int ListedColumnCount = 17;

    /// <summary>A row for a listing's view only: the columns <see cref="ListedColumns"/> leaves out are empty.</summary>
    public static DataConnection ReadListed(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        TenantId = r.GetString(1),
        SpaceId = r.GetNullableString(2),
        SpaceType = r.GetString(3),
        OwnerId = r.GetString(4),
        Name = r.GetString(5),
        Type = r.GetString(6),
        DatasourceId = r.GetString(7),
        ConnectStatement = r.GetString(8),
        LogOn = r.GetInt32(9),
        Architecture = r.GetInt32(10),
        SeparateCredentials = r.GetBoolean(11),
        CredentialId = r.GetNullableString(12),
        Tags = r.GetString(13),
        Qri = r.GetString(14),
        CreatedAt = r.GetUtc(15),
        UpdatedAt = r.GetUtc(16),
        Scope = "",
        NameFold = "",
        NameSortKey = "",
        CreatedBy = "",
    };
}
