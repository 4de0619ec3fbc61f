namespace Connectory.Platform.Access;

/// <summary>What a caller may do with one data connection. Decided by <see cref="AccessRules"/>; the wire names are the spec's.</summary>
[Flags]
internal enum ConnectionPrivileges
{
    None = 0,
    List = 1,
    Read = 2,
    Update = 4,
    Delete = 8,
    ChangeOwner = 16,
    ChangeSpace = 32,

    Reads = List | Read,
    Changes = Reads | Update | Delete,
    Administers = Changes | ChangeOwner | ChangeSpace,
}

internal static class ConnectionPrivilegeNames
{
    // Shared, never changed: a listing asks for every row's names. The spec's order.
    static readonly IReadOnlyList<string> AdministerNames = ["list", "read", "update", "delete", "change_owner", "change_space"];
    static readonly IReadOnlyList<string> ChangeNames = ["list", "read", "update", "delete"];
    static readonly IReadOnlyList<string> ReadNames = ["list", "read"];
    static readonly IReadOnlyList<string> ReadOnlyNames = ["read"];

    /// <summary>The spec's privilege names, in the spec's order.</summary>
    public static IReadOnlyList<string> Names(this ConnectionPrivileges privileges) => privileges switch
    {
        ConnectionPrivileges.None => [],
        ConnectionPrivileges.Administers => AdministerNames,
        ConnectionPrivileges.Changes => ChangeNames,
        ConnectionPrivileges.Reads => ReadNames,
        ConnectionPrivileges.Read => ReadOnlyNames,
        _ => All.Where(p => privileges.HasFlag(p.Flag)).Select(p => p.Name).ToList(),
    };

    static readonly (ConnectionPrivileges Flag, string Name)[] All =
    [
        (ConnectionPrivileges.List, "list"), (ConnectionPrivileges.Read, "read"), (ConnectionPrivileges.Update, "update"),
        (ConnectionPrivileges.Delete, "delete"), (ConnectionPrivileges.ChangeOwner, "change_owner"), (ConnectionPrivileges.ChangeSpace, "change_space"),
    ];

    /// <summary>What the caller would be refused for, in words: "update", "delete", "change the owner of", "move".</summary>
    public static string Verb(this ConnectionPrivileges privilege) => privilege switch
    {
        ConnectionPrivileges.Update => "update",
        ConnectionPrivileges.Delete => "delete",
        ConnectionPrivileges.ChangeOwner => "change the owner of",
        ConnectionPrivileges.ChangeSpace => "move to another space",
        _ => "read",
    };
}
