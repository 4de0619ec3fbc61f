using Connectory.Errors;
using Microsoft.Net.Http.Headers;

namespace Connectory.Platform.Preconditions;

/// <summary>
/// Conditional writes (RFC 9110 §13). Evaluated once the request would otherwise succeed (a 404 or 403 comes first,
/// §13.2.1): If-Match before If-None-Match. Without either field nothing is required and the last writer wins, as in
/// Qlik. A malformed field is a 400: ignoring it would turn a careful write into a blind one.
/// </summary>
internal static class Preconditions
{
    /// <summary>
    /// For a write to the stored resource whose tag is <paramref name="current"/>: a 412 (or 400) when a condition
    /// fails, otherwise the version the write must still find at save (null when the request sets no If-Match tag).
    /// </summary>
    public static (ApiError? Error, long? RequiredVersion) ForWrite(HttpRequest request, string what, Data.IVersioned current)
    {
        if (!TryRead(request, HeaderNames.IfMatch, out var ifMatch, out var malformed) || !TryRead(request, HeaderNames.IfNoneMatch, out var ifNoneMatch, out malformed))
        {
            return (malformed, null);
        }
        var tag = EntityTag.Of(current);
        if (ifMatch is not null && !ifMatch.Any && !ifMatch.Tags.Any(t => t.StronglyMatches(tag)))
        {
            return (Failed($"If-Match: the {what} has changed; its current ETag is {tag}."), null);
        }
        if (ifNoneMatch is not null && (ifNoneMatch.Any || ifNoneMatch.Tags.Any(t => t.WeaklyMatches(tag))))
        {
            return (Failed($"If-None-Match: the {what} exists{(ifNoneMatch.Any ? "" : $" with ETag {tag}")}."), null);
        }
        return (null, ifMatch is { Any: false } ? current.Version : null);
    }

    /// <summary>
    /// For a request that creates or replaces a resource that may not exist yet (<paramref name="current"/> null).
    /// If-Match needs a resource to match; If-None-Match: * refuses one that exists.
    /// </summary>
    public static (ApiError? Error, long? RequiredVersion) ForUpsert(HttpRequest request, string what, Data.IVersioned? current)
    {
        if (current is not null)
        {
            return ForWrite(request, what, current);
        }
        if (!TryRead(request, HeaderNames.IfMatch, out var ifMatch, out var malformed) || !TryRead(request, HeaderNames.IfNoneMatch, out _, out malformed))
        {
            return (malformed, null);
        }
        return ifMatch is null ? (null, null) : (Failed($"If-Match: the {what} does not exist."), null);
    }

    /// <summary>For a create (POST): a malformed field is a 400; If-None-Match: * is what a create always means here.</summary>
    public static ApiError? ForCreate(HttpRequest request) =>
        TryRead(request, HeaderNames.IfMatch, out _, out var malformed) && TryRead(request, HeaderNames.IfNoneMatch, out _, out malformed) ? null : malformed;

    /// <summary>The 412 for a conditional write whose version changed between the check and the save.</summary>
    public static ApiError LostRace(string what) =>
        Failed($"If-Match: the {what} was changed by another request meanwhile; nothing of this request was applied.");

    /// <summary>Sets the response's ETag to <paramref name="row"/>'s (as saved).</summary>
    public static void Tag(HttpResponse response, Data.IVersioned row) => response.Headers.ETag = EntityTag.Of(row).ToString();

    static bool TryRead(HttpRequest request, string field, out EntityTagCondition? condition, out ApiError? malformed)
    {
        malformed = null;
        if (EntityTagCondition.TryParse(request.Headers[field], out condition))
        {
            return true;
        }
        malformed = ApiError.BadRequest($"{field} must be \"*\" or a comma-separated list of entity tags such as \"1-18c2f5a1b20\" (RFC 9110).");
        return false;
    }

    static ApiError Failed(string detail) => new(ErrorCatalog.PreconditionFailed, detail);
}
