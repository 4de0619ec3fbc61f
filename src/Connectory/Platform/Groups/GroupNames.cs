using Connectory.DataConnections;
using Connectory.Errors;

namespace Connectory.Platform.Groups;

/// <summary>What a group name may be: 1 to 256 characters (Qlik's limit), none of the characters no name may hold.</summary>
internal static class GroupNames
{
    public const int MaxLength = 256;

    public static bool IsAcceptable(string? name) => Check(name, "name") is null;

    public static ApiError? Check(string? name, string field) =>
        string.IsNullOrWhiteSpace(name) ? ApiError.MissingField(field)
        : name.Length > MaxLength ? ApiError.InvalidField(field, $"must be at most {MaxLength} characters")
        : NameCharacters.Check(name, field);
}
