using System.Globalization;
using Connectory.Errors;

namespace Connectory.DataConnections;

/// <summary>
/// Characters no name or tag may hold: control characters (CR/LF forge log lines), bidirectional controls (they
/// reorder what a list shows, so "txt.exe" reads as "exe.txt") and zero-width characters (two names that look the
/// same but differ). Checked on every write; names stored before the check stay readable.
/// </summary>
internal static class NameCharacters
{
    /// <summary>The first refused character of <paramref name="value"/> as a 400 naming the field, or null.</summary>
    public static ApiError? Check(string? value, string field) =>
        Describe(value) is { } problem ? ApiError.InvalidField(field, $"must not contain {problem}") : null;

    /// <summary>"U+202E (a bidirectional control)" for the first refused character, or null when there is none.</summary>
    public static string? Describe(string? value)
    {
        if (value is null)
        {
            return null;
        }
        foreach (var c in value)
        {
            if (KindOf(c) is { } kind)
            {
                return $"U+{((int)c).ToString("X4", CultureInfo.InvariantCulture)} ({kind})";
            }
        }
        return null;
    }

    static string? KindOf(char c) => c switch
    {
        < '\u0020' or (>= '\u007F' and <= '\u009F') => "a control character",
        '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') => "a bidirectional control",
        (>= '\u200B' and <= '\u200D') or '\u2060' or '\uFEFF' => "a zero-width character",
        _ => null,
    };
}
