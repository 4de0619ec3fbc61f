using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Connectory.Filtering;

/// <summary>A parsed QRS filter: <c>property op value</c> joined by and/or, with parentheses.</summary>
internal abstract record QrsFilterNode;

internal sealed record QrsComparison(string Path, string Operator, QrsLiteral Value) : QrsFilterNode;

internal sealed record QrsAnd(QrsFilterNode Left, QrsFilterNode Right) : QrsFilterNode;

internal sealed record QrsOr(QrsFilterNode Left, QrsFilterNode Right) : QrsFilterNode;

/// <summary>A literal as written: a single-quoted string, a bare word (number, GUID, enum name, date) or null.</summary>
internal abstract record QrsLiteral
{
    public sealed record Quoted(string Value) : QrsLiteral;
    public sealed record Bare(string Value) : QrsLiteral;
    public sealed record Null : QrsLiteral;
}

internal enum QrsFieldKind { Text, Guid, Number, Date }

/// <summary>One filterable, sortable property of <typeparamref name="T"/>; several values make it any-match (tags.name).</summary>
internal sealed record QrsField<T>(string Path, QrsFieldKind Kind, Func<T, IEnumerable<object?>> Values, IReadOnlyDictionary<string, long>? EnumNames = null)
{
    public static QrsField<T> One(string path, QrsFieldKind kind, Func<T, object?> value, IReadOnlyDictionary<string, long>? enumNames = null) =>
        new(path, kind, row => [value(row)], enumNames);

    public bool IsMany { get; init; }
}

/// <summary>
/// The Qlik Sense Repository Service filter language: operators eq ne gt ge lt le sw ew so, and/or (and binds
/// tighter), parentheses, 'quoted' strings with '' for a quote, bare numbers, GUIDs and enum names, and null.
/// Property names, operators and keywords are case-insensitive; string comparisons ignore case (invariant lower-case).
/// </summary>
internal static partial class QrsFilter
{
    public const string ParseFailure = "Cannot parse the expression";
    public static readonly IReadOnlyList<string> Operators = ["eq", "ne", "gt", "ge", "lt", "le", "sw", "ew", "so"];
    public const int MaxLength = 8192;
    public const int MaxDepth = 32;
    public const int MaxTerms = 200;

    // A leading @ names a custom property (@Region).
    [GeneratedRegex(@"^@?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")]
    private static partial Regex PathPattern();

