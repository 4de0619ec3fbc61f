using System.Security.Cryptography;
using System.Text;
using Connectory.Data;
using Connectory.DataConnections;
using Connectory.Filtering;
using Connectory.Platform.Access;
using Connectory.Platform.Users;

namespace Connectory.Qrs;

/// <summary>One stored connection with what its QRS view needs: owner, creator, credential user name, privileges.</summary>
internal sealed record QrsRow(
    DataConnection Connection, User? Owner, User? Creator, string Username, IReadOnlyList<string> Tags, ConnectionPrivileges Privileges,
    IReadOnlyList<QrsPropertyRow> CustomProperties);

/// <summary>How stored connections, users and tags appear through QRS (see docs/qrs.md for the mapping).</summary>
internal static class QrsView
{
    /// <summary>The user directory shown for users whose subject has no <c>DIR\</c> part.</summary>
    public const string LocalDirectory = "CONNECTORY";
    public const string EmptyGuid = "00000000-0000-0000-0000-000000000000";

    static readonly Dictionary<string, long> LogOnNames = new(StringComparer.OrdinalIgnoreCase) { ["LOG_ON_SERVICE_USER"] = 0, ["LOG_ON_CURRENT_USER"] = 1 };
    static readonly Dictionary<string, long> ArchitectureNames = new(StringComparer.OrdinalIgnoreCase) { ["Undefined"] = 0, ["x86"] = 1, ["x64"] = 2 };

    /// <summary>The properties filter and orderby know, by their QRS names.</summary>
    public static readonly IReadOnlyList<QrsField<QrsRow>> Fields =
    [
        QrsField<QrsRow>.One("id", QrsFieldKind.Guid, r => Guid.Parse(r.Connection.Id)),
        QrsField<QrsRow>.One("createdDate", QrsFieldKind.Date, r => r.Connection.CreatedAt),
        QrsField<QrsRow>.One("modifiedDate", QrsFieldKind.Date, r => r.Connection.UpdatedAt),
        QrsField<QrsRow>.One("modifiedByUserName", QrsFieldKind.Text, r => UserName(r.Creator)),
        QrsField<QrsRow>.One("name", QrsFieldKind.Text, r => r.Connection.Name),
        QrsField<QrsRow>.One("connectionstring", QrsFieldKind.Text, r => r.Connection.ConnectStatement),
        QrsField<QrsRow>.One("type", QrsFieldKind.Text, r => r.Connection.Type),
        QrsField<QrsRow>.One("engineObjectId", QrsFieldKind.Guid, r => Guid.Parse(r.Connection.Id)),
        QrsField<QrsRow>.One("username", QrsFieldKind.Text, r => r.Username),
        QrsField<QrsRow>.One("logOn", QrsFieldKind.Number, r => (long)r.Connection.LogOn, LogOnNames),
        QrsField<QrsRow>.One("architecture", QrsFieldKind.Number, r => (long)ToQrsArchitecture(r.Connection.Architecture), ArchitectureNames),
        QrsField<QrsRow>.One("owner.id", QrsFieldKind.Guid, r => r.Owner is null ? null : Guid.Parse(UserGuid(r.Owner.Id))),
        QrsField<QrsRow>.One("owner.userId", QrsFieldKind.Text, r => r.Owner is null ? null : SplitSubject(r.Owner.Subject).UserId),
        QrsField<QrsRow>.One("owner.userDirectory", QrsFieldKind.Text, r => r.Owner is null ? null : SplitSubject(r.Owner.Subject).Directory),
        QrsField<QrsRow>.One("owner.name", QrsFieldKind.Text, r => r.Owner?.Name),
        new("tags.name", QrsFieldKind.Text, r => r.Tags) { IsMany = true },
        new("tags.id", QrsFieldKind.Guid, r => r.Tags.Select(t => (object?)Guid.Parse(TagGuid(r.Connection.TenantId, t)))) { IsMany = true },
    ];

    /// <summary>
    /// The fields a filter names beyond <see cref="Fields"/>: <c>@Name</c> is the values of the custom property
    /// definition of that name (ignoring case), any-match like tags.
    /// </summary>
    public static IReadOnlyList<QrsField<QrsRow>> FieldsFor(QrsFilterNode node)
    {
        var paths = new List<string>();
        Collect(node, paths);
        var custom = paths.Where(p => p.StartsWith('@')).Distinct(StringComparer.OrdinalIgnoreCase).Select(path =>
        {
            var fold = QrsCustomPropertyDefinition.Fold(path[1..]);
            return new QrsField<QrsRow>(path, QrsFieldKind.Text,
                r => r.CustomProperties.Where(p => p.Definition.NameFold == fold).Select(p => (object?)p.Value.Value))
            { IsMany = true };
        }).ToList();
        return custom.Count == 0 ? Fields : [.. Fields, .. custom];
    }

    static void Collect(QrsFilterNode node, List<string> paths)
    {
        switch (node)
        {
            case QrsComparison c:
                paths.Add(c.Path);
                break;
            case QrsAnd a:
                Collect(a.Left, paths);
                Collect(a.Right, paths);
                break;
            case QrsOr o:
                Collect(o.Left, paths);
                Collect(o.Right, paths);
                break;
        }
    }

