using Connectory.Errors;

namespace Connectory.Platform.Paging;

/// <summary>The paging parameters every list endpoint shares, checked once.</summary>
internal sealed record PageRequest(int Limit, string SortField, bool Descending, PageCursor? Cursor)
{
    public static ApiError? TryParse(
        int? limit, string? sort, string? next, string? prev, IReadOnlyCollection<string> sortFields, string defaultSort, int defaultLimit,
        out PageRequest page, IReadOnlyCollection<string>? timeFields = null)
    {
        page = new PageRequest(defaultLimit, defaultSort, false, null);
        var effectiveLimit = limit ?? defaultLimit;
        if (effectiveLimit is < 1 or > 100)
        {
            return ApiError.InvalidParameter("limit", "must be between 1 and 100");
        }
        var sortText = string.IsNullOrEmpty(sort) ? defaultSort : sort;
        var descending = sortText.StartsWith('-');
        var field = sortText.TrimStart('+', '-');
        var known = sortFields.FirstOrDefault(f => string.Equals(f, field, StringComparison.OrdinalIgnoreCase));
        if (known is null)
        {
            return ApiError.InvalidParameter("sort", $"'{sortText}' is not one of {string.Join(", ", sortFields)} (prefix + or -)");
        }
        if (next is not null && prev is not null)
        {
            return ApiError.InvalidParameter("next", "give either next or prev, not both");
        }
        PageCursor? cursor = null;
        var token = next ?? prev;
        var canonicalSort = (descending ? "-" : "+") + known;
        if (token is not null)
        {
            cursor = PageCursor.TryDecode(token, canonicalSort, timeFields?.Contains(known) == true);
            if (cursor is null || (cursor.Direction == PageDirection.Next) != (next is not null))
            {
                return ApiError.InvalidParameter(next is not null ? "next" : "prev", "is not a page token issued for this query");
            }
        }
        page = new PageRequest(effectiveLimit, known, descending, cursor);
        return null;
    }

    public string CanonicalSort => (Descending ? "-" : "+") + SortField;

    public string Token(PageCursor cursor) => (cursor with { Sort = CanonicalSort }).Encode();
}
