using System.Linq.Expressions;
using Connectory.Filtering;
using Microsoft.EntityFrameworkCore.Query;

namespace Connectory.Platform.Users;

/// <summary>
/// Qlik's users filter (SCIM, RFC 7644) as a predicate on stored users, for the list, <c>actions/filter</c> and
/// <c>actions/count</c>. Every comparison ignores case, as Qlik's does; every value reaches the database as a parameter.
/// </summary>
internal static class UserFilter
{
    static readonly string[] TextAttributes = ["id", "subject", "name", "email", "status"];
    static readonly string[] RoleAttributes = ["assignedRoles.id", "assignedRoles.name"];

    /// <summary>Attributes Qlik documents that no user here carries (no groups, scopes or clients): they match no user.</summary>
    static readonly string[] AbsentAttributes = ["clientId", "assignedGroups.id", "assignedGroups.name", "assignedGroupsAssignedRoles.name", "assignedScopes"];

    static readonly ParameterExpression Row = Expression.Parameter(typeof(User), "u");

    /// <returns>The predicate, or null with <paramref name="error"/> naming what is wrong and where.</returns>
    public static Expression<Func<User, bool>>? TryParse(string filter, out string? error)
    {
        var node = ScimFilter.TryParse(filter, out var syntax);
        if (node is null)
        {
            error = syntax!.ToString();
            return null;
        }
        var body = Translate(node, out error);
        return body is null ? null : Expression.Lambda<Func<User, bool>>(body, Row);
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
                return Present(present, out error);
            case ComparisonNode comparison:
                return Compare(comparison, out error);
            default:
                error = "Unsupported filter expression";
                return null;
        }
    }

    static string? Known(string attribute) =>
        TextAttributes.Concat(RoleAttributes).Concat(AbsentAttributes).FirstOrDefault(a => string.Equals(a, attribute, StringComparison.OrdinalIgnoreCase));

    static string NotFilterable(string attribute, int position) =>
        $"'{attribute}' at position {position} is not filterable (filterable: {string.Join(", ", TextAttributes.Concat(RoleAttributes).Concat(AbsentAttributes))})";

    static Expression? Present(PresentNode node, out string? error)
    {
        error = null;
        switch (Known(node.Attribute))
        {
            case null:
                error = NotFilterable(node.Attribute, node.Position);
                return null;
            case "assignedRoles.id" or "assignedRoles.name":
                return Bind(u => u.Roles != "");
            case var text when TextAttributes.Contains(text):
                var column = Column(text);
                return Bind(Expression.Lambda<Func<User, bool>>(Expression.NotEqual(column.Body, Expression.Constant("")), column.Parameters));
            default:
                return Expression.Constant(false);
        }
    }

    static Expression? Compare(ComparisonNode node, out string? error)
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
        var isRole = RoleAttributes.Contains(attribute);
        if (isRole && node.Operator is not ("eq" or "ne"))
        {
            error = $"{attribute} at position {node.Position} compares with eq or ne";
            return null;
        }
        if (node.Value is FilterValue.Null && node.Operator is "eq" or "ne" && !isRole)
        {
            return TextAttributes.Contains(attribute)
                ? Bind(Text(Column(attribute), node.Operator, ""))
                : Expression.Constant(node.Operator == "eq");
        }
        if (node.Value is not FilterValue.Text { Value: var raw })
        {
            error = $"{attribute} at position {node.Position} compares with a double-quoted string";
            return null;
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
            var member = "," + role.Name + ",";
            var hasRole = Bind(u => ("," + u.Roles + ",").Contains(member));
            return node.Operator == "eq" ? hasRole : Expression.Not(hasRole);
        }
        if (!TextAttributes.Contains(attribute))
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

    static Expression<Func<User, string>> Column(string attribute) => attribute switch
    {
        "id" => u => u.Id,
        "subject" => u => u.Subject,
        "name" => u => u.Name,
        "email" => u => u.Email ?? "",
        _ => u => u.Status,
    };

    static Expression<Func<User, string>> Lowered(Expression<Func<User, string>> column) =>
        Expression.Lambda<Func<User, string>>(Expression.Call(column.Body, typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!), column.Parameters);

    static Expression<Func<User, bool>> Text(Expression<Func<User, string>> column, string op, string value)
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
        return Expression.Lambda<Func<User, bool>>(body, column.Parameters);
    }

    sealed record Captured(string Value);

    /// <summary>The predicate's body over the one row parameter every part of the filter shares.</summary>
    static Expression Bind(Expression<Func<User, bool>> predicate) =>
        ReplacingExpressionVisitor.Replace(predicate.Parameters[0], Row, predicate.Body);

    static string AsciiLower(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + 32) : source[i];
        }
    });
}
