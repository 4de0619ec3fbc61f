using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Support;

namespace Connectory.Tests.DataConnections;

/// <summary>Small helpers over /api/v1/data-connections shared by this folder's tests.</summary>
static class ConnectionApi
{
    public const string Path = "/api/v1/data-connections";

    public static string RestStatement(string host = "api.example.test") =>
        $"CUSTOM CONNECT TO \"provider=QvRestConnector.exe;url=https://{host}/v1;method=GET;\"";

    /// <summary>A valid ConnectionCreate body; callers add or change fields.</summary>
    public static Dictionary<string, object?> Body(string name, string? space = null, string? statement = null) => new()
    {
        ["qName"] = name,
        ["qType"] = "QvRestConnector.exe",
        ["qConnectStatement"] = statement ?? RestStatement(),
        ["datasourceID"] = "rest",
        ["space"] = space,
    };

    public static Task<HttpResponseMessage> PostConnectionAsync(this HttpClient client, object body) => client.PostAsJsonAsync(Path, body);

    public static Task<JsonElement> CreateAsync(this HttpClient client, object body) =>
        client.PostConnectionAsync(body).JsonAsync(HttpStatusCode.Created);

    /// <summary>Creates a connection and returns its qID.</summary>
    public static async Task<string> NewConnectionAsync(this HttpClient client, string name, string? space = null, string? statement = null, Action<Dictionary<string, object?>>? edit = null)
    {
        var body = Body(name, space, statement);
        edit?.Invoke(body);
        return (await client.CreateAsync(body)).GetProperty("qID").GetString()!;
    }

    public static Task<JsonElement> GetConnectionAsync(this HttpClient client, string id, string query = "") =>
        client.GetAsync($"{Path}/{id}{query}").JsonAsync();

    public static Task<HttpResponseMessage> PatchConnectionAsync(this HttpClient client, string id, object operations, string query = "") =>
        client.PatchAsJsonAsync($"{Path}/{id}{query}", operations);

    public static Task<JsonElement> ListAsync(this HttpClient client, string query) => client.GetAsync($"{Path}?{query}").JsonAsync();

    /// <summary>Follows links.next from the first page to the last and returns every row in order.</summary>
    public static async Task<List<JsonElement>> WalkAsync(this HttpClient client, string query)
    {
        var rows = new List<JsonElement>();
        var page = await client.ListAsync(query);
        for (var guard = 0; guard < 10_000; guard++)
        {
            rows.AddRange(page.GetProperty("data").EnumerateArray());
            if (!page.GetProperty("links").TryGetProperty("next", out var next))
            {
                return rows;
            }
            page = await client.GetAsync(next.GetProperty("href").GetString()).JsonAsync();
        }
        throw new InvalidOperationException("The listing never ended.");
    }

    public static List<string> Names(this JsonElement page, string dataName = "data") =>
        page.GetProperty(dataName).EnumerateArray().Select(c => c.GetProperty("qName").GetString()!).ToList();

    public static List<string> Names(this IEnumerable<JsonElement> rows) => rows.Select(c => c.GetProperty("qName").GetString()!).ToList();

    public static List<string> Ids(this IEnumerable<JsonElement> rows) => rows.Select(c => c.GetProperty("qID").GetString()!).ToList();

    public static List<string> Strings(this JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    public static string Str(this JsonElement element, string property) => element.GetProperty(property).GetString()!;

    /// <summary>A JSON error's detail text (empty when absent).</summary>
    public static string Detail(this JsonElement error) => error.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
}
