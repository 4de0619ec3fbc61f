using System.Globalization;
using Connectory.Data;
using Connectory.Errors;
using Connectory.Platform.Auth;
using Connectory.Platform.Paging;
using Microsoft.EntityFrameworkCore;

namespace Connectory.DataConnections;

/// <summary>The query parameters of GET /api/v1/data-connections, as the spec names them.</summary>
internal sealed record ListParameters(
    string? DataName, bool? Extended, string? SpaceId, bool? Personal, string? Owner, bool? OwnedByMe, int? Limit, string? Sort,
    string? Page, bool? NoDatafiles, string? UserId, bool? CaseInsensitive, string? Locale, bool? IncludeQris, string? Filter, bool? IncludeDisabled);

/// <summary>
/// GET /api/v1/data-connections: visible connections filtered in the database, ordered by (sort key, id) with
/// keyset pages, then the reserved DataFiles connections after all regular ones whatever the sort. Without
/// <c>limit</c> every match is streamed, so memory does not grow with the count (except for a case-insensitive name sort
/// in a locale other than 'en', which is sorted per request).
/// </summary>
internal sealed class ConnectionListing(
    ConnectoryDb db, HotSql reads, PageTokens tokens, ConnectionCounts counts, DataSources.DataSourceSettings dataSources)
{
    /// <summary>The phase of a cursor that ended among the DataFiles rows, which follow the regular ones.</summary>
    const string DataFilesPhase = "d";

    static readonly PageSpec Paging = new(
        "data-connections", ["qName", "qType", "datasourceID", "created", "updated", "_id"], "+qName", null, ["created", "updated"],
        Next: "page", Prev: "page", Phases: [DataFilesPhase]);

    public async Task<IResult> ListAsync(ListParameters p, Caller caller, HttpRequest request, CancellationToken ct)
    {
        if (await PrepareAsync(p, caller, ct) is not { } plan)
        {
            return preparationError!;
        }
        var count = await counts.CountAsync(caller.TenantId, countShape!, plan.CountSql(), ct) + plan.DataFiles.Count;
        if (plan.Page.Limit is not { } limit)
        {
            var separated = await SeparatedCredentialsAsync(caller, null, ct);
            return new ConnectionsBody(plan.DataName, count, new PageLinks(Urls.Self(request), null, null), buffered: false, async (each, token) =>
            {
                await plan.ForEachAsync(reads, row => each(plan.View(row, separated, request)), token);
                foreach (var files in plan.DataFiles)
                {
                    await each(files.View(request));
                }
            });
        }
        var rows = new List<(KeyedConnection? Stored, DataFilesEntry? Files)>();
        bool more;
        if (plan.Cursor is { Direction: PageDirection.Prev } back)
        {
            more = await ReadBackwardAsync(plan, back, limit, rows, ct);
        }
        else
        {
            more = await ReadForwardAsync(plan, plan.Cursor, limit, rows, ct);
        }
        PageCursor Edge((KeyedConnection? Stored, DataFilesEntry? Files) row, PageDirection direction) => row.Stored is { } c
            ? new PageCursor(direction, plan.CursorKey(c), c.Row.Id)
            : new PageCursor(direction, row.Files!.Key, row.Files.Id, DataFilesPhase);
        // Only the page's separated connections need the caller's own credentials looked up (usually none do).
        var separatedOnPage = rows.Where(r => r.Stored is { Row.SeparateCredentials: true }).Select(r => r.Stored!.Row.Id).ToList();
        var pageSeparated = separatedOnPage.Count == 0 ? [] : await SeparatedCredentialsAsync(caller, separatedOnPage, ct);
        var hasNext = plan.Page.Backward || more;
        var hasPrev = plan.Page.Backward ? more : plan.Cursor is not null;
        var links = plan.Page.Links(
            request,
            hasNext && rows.Count > 0 ? Edge(rows[^1], PageDirection.Next) : null,
            hasPrev && rows.Count > 0 ? Edge(rows[0], PageDirection.Prev) : null);
        return new ConnectionsBody(plan.DataName, count, links, buffered: true, async (each, _) =>
        {
            foreach (var (stored, files) in rows)
            {
                await each(stored is { } c ? plan.View(c.Row, pageSeparated, request) : files!.View(request));
            }
        });
    }

    ApiError? preparationError;
    string? countShape;

    async Task<ListPlan?> PrepareAsync(ListParameters p, Caller caller, CancellationToken ct)
    {
        ListPlan? Fail(ApiError error)
        {
            preparationError = error;
            return null;
        }
        if (p.DataName is not null && string.IsNullOrWhiteSpace(p.DataName))
        {
            return Fail(ApiError.InvalidParameter("dataName", "must not be empty"));
        }
        // A page token holds for the rows and order it was issued for: every parameter that decides them is bound.
        static string? Flag(bool? value) => value == true ? "true" : null;
        var scope = new PageScope(Paging.List, caller)
            .With("filter", p.Filter).With("spaceId", p.SpaceId).With("personal", Flag(p.Personal)).With("owner", p.Owner)
            .With("ownedByMe", Flag(p.OwnedByMe)).With("userId", p.UserId).With("noDatafiles", Flag(p.NoDatafiles))
            .With("includeDisabled", Flag(p.IncludeDisabled)).With("caseinsensitive", Flag(p.CaseInsensitive)).With("locale", p.Locale);
        if (PageRequest.TryParse(Paging, scope, tokens, p.Limit, p.Sort, p.Page, null, out var page) is { } invalid)
        {
            return Fail(invalid);
        }
        var field = page.SortField;
        CultureInfo? culture = null;
        if (p.Locale is not null)
        {
            try
            {
                culture = CultureInfo.GetCultureInfo(p.Locale.Replace('_', '-'), predefinedOnly: true);
            }
            catch (CultureNotFoundException)
            {
                return Fail(ApiError.InvalidParameter("locale", $"'{p.Locale}' is not a known ICU locale id"));
            }
        }
        if (!string.IsNullOrEmpty(p.UserId) && p.UserId != caller.UserId && !caller.IsTenantAdmin)
        {
            return Fail(ApiError.Forbidden("Only a TenantAdmin may list another user's connections (userId)."));
        }
        var caseInsensitive = p.CaseInsensitive == true;
        // Stored name keys follow the root ('en') collation; another locale's order is computed per request.
        var collation = caseInsensitive && field == "qName" && culture is not null && culture.CompareInfo.Name.Split('-')[0] is not ("en" or "")
            ? culture.CompareInfo
            : null;
        // The rows' condition, as SQL: the tenant, what the caller may see, then each parameter's restriction.
        var conditions = ConnectionStore.Of(caller.TenantId);
        var sql = conditions.Parameters;
        if (!string.IsNullOrEmpty(p.Filter))
        {
            if (ConnectionFilter.TryBuild(p.Filter, sql, out var filter) is { } badFilter)
            {
                return Fail(badFilter);
            }
            conditions.And(filter!);
        }

        var wantsDataFiles = !(p.NoDatafiles == true || !string.IsNullOrEmpty(p.Owner) || (!string.IsNullOrEmpty(p.UserId) && p.UserId != caller.UserId));
        // An admin's administered spaces matter only for their DataFiles entries: the rows carry their space's kind.
        var access = await ConnectionAccess.LoadAsync(db, caller, ct, withAdministered: wantsDataFiles);
        if (access.VisibleSql(sql) is { } visible)
        {
            conditions.And(visible);
        }
        if (!string.IsNullOrEmpty(p.SpaceId))
        {
            conditions.And($"c.\"SpaceId\" = {sql.Param(p.SpaceId)}");
        }
        else if (p.Personal == true)
        {
            conditions.And("c.\"SpaceId\" IS NULL");
        }
        if (p.OwnedByMe == true)
        {
            conditions.And($"c.\"OwnerId\" = {sql.Param(caller.UserId)}");
        }
        if (!string.IsNullOrEmpty(p.Owner))
        {
            conditions.And($"c.\"AppOwner\" = {sql.Param(p.Owner)}");
        }
        if (!string.IsNullOrEmpty(p.UserId))
        {
            conditions.And($"c.\"OwnerId\" = {sql.Param(p.UserId)}");
        }
        // Connections of data sources the tenant disabled stay out of lists unless includeDisabled=true.
        var disabled = p.IncludeDisabled == true ? [] : (await dataSources.DisabledAsync(ct)).Select(d => d.ToLowerInvariant()).Order(StringComparer.Ordinal).ToList();
        if (disabled.Count > 0)
        {
            conditions.And($"lower(c.\"DatasourceId\") NOT IN ({sql.Params(disabled)})");
        }
        // Which rows match, as text, so an unchanged set is counted once (see ConnectionCounts). Data-source settings
        // do not move the connections version, so the disabled set is part of the shape.
        countShape = string.Join('\n', access.VisibilityKey(), p.SpaceId, p.Personal, p.OwnedByMe, p.Owner, p.UserId, p.Filter, string.Join(',', disabled));
        var dataFiles = !wantsDataFiles
            ? []
            : await DataFilesEntriesAsync(access, caller, p.SpaceId, p.Personal == true, ct);
        return new ListPlan(conditions, page, caseInsensitive, access, p.IncludeQris == true, p.DataName ?? "data", dataFiles, collation);
    }

    async Task<List<DataFilesEntry>> DataFilesEntriesAsync(ConnectionAccess access, Caller caller, string? spaceId, bool personalOnly, CancellationToken ct)
    {
        var entries = new List<DataFilesEntry>();
        if (string.IsNullOrEmpty(spaceId))
        {
            var joined = await db.Users.AsNoTracking().Where(u => u.Id == caller.UserId).Select(u => u.CreatedAt).FirstOrDefaultAsync(ct);
            entries.Add(new DataFilesEntry("", DataFiles.Id(caller.TenantId, DataConnection.PersonalScope(caller.UserId)), caller.TenantId, null, caller.UserId, joined));
        }
        if (!personalOnly)
        {
            entries.AddRange(access.VisibleSpaces
                .Where(s => string.IsNullOrEmpty(spaceId) || s.Id == spaceId)
                .Select(s => new DataFilesEntry("1" + s.Name.ToLowerInvariant(), DataFiles.Id(caller.TenantId, s.Id), caller.TenantId, s, s.OwnerId, s.CreatedAt)));
        }
        entries.Sort((a, b) => a.CompareTo(b.Key, b.Id));
        return entries;
    }

    /// <summary>
    /// The caller's own separated credentials by connection (what qCredentialsID shows on separated connections): for
    /// the given connections, or all of them.
    /// </summary>
    async Task<Dictionary<string, string>> SeparatedCredentialsAsync(Caller caller, IReadOnlyList<string>? connections, CancellationToken ct)
    {
        var rows = new TenantRows(caller.TenantId, alias: null);
        var values = rows.Parameters;
        rows.And($"\"OwnerId\" = {values.Param(caller.UserId)}").And($"\"Separated\" = {values.Param(true)}").And("\"ConnectionId\" IS NOT NULL");
        if (connections is not null)
        {
            rows.And($"\"ConnectionId\" IN ({values.Params(connections)})");
        }
        var sql = rows.Statement("SELECT \"ConnectionId\", \"Id\" FROM data_credentials WHERE ");
        var byConnection = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (connection, credential) in await reads.ListAsync(sql, r => (r.GetString(0), r.GetString(1)), ct))
        {
            byConnection.TryAdd(connection, credential);
        }
        return byConnection;
    }

    async Task<bool> ReadForwardAsync(ListPlan plan, PageCursor? cursor, int limit, List<(KeyedConnection?, DataFilesEntry?)> rows, CancellationToken ct)
    {
        if (cursor is null or { Phase: null })
        {
            var regular = plan.Collation is null
                ? await plan.PageAsync(reads, cursor, backward: false, limit + 1, ct)
                : (await plan.CollatedAsync(reads, ct)).Where(k => plan.IsAfter(k, cursor, backward: false)).Take(limit + 1).ToList();
            rows.AddRange(regular.Take(limit).Select(c => ((KeyedConnection?)c, (DataFilesEntry?)null)));
            if (regular.Count > limit)
            {
                return true;
            }
            cursor = null;
        }
        var room = limit - rows.Count;
        var files = plan.DataFiles.Where(f => cursor is null || f.CompareTo(cursor.Key, cursor.Id) > 0).Take(room + 1).ToList();
        rows.AddRange(files.Take(room).Select(f => ((KeyedConnection?)null, (DataFilesEntry?)f)));
        return files.Count > room;
    }

    async Task<bool> ReadBackwardAsync(ListPlan plan, PageCursor cursor, int limit, List<(KeyedConnection?, DataFilesEntry?)> rows, CancellationToken ct)
    {
        var collected = new List<(KeyedConnection?, DataFilesEntry?)>();
        var regularCursor = cursor;
        if (cursor.Phase == DataFilesPhase)
        {
            collected.AddRange(plan.DataFiles.Where(f => f.CompareTo(cursor.Key, cursor.Id) < 0).Reverse().Take(limit + 1)
                .Select(f => ((KeyedConnection?)null, (DataFilesEntry?)f)));
            regularCursor = null;
        }
        if (collected.Count <= limit)
        {
            var regular = plan.Collation is null
                ? await plan.PageAsync(reads, regularCursor, backward: true, limit + 1 - collected.Count, ct)
                : (await plan.CollatedAsync(reads, ct)).AsEnumerable().Reverse().Where(k => plan.IsAfter(k, regularCursor, backward: true)).Take(limit + 1 - collected.Count).ToList();
            collected.AddRange(regular.Select(c => ((KeyedConnection?)c, (DataFilesEntry?)null)));
        }
        var more = collected.Count > limit;
        rows.AddRange(collected.Take(limit).Reverse());
        return more;
    }
}

/// <summary>One DataFiles connection in the listing, ordered after all regular rows by (personal first, space name, id).</summary>
internal sealed record DataFilesEntry(string Key, string Id, string TenantId, SpaceInfo? Space, string OwnerId, DateTime Created)
{
    public int CompareTo(string key, string id)
    {
        var byKey = string.CompareOrdinal(Key, key);
        return byKey != 0 ? byKey : string.CompareOrdinal(Id, id);
    }

    public ConnectionGet View(HttpRequest request) => DataFiles.Get(TenantId, Space, OwnerId, Created, request);
}
