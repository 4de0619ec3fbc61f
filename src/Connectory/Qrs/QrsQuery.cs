using System.Linq.Expressions;
using Connectory.DataConnections;
using Connectory.Filtering;

namespace Connectory.Qrs;

/// <summary>
/// The part of a QRS filter the database can check: a condition every match meets (by name, id or logOn), so
/// fewer rows are read; the full filter then runs over those rows. Null when nothing narrows.
/// </summary>
internal static class QrsQuery
{
    public static Expression<Func<DataConnection, bool>>? Narrowing(QrsFilterNode node) => node switch
    {
        // For "and" either side alone still holds for every match; "or" narrows only when both sides do.
        QrsAnd a => Combine(Narrowing(a.Left), Narrowing(a.Right), Expression.AndAlso),
        QrsOr o => Narrowing(o.Left) is { } left && Narrowing(o.Right) is { } right ? Combine(left, right, Expression.OrElse) : null,
        QrsComparison c => Comparison(c),
        _ => null,
    };

    static Expression<Func<DataConnection, bool>>? Comparison(QrsComparison c)
    {
        var text = c.Value switch
        {
            QrsLiteral.Quoted q => q.Value,
            QrsLiteral.Bare b => b.Value,
            _ => null,
        };
        if (text is null)
        {
            return null;
        }
        switch (c.Path.ToLowerInvariant())
        {
            case "name":
                // NameFold is the name lower-cased invariantly, the same fold the in-memory comparison uses.
                var fold = text.ToLowerInvariant();
                return c.Operator switch
                {
                    "eq" => x => x.NameFold == fold,
                    "ne" => x => x.NameFold != fold,
                    "sw" => x => x.NameFold.StartsWith(fold),
                    "ew" => x => x.NameFold.EndsWith(fold),
                    "so" => x => x.NameFold.Contains(fold),
                    _ => null,
                };
            case "id" or "engineobjectid" when c.Operator == "eq" && Guid.TryParse(text, out var guid):
                var id = guid.ToString();
                return x => x.Id == id;
            case "logon" when c.Operator == "eq":
                long? logOn = long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
                    : text.Equals("LOG_ON_SERVICE_USER", StringComparison.OrdinalIgnoreCase) ? 0
                    : text.Equals("LOG_ON_CURRENT_USER", StringComparison.OrdinalIgnoreCase) ? 1
                    : null;
                return logOn is { } value ? x => x.LogOn == value : null;
            default:
                return null;
        }
    }

    static Expression<Func<DataConnection, bool>>? Combine(
        Expression<Func<DataConnection, bool>>? left, Expression<Func<DataConnection, bool>>? right, Func<Expression, Expression, BinaryExpression> join)
    {
        if (left is null || right is null)
        {
            return left ?? right;
        }
        var parameter = left.Parameters[0];
        var body = new Rebind(right.Parameters[0], parameter).Visit(right.Body);
        return Expression.Lambda<Func<DataConnection, bool>>(join(left.Body, body), parameter);
    }

    sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
