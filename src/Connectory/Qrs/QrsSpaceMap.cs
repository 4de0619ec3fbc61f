namespace Connectory.Qrs;

/// <summary>
/// Which Cloud space each imported QRS connection goes to: rules <c>MATCH=SPACE</c> separated by <c>;</c> or new
/// lines (a file), tried in order, the first match wins. MATCH is <c>tag:NAME</c>, <c>owner:DIR\ID</c>,
/// <c>type:TYPE</c>, <c>name:PATTERN</c> (<c>*</c> matches any run of characters) or <c>*</c>; all compare ignoring
/// case. SPACE is a space's name or id in the target tenant. Lines starting with <c>#</c> are comments.
/// </summary>
internal sealed class QrsSpaceMap
{
    readonly List<(string Kind, string Value, string Space)> rules = [];

    public IReadOnlyList<(string Kind, string Value, string Space)> Rules => rules;

    public static (QrsSpaceMap? Map, string? Error) Parse(string text)
    {
        var map = new QrsSpaceMap();
        foreach (var raw in text.Split([';', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (raw.StartsWith('#'))
            {
                continue;
            }
            var eq = raw.IndexOf('=', StringComparison.Ordinal);
            var space = eq < 0 ? "" : raw[(eq + 1)..].Trim();
            var match = eq < 0 ? raw : raw[..eq].Trim();
            if (space.Length == 0)
            {
                return (null, $"Rule '{raw}' must be MATCH=SPACE.");
            }
            if (match == "*")
            {
                map.rules.Add(("*", "", space));
                continue;
            }
            var colon = match.IndexOf(':', StringComparison.Ordinal);
            var kind = colon < 0 ? "" : match[..colon].Trim().ToLowerInvariant();
            var value = colon < 0 ? "" : match[(colon + 1)..].Trim();
            if (kind is not ("tag" or "owner" or "type" or "name") || value.Length == 0)
            {
                return (null, $"Rule '{raw}': the match must be tag:NAME, owner:DIR\\ID, type:TYPE, name:PATTERN or *.");
            }
            map.rules.Add((kind, value, space));
        }
        return map.rules.Count == 0 ? (null, "The space map has no rules.") : (map, null);
    }

    /// <summary>The space the first matching rule names, or null when none matches.</summary>
    public string? SpaceFor(string name, string type, string? owner, IReadOnlyList<string> tags)
    {
        foreach (var (kind, value, space) in rules)
        {
            var matches = kind switch
            {
                "*" => true,
                "tag" => tags.Any(t => t.Equals(value, StringComparison.OrdinalIgnoreCase)),
                "owner" => owner is not null && owner.Equals(value, StringComparison.OrdinalIgnoreCase),
                "type" => type.Equals(value, StringComparison.OrdinalIgnoreCase),
                _ => Like(name, value),
            };
            if (matches)
            {
                return space;
            }
        }
        return null;
    }

    static bool Like(string text, string pattern)
    {
        var parts = pattern.Split('*');
        if (parts.Length == 1)
        {
            return text.Equals(pattern, StringComparison.OrdinalIgnoreCase);
        }
        if (!text.StartsWith(parts[0], StringComparison.OrdinalIgnoreCase) || !text.EndsWith(parts[^1], StringComparison.OrdinalIgnoreCase)
            || text.Length < parts[0].Length + parts[^1].Length)
        {
            return false;
        }
        var at = parts[0].Length;
        var end = text.Length - parts[^1].Length;
        foreach (var part in parts[1..^1])
        {
            var found = text.IndexOf(part, at, end - at, StringComparison.OrdinalIgnoreCase);
            if (found < 0)
            {
                return false;
            }
            at = found + part.Length;
        }
        return true;
    }
}
