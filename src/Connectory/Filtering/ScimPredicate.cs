using System.Linq.Expressions;
using Connectory.Platform.Users;
using Microsoft.EntityFrameworkCore.Query;

namespace Connectory.Filtering;

/// <summary>
/// Qlik's SCIM filters (RFC 7644) over the rows of one list (users, groups) as a predicate the database applies.
/// Text attributes compare ignoring case, as Qlik's do; role attributes match a comma-separated column of role names;
/// attributes Qlik documents that the rows here never carry are accepted and match nothing. Every value reaches the
/// database as a parameter.
/// </summary>
/// <param name="text">Text attributes with their columns, in the order errors list them.</param>
/// <param name="roles">The column of tenant role names, comma separated; null when the rows have none.</param>
/// <param name="absent">Attributes accepted that no row carries.</param>
/// <param name="members">Attributes of things a row has many of (a user's groups): given a value, whether the row has one
/// with that value; compared with <c>eq</c> and <c>ne</c> only.</param>
internal sealed class ScimPredicate<T>(
    IReadOnlyList<(string Name, Expression<Func<T, string>> Column)> text,
    Expression<Func<T, string>>? roles,
    IReadOnlyList<string> absent,
    IReadOnlyList<(string Name, Func<string, Expression<Func<T, bool>>> Has)>? members = null)
{
    static readonly string[] RoleAttributes = ["assignedRoles.id", "assignedRoles.name"];

    static readonly ParameterExpression Row = Expression.Parameter(typeof(T), "row");

    IEnumerable<string> TextAttributes => text.Select(t => t.Name);

    IEnumerable<string> MemberAttributes => members?.Select(m => m.Name) ?? [];

    IEnumerable<string> Filterable => TextAttributes.Concat(roles is null ? [] : RoleAttributes).Concat(MemberAttributes).Concat(absent);

    /// <returns>The predicate, or null with <paramref name="error"/> naming what is wrong and where.</returns>
    public Expression<Func<T, bool>>? TryParse(string filter, out string? error)
    {
        var node = ScimFilter.TryParse(filter, out var syntax);
        if (node is null)
        {
            error = syntax!.ToString();
            return null;
        }
        var body = Translate(node, out error);
        return body is null ? null : Expression.Lambda<Func<T, bool>>(body, Row);
    }

    Expression? Translate(FilterNode node, out string? error)
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
                return Present(present, out error);
            case ComparisonNode comparison:
                return Compare(comparison, out error);
            default:
                error = "Unsupported filter expression";
                return null;
        }
    }

    string? Known(string attribute) => Filterable.FirstOrDefault(a => string.Equals(a, attribute, StringComparison.OrdinalIgnoreCase));

    bool IsText(string attribute) => TextAttributes.Contains(attribute);

    bool IsRole(string attribute) => roles is not null && RoleAttributes.Contains(attribute);

    bool IsMember(string attribute) => MemberAttributes.Contains(attribute);

    string NotFilterable(string attribute, int position) =>
        $"'{attribute}' at position {position} is not filterable (filterable: {string.Join(", ", Filterable)})";

    Expression? Present(PresentNode node, out string? error)
    {
        error = null;
        var attribute = Known(node.Attribute);
        if (attribute is null)
        {
            error = NotFilterable(node.Attribute, node.Position);
            return null;
        }
        if (IsRole(attribute))
        {
            return Bind(Expression.Lambda<Func<T, bool>>(Expression.NotEqual(roles!.Body, Expression.Constant("")), roles.Parameters));
        }
        if (IsText(attribute))
        {
            var column = Column(attribute);
            return Bind(Expression.Lambda<Func<T, bool>>(Expression.NotEqual(column.Body, Expression.Constant("")), column.Parameters));
        }
        return Expression.Constant(false);
    }

    Expression? Compare(ComparisonNode node, out string? error)
    {
        error = null;
        var attribute = Known(node.Attribute);
        if (attribute is null)
        {
            error = NotFilterable(node.Attribute, node.Position);
            return null;
        }
        if (node.Operator is "gt" or "ge" or "lt" or "le")
        {
            error = $"'{node.Operator}' does not apply to {attribute} at position {node.Position} (use eq, ne, co, sw, ew or pr)";
            return null;
        }
        var isRole = IsRole(attribute);
        if ((isRole || IsMember(attribute)) && node.Operator is not ("eq" or "ne"))
        {
            error = $"{attribute} at position {node.Position} compares with eq or ne";
            return null;
        }
        if (node.Value is FilterValue.Null && node.Operator is "eq" or "ne" && !isRole && !IsMember(attribute))
        {
            return IsText(attribute)
                ? Bind(Text(Column(attribute), node.Operator, ""))
                : Expression.Constant(node.Operator == "eq");
        }
        if (node.Value is not FilterValue.Text { Value: var raw })
        {
            error = $"{attribute} at position {node.Position} compares with a double-quoted string";
            return null;
        }
        if (IsMember(attribute))
        {
            var has = Bind(members!.First(m => m.Name == attribute).Has(raw));
            return node.Operator == "eq" ? has : Expression.Not(has);
        }
        if (isRole)
        {
            var byId = attribute == "assignedRoles.id";
            var role = TenantRoles.All.FirstOrDefault(r => string.Equals(byId ? r.Id : r.Name, raw, StringComparison.OrdinalIgnoreCase));
            if (role is null)
            {
                return Expression.Constant(node.Operator == "ne");
            }
            // Roles are stored as their names, comma separated.
            var member = Expression.Constant("," + role.Name + ",");
            // ("," + roles + ","), as the compiler writes it, so every provider translates it.
            var concat = typeof(string).GetMethod(nameof(string.Concat), [typeof(string), typeof(string)])!;
            var wrapped = Expression.Call(concat, Expression.Call(concat, Expression.Constant(","), roles!.Body), Expression.Constant(","));
            var contains = Expression.Call(wrapped, typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!, member);
            var hasRole = Bind(Expression.Lambda<Func<T, bool>>(contains, roles.Parameters));
            return node.Operator == "eq" ? hasRole : Expression.Not(hasRole);
        }
        if (!IsText(attribute))
        {
            return Expression.Constant(node.Operator == "ne");
        }
        var lowered = raw.ToLowerInvariant();
        var ascii = AsciiLower(raw);
        var column = Lowered(Column(attribute));
        var full = Bind(Text(column, node.Operator, lowered));
        if (ascii == lowered)
        {
            return full;
        }
        // SQLite's lower() (and PostgreSQL's under the C locale) folds ASCII only: match that folding too, so a value
        // always matches itself and ASCII case never matters, whichever database runs.
        var asciiOnly = Bind(Text(column, node.Operator, ascii));
        return node.Operator == "ne" ? Expression.AndAlso(full, asciiOnly) : Expression.OrElse(full, asciiOnly);
    }

    Expression<Func<T, string>> Column(string attribute) => text.First(t => t.Name == attribute).Column;

    static Expression<Func<T, string>> Lowered(Expression<Func<T, string>> column) =>
        Expression.Lambda<Func<T, string>>(Expression.Call(column.Body, typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!), column.Parameters);

    static Expression<Func<T, bool>> Text(Expression<Func<T, string>> column, string op, string value)
    {
        // A captured value, so the database gets a parameter rather than a literal.
        var captured = new Captured(value);
        Expression<Func<string>> parameter = () => captured.Value;
        var method = op switch
        {
            "co" => nameof(string.Contains),
            "sw" => nameof(string.StartsWith),
            "ew" => nameof(string.EndsWith),
            _ => null,
        };
        var body = method is not null
            ? Expression.Call(column.Body, typeof(string).GetMethod(method, [typeof(string)])!, parameter.Body)
            : op == "ne" ? Expression.NotEqual(column.Body, parameter.Body) : (Expression)Expression.Equal(column.Body, parameter.Body);
        return Expression.Lambda<Func<T, bool>>(body, column.Parameters);
    }

    sealed record Captured(string Value);

    /// <summary>The predicate's body over the one row parameter every part of the filter shares.</summary>
    static Expression Bind(Expression<Func<T, bool>> predicate) =>
        ReplacingExpressionVisitor.Replace(predicate.Parameters[0], Row, predicate.Body);

    static string AsciiLower(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
        }
    });
}
