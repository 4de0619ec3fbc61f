using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Connectory.Errors;
using Connectory.Platform.Auth;
using Connectory.Secrets;

namespace Connectory.Platform.Paging;

internal enum PageDirection { Next, Prev }

/// <summary>
/// A position in a list: the sort key and id of the row a page ended at, the direction to read on, and, for lists
/// read in phases (the DataFiles rows after the regular ones), the phase that row belongs to.
/// </summary>
internal sealed record PageCursor(PageDirection Direction, string Key, string Id, string? Phase = null);

/// <summary>
/// The query a page token belongs to: the list, the caller, and each parameter that decides the list's rows or their
/// order. A token carries a fingerprint of each, so reusing it with another filter, sort or caller names what changed.
/// </summary>
internal sealed class PageScope(string list, Caller caller)
{
    readonly List<(string Name, string Value)> parameters = [];

    public string List => list;
    public string Caller => caller.TenantId + "/" + caller.UserId;
    public IReadOnlyList<(string Name, string Value)> Parameters => parameters;

    /// <summary>Binds <paramref name="name"/> to its value; an absent (null or empty) value is bound as absent.</summary>
    public PageScope With(string name, object? value)
    {
        var text = value switch
        {
            null => "",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        if (text.Length > 0)
        {
            parameters.Add((name, text));
        }
        return this;
    }
}

/// <summary>
/// Issues and reads the page tokens of every list: <c>base64url(position and scope).base64url(HMAC)</c>, signed with a
/// key derived from the master key, so an altered token is refused and one issued for another list, query or caller
/// is refused naming what differs. The scope is carried as short fingerprints, never as the values themselves.
/// </summary>
internal sealed class PageTokens(SecretProtector protector)
{
    const string Purpose = "page-cursor";
    const string CallerEntry = "@";

    public string Encode(PageCursor cursor, PageScope scope)
    {
        var bound = new Dictionary<string, string>(StringComparer.Ordinal) { [CallerEntry] = Fingerprint(scope.Caller) };
        foreach (var (name, value) in scope.Parameters)
        {
            bound[name] = Fingerprint(value);
        }
        var wire = new Wire(scope.List, cursor.Direction == PageDirection.Next ? "n" : "p", cursor.Key, cursor.Id, cursor.Phase, bound);
        var payload = JsonSerializer.SerializeToUtf8Bytes(wire, PageTokenJson.Default.Wire);
        return Base64Url(payload) + "." + Base64Url(protector.Mac(Purpose, payload));
    }

    /// <summary>The cursor in <paramref name="token"/>, given as query parameter <paramref name="parameter"/>, or why it is refused.</summary>
    public ApiError? TryDecode(string token, string parameter, PageScope scope, out PageCursor? cursor)
    {
        cursor = null;
        var altered = ApiError.InvalidParameter(parameter, "is not a page token issued by this service (it was altered or cut short)");
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || FromBase64Url(token[..dot]) is not { } payload || FromBase64Url(token[(dot + 1)..]) is not { } mac
            || !protector.VerifyMac(Purpose, payload, mac))
        {
            return altered;
        }
        Wire? wire;
        try
        {
            wire = JsonSerializer.Deserialize(payload, PageTokenJson.Default.Wire);
        }
        catch (JsonException)
        {
            return altered;
        }
        if (wire is not { L: not null, K: not null, I: not null, D: "n" or "p", Q: not null })
        {
            return altered;
        }
        if (wire.L != scope.List)
        {
            return ApiError.InvalidParameter(parameter, "is a page token of another list");
        }
        if (wire.Q.GetValueOrDefault(CallerEntry) != Fingerprint(scope.Caller))
        {
            return ApiError.InvalidParameter(parameter, "was issued to another user; page tokens are not shared");
        }
        var names = scope.Parameters.Select(p => p.Name).Concat(wire.Q.Keys.Where(k => k != CallerEntry)).Distinct(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var now = scope.Parameters.FirstOrDefault(p => p.Name == name).Value;
            if (wire.Q.GetValueOrDefault(name) != (now is null ? null : Fingerprint(now)))
            {
                return ApiError.InvalidParameter(parameter, $"was issued for a different '{name}'; keep the query's parameters while paging, or start again without '{parameter}'");
            }
        }
        cursor = new PageCursor(wire.D == "n" ? PageDirection.Next : PageDirection.Prev, wire.K, wire.I, wire.P);
        return null;
    }

    /// <summary>Enough of a value's hash to tell values apart; the signature, not this, is what makes tokens unforgeable.</summary>
    static string Fingerprint(string value) => Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(value))[..6]);

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    static byte[]? FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    internal sealed record Wire(
        string? L, string? D, string? K, string? I,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? P,
        Dictionary<string, string>? Q);
}

[JsonSerializable(typeof(PageTokens.Wire))]
internal sealed partial class PageTokenJson : JsonSerializerContext;
