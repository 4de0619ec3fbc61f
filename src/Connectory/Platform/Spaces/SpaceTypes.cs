namespace Connectory.Platform.Spaces;

/// <summary>Space types and the RoleType values each one accepts in assignments (Qlik's defaults).</summary>
internal static class SpaceTypes
{
    public const string Shared = "shared";
    public const string Managed = "managed";
    public const string Data = "data";
    /// <summary>A connection's space type when it lives in its owner's personal space (no space row has it).</summary>
    public const string Personal = "personal";

    public static readonly IReadOnlyList<string> All = [Shared, Managed, Data];

    public static readonly IReadOnlyList<string> AllRoles =
        ["consumer", "contributor", "dataconsumer", "datapreview", "facilitator", "operator", "producer", "publisher", "basicconsumer", "codeveloper"];

    public static IReadOnlyList<string> AssignableRoles(string type) => type switch
    {
        Shared => ["basicconsumer", "codeveloper", "consumer", "dataconsumer", "facilitator", "producer"],
        Managed => ["basicconsumer", "consumer", "contributor", "dataconsumer", "facilitator", "operator", "publisher"],
        Data => ["consumer", "dataconsumer", "datapreview", "facilitator", "operator", "producer", "publisher"],
        _ => [],
    };
}
