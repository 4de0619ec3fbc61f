using System.Text.Json;
using Connectory.Secrets;

namespace Connectory.DataConnections;

/// <summary>
/// The opaque <c>page</c> token of GET /data-connections: a position (phase, sort key, id) and a direction, bound to
/// the sort it was made for and signed, so an altered token is a 400, never a different query.
/// </summary>
internal sealed record ListCursor(string Phase, string Key, string Id, bool Backward, string Sort)
{
    public const string Regular = "r";
    public const string DataFilesPhase = "d";
    const string Purpose = "data-connections-page";

    public string Encode(SecretProtector protector)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Wire(Phase, Key, Id, Backward ? "p" : "n", Sort));
        return Base64Url(payload) + "." + Base64Url(protector.Mac(Purpose, payload));
    }

    public static ListCursor? TryDecode(string token, string sort, SecretProtector protector)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || FromBase64Url(token[..dot]) is not { } payload || FromBase64Url(token[(dot + 1)..]) is not { } mac
            || !protector.VerifyMac(Purpose, payload, mac))
        {
            return null;
        }
        try
        {
            var wire = JsonSerializer.Deserialize<Wire>(payload);
            return wire is { P: Regular or DataFilesPhase, K: not null, I: not null, D: "n" or "p" } && wire.S == sort
                ? new ListCursor(wire.P, wire.K, wire.I, wire.D == "p", sort)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

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

    sealed record Wire(string P, string? K, string? I, string D, string S);
}
