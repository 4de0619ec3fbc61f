using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Connectory.Tests.Crash;

/// <summary>How a write ended, as the client saw it.</summary>
enum WriteOutcome
{
    /// <summary>A 2xx came back: the server says it is stored.</summary>
    Acknowledged,

    /// <summary>No answer (the connection broke) or a 503 (the database went away): it may or may not be stored.</summary>
    Unanswered,

    /// <summary>Any other answer: a test failure, recorded with the body.</summary>
    Failed,
}

/// <summary>The client side of one running server: writes that tell their outcome, and reads for the checks.</summary>
sealed class CrashApi(HttpClient http, Uri address, CrashTally tally)
{
    public const string Connections = "/api/v1/data-connections";
    public const string Credentials = "/api/v1/data-credentials";
    const string Resolve = "/api/connectivity/data-sources/endpoints/actions/filter";

    public async Task<(WriteOutcome Outcome, JsonElement Body)> WriteAsync(HttpMethod method, string path, object? body = null)
    {
        try
        {
            using var request = new HttpRequestMessage(method, new Uri(address, path)) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                tally.Acknowledged();
                return (WriteOutcome.Acknowledged, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
            }
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                tally.Refused();
                return (WriteOutcome.Unanswered, default);
            }
            tally.Fail($"{method} {path} answered {(int)response.StatusCode}: {text}");
            return (WriteOutcome.Failed, default);
        }
        catch (HttpRequestException)
        {
            tally.Unanswered();
            return (WriteOutcome.Unanswered, default);
        }
        catch (TaskCanceledException)
        {
            tally.Unanswered();
            return (WriteOutcome.Unanswered, default);
        }
    }

    /// <summary>A GET for the checks: the body on 200, null on 404, a recorded failure otherwise.</summary>
    public async Task<JsonElement?> ReadAsync(string path)
    {
        using var response = await http.GetAsync(new Uri(address, path));
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        if (response.StatusCode != HttpStatusCode.OK)
        {
            tally.Fail($"GET {path} answered {(int)response.StatusCode} after a restart: {text}");
            return null;
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The connection found by its exact name, if any.</summary>
    public async Task<JsonElement?> FindConnectionAsync(string name)
    {
        var filter = Uri.EscapeDataString($"qName eq \"{name}\"");
        var page = await ReadAsync($"{Connections}?filter={filter}&noDatafiles=true");
        var rows = page?.GetProperty("data").EnumerateArray().ToList() ?? [];
        if (rows.Count > 1)
        {
            tally.Fail($"{rows.Count} connections are named {name}: a create was applied twice");
        }
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Resolves a connection as a load would: its decrypted username and password (null when it has none).</summary>
    public async Task<(string? User, string? Password)> ResolveAsync(string connectionId)
    {
        using var response = await http.PostAsJsonAsync(new Uri(address, Resolve), new { connectionId });
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
        {
            tally.Fail($"resolving {connectionId} answered {(int)response.StatusCode} after a restart: {text}");
            return (null, null);
        }
        var connection = JsonDocument.Parse(text).RootElement.GetProperty("connection");
        return (Text(connection, "user"), Text(connection, "password"));
    }

    public static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
