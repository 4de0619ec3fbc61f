using System.Globalization;
using Connectory.Data;
using Connectory.Platform.Paging;

namespace Connectory.DataConnections;

/// <summary>
/// A validated listing: the condition on the rows (visibility and filters, as SQL with parameters), its sort and the
/// page position, and how to render a row. Statements are written by hand and read through <see cref="HotSql"/>:
/// a list page is the service's hottest query.
/// </summary>
internal sealed class ListPlan(
    TenantRows rows, PageRequest page, bool caseInsensitive,
    ConnectionAccess access, bool includeQris, string dataName, List<DataFilesEntry> dataFiles, CompareInfo? collation = null)
{
    /// <summary>Set when names sort case-insensitively in a locale other than the stored keys' ('en'): sorted here, not in the database.</summary>
    public CompareInfo? Collation { get; } = collation;

    /// <summary>The sort, limit and cursor, validated by the paging every list shares.</summary>
    public PageRequest Page { get; } = page;
    public PageCursor? Cursor => Page.Cursor;

    readonly string sortField = page.SortField;
    readonly bool descending = page.Descending;

    public string DataName { get; } = dataName;
    public List<DataFilesEntry> DataFiles { get; } = dataFiles;

    bool IsTime => sortField is "created" or "updated";

    /// <summary>
    /// A row's cursor key. Text keys come from the database (see <see cref="PageAsync"/>): its lower() need not fold
    /// case as .NET does (SQLite folds ASCII only), and a key computed here could then skip or repeat rows.
    /// </summary>
    public string CursorKey(KeyedConnection c) => sortField switch
    {
        "created" => c.Row.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture),
        "updated" => c.Row.UpdatedAt.Ticks.ToString(CultureInfo.InvariantCulture),
        _ => c.Key,
    };

    /// <summary>The sort key as SQL: the column (or lowered column) the order, the keyset condition and the cursor use.</summary>
    string KeySql => sortField switch
    {
        "qName" => caseInsensitive ? "c.\"NameSortKey\"" : "c.\"Name\"",
        "qType" => caseInsensitive ? "lower(c.\"Type\")" : "c.\"Type\"",
        "datasourceID" => caseInsensitive ? "lower(c.\"DatasourceId\")" : "c.\"DatasourceId\"",
        "created" => "c.\"CreatedAt\"",
        "updated" => "c.\"UpdatedAt\"",
        _ => "c.\"Id\"",
    };

    SqlText Select(bool withKey) => ConnectionStore.Listed(rows, includeQris, withKey ? KeySql : null);

    ListedConnection Read(System.Data.Common.DbDataReader reader) => ConnectionStore.ReadListed(reader, includeQris);

    public SqlText CountSql() => ConnectionStore.Count(rows);

    /// <summary>
    /// Up to <paramref name="take"/> rows past the cursor in the reading direction, in that direction's order. The
    /// keyset condition <c>key >= k AND (key > k OR id > i)</c> has a leading range, so the database seeks in its
    /// (key, id) index and the last page costs what the first does; the cursor values are parameters, so every page
    /// shares one prepared statement.
    /// </summary>
    public Task<List<KeyedConnection>> PageAsync(HotSql reads, PageCursor? at, bool backward, int take, CancellationToken ct)
    {
        var ascending = descending == backward;
        var sql = Select(withKey: !IsTime);
        if (at is { Phase: null })
        {
            object key = IsTime ? new DateTime(long.Parse(at.Key, CultureInfo.InvariantCulture), DateTimeKind.Utc) : at.Key;
            var (reached, beyond) = ascending ? (">=", ">") : ("<=", "<");
            var k = sql.Param(key);
            sql.Append($" AND {KeySql} {reached} {k} AND ({KeySql} {beyond} {k} OR c.\"Id\" {beyond} {sql.Param(at.Id)})");
        }
        var direction = ascending ? "ASC" : "DESC";
        sql.Append($" ORDER BY {KeySql} {direction}, c.\"Id\" {direction} LIMIT {sql.Param(take)}");
        return reads.ListAsync(sql, r => new KeyedConnection
        {
            Row = Read(r),
            Key = IsTime ? "" : r.GetString(ConnectionStore.ListedKeyOrdinal(includeQris)),
        }, ct);
    }

    /// <summary>
    /// Every match, in the listing's order, handed to <paramref name="each"/> as it is read: memory does not grow with
    /// the count, except under a <see cref="Collation"/>, which only a request for such a locale pays.
    /// </summary>
    public async Task ForEachAsync(HotSql reads, Func<ListedConnection, Task> each, CancellationToken ct)
    {
        if (Collation is not null)
        {
            foreach (var row in await CollatedAsync(reads, ct))
            {
                await each(row.Row);
            }
            return;
        }
        var direction = descending ? "DESC" : "ASC";
        var sql = Select(withKey: false).Append($" ORDER BY {KeySql} {direction}, c.\"Id\" {direction}");
        await reads.ReadAsync(sql, async (reader, token) =>
        {
            while (await reader.ReadAsync(token))
            {
                await each(Read(reader));
            }
        }, ct);
    }

    /// <summary>Every match in <see cref="Collation"/> order (ascending or descending as asked), keyed by that locale's sort key.</summary>
    public async Task<List<KeyedConnection>> CollatedAsync(HotSql reads, CancellationToken ct)
    {
        var keyed = await reads.ListAsync(Select(withKey: false), r =>
        {
            var row = Read(r);
            return new KeyedConnection { Row = row, Key = Convert.ToHexStringLower(Collation!.GetSortKey(row.Name, CompareOptions.IgnoreCase).KeyData) };
        }, ct);
        keyed.Sort((a, b) =>
        {
            var order = string.CompareOrdinal(a.Key, b.Key);
            order = order != 0 ? order : string.CompareOrdinal(a.Row.Id, b.Row.Id);
            return descending ? -order : order;
        });
        return keyed;
    }

    /// <summary>The in-memory keyset condition: whether a row comes after the cursor in the reading direction.</summary>
    public bool IsAfter(KeyedConnection row, PageCursor? at, bool backward)
    {
        if (at is null || at.Phase is not null)
        {
            return true;
        }
        var order = string.CompareOrdinal(row.Key, at.Key);
        order = order != 0 ? order : string.CompareOrdinal(row.Row.Id, at.Id);
        return descending == backward ? order > 0 : order < 0;
    }

    string? selfBase;

    public ConnectionGet View(ListedConnection c, IReadOnlyDictionary<string, string> separatedCredentials, HttpRequest request) =>
        c.ToGet(access.Caller.TenantId, access.Privileges(c), selfBase ??= ConnectionViews.SelfBase(request),
            c.SeparateCredentials ? separatedCredentials.GetValueOrDefault(c.Id) : c.CredentialId, includeQris);
}

/// <summary>A listed row and its sort key as the database computed it.</summary>
internal sealed class KeyedConnection
{
    public required ListedConnection Row { get; init; }
    public required string Key { get; init; }
}