    static bool IsJoin(string word) => string.Equals(word, "and", StringComparison.OrdinalIgnoreCase) || string.Equals(word, "or", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why a filter is refused before parsing (its size), naming the limit; null when within them.</summary>
    public static string? SizeProblem(string text)
    {
        if (text.Length > MaxLength)
        {
            return $"The filter is {text.Length} characters; at most {MaxLength} are accepted.";
        }
        // Comparisons are joined by and/or, so one more than the joins is the count of a well-formed filter.
        var terms = 1 + (Tokenize(text)?.Count(t => t.Kind == TokenKind.Word && IsJoin(t.Text)) ?? 0);
        return terms > MaxTerms ? $"The filter has {terms} comparisons; at most {MaxTerms} are accepted." : null;
    }

    public static QrsFilterNode? Parse(string text)
    {
        if (SizeProblem(text) is not null)
        {
            return null;
        }
        var tokens = Tokenize(text);
        if (tokens is null || tokens.Count == 0)
        {
            return null;
        }
        var parser = new Parser(tokens);
        var node = parser.ParseOr(0);
        return node is not null && parser.AtEnd ? node : null;
    }

    /// <summary>Writes a filter back as text that parses to the same tree.</summary>
    public static string Print(QrsFilterNode node) => node switch
    {
        QrsComparison c => $"{c.Path} {c.Operator} {Print(c.Value)}",
        QrsAnd a => $"({Print(a.Left)} and {Print(a.Right)})",
        QrsOr o => $"({Print(o.Left)} or {Print(o.Right)})",
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    static string Print(QrsLiteral literal) => literal switch
    {
        QrsLiteral.Quoted q => "'" + q.Value.Replace("'", "''", StringComparison.Ordinal) + "'",
        QrsLiteral.Bare b => b.Value,
        QrsLiteral.Null => "null",
        _ => throw new ArgumentOutOfRangeException(nameof(literal)),
    };

    /// <summary>Compiles a filter against the known fields; null when a property, operator or literal does not fit.</summary>
    public static Func<T, bool>? Compile<T>(QrsFilterNode node, IReadOnlyList<QrsField<T>> fields) => node switch
    {
        QrsAnd a => Join(Compile(a.Left, fields), Compile(a.Right, fields), both: true),
        QrsOr o => Join(Compile(o.Left, fields), Compile(o.Right, fields), both: false),
        QrsComparison c => CompileComparison(c, fields),
        _ => null,
    };

    static Func<T, bool>? Join<T>(Func<T, bool>? left, Func<T, bool>? right, bool both) =>
        left is null || right is null ? null : both ? row => left(row) && right(row) : row => left(row) || right(row);

    public static QrsField<T>? Find<T>(IReadOnlyList<QrsField<T>> fields, string path) =>
        fields.FirstOrDefault(f => string.Equals(f.Path, path, StringComparison.OrdinalIgnoreCase));

    static Func<T, bool>? CompileComparison<T>(QrsComparison c, IReadOnlyList<QrsField<T>> fields)
    {
        if (Find(fields, c.Path) is not { } field)
        {
            return null;
        }
        var op = c.Operator;
        if (c.Value is QrsLiteral.Null)
        {
            return op switch
            {
                "eq" => row => !field.Values(row).Any(v => v is not null),
                "ne" => row => field.Values(row).Any(v => v is not null),
                _ => null,
            };
        }
        if (op is "sw" or "ew" or "so")
        {
            if (field.Kind != QrsFieldKind.Text)
            {
                return null;
            }
            var text = ((c.Value as QrsLiteral.Quoted)?.Value ?? ((QrsLiteral.Bare)c.Value).Value).ToLowerInvariant();
            Func<string, bool> test = op switch
            {
                "sw" => v => v.ToLowerInvariant().StartsWith(text, StringComparison.Ordinal),
                "ew" => v => v.ToLowerInvariant().EndsWith(text, StringComparison.Ordinal),
                _ => v => v.ToLowerInvariant().Contains(text, StringComparison.Ordinal),
            };
            return row => field.Values(row).Any(v => v is string s && test(s));
        }
        if (Convert(field, c.Value) is not { } literal)
        {
            return null;
        }
        Func<int, bool> holds = op switch
        {
            "eq" => r => r == 0,
            "ne" => r => r != 0,
            "gt" => r => r > 0,
            "ge" => r => r >= 0,
            "lt" => r => r < 0,
            _ => r => r <= 0,
        };
        // A missing value equals nothing and differs from everything, as in SQL's three-valued logic read generously.
        return row => field.Values(row).Any(v => v is null ? op == "ne" : holds(CompareValues(v, literal)));
    }

    static object? Convert<T>(QrsField<T> field, QrsLiteral literal)
    {
        var text = literal switch
        {
            QrsLiteral.Quoted q => q.Value,
            QrsLiteral.Bare b => b.Value,
            _ => null,
        };
        if (text is null)
        {
            return null;
        }
        switch (field.Kind)
        {
            case QrsFieldKind.Text:
                return text;
            case QrsFieldKind.Guid:
                return Guid.TryParse(text, out var guid) ? guid : null;
            case QrsFieldKind.Number:
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
                {
                    return number;
                }
                var named = field.EnumNames?.FirstOrDefault(e => string.Equals(e.Key, text, StringComparison.OrdinalIgnoreCase));
                return named is { Key: not null } hit ? hit.Value : null;
            case QrsFieldKind.Date:
                return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date) ? date : null;
            default:
                return null;
        }
    }

    /// <summary>Orders two non-null values of one field kind; strings ignore case.</summary>
    public static int CompareValues(object? a, object? b) => (a, b) switch
    {
        (null, null) => 0,
        (null, _) => -1,
        (_, null) => 1,
        // Ignoring case means comparing invariant lower-case forms: the fold the stored NameFold column holds.
        (string x, string y) => string.CompareOrdinal(x.ToLowerInvariant(), y.ToLowerInvariant()),
        (Guid x, Guid y) => string.Compare(x.ToString(), y.ToString(), StringComparison.Ordinal),
        (long x, long y) => x.CompareTo(y),
        (DateTime x, DateTime y) => x.CompareTo(y),
        _ => string.Compare(System.Convert.ToString(a, CultureInfo.InvariantCulture), System.Convert.ToString(b, CultureInfo.InvariantCulture), StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>Parses <c>orderby=name desc, modifiedDate</c> into sort keys; null when a property is unknown or many-valued.</summary>
    public static IReadOnlyList<(QrsField<T> Field, bool Descending)>? ParseOrderBy<T>(string text, IReadOnlyList<QrsField<T>> fields)
    {
        var keys = new List<(QrsField<T>, bool)>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length is 0 or > 2 || Find(fields, words[0]) is not { IsMany: false } field)
            {
                return null;
            }
            var direction = words.Length == 2 ? words[1].ToLowerInvariant() : "asc";
            if (direction is not ("asc" or "desc"))
            {
                return null;
            }
            keys.Add((field, direction == "desc"));
        }
        return keys;
    }

    public static IEnumerable<T> Order<T>(IEnumerable<T> rows, IReadOnlyList<(QrsField<T> Field, bool Descending)> keys)
    {
        var list = rows.ToList();
        list.Sort((a, b) =>
        {
            foreach (var (field, descending) in keys)
            {
                var result = CompareValues(field.Values(a).FirstOrDefault(), field.Values(b).FirstOrDefault());
                if (result != 0)
                {
                    return descending ? -result : result;
                }
            }
            return 0;
        });
        return list;
    }

    enum TokenKind { Open, Close, Quoted, Word }

    sealed record Token(TokenKind Kind, string Text);

    static List<Token>? Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var ch = text[i];
            if (char.IsWhiteSpace(ch))
            {
                i++;
            }
            else if (ch is '(' or ')')
            {
                tokens.Add(new Token(ch == '(' ? TokenKind.Open : TokenKind.Close, ch.ToString()));
                i++;
            }
            else if (ch == '\'')
            {
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        return null;
                    }
                    if (text[i] == '\'')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '\'')
                        {
                            value.Append('\'');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    value.Append(text[i++]);
                }
                tokens.Add(new Token(TokenKind.Quoted, value.ToString()));
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or '\''))
                {
                    i++;
                }
                tokens.Add(new Token(TokenKind.Word, text[start..i]));
            }
        }
        return tokens;
    }

    sealed class Parser(List<Token> tokens)
    {
        int position;

        public bool AtEnd => position >= tokens.Count;

        Token? Peek => position < tokens.Count ? tokens[position] : null;

        bool TryKeyword(string keyword)
        {
            if (Peek is { Kind: TokenKind.Word } t && string.Equals(t.Text, keyword, StringComparison.OrdinalIgnoreCase))
            {
                position++;
                return true;
            }
            return false;
        }

        public QrsFilterNode? ParseOr(int depth)
        {
            var left = ParseAnd(depth);
            while (left is not null && TryKeyword("or"))
            {
                var right = ParseAnd(depth);
                left = right is null ? null : new QrsOr(left, right);
            }
            return left;
        }

        QrsFilterNode? ParseAnd(int depth)
        {
            var left = ParsePrimary(depth);
            while (left is not null && TryKeyword("and"))
            {
                var right = ParsePrimary(depth);
                left = right is null ? null : new QrsAnd(left, right);
            }
            return left;
        }

        QrsFilterNode? ParsePrimary(int depth)
        {
            if (depth > MaxDepth || Peek is not { } first)
            {
                return null;
            }
            if (first.Kind == TokenKind.Open)
            {
                position++;
                var inner = ParseOr(depth + 1);
                if (inner is null || Peek is not { Kind: TokenKind.Close })
                {
                    return null;
                }
                position++;
                return inner;
            }
            if (first.Kind != TokenKind.Word || !PathPattern().IsMatch(first.Text))
            {
                return null;
            }
            position++;
            if (Peek is not { Kind: TokenKind.Word } op || !Operators.Contains(op.Text.ToLowerInvariant()))
            {
                return null;
            }
            position++;
            QrsLiteral? value = Peek switch
            {
                { Kind: TokenKind.Quoted } q => new QrsLiteral.Quoted(q.Text),
                { Kind: TokenKind.Word } w when string.Equals(w.Text, "null", StringComparison.OrdinalIgnoreCase) => new QrsLiteral.Null(),
                { Kind: TokenKind.Word } w when !IsKeyword(w.Text) => new QrsLiteral.Bare(w.Text),
                _ => null,
            };
            if (value is null)
            {
                return null;
            }
            position++;
            return new QrsComparison(first.Text, op.Text.ToLowerInvariant(), value);
        }

        static bool IsKeyword(string word) => string.Equals(word, "and", StringComparison.OrdinalIgnoreCase) || string.Equals(word, "or", StringComparison.OrdinalIgnoreCase);
    }
}
