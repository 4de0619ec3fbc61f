using System.Globalization;
using System.Text;

namespace Connectory.Filtering;

/// <summary>A parsed SCIM filter (RFC 7644 §3.4.2.2).</summary>
internal abstract record FilterNode;

internal sealed record ComparisonNode(string Attribute, string Operator, FilterValue Value, int Position) : FilterNode;

internal sealed record PresentNode(string Attribute, int Position) : FilterNode;

internal sealed record AndNode(FilterNode Left, FilterNode Right) : FilterNode;

internal sealed record OrNode(FilterNode Left, FilterNode Right) : FilterNode;

internal sealed record NotNode(FilterNode Inner) : FilterNode;

internal abstract record FilterValue
{
    public sealed record Text(string Value) : FilterValue;
    public sealed record Number(decimal Value) : FilterValue;
    public sealed record Boolean(bool Value) : FilterValue;
    public sealed record Null : FilterValue;
}

/// <summary>A filter the parser rejected: what was wrong and at which character (0-based).</summary>
internal sealed record FilterError(string Message, int Position)
{
    public override string ToString() => $"{Message} at position {Position}";
}

/// <summary>
/// Parses SCIM filters: attribute operators eq ne co sw ew pr gt ge lt le, logical and/or/not, parentheses,
/// double-quoted JSON strings, true/false/null and numbers. Operators and keywords are case-insensitive.
/// </summary>
internal static class ScimFilter
{
    public static readonly IReadOnlySet<string> Operators = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { "eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le" };

    public const int MaxLength = 4096;
    public const int MaxDepth = 32;
    /// <summary>Comparisons in one filter; each becomes a SQL condition with its own parameter.</summary>
    public const int MaxTerms = 200;

    public static FilterNode? TryParse(string text, out FilterError? error)
    {
        if (text.Length > MaxLength)
        {
            error = new FilterError($"The filter is longer than {MaxLength} characters", MaxLength);
            return null;
        }
        var parser = new Parser(text);
        try
        {
            var node = parser.ParseOr(0);
            parser.SkipSpace();
            if (!parser.AtEnd)
            {
                throw new FilterException($"Unexpected '{parser.Rest(12)}': expected 'and', 'or' or the end of the filter", parser.Position);
            }
            error = null;
            return node;
        }
        catch (FilterException e)
        {
            error = new FilterError(e.Message, e.Position);
            return null;
        }
    }

    sealed class FilterException(string message, int position) : Exception(message)
    {
        public int Position { get; } = position;
    }

    sealed class Parser(string text)
    {
        int position;
        int terms;

        public int Position => position;
        public bool AtEnd => position >= text.Length;
        public string Rest(int max) => text.Substring(position, Math.Min(max, text.Length - position));

        public FilterNode ParseOr(int depth)
        {
            var left = ParseAnd(depth);
            while (TryKeyword("or"))
            {
                left = new OrNode(left, ParseAnd(depth));
            }
            return left;
        }

        FilterNode ParseAnd(int depth)
        {
            var left = ParseUnary(depth);
            while (TryKeyword("and"))
            {
                left = new AndNode(left, ParseUnary(depth));
            }
            return left;
        }

        FilterNode ParseUnary(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new FilterException($"The filter nests deeper than {MaxDepth} levels", position);
            }
            SkipSpace();
            if (TryKeyword("not"))
            {
                return new NotNode(ParseUnary(depth + 1));
            }
            if (TryChar('('))
            {
                var inner = ParseOr(depth + 1);
                SkipSpace();
                if (!TryChar(')'))
                {
                    throw new FilterException(AtEnd ? "Missing ')'" : $"Expected ')' but found '{Rest(12)}'", position);
                }
                return inner;
            }
            return ParseComparison();
        }

        FilterNode ParseComparison()
        {
            SkipSpace();
            var start = position;
            if (++terms > MaxTerms)
            {
                throw new FilterException($"The filter has more than {MaxTerms} comparisons", position);
            }
            var attribute = ReadWord();
            if (attribute.Length == 0)
            {
                throw new FilterException(AtEnd ? "The filter ends where an attribute name was expected" : $"Expected an attribute name but found '{Rest(12)}'", position);
            }
            if (!char.IsLetter(attribute[0]) && attribute[0] != '_')
            {
                throw new FilterException($"'{attribute}' is not an attribute name", start);
            }
            SkipSpace();
            var opStart = position;
            var op = ReadWord().ToLowerInvariant();
            if (op == "pr")
            {
                return new PresentNode(attribute, start);
            }
            if (!Operators.Contains(op))
            {
                throw new FilterException(op.Length == 0
                    ? $"Expected an operator after '{attribute}' (eq, ne, co, sw, ew, pr, gt, ge, lt, le)"
                    : $"'{op}' is not an operator (eq, ne, co, sw, ew, pr, gt, ge, lt, le)", opStart);
            }
            SkipSpace();
            return new ComparisonNode(attribute, op, ReadValue(), start);
        }

        FilterValue ReadValue()
        {
            if (AtEnd)
            {
                throw new FilterException("The filter ends where a value was expected", position);
            }
            if (text[position] == '"')
            {
                return new FilterValue.Text(ReadString());
            }
            var start = position;
            var word = ReadWord();
            switch (word.ToLowerInvariant())
            {
                case "true":
                    return new FilterValue.Boolean(true);
                case "false":
                    return new FilterValue.Boolean(false);
                case "null":
                    return new FilterValue.Null();
            }
            if (decimal.TryParse(word, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var number))
            {
                return new FilterValue.Number(number);
            }
            throw new FilterException(word.Length == 0
                ? $"Expected a value but found '{Rest(12)}'"
                : $"'{word}' is not a value: strings need double quotes", start);
        }

        string ReadString()
        {
            var start = position;
            position++; // opening quote
            var value = new StringBuilder();
            while (!AtEnd)
            {
                var c = text[position++];
                if (c == '"')
                {
                    return value.ToString();
                }
                if (c != '\\')
                {
                    value.Append(c);
                    continue;
                }
                if (AtEnd)
                {
                    break;
                }
                var escaped = text[position++];
                switch (escaped)
                {
                    case '"' or '\\' or '/':
                        value.Append(escaped);
                        break;
                    case 'b': value.Append('\b'); break;
                    case 'f': value.Append('\f'); break;
                    case 'n': value.Append('\n'); break;
                    case 'r': value.Append('\r'); break;
                    case 't': value.Append('\t'); break;
                    case 'u' when position + 4 <= text.Length
                                  && int.TryParse(text.AsSpan(position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code):
                        value.Append((char)code);
                        position += 4;
                        break;
                    default:
                        throw new FilterException($"'\\{escaped}' is not a valid escape in a string", position - 2);
                }
            }
            throw new FilterException("A string is not closed with '\"'", start);
        }

        string ReadWord()
        {
            var start = position;
            while (!AtEnd && (char.IsLetterOrDigit(text[position]) || text[position] is '_' or '.' or '-' or '+' or ':' or '$'))
            {
                position++;
            }
            return text[start..position];
        }

        bool TryKeyword(string keyword)
        {
            SkipSpace();
            if (position + keyword.Length > text.Length || string.Compare(text, position, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) != 0)
            {
                return false;
            }
            var end = position + keyword.Length;
            if (end < text.Length && !(char.IsWhiteSpace(text[end]) || text[end] == '('))
            {
                return false;
            }
            position = end;
            return true;
        }

        bool TryChar(char c)
        {
            if (!AtEnd && text[position] == c)
            {
                position++;
                return true;
            }
            return false;
        }

        public void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[position]))
            {
                position++;
            }
        }
    }
}
