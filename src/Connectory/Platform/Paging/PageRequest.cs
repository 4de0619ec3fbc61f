using Connectory.Errors;

namespace Connectory.Platform.Paging;

/// <summary>
/// What one list accepts: its name (tokens of one list are refused by another), its sort fields (matched
/// case-insensitively, prefixed + or -), its default sort and limit (null: without <c>limit</c> every match), the
/// fields whose keys are times, the phases its cursors may carry, and its token parameters' names (one name for both
/// directions, as <c>page</c>, when the token itself says which way it reads).
/// </summary>
internal sealed record PageSpec(
    string List, string[] SortFields, string DefaultSort, int? DefaultLimit, string[] TimeFields,
    string Next = "next", string Prev = "prev", string[]? Phases = null);

/// <summary>The paging parameters of one list request, checked once for every list.</summary>
internal sealed class PageRequest
{
    PageRequest(PageSpec spec, PageScope scope, PageTokens tokens, int? limit, string sortField, bool descending, PageCursor? cursor)
    {
        Spec = spec;
        Scope = scope;
        this.tokens = tokens;
        Limit = limit;
        SortField = sortField;
        Descending = descending;
        Cursor = cursor;
    }

    readonly PageTokens tokens;

    public PageSpec Spec { get; }
    public PageScope Scope { get; }
    public int? Limit { get; }
    public string SortField { get; }
    public bool Descending { get; }
    public PageCursor? Cursor { get; }
    public bool Backward => Cursor is { Direction: PageDirection.Prev };

    /// <summary>
    /// Checks limit, sort and the page token against <paramref name="spec"/>; the token must have been issued for this
    /// list, this sort, <paramref name="scope"/>'s parameters and caller. <paramref name="prev"/> is unused when the
    /// spec names one token parameter.
    /// </summary>
    public static ApiError? TryParse(
        PageSpec spec, PageScope scope, PageTokens tokens, int? limit, string? sort, string? next, string? prev, out PageRequest page)
    {
        // What a caller that ignores the error would get: the list's defaults.
        page = new PageRequest(spec, scope, tokens, spec.DefaultLimit, spec.DefaultSort.TrimStart('+', '-'), spec.DefaultSort.StartsWith('-'), null);
        var effectiveLimit = limit ?? spec.DefaultLimit;
        if (effectiveLimit is < 1 or > 100)
        {
            return ApiError.InvalidParameter("limit", "must be between 1 and 100");
        }
        // An unencoded '+' reaches us as a space ("sort=+name" typed by hand): ascending, as meant.
        var sortText = string.IsNullOrWhiteSpace(sort) ? spec.DefaultSort : sort.Trim();
        var descending = sortText.StartsWith('-');
        var field = spec.SortFields.FirstOrDefault(f => string.Equals(f, sortText.TrimStart('+', '-'), StringComparison.OrdinalIgnoreCase));
        if (field is null)
        {
            return ApiError.InvalidParameter("sort", $"'{sortText}' is not one of {string.Join(", ", spec.SortFields)} (prefix + or -)");
        }
        scope.With("sort", (descending ? "-" : "+") + field);
        var single = spec.Next == spec.Prev;
        if (!single && !string.IsNullOrEmpty(next) && !string.IsNullOrEmpty(prev))
        {
            return ApiError.InvalidParameter(spec.Next, $"give either {spec.Next} or {spec.Prev}, not both");
        }
        PageCursor? cursor = null;
        var (token, parameter) = !string.IsNullOrEmpty(next) ? (next, spec.Next) : (single ? null : prev, spec.Prev);
        if (!string.IsNullOrEmpty(token))
        {
            if (tokens.TryDecode(token, parameter, scope, out cursor) is { } refused)
            {
                return refused;
            }
            var altered = ApiError.InvalidParameter(parameter, "is not a page token issued by this service (it was altered or cut short)");
            if (cursor!.Phase is { } phase ? spec.Phases?.Contains(phase) != true : !KeyParses(spec, field, cursor.Key))
            {
                return altered;
            }
            if (!single && (cursor.Direction == PageDirection.Next) != (parameter == spec.Next))
            {
                return ApiError.InvalidParameter(parameter, $"is a '{(cursor.Direction == PageDirection.Next ? spec.Next : spec.Prev)}' token, not a '{parameter}' one");
            }
        }
        page = new PageRequest(spec, scope, tokens, effectiveLimit, field, descending, cursor);
        return null;
    }

    static bool KeyParses(PageSpec spec, string field, string key) =>
        !spec.TimeFields.Contains(field) || long.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>The token for <paramref name="cursor"/>, bound to this request's list, sort, parameters and caller.</summary>
    public string Token(PageCursor cursor) => tokens.Encode(cursor, Scope);

    /// <summary>This request's links: self, and next and prev when there is such a page.</summary>
    public PageLinks Links(HttpRequest request, PageCursor? next, PageCursor? prev) => new(
        Urls.Self(request),
        next is null ? null : Link(request, next),
        prev is null ? null : Link(request, prev));

    Link Link(HttpRequest request, PageCursor cursor) =>
        Urls.Page(request, cursor.Direction == PageDirection.Next ? Spec.Next : Spec.Prev, Token(cursor), Spec.Next, Spec.Prev);
}
