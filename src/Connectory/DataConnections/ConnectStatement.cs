using System.Text;

namespace Connectory.DataConnections;

internal enum ConnectKind { Custom, Odbc, Oledb, Folder, Url }

/// <summary>
/// A parsed connect statement. One parser and one printer for every form Qlik uses:
/// <c>CUSTOM CONNECT TO "provider=x.exe;k=v;"</c>, <c>ODBC|OLEDB CONNECT[32|64] TO [k=v;...] (XUserId is ..., ...)</c>,
/// folder paths and URLs. <see cref="Print"/> of a parse keeps the statement's meaning, and parsing a printed statement
/// gives back the same value.
/// </summary>
internal sealed record ConnectStatement(
    ConnectKind Kind,
    IReadOnlyList<KeyValuePair<string, string>> Properties,
    string Bitness = "",
    string? Location = null,
    IReadOnlyList<KeyValuePair<string, string>>? Options = null)
{
    /// <summary>Property keys whose values are REST-connector lists: items split by %1, name and value by %2.</summary>
    public static readonly IReadOnlySet<string> ListKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "queryParameters", "queryHeaders" };

    /// <summary>Keys that identify where a connection points: changing one is a change of target.</summary>
    static readonly HashSet<string> TargetKeys = new(StringComparer.OrdinalIgnoreCase)
        { "provider", "host", "server", "url", "path", "dsn", "data source", "datasource", "account", "port", "endpoint", "bucket", "region", "hostname" };

    public string? Get(string key) => Properties.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    public string Provider => Kind switch
    {
        ConnectKind.Custom => Get("provider") ?? "",
        ConnectKind.Odbc => "odbc",
        ConnectKind.Oledb => "oledb",
        ConnectKind.Folder => "folder",
        _ => "internet",
    };

    /// <summary>A canonical description of where the statement points (lower-cased target keys, or the location).</summary>
    public string Target
    {
        get
        {
            var parts = new List<string> { Kind.ToString().ToLowerInvariant() };
            if (Location is not null)
            {
                parts.Add(Kind == ConnectKind.Url && Uri.TryCreate(Location, UriKind.Absolute, out var uri)
                    ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}".ToLowerInvariant()
                    : Location.Replace('\\', '/').TrimEnd('/').ToLowerInvariant());
            }
            parts.AddRange(Properties
                .Where(p => TargetKeys.Contains(p.Key))
                .Select(p => $"{p.Key.ToLowerInvariant()}={p.Value.Trim().ToLowerInvariant()}")
                .Order(StringComparer.Ordinal));
            return string.Join(';', parts);
        }
    }

    public static ConnectStatement Parse(string statement)
    {
        var text = statement.Trim();
        if (TryParseKeyword(text, "CUSTOM", out var rest, out var bitness) && rest.StartsWith('"'))
        {
            var (inner, after) = ReadDelimited(rest, '"', '"');
            return new ConnectStatement(ConnectKind.Custom, ParseProperties(inner), bitness, Options: ParseOptions(after));
        }
        foreach (var (keyword, kind) in new[] { ("ODBC", ConnectKind.Odbc), ("OLEDB", ConnectKind.Oledb) })
        {
            if (TryParseKeyword(text, keyword, out rest, out bitness) && rest.StartsWith('['))
            {
                var (inner, after) = ReadDelimited(rest, '[', ']');
                var properties = inner.Contains('=') ? ParseProperties(inner) : [new("DSN", inner)];
                return new ConnectStatement(kind, properties, bitness, Options: ParseOptions(after));
            }
        }
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ftp" or "ftps" or "s3"
            ? new ConnectStatement(ConnectKind.Url, [], Location: text)
            : new ConnectStatement(ConnectKind.Folder, [], Location: text);
    }

    public string Print() => Kind switch
    {
        ConnectKind.Custom => $"CUSTOM CONNECT{Bitness} TO \"{PrintProperties().Replace("\"", "\"\"", StringComparison.Ordinal)}\"{PrintOptions()}",
        ConnectKind.Odbc or ConnectKind.Oledb =>
            $"{(Kind == ConnectKind.Odbc ? "ODBC" : "OLEDB")} CONNECT{Bitness} TO [{PrintBracketed().Replace("]", "]]", StringComparison.Ordinal)}]{PrintOptions()}",
        _ => Location ?? "",
    };

    string PrintBracketed() => Properties is [{ Key: "DSN", Value: var dsn }] && !dsn.Contains('=') ? dsn : PrintProperties();

    string PrintProperties()
    {
        var text = new StringBuilder();
        foreach (var (key, value) in Properties)
        {
            text.Append(key).Append('=').Append(NeedsQuotes(value) ? "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'" : value).Append(';');
        }
        return text.ToString();
    }

    string PrintOptions() => Options is null or { Count: 0 }
        ? ""
        : " (" + string.Join(", ", Options.Select(o => $"{o.Key} is {(NeedsOptionQuotes(o.Value) ? "\"" + o.Value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : o.Value)}")) + ")";

    static bool NeedsQuotes(string value) => value.Length > 0 && (value.Contains(';') || value[0] == '\'' || value != value.Trim());

    static bool NeedsOptionQuotes(string value) => value.Length == 0 || value.Any(c => c is ',' or ')' or '(' or '"' || char.IsWhiteSpace(c));

    /// <summary>Splits a REST-connector list value into (name, value) items.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> DecodeList(string value) =>
        value.Length == 0
            ? []
            : value.Split("%1").Select(item => item.Split("%2", 2) is [var n, var v] ? new KeyValuePair<string, string>(n, v) : new(item, "")).ToList();

    public static string EncodeList(IEnumerable<KeyValuePair<string, string>> items) => string.Join("%1", items.Select(i => i.Key + "%2" + i.Value));

    static bool TryParseKeyword(string text, string keyword, out string rest, out string bitness)
    {
        rest = "";
        bitness = "";
        if (!text.StartsWith(keyword + " ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var after = text[(keyword.Length + 1)..].TrimStart();
        foreach (var form in new[] { "CONNECT32", "CONNECT64", "CONNECT" })
        {
            if (after.StartsWith(form, StringComparison.OrdinalIgnoreCase))
            {
                var tail = after[form.Length..].TrimStart();
                if (!tail.StartsWith("TO", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
                bitness = form[7..];
                rest = tail[2..].TrimStart();
                return true;
            }
        }
        return false;
    }

    /// <summary>Reads text between <paramref name="open"/> and <paramref name="close"/>, where a doubled close is a literal.</summary>
    static (string Inner, string After) ReadDelimited(string text, char open, char close)
    {
        var inner = new StringBuilder();
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] != close)
            {
                inner.Append(text[i]);
            }
            else if (i + 1 < text.Length && text[i + 1] == close)
            {
                inner.Append(close);
                i++;
            }
            else
            {
                return (inner.ToString(), text[(i + 1)..].Trim().TrimEnd(';').Trim());
            }
        }
        return (inner.ToString(), "");
    }

    static List<KeyValuePair<string, string>> ParseProperties(string text)
    {
        var result = new List<KeyValuePair<string, string>>();
        var i = 0;
        while (i < text.Length)
        {
            var equals = text.IndexOf('=', i);
            var semicolon = text.IndexOf(';', i);
            if (equals < 0 || (semicolon >= 0 && semicolon < equals))
            {
                var bare = (semicolon < 0 ? text[i..] : text[i..semicolon]).Trim();
                if (bare.Length > 0)
                {
                    result.Add(new(bare, ""));
                }
                i = semicolon < 0 ? text.Length : semicolon + 1;
                continue;
            }
            var key = text[i..equals].Trim();
            i = equals + 1;
            string value;
            if (i < text.Length && text[i] == '\'')
            {
                var quoted = new StringBuilder();
                i++;
                while (i < text.Length && !(text[i] == '\'' && (i + 1 >= text.Length || text[i + 1] != '\'')))
                {
                    quoted.Append(text[i]);
                    i += text[i] == '\'' ? 2 : 1;
                }
                value = quoted.ToString();
                i = Math.Min(text.Length, i + 1);
                var next = text.IndexOf(';', i);
                i = next < 0 ? text.Length : next + 1;
            }
            else
            {
                var end = text.IndexOf(';', i);
                value = end < 0 ? text[i..] : text[i..end];
                i = end < 0 ? text.Length : end + 1;
            }
            result.Add(new(key, value));
        }
        return result;
    }

    static List<KeyValuePair<string, string>>? ParseOptions(string text)
    {
        if (!text.StartsWith('(') || !text.EndsWith(')'))
        {
            return null;
        }
        var result = new List<KeyValuePair<string, string>>();
        var body = text[1..^1];
        var i = 0;
        while (i < body.Length)
        {
            var isAt = body.IndexOf(" is ", i, StringComparison.OrdinalIgnoreCase);
            if (isAt < 0)
            {
                break;
            }
            var key = body[i..isAt].Trim().TrimStart(',').Trim();
            i = isAt + 4;
            while (i < body.Length && body[i] == ' ')
            {
                i++;
            }
            string value;
            if (i < body.Length && body[i] == '"')
            {
                var (inner, _) = ReadDelimited(body[i..], '"', '"');
                value = inner;
                i += inner.Length + 2 + inner.Count(c => c == '"');
            }
            else
            {
                var comma = body.IndexOf(',', i);
                value = (comma < 0 ? body[i..] : body[i..comma]).Trim();
                i = comma < 0 ? body.Length : comma;
            }
            result.Add(new(key, value));
            while (i < body.Length && (body[i] == ',' || body[i] == ' '))
            {
                i++;
            }
        }
        return result;
    }
}
