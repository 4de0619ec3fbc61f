using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Connectory.Platform.Preconditions;

/// <summary>
/// An entity tag (RFC 9110 §8.8.3). A stored connection's or credential's strong tag is its version and the
/// millisecond it was made (<c>"7-18c2f5a1b20"</c>): the version changes on every write, and the creation time keeps a
/// tag of a deleted row from matching a new row made again under the same id.
/// </summary>
internal readonly record struct EntityTag(bool Weak, string Opaque)
{
    public static EntityTag Of(Data.IVersioned row) =>
        new(false, row.Version.ToString(CultureInfo.InvariantCulture) + "-" +
            new DateTimeOffset(row.CreatedAt, TimeSpan.Zero).ToUnixTimeMilliseconds().ToString("x", CultureInfo.InvariantCulture));

    public override string ToString() => (Weak ? "W/\"" : "\"") + Opaque + "\"";

    /// <summary>Strong comparison: both strong and the same opaque tag (a weak tag never matches).</summary>
    public bool StronglyMatches(EntityTag other) => !Weak && !other.Weak && Opaque == other.Opaque;

    /// <summary>Weak comparison: the same opaque tag, weak or not.</summary>
    public bool WeaklyMatches(EntityTag other) => Opaque == other.Opaque;
}

/// <summary>An If-Match or If-None-Match field: <c>*</c>, or a list of entity tags.</summary>
internal sealed record EntityTagCondition(bool Any, IReadOnlyList<EntityTag> Tags)
{
    /// <summary>
    /// Parses the field's lines as one list (RFC 9110 §5.3): <c>"*"</c> alone, or <c>#entity-tag</c> with empty list
    /// elements allowed. Null when the field is absent; false when it is malformed.
    /// </summary>
    public static bool TryParse(StringValues lines, out EntityTagCondition? condition)
    {
        condition = null;
        if (lines.Count == 0)
        {
            return true;
        }
        var text = string.Join(",", lines.Select(l => l ?? ""));
        if (text.Trim(' ', '\t') == "*")
        {
            condition = new EntityTagCondition(true, []);
            return true;
        }
        var tags = new List<EntityTag>();
        var i = 0;
        while (true)
        {
            // OWS and empty elements between tags.
            while (i < text.Length && text[i] is ' ' or '\t' or ',')
            {
                i++;
            }
            if (i == text.Length)
            {
                break;
            }
            var weak = string.CompareOrdinal(text, i, "W/", 0, 2) == 0;
            if (weak)
            {
                i += 2;
            }
            if (i == text.Length || text[i] != '"')
            {
                return false;
            }
            var end = i + 1;
            while (end < text.Length && IsTagCharacter(text[end]))
            {
                end++;
            }
            if (end == text.Length || text[end] != '"')
            {
                return false;
            }
            tags.Add(new EntityTag(weak, text[(i + 1)..end]));
            i = end + 1;
            while (i < text.Length && text[i] is ' ' or '\t')
            {
                i++;
            }
            if (i < text.Length && text[i] != ',')
            {
                return false;
            }
        }
        if (tags.Count == 0)
        {
            return false;
        }
        condition = new EntityTagCondition(false, tags);
        return true;
    }

    // etagc = %x21 / %x23-7E / obs-text: visible characters but the double quote, and bytes from 0x80 (as Latin-1).
    static bool IsTagCharacter(char c) => c == 0x21 || c is >= (char)0x23 and <= (char)0x7E || c is >= (char)0x80 and <= (char)0xFF;
}
