using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Platform.Audit;
using Connectory.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace Connectory.Tests.ConnectionTesting;

/// <summary>Request shortcuts and assertions of the connection-test tests.</summary>
static class ConnectionTestKit
{
    public static string NewUrl(string prefix = "/api/v1") => $"{prefix}/data-connections/actions/test";

    public static string SavedUrl(string id, string prefix = "/api/v1") => $"{prefix}/data-connections/{id}/actions/test";

    /// <summary>Tests an unsaved connection; the raw body is returned too, to look for secrets in it.</summary>
    public static async Task<(JsonElement Result, string Text)> TestAsync(this HttpClient client, object body, string prefix = "/api/v1")
    {
        var response = await client.PostAsJsonAsync(NewUrl(prefix), body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "");
        return (JsonDocument.Parse(text).RootElement.Clone(), text);
    }

    public static async Task<(JsonElement Result, string Text)> TestSavedAsync(this HttpClient client, string id, string prefix = "/api/v1")
    {
        var response = await client.PostAsync(SavedUrl(id, prefix), null);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        return (JsonDocument.Parse(text).RootElement.Clone(), text);
    }

    public static string[] StepNames(JsonElement result) =>
        result.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("step").GetString()!).ToArray();

    /// <summary>Every step passed, and these were the steps.</summary>
    public static void AssertPassed(JsonElement result, params string[] steps)
    {
        Assert.True(result.GetProperty("ok").GetBoolean(), result.GetRawText());
        Assert.Equal(steps, StepNames(result));
        Assert.All(result.GetProperty("steps").EnumerateArray(), s =>
        {
            Assert.True(s.GetProperty("ok").GetBoolean());
            Assert.True(s.GetProperty("latencyMs").GetInt64() >= 0);
        });
        Assert.True(result.GetProperty("latencyMs").GetInt64() >= 0);
    }

    /// <summary>The test ran and failed at <paramref name="step"/>, the last one, after every earlier step passed; returns its message.</summary>
    public static string AssertFailedAt(JsonElement result, string step)
    {
        Assert.False(result.GetProperty("ok").GetBoolean(), result.GetRawText());
        var steps = result.GetProperty("steps").EnumerateArray().ToList();
        var last = steps[^1];
        Assert.True(step == last.GetProperty("step").GetString(), result.GetRawText());
        Assert.False(last.GetProperty("ok").GetBoolean());
        Assert.All(steps.SkipLast(1), s => Assert.True(s.GetProperty("ok").GetBoolean(), result.GetRawText()));
        return last.GetProperty("message").GetString()!;
    }

    public static string PostgresStatement(int port, string database, string host = "127.0.0.1") =>
        $"CUSTOM CONNECT TO \"provider=QvOdbcConnectorPackage.exe;driver=postgres;host={host};port={port};db={database};\"";

    /// <summary>Every test event of a tenant, oldest first.</summary>
    public static Task<List<AuditEvent>> TestEventsAsync(this ConnectoryFactory factory, string tenantId) =>
        factory.WithDbAsync(db => db.AuditEvents.IgnoreQueryFilters()
            .Where(a => a.TenantId == tenantId && a.Action == "connection.test").OrderBy(a => a.OccurredAt).ThenBy(a => a.Id).ToListAsync());

    /// <summary>The secret appears nowhere the service writes: not in the captured logs, not in any audit row, not in the audit listing.</summary>
    public static async Task AssertNowhereAsync(ConnectoryFactory factory, TestTenant tenant, string secret)
    {
        Assert.DoesNotContain(factory.Logs, line => line.Contains(secret, StringComparison.Ordinal));
        var rows = await factory.WithDbAsync(db => db.AuditEvents.IgnoreQueryFilters().ToListAsync());
        Assert.DoesNotContain(secret, JsonSerializer.Serialize(rows), StringComparison.Ordinal);
        var listing = await tenant.Admin.GetStringAsync("/api/v1/audits?limit=100");
        Assert.Contains("connection.test", listing, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listing, StringComparison.Ordinal);
    }
}
