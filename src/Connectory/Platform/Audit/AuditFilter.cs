using System.Globalization;
using System.Linq.Expressions;
using Connectory.Filtering;
using Microsoft.EntityFrameworkCore.Query;

namespace Connectory.Platform.Audit;

/// <summary>
/// The audits list's filter (SCIM, RFC 7644) as a predicate on stored events: text attributes compare exactly (ids
/// and names as recorded) with eq, ne, co, sw, ew and pr; <c>eventTime</c> with eq, ne, gt, ge, lt, le against an RFC
/// 3339 time. Every value reaches the database as a parameter.
/// </summary>
internal static class AuditFilter
{
    static readonly string[] TextAttributes = ["id", "eventType", "userId", "userSubject", "targetType", "targetId", "outcome", "sourceAddress"];
    const string TimeAttribute = "eventTime";

    static readonly ParameterExpression Row = Expression.Parameter(typeof(AuditEvent), "a");

    public static Expression<Func<AuditEvent, bool>>? TryParse(string filter, out string? error)
    {
        var node = ScimFilter.TryParse(filter, out var syntax);
        if (node is null)
        {
            error = syntax!.ToString();
            return null;
        }
        var body = Translate(node, out error);
        return body is null ? null : Expression.Lambda<Func<AuditEvent, bool>>(body, Row);
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
            case PresentNode present when Known(present.Attribute) is { } attribute:
                return attribute == TimeAttribute ? Expression.Constant(true) : Bind(Compare(Column(attribute), "ne", ""));
            case PresentNode present:
                error = NotFilterable(present.Attribute, present.Position);
                return null;
            case ComparisonNode comparison:
                return Compare(comparison, out error);
            default:
                error = "Unsupported filter expression";
                return null;
        }
    }

    static string? Known(string attribute) =>
        TextAttributes.Append(TimeAttribute).FirstOrDefault(a => string.Equals(a, attribute, StringComparison.OrdinalIgnoreCase));

    static string NotFilterable(string attribute, int position) =>
        $"'{attribute}' at position {position} is not filterable (filterable: {string.Join(", ", TextAttributes.Append(TimeAttribute))})";

    static Expression? Compare(ComparisonNode node, out string? error)
    {
        error = null;
        var attribute = Known(node.Attribute);
        if (attribute is null)
        {
            error = NotFilterable(node.Attribute, node.Position);
            return null;
        }
        if (node.Value is not FilterValue.Text { Value: var raw })
        {
            error = $"{attribute} at position {node.Position} compares with a double-quoted string";
            return null;
        }
        if (attribute == TimeAttribute)
        {
            if (node.Operator is "co" or "sw" or "ew")
            {
                error = $"'{node.Operator}' does not apply to {attribute} at position {node.Position} (use eq, ne, gt, ge, lt or le)";
                return null;
            }
            if (!DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
            {
                error = $"{attribute} at position {node.Position} compares with an RFC 3339 time, not '{raw}'";
                return null;
            }
            return Bind(Time(node.Operator, at.UtcDateTime));
        }
        if (node.Operator is "gt" or "ge" or "lt" or "le")
        {
            error = $"'{node.Operator}' does not apply to {attribute} at position {node.Position} (use eq, ne, co, sw, ew or pr)";
            return null;
        }
        return Bind(Compare(Column(attribute), node.Operator, raw));
    }

    static Expression<Func<AuditEvent, string>> Column(string attribute) => attribute switch
    {
        "id" => a => a.Id,
        "eventType" => a => a.Action,
        "userId" => a => a.ActorUserId ?? "",
        "userSubject" => a => a.ActorSubject ?? "",
        "targetType" => a => a.TargetKind ?? "",
        "targetId" => a => a.TargetId ?? "",
        "outcome" => a => a.Outcome,
        _ => a => a.SourceAddress ?? "",
    };

    static Expression<Func<AuditEvent, bool>> Compare(Expression<Func<AuditEvent, string>> column, string op, string value)
    {
        var captured = new Captured<string>(value);
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
        return Expression.Lambda<Func<AuditEvent, bool>>(body, column.Parameters);
    }

    static Expression<Func<AuditEvent, bool>> Time(string op, DateTime at)
    {
        var captured = new Captured<DateTime>(at);
        return op switch
        {
            "gt" => a => a.OccurredAt > captured.Value,
            "ge" => a => a.OccurredAt >= captured.Value,
            "lt" => a => a.OccurredAt < captured.Value,
            "le" => a => a.OccurredAt <= captured.Value,
            "ne" => a => a.OccurredAt != captured.Value,
            _ => a => a.OccurredAt == captured.Value,
        };
    }

    sealed record Captured<T>(T Value);

    static Expression Bind(Expression<Func<AuditEvent, bool>> predicate) =>
        ReplacingExpressionVisitor.Replace(predicate.Parameters[0], Row, predicate.Body);
}
