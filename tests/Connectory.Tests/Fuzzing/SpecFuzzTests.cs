using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Connectory.Tests.DataConnections;
using Connectory.Tests.DataCredentials;
using Connectory.Tests.Qrs;
using Connectory.Tests.Support;
using Xunit.Abstractions;

namespace Connectory.Tests.Fuzzing;

/// <summary>
/// Every operation of every published API document (and the connectivity namespace), called with generated requests
/// from an admin, a plain user, no one and a forged token: no answer is a 5xx, every error is in its family's shape,
/// and the service is still ready and its memory bounded at the end. CONNECTORY_TEST_FUZZ_REQUESTS sets the budget
/// (CI runs a short one; bench/fuzz.sh a long one) and CONNECTORY_TEST_FUZZ_SEED replays a run.
/// </summary>
public sealed class SpecFuzzTests(ConnectoryFactory factory, ITestOutputHelper output) : IClassFixture<ConnectoryFactory>
{
    static readonly int Budget = Setting("CONNECTORY_TEST_FUZZ_REQUESTS", 2000);
    static readonly int Seed = Setting("CONNECTORY_TEST_FUZZ_SEED", Random.Shared.Next());
    // Growth of the managed heap over the run, after full collections. The suite's other servers share this process,
    // so the bound is loose; bench/fuzz.sh's long run shows whether the service itself keeps memory.
    const long GrowthBound = 512L * 1024 * 1024;

    static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;

    [Fact]
    public async Task NoGeneratedRequestGetsA5xxOrAnErrorOutsideItsFamilysShape()
    {
        var operations = SpecOperations.Load();
        Assert.True(operations.Count >= 40, $"only {operations.Count} operations were read from the documents");
        var tenant = await factory.NewTenantAsync();
        var user = await tenant.NewUserAsync();
        var space = await tenant.NewSpaceAsync("shared");
        var targets = new FuzzTargets(
            await tenant.Admin.NewConnectionAsync("fuzz-target", space, edit: b => b["qConnectionSecret"] = "fuzz-secret"),
            await tenant.Admin.NewCredentialAsync("fuzz-credential"),
            (await new QrsClient(tenant.Admin).CreateAsync("fuzz-qrs")).GetProperty("id").GetString()!,
            space,
            "postgres");
        var callers = new[] { tenant.Admin, tenant.Admin, tenant.Admin, tenant.Admin, tenant.Admin, tenant.Admin, user.Client, user.Client, factory.Client(null), factory.Client("cnx_forged") };

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var random = new Random(Seed);
        var generator = new RequestGenerator(random, targets);
        var statuses = new SortedDictionary<int, int>();
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Budget && failures.Count < 10; i++)
        {
            var operation = operations[random.Next(operations.Count)];
            var request = generator.Next(operation);
            var caller = callers[random.Next(callers.Length)];
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Target);
            if (operation.Document == "qrs-dataconnection" && random.Next(10) != 0)
            {
                message.Headers.Add("X-Qlik-Xrfkey", QrsClient.Xrfkey);
            }
            if (request.Body is not null)
            {
                message.Content = new StringContent(request.Body, Encoding.UTF8);
                message.Content.Headers.ContentType = new(request.ContentType) { CharSet = "utf-8" };
            }
            using var response = await caller.SendAsync(message);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var body = await response.Content.ReadAsStringAsync();
            if (Problem(request.Target, status, response, body) is { } problem)
            {
                failures.Add($"{request.Method} {Shorten(request.Target)} body {Shorten(request.Body ?? "")} => {status}: {problem}: {Shorten(body)}");
            }
        }
        clock.Stop();

        using var ready = await factory.Client(null).GetAsync("/health/ready");
        var growth = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        var memory = Process.GetCurrentProcess().WorkingSet64;
        var summary = $"seed {Seed}: {statuses.Values.Sum()} requests over {operations.Count} operations in {clock.Elapsed.TotalSeconds:F1} s " +
            $"({statuses.Values.Sum() / clock.Elapsed.TotalSeconds:F0}/s); statuses {string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}"))}; " +
            $"managed heap grew {growth / (1024 * 1024)} MiB, working set {memory / (1024 * 1024)} MiB";
        output.WriteLine(summary);
        if (Environment.GetEnvironmentVariable("CONNECTORY_TEST_FUZZ_REPORT") is { Length: > 0 } report)
        {
            await File.AppendAllTextAsync(report, $"{(TestDatabase.IsPostgres ? "postgres" : "sqlite")}: {summary}\n");
        }
        Assert.True(failures.Count == 0, $"{summary}\n{string.Join('\n', failures)}");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.True(growth < GrowthBound, $"the managed heap grew by {growth / (1024 * 1024)} MiB over the run");
    }

    /// <summary>What is wrong with an answer, or null: no 5xx, and an error body in the shape of the path's family.</summary>
    static string? Problem(string target, int status, HttpResponseMessage response, string body)
    {
        if (status >= 500)
        {
            return "a server error";
        }
        if (status < 400)
        {
            return null;
        }
        if (body.Length == 0)
        {
            return "an error without a body";
        }
        if (target.StartsWith("/qrs", StringComparison.Ordinal))
        {
            return response.Content.Headers.ContentType?.MediaType == "text/plain" ? null : "a QRS error that is not plain text";
        }
        try
        {
            var error = JsonDocument.Parse(body).RootElement.GetProperty("errors")[0];
            var code = error.GetProperty("code").GetString() ?? "";
            if (target.StartsWith("/api/v1/dcaas", StringComparison.Ordinal))
            {
                return code.StartsWith("DCAAS-", StringComparison.Ordinal) ? null : "a DCaaS error without a DCAAS code";
            }
            return code.StartsWith("DCERROR-", StringComparison.Ordinal) && error.GetProperty("status").GetInt32() == status
                ? null : "a Cloud error without a DCERROR code and its status";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return "an error body that is not {\"errors\":[...]}";
        }
    }

    static string Shorten(string text) => text.Length > 300 ? text[..300] + $"... ({text.Length} chars)" : text;
}
