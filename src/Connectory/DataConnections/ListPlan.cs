using System.Globalization;
using System.Linq.Expressions;
using Connectory.Platform.Paging;

namespace Connectory.DataConnections;

/// <summary>A validated listing: the filtered query, its sort and the page position, and how to render a row.</summary>
internal sealed class ListPlan(
    IQueryable<DataConnection> query, string sortField, bool descending, bool caseInsensitive, string sortSignature, ListCursor? cursor,
    ConnectionAccess access, bool includeQris, string dataName, List<DataFilesEntry> dataFiles, CompareInfo? collation = null)
{
    /// <summary>Set when names sort case-insensitively in a locale other than the stored keys' ('en'): sorted here, not in the database.</summary>
    public CompareInfo? Collation { get; } = collation;

    public IQueryable<DataConnection> Query { get; } = query;
    public string SortSignature { get; } = sortSignature;
    public ListCursor? Cursor { get; } = cursor;
    public string DataName { get; } = dataName;
    public List<DataFilesEntry> DataFiles { get; } = dataFiles;

    bool IsTime => sortField is "created" or "updated";

    public static bool KeyParses(string sortName, string key) =>
        sortName is not ("created" or "updated") || long.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// A row's cursor key. Text keys come from the database (see <see cref="Keyed"/>): its lower() need not fold case
    /// as .NET does (SQLite folds ASCII only), and a key computed here could then skip or repeat rows.
    /// </summary>
    public string CursorKey(KeyedConnection c) => sortField switch
    {
        "created" => c.Row.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture),
        "updated" => c.Row.UpdatedAt.Ticks.ToString(CultureInfo.InvariantCulture),
        _ => c.Key,
    };

    /// <summary>The rows with the text sort key as the database computes it for ordering and the keyset condition.</summary>
    public IQueryable<KeyedConnection> Keyed(IQueryable<DataConnection> rows)
    {
        var key = IsTime ? c => "" : TextKeyExpression;
        var row = key.Parameters[0];
        var projection = Expression.Lambda<Func<DataConnection, KeyedConnection>>(
            Expression.MemberInit(
                Expression.New(typeof(KeyedConnection)),
                Expression.Bind(typeof(KeyedConnection).GetProperty(nameof(KeyedConnection.Row))!, row),
                Expression.Bind(typeof(KeyedConnection).GetProperty(nameof(KeyedConnection.Key))!, key.Body)),
            row);
        return rows.Select(projection);
    }

    Expression<Func<DataConnection, string>> TextKeyExpression => sortField switch
    {
        "qName" => caseInsensitive ? c => c.NameSortKey : c => c.Name,
        "qType" => caseInsensitive ? c => c.Type.ToLower() : c => c.Type,
        "datasourceID" => caseInsensitive ? c => c.DatasourceId.ToLower() : c => c.DatasourceId,
        _ => c => c.Id,
    };

    Expression<Func<DataConnection, DateTime>> TimeKeyExpression => sortField == "created" ? c => c.CreatedAt : c => c.UpdatedAt;

    public IQueryable<DataConnection> Sorted(IQueryable<DataConnection> rows) => Order(rows, !descending);

    public IQueryable<DataConnection> SortedBackward(IQueryable<DataConnection> rows) => Order(rows, descending);

    IQueryable<DataConnection> Order(IQueryable<DataConnection> rows, bool ascending)
    {
        if (IsTime)
        {
            return ascending ? rows.OrderBy(TimeKeyExpression).ThenBy(c => c.Id) : rows.OrderByDescending(TimeKeyExpression).ThenByDescending(c => c.Id);
        }
        return ascending ? rows.OrderBy(TextKeyExpression).ThenBy(c => c.Id) : rows.OrderByDescending(TextKeyExpression).ThenByDescending(c => c.Id);
    }

    /// <summary>Rows past the cursor in the reading direction (a keyset condition the database evaluates with its index).</summary>
    public IQueryable<DataConnection> After(IQueryable<DataConnection> rows, ListCursor? at, bool backward)
    {
        if (at is null || at.Phase != ListCursor.Regular)
        {
            return rows;
        }
        var ascending = descending == backward;
        return IsTime
            ? rows.Where(Keyset.After(TimeKeyExpression, c => c.Id, new DateTime(long.Parse(at.Key, CultureInfo.InvariantCulture), DateTimeKind.Utc), at.Id, ascending))
            : rows.Where(Keyset.After(TextKeyExpression, c => c.Id, at.Key, at.Id, ascending));
    }

    /// <summary>
    /// Every match in <see cref="Collation"/> order (ascending or descending as asked), keyed by that locale's sort key:
    /// memory grows with the matches, which only a request for such a locale pays.
    /// </summary>
    public async Task<List<KeyedConnection>> CollatedAsync(CancellationToken ct)
    {
        var rows = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(Query, ct);
        var keyed = rows.Select(c => new KeyedConnection
        {
            Row = c,
            Key = Convert.ToHexStringLower(Collation!.GetSortKey(c.Name, CompareOptions.IgnoreCase).KeyData),
        }).ToList();
        keyed.Sort((a, b) =>
        {
            var order = string.CompareOrdinal(a.Key, b.Key);
            order = order != 0 ? order : string.CompareOrdinal(a.Row.Id, b.Row.Id);
            return descending ? -order : order;
        });
        return keyed;
    }

    /// <summary>The in-memory keyset condition: whether a row comes after the cursor in the reading direction.</summary>
    public bool IsAfter(KeyedConnection row, ListCursor? at, bool backward)
    {
        if (at is null || at.Phase != ListCursor.Regular)
        {
            return true;
        }
        var order = string.CompareOrdinal(row.Key, at.Key);
        order = order != 0 ? order : string.CompareOrdinal(row.Row.Id, at.Id);
        return descending == backward ? order > 0 : order < 0;
    }

    public static async IAsyncEnumerable<DataConnection> Rows(IEnumerable<KeyedConnection> rows)
    {
        foreach (var row in rows)
        {
            yield return row.Row;
        }
        await Task.CompletedTask;
    }

    public ConnectionGet View(DataConnection c, IReadOnlyDictionary<string, string> separatedCredentials, HttpRequest request) =>
        c.ToGet(access.Privileges(c), request, c.SeparateCredentials ? separatedCredentials.GetValueOrDefault(c.Id) : c.CredentialId, includeQris);
}

/// <summary>A listed row and its sort key as the database computed it.</summary>
internal sealed class KeyedConnection
{
    public required DataConnection Row { get; init; }
    public required string Key { get; init; }
}