    /// <summary>Cloud qArchitecture 0 (64-bit) is QRS x64 (2); 1 (32-bit) is x86 (1).</summary>
    public static int ToQrsArchitecture(int cloud) => cloud == 1 ? 1 : 2;

    /// <summary>QRS x86 (1) is 32-bit; x64 (2) and Undefined (0) are stored as 64-bit, the default of both APIs.</summary>
    public static int ToCloudArchitecture(int qrs) => qrs == 1 ? 1 : 0;

    /// <summary>User ids are 24 hex digits; QRS wants a GUID, so they are shown zero-padded to 32.</summary>
    public static string UserGuid(string userId) =>
        Guid.TryParseExact("00000000" + userId, "N", out var guid) ? guid.ToString() : EmptyGuid;

    public static string? UserIdFromGuid(string guid) =>
        Guid.TryParse(guid, out var parsed) && parsed.ToString("N") is var n && n.StartsWith("00000000", StringComparison.Ordinal) ? n[8..] : null;

    /// <summary>Tags are names; their QRS id is derived from the tenant and the folded name, so it is stable.</summary>
    public static string TagGuid(string tenantId, string tag)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(tenantId + "\n" + tag.Trim().ToLowerInvariant()));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    public static (string Directory, string UserId) SplitSubject(string subject)
    {
        var slash = subject.IndexOf('\\', StringComparison.Ordinal);
        return slash > 0 ? (subject[..slash], subject[(slash + 1)..]) : (LocalDirectory, subject);
    }

    public static string SubjectOf(string directory, string userId) =>
        string.Equals(directory, LocalDirectory, StringComparison.OrdinalIgnoreCase) ? userId : directory + "\\" + userId;

    /// <summary>DIR\ID, the form QRS shows user names in.</summary>
    static string UserName(User? user) =>
        user is null ? "" : user.Subject.Contains('\\', StringComparison.Ordinal) ? user.Subject : LocalDirectory + "\\" + user.Subject;

    public static QrsUserCondensed? Owner(User? user)
    {
        if (user is null)
        {
            return null;
        }
        var (directory, userId) = SplitSubject(user.Subject);
        return new QrsUserCondensed(UserGuid(user.Id), null, userId, directory, null, user.Name);
    }

    /// <summary>QRS privilege names: create when the caller may add connections to the QRS space, then what the access rules grant.</summary>
    public static IReadOnlyList<string> Privileges(ConnectionPrivileges cloud, bool canCreate)
    {
        var names = new List<string>();
        if (canCreate)
        {
            names.Add("create");
        }
        foreach (var (privilege, qrsName) in new[] { (ConnectionPrivileges.Read, "read"), (ConnectionPrivileges.Update, "update"), (ConnectionPrivileges.Delete, "delete"), (ConnectionPrivileges.ChangeOwner, "changeowner") })
        {
            if (cloud.HasFlag(privilege))
            {
                names.Add(qrsName);
            }
        }
        return names;
    }

    public static QrsDataConnection Full(QrsRow row, IReadOnlyList<string>? privileges)
    {
        var c = row.Connection;
        return new QrsDataConnection(
            c.Id, c.CreatedAt.ToRfc3339(), c.UpdatedAt.ToRfc3339(), UserName(row.Creator), [.. row.CustomProperties.Select(CustomProperty)], Owner(row.Owner),
            c.Name, c.ConnectStatement, c.Type, c.Id, row.Username, null, c.LogOn, ToQrsArchitecture(c.Architecture),
            [.. row.Tags.Select(t => new QrsTagCondensed(TagGuid(c.TenantId, t), null, t))],
            privileges, "DataConnection");
    }

    static QrsCustomPropertyValueView CustomProperty(QrsPropertyRow row) => new(
        row.Value.Id, row.Value.CreatedAt.ToRfc3339(), row.Value.UpdatedAt.ToRfc3339(), row.Value.Value,
        new QrsCustomPropertyDefinitionCondensed(
            row.Definition.Id, null, row.Definition.Name, row.Definition.ValueType,
            System.Text.Json.JsonSerializer.Deserialize<List<string>>(row.Definition.ChoiceValues) ?? []));

    public static QrsDataConnectionCondensed Condensed(QrsRow row, IReadOnlyList<string>? privileges)
    {
        var c = row.Connection;
        return new QrsDataConnectionCondensed(c.Id, privileges, c.Name, c.ConnectStatement, c.Type, c.Id, row.Username, null, c.LogOn, ToQrsArchitecture(c.Architecture));
    }

    /// <summary>GET /about/api/default/dataconnection: the entity with every member at its default, as QRS answers it.</summary>
    public static QrsDataConnection Default() => new(
        EmptyGuid, "1753-01-01T00:00:00.000Z", "1753-01-01T00:00:00.000Z", "", [], null,
        "", "", "", "", "", "", 0, 0, [], null, "DataConnection");
}
