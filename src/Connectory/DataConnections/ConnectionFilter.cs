using System.Globalization;
using Connectory.Data;
using Connectory.Errors;
using Connectory.Filtering;

namespace Connectory.DataConnections;

/// <summary>
/// Turns a SCIM filter over qName, qType, qri, datasourceID, created and updated into a SQL condition on
/// data_connections (alias <c>c</c>). Every value is a parameter; string comparisons ignore case.
/// </summary>
internal static class ConnectionFilter
{
    static readonly string[] Attributes = ["qName", "qType", "qri", "datasourceID", "created", "updated"];

    /// <returns>A 400 naming what is wrong and where, or null with <paramref name="condition"/> set.</returns>
    public static ApiError? TryBuild(string filter, SqlText sql, out string? condition)
    {
        condition = null;
        var node = ScimFilter.TryParse(filter, out var syntax);
        if (node is null)
        {
            return ApiError.InvalidParameter("filter", syntax!.ToString());
        }
        condition = Translate(node, sql, out var error);
        return condition is null ? ApiError.InvalidParameter("filter", error!) : null;
    }

    static string? Translate(FilterNode node, SqlText sql, out string? error)
    {
        error = null;
        switch (node)
        {
            case AndNode and:
                var l = Translate(and.Left, sql, out error);
                var r = l is null ? null : Translate(and.Right, sql, out error);
                return r is null ? null : $"({l} AND {r})";
            case OrNode or:
                var left = Translate(or.Left, sql, out error);
                var right = left is null ? null : Translate(or.Right, sql, out error);
                return right is null ? null : $"({left} OR {right})";
            case NotNode not:
                var inner = Translate(not.Inner, sql, out error);
                return inner is null ? null : $"(NOT {inner})";
            case PresentNode present:
                if (Column(present.Attribute, present.Position, out error) is not { } column)
                {
                    return null;
                }
                return column.IsTime ? "1 = 1" : $"{column.Sql} <> ''";
            case ComparisonNode comparison:
                return Comparison(comparison, sql, out error);
            default:
                error = "Unsupported filter expression";
                return null;
        }
    }

    /// <summary>
    /// The column an attribute compares against. qName has a stored fold (full Unicode lower case); the others are
    /// lowered by the database, whose lower() may fold ASCII only (SQLite).
    /// </summary>
    static (string Sql, bool IsTime, bool DatabaseLowered)? Column(string attribute, int position, out string? error)
    {
        error = null;
        switch (Attributes.FirstOrDefault(a => string.Equals(a, attribute, StringComparison.OrdinalIgnoreCase)))
        {
            case "qName":
                return ("c.\"NameFold\"", false, false);
            case "qType":
                return ("lower(c.\"Type\")", false, true);
            case "qri":
                return ("lower(c.\"Qri\")", false, true);
            case "datasourceID":
                return ("lower(c.\"DatasourceId\")", false, true);
            case "created":
                return ("c.\"CreatedAt\"", true, false);
            case "updated":
                return ("c.\"UpdatedAt\"", true, false);
            default:
                error = $"'{attribute}' at position {position} is not filterable (filterable: {string.Join(", ", Attributes)})";
                return null;
        }
    }

    static string? Comparison(ComparisonNode node, SqlText sql, out string? error)
    {
        var column = Column(node.Attribute, node.Position, out error);
        if (column is not { } c)
        {
            return null;
        }
        if (c.IsTime)
        {
            if (node.Value is not FilterValue.Text { Value: var text }
                || !DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var when)
                || !text.Contains('T', StringComparison.Ordinal))
            {
                error = $"{node.Attribute} at position {node.Position} compares with an RFC 3339 date-time string such as \"2024-01-31T15:04:05Z\"";
                return null;
            }
            return Operator(node.Operator) is { } op and not "LIKE"
                ? $"{c.Sql} {op} {sql.Param(DateTime.SpecifyKind(when, DateTimeKind.Utc))}"
                : Fail($"'{node.Operator}' does not apply to {node.Attribute} (use eq, ne, gt, ge, lt, le)", out error);
        }
        if (node.Value is FilterValue.Null)
        {
            return node.Operator switch
            {
                "eq" => $"{c.Sql} = ''",
                "ne" => $"{c.Sql} <> ''",
                _ => Fail($"null only compares with eq or ne ({node.Attribute} at position {node.Position})", out error),
            };
        }
        if (node.Value is not FilterValue.Text { Value: var raw })
        {
            return Fail($"{node.Attribute} at position {node.Position} compares with a double-quoted string", out error);
        }
        if (Operator(node.Operator) is not { } sqlOperator)
        {
            return Fail($"unknown operator '{node.Operator}'", out error);
        }
        string Match(string lowered)
        {
            if (sqlOperator != "LIKE")
            {
                return $"{c.Sql} {sqlOperator} {sql.Param(lowered)}";
            }
            var escaped = lowered.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            var pattern = node.Operator switch
            {
                "co" => "%" + escaped + "%",
                "sw" => escaped + "%",
                _ => "%" + escaped,
            };
            return $"{c.Sql} LIKE {sql.Param(pattern)} ESCAPE '\\'";
        }
        var lowered = raw.ToLowerInvariant();
        var ascii = AsciiLower(raw);
        // A column lowered by the database may fold ASCII only (SQLite's lower()): match that folding too, so a
        // value always matches itself and ASCII case never matters, whichever database runs.
        if (!c.DatabaseLowered || string.Equals(ascii, lowered, StringComparison.Ordinal) || node.Operator is "gt" or "ge" or "lt" or "le")
        {
            return Match(lowered);
        }
        return node.Operator == "ne" ? $"({Match(lowered)} AND {Match(ascii)})" : $"({Match(lowered)} OR {Match(ascii)})";
    }

    static string? Operator(string scim) => scim switch
    {
        "eq" => "=",
        "ne" => "<>",
        "gt" => ">",
        "ge" => ">=",
        "lt" => "<",
        "le" => "<=",
        "co" or "sw" or "ew" => "LIKE",
        _ => null,
    };

    static string AsciiLower(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
        }
    });

    static string? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
