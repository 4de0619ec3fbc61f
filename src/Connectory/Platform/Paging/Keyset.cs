using System.Linq.Expressions;
using System.Text.Json;

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
        bool descending,
        int limit,
        PageCursor? cursor,
        CancellationToken ct)
    {
        var backwards = cursor is { Direction: PageDirection.Prev };
        var ascending = descending == backwards;
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
        PageCursor? Edge(T row, PageDirection direction) => new(direction, Encode(readKey(row)), readId(row));
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

internal enum PageDirection { Next, Prev }

internal sealed record Page<T>(List<T> Rows, PageCursor? Next, PageCursor? Prev);

/// <summary>Opaque page token: where the previous page ended, bound to the sort it was made for.</summary>
internal sealed record PageCursor(PageDirection Direction, string Key, string Id)
{
    public string Sort { get; init; } = "";

    public string Encode()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new Wire(Direction == PageDirection.Next ? "n" : "p", Key, Id, Sort));
        return Convert.ToBase64String(json).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Null when the token is not one this service made for the same sort.</summary>
    public static PageCursor? TryDecode(string token, string sort, bool timeKey = false)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var wire = JsonSerializer.Deserialize<Wire>(Convert.FromBase64String(base64));
            if (wire is null || wire.K is null || wire.I is null || wire.S != sort || wire.D is not ("n" or "p"))
            {
                return null;
            }
            if (timeKey && !long.TryParse(wire.K, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                return null;
            }
            return new PageCursor(wire.D == "n" ? PageDirection.Next : PageDirection.Prev, wire.K, wire.I) { Sort = sort };
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    sealed record Wire(string D, string? K, string? I, string S);
}
