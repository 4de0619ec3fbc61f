using System.Globalization;
using System.Linq.Expressions;
using Connectory.Errors;
using Connectory.Filtering;
using Microsoft.EntityFrameworkCore;

namespace Connectory.DataConnections;

/// <summary>
/// Turns a SCIM filter over qName, qType, qri, datasourceID, created and updated into a LINQ predicate that EF
/// translates to SQL with parameters (values are never spliced into SQL). String comparisons ignore case.
/// </summary>
internal static class ConnectionFilter
{
    static readonly string[] Attributes = ["qName", "qType", "qri", "datasourceID", "created", "updated"];
    static readonly ParameterExpression Row = Expression.Parameter(typeof(DataConnection), "c");
    static readonly System.Reflection.MethodInfo Like =
        typeof(DbFunctionsExtensions).GetMethod(nameof(DbFunctionsExtensions.Like), [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)])!;
    static readonly System.Reflection.MethodInfo ToLower = typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!;
    static readonly System.Reflection.MethodInfo Compare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;

    public static ApiError? TryBuild(string filter, out Expression<Func<DataConnection, bool>>? predicate)
    {
        predicate = null;
        var node = ScimFilter.TryParse(filter, out var syntax);
        if (node is null)
        {
            return ApiError.InvalidParameter("filter", syntax!.ToString());
        }
        var body = Translate(node, out var error);
        if (body is null)
        {
            return ApiError.InvalidParameter("filter", error!);
        }
        predicate = Expression.Lambda<Func<DataConnection, bool>>(body, Row);
        return null;
    }

    static Expression? Translate(FilterNode node, out string? error)
    {
        error = null;
        switch (node)
        {
            case AndNode and:
                var l = Translate(and.Left, out error);
                var r = l is null ? null : Translate(and.Right, out error);
                return r is null ? null : Expression.AndAlso(l!, r);
            case OrNode or:
                var left = Translate(or.Left, out error);
                var right = left is null ? null : Translate(or.Right, out error);
                return right is null ? null : Expression.OrElse(left!, right);
            case NotNode not:
                var inner = Translate(not.Inner, out error);
                return inner is null ? null : Expression.Not(inner);
            case PresentNode present:
                if (Column(present.Attribute, present.Position, out error) is not { } column)
                {
                    return null;
                }
                return column.IsTime ? Expression.Constant(true) : Expression.NotEqual(column.Expression, Expression.Constant(""));
            case ComparisonNode comparison:
                return Comparison(comparison, out error);
            default:
                error = "Unsupported filter expression";
                return null;
        }
    }

    static (Expression Expression, bool IsTime, bool DatabaseLowered)? Column(string attribute, int position, out string? error)
    {
        error = null;
        var name = Attributes.FirstOrDefault(a => string.Equals(a, attribute, StringComparison.OrdinalIgnoreCase));
        switch (name)
        {
            case "qName":
                return (Expression.Property(Row, nameof(DataConnection.NameFold)), false, false);
            case "qType":
                return (Expression.Call(Expression.Property(Row, nameof(DataConnection.Type)), ToLower), false, true);
            case "qri":
                return (Expression.Call(Expression.Property(Row, nameof(DataConnection.Qri)), ToLower), false, true);
            case "datasourceID":
                return (Expression.Call(Expression.Property(Row, nameof(DataConnection.DatasourceId)), ToLower), false, true);
            case "created":
                return (Expression.Property(Row, nameof(DataConnection.CreatedAt)), true, false);
            case "updated":
                return (Expression.Property(Row, nameof(DataConnection.UpdatedAt)), true, false);
            default:
                error = $"'{attribute}' at position {position} is not filterable (filterable: {string.Join(", ", Attributes)})";
                return null;
        }
    }

    static Expression? Comparison(ComparisonNode node, out string? error)
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
            var value = Expression.Constant(DateTime.SpecifyKind(when, DateTimeKind.Utc));
            return node.Operator switch
            {
                "eq" => Expression.Equal(c.Expression, value),
                "ne" => Expression.NotEqual(c.Expression, value),
                "gt" => Expression.GreaterThan(c.Expression, value),
                "ge" => Expression.GreaterThanOrEqual(c.Expression, value),
                "lt" => Expression.LessThan(c.Expression, value),
                "le" => Expression.LessThanOrEqual(c.Expression, value),
                _ => Fail($"'{node.Operator}' does not apply to {node.Attribute} (use eq, ne, gt, ge, lt, le)", out error),
            };
        }
        if (node.Value is FilterValue.Null)
        {
            var empty = Expression.Constant("");
            return node.Operator switch
            {
                "eq" => Expression.Equal(c.Expression, empty),
                "ne" => Expression.NotEqual(c.Expression, empty),
                _ => Fail($"null only compares with eq or ne ({node.Attribute} at position {node.Position})", out error),
            };
        }
        if (node.Value is not FilterValue.Text { Value: var raw })
        {
            return Fail($"{node.Attribute} at position {node.Position} compares with a double-quoted string", out error);
        }
        Expression? Match(string lowered, out string? why)
        {
            why = null;
            var value = Expression.Constant(lowered);
            Expression Ordered(ExpressionType type) =>
                Expression.MakeBinary(type, Expression.Call(Compare, c.Expression, value), Expression.Constant(0));
            Expression Pattern(string pattern) =>
                Expression.Call(Like, Expression.Constant(EF.Functions), c.Expression, Expression.Constant(pattern), Expression.Constant("\\"));
            var escaped = lowered.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            return node.Operator switch
            {
                "eq" => Expression.Equal(c.Expression, value),
                "ne" => Expression.NotEqual(c.Expression, value),
                "co" => Pattern("%" + escaped + "%"),
                "sw" => Pattern(escaped + "%"),
                "ew" => Pattern("%" + escaped),
                "gt" => Ordered(ExpressionType.GreaterThan),
                "ge" => Ordered(ExpressionType.GreaterThanOrEqual),
                "lt" => Ordered(ExpressionType.LessThan),
                "le" => Ordered(ExpressionType.LessThanOrEqual),
                _ => Fail($"unknown operator '{node.Operator}'", out why),
            };
        }
        var lowered = raw.ToLowerInvariant();
        var unicode = Match(lowered, out error);
        var ascii = AsciiLower(raw);
        // A column lowered by the database may fold ASCII only (SQLite's lower()): match that folding too, so a
        // value always matches itself and ASCII case never matters, whichever database runs.
        if (unicode is null || !c.DatabaseLowered || string.Equals(ascii, lowered, StringComparison.Ordinal) || node.Operator is "gt" or "ge" or "lt" or "le")
        {
            return unicode;
        }
        var asAscii = Match(ascii, out error)!;
        return node.Operator == "ne" ? Expression.AndAlso(unicode, asAscii) : Expression.OrElse(unicode, asAscii);
    }

    static string AsciiLower(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
        }
    });

    static Expression? Fail(string message, out string? error)
    {
        error = message;
        return null;
    }
}
