using System.Linq.Expressions;

namespace Connectory.Platform.Paging;

/// <summary>
/// Keyset pagination over (sort key, id): a page starts strictly after (or before) the last row the client saw,
/// so rows inserted or deleted meanwhile never cause duplicates or skips, and deep pages cost what the first does.
/// </summary>
internal static class Keyset
{
    /// <summary>One page of <paramref name="query"/>, ordered by the key then id, starting at the cursor.</summary>
    public static async Task<Page<T>> PageAsync<T, TKey>(
        IQueryable<T> query,
        Expression<Func<T, TKey>> key,
        Expression<Func<T, string>> id,
        Func<T, TKey> readKey,
        Func<T, string> readId,
        PageRequest page,
        CancellationToken ct)
    {
        var cursor = page.Cursor;
        var limit = page.Limit ?? int.MaxValue - 1;
        var backwards = page.Backward;
        var ascending = page.Descending == backwards;
        if (cursor is not null)
        {
            query = query.Where(After(key, id, Decode<TKey>(cursor.Key), cursor.Id, ascending));
        }
        query = ascending
            ? query.OrderBy(key).ThenBy(id)
            : query.OrderByDescending(key).ThenByDescending(id);
        var rows = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(query.Take(limit + 1), ct);
        var more = rows.Count > limit;
        if (more)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        if (backwards)
        {
            rows.Reverse();
        }
        var hasNext = backwards ? true : more;
        var hasPrev = backwards ? more : cursor is not null;
        PageCursor Edge(T row, PageDirection direction) => new(direction, Encode(readKey(row)), readId(row));
        return new Page<T>(
            rows,
            hasNext && rows.Count > 0 ? Edge(rows[^1], PageDirection.Next) : null,
            hasPrev && rows.Count > 0 ? Edge(rows[0], PageDirection.Prev) : null);
    }

    /// <summary>
    /// Rows strictly after (key, id) in the given direction: <c>key >= k AND (key > k OR id > i)</c>. The leading
    /// range lets the database seek in its (key, id) index instead of scanning from the start, so the last page costs
    /// what the first does; the values are query parameters, so every page shares one cached plan.
    /// </summary>
    public static Expression<Func<T, bool>> After<T, TKey>(Expression<Func<T, TKey>> key, Expression<Func<T, string>> id, TKey lastKey, string lastId, bool ascending)
    {
        var row = key.Parameters[0];
        var idBody = new ParameterSwap(id.Parameters[0], row).Visit(id.Body);
        var keyValue = Parameter(lastKey);
        var idValue = Parameter(lastId);
        var keyReached = Beyond(key.Body, keyValue, ascending, orEqual: true);
        var keyBeyond = Beyond(key.Body, keyValue, ascending, orEqual: false);
        var idBeyond = Beyond(idBody, idValue, ascending, orEqual: false);
        return Expression.Lambda<Func<T, bool>>(Expression.AndAlso(keyReached, Expression.OrElse(keyBeyond, idBeyond)), row);
    }

    /// <summary>A value EF Core sends as a parameter (a captured member), not as a literal in the SQL text.</summary>
    static MemberExpression Parameter<TValue>(TValue value) =>
        Expression.Property(Expression.Constant(new Captured<TValue>(value)), nameof(Captured<TValue>.Value));

    sealed record Captured<TValue>(TValue Value);

    static BinaryExpression Beyond(Expression left, Expression right, bool ascending, bool orEqual)
    {
        if (left.Type == typeof(string))
        {
            left = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, left, right);
            right = Expression.Constant(0);
        }
        return (ascending, orEqual) switch
        {
            (true, false) => Expression.GreaterThan(left, right),
            (true, true) => Expression.GreaterThanOrEqual(left, right),
            (false, false) => Expression.LessThan(left, right),
            (false, true) => Expression.LessThanOrEqual(left, right),
        };
    }

    static string Encode<TKey>(TKey value) => value switch
    {
        DateTime d => d.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture),
        null => "",
        _ => value.ToString() ?? "",
    };

    static TKey Decode<TKey>(string value)
    {
        if (typeof(TKey) == typeof(DateTime))
        {
            return (TKey)(object)new DateTime(long.Parse(value, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc);
        }
        return (TKey)(object)value;
    }

    sealed class ParameterSwap(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}

internal sealed record Page<T>(List<T> Rows, PageCursor? Next, PageCursor? Prev);
