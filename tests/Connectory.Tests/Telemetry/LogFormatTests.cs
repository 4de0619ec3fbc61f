using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Connectory.Tests.Resolving;
using Connectory.Tests.Support;

namespace Connectory.Tests.Telemetry;

/// <summary>
/// The served binary's console logs, as JSON lines and as text lines: every request's lines carry its request id and
/// trace id, one access line per request names the route template and status, a name taken (409) is no error with a
/// stack trace, and no secret or query value is written.
/// </summary>
public sealed class LogFormatTests : IDisposable
{
    static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(240);
    const string Canary = "canary-log-pw-4e1d";
    const string QueryCanary = "canary-log-query-9c0b";
    readonly List<string> databases = [];

    public void Dispose()
    {
        foreach (var database in databases)
        {
            TestDatabase.DropPostgresDatabase(database);
        }
    }

    sealed record Run(IReadOnlyList<string> Lines, string Key, string Output);

    /// <summary>Serves with Logging:Format=<paramref name="format"/>, makes a connection, takes its name again (409) and lists with a filter.</summary>
    async Task<Run> ServeAndLogAsync(string format)
    {
        var key = "cnx_logs_" + Guid.NewGuid().ToString("N");
        var store = ServiceProcess.Store(Path.Combine(TestDirectory.Create(), "data"), databases);
        using var service = ServiceProcess.Start([.. store, $"--Auth:BootstrapApiKey={key}", $"--Logging:Format={format}"]);
        _ = await service.WaitUntilReadyAsync(ReadyBound) ?? throw new Xunit.Sdk.XunitException($"The service did not become ready.\n{service.Output}");
        using var client = new HttpClient { BaseAddress = service.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        await client.NewConnectionAsync(null, "ledger", Canary);
        var taken = await client.PostAsJsonAsync("/api/v1/data-connections", new
        {
            qName = "ledger",
            qConnectStatement = ResolveKit.Statement,
            qType = "QvOdbcConnectorPackage.exe",
            datasourceID = "postgres",
            qUsername = "reader",
            qPassword = Canary,
        });
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/data-connections?filter=qName eq \"{QueryCanary}\"")).StatusCode);
        Assert.True(await service.WaitForLineAsync("GET /api/v1/data-connections/ 200", TimeSpan.FromSeconds(10)), service.Output);
        return new Run(service.Lines, key, service.Output);
    }

    [StoreIndependentFact]
    public async Task JsonAndTextLinesCarryRequestAndTraceIdsAndOneAccessLinePerRequest()
    {
        var runs = await Task.WhenAll(ServeAndLogAsync("json"), ServeAndLogAsync("text"));
        var (json, text) = (runs[0], runs[1]);

        // JSON: one object per line; the access lines carry the request's scopes.
        var entries = json.Lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var access = entries.Where(e => e.GetProperty("Category").GetString() == "Connectory.Access").ToList();
        var conflict = Assert.Single(access, e => e.GetProperty("State").GetProperty("Status").GetInt32() == 409);
        Assert.Equal("POST", conflict.GetProperty("State").GetProperty("Method").GetString());
        Assert.Equal("/api/v1/data-connections/", conflict.GetProperty("State").GetProperty("Route").GetString());
        Assert.Matches("^[0-9a-f]{24}$", conflict.GetProperty("State").GetProperty("TenantId").GetString()!);
        foreach (var line in access)
        {
            var scopes = line.GetProperty("Scopes").EnumerateArray().ToList();
            Assert.Contains(scopes, s => s.TryGetProperty("RequestId", out var id) && id.GetString()!.Length > 0);
            Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var id) && id.GetString()!.Length == 32);
        }
        Assert.DoesNotContain(entries, e => e.GetProperty("LogLevel").GetString() is "Error" or "Critical");
        Assert.DoesNotContain(entries, e => e.TryGetProperty("Exception", out _));

        // Text: one line per entry, scopes on it.
        var conflictLine = Assert.Single(text.Lines, l => l.Contains("POST /api/v1/data-connections/ 409", StringComparison.Ordinal));
        Assert.Contains("info: Connectory.Access", conflictLine, StringComparison.Ordinal);
        Assert.Matches("RequestId:[^ ,]+", conflictLine);
        Assert.Matches("TraceId:[0-9a-f]{32}", conflictLine);
        Assert.DoesNotContain(text.Lines, l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal));
        Assert.DoesNotContain(text.Lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));

        foreach (var run in runs)
        {
            // The bootstrap key is shown once on the console by design (not through logging); nothing else carries it.
            var logged = run.Lines.Where(l => !l.StartsWith("Bootstrap admin API key", StringComparison.Ordinal)).ToList();
            foreach (var secret in new[] { Canary, QueryCanary, run.Key, run.Key[4..] })
            {
                Assert.DoesNotContain(logged, l => l.Contains(secret, StringComparison.Ordinal));
            }
        }
    }
}
