using System.Diagnostics;
using System.Text;

namespace Connectory.ConnectionTesting;

/// <summary>
/// The steps of one test as they run: each timed, each message scrubbed of every secret the test was given (a driver
/// may quote what it was handed), and all of them bound to one deadline, so a target that never answers ends the
/// step, not the request.
/// </summary>
internal sealed class TestSteps(IReadOnlyCollection<string> secrets, TimeSpan timeout, CancellationToken requestAborted) : IDisposable
{
    const int MaxMessage = 512;
    const string Hidden = "[hidden]";

    readonly CancellationTokenSource deadline = CreateDeadline(timeout, requestAborted);
    readonly Stopwatch total = Stopwatch.StartNew();
    readonly List<ConnectionTestStep> steps = [];

    public TimeSpan Timeout { get; } = timeout;

    /// <summary>Cancelled at the deadline (or when the caller hangs up).</summary>
    public CancellationToken Token => deadline.Token;

    public TimeSpan Remaining => Timeout - total.Elapsed is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    public bool Failed => steps.Any(s => !s.ok);

    public IReadOnlyList<ConnectionTestStep> All => steps;

    public long ElapsedMs => total.ElapsedMilliseconds;

    static CancellationTokenSource CreateDeadline(TimeSpan timeout, CancellationToken aborted)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        source.CancelAfter(timeout);
        return source;
    }

    public void Pass(string step, long latencyMs, string message) => steps.Add(new(step, true, latencyMs, Scrub(message)));

    public void Fail(string step, long latencyMs, string message) => steps.Add(new(step, false, latencyMs, Scrub(message)));

    /// <summary>
    /// Runs one step against the deadline: its message on success, or the failure <paramref name="explain"/> gives for
    /// its exception (a timeout says so). Returns the step's value, or default when it failed.
    /// </summary>
    public async Task<(bool Ok, T? Value)> RunAsync<T>(string step, Func<CancellationToken, Task<(T Value, string Message)>> work, Func<Exception, string> explain)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            // WaitAsync: a call that ignores its token (a blocked file system, a DNS lookup) still ends the step in time.
            var (value, message) = await work(Token).WaitAsync(Token);
            Pass(step, watch.ElapsedMilliseconds, message);
            return (true, value);
        }
        catch (Exception e) when (Token.IsCancellationRequested || IsTimeout(e))
        {
            Fail(step, watch.ElapsedMilliseconds, requestAborted.IsCancellationRequested
                ? "the request was abandoned"
                : $"timed out after {watch.ElapsedMilliseconds} ms (the test's limit is {(long)Timeout.TotalMilliseconds} ms, ConnectionTests:Timeout)");
            return (false, default);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Fail(step, watch.ElapsedMilliseconds, explain(e));
            return (false, default);
        }
    }

    static bool IsTimeout(Exception e) => e is TimeoutException || e.InnerException is TimeoutException;

    /// <summary>The message without any secret the test holds (as given, URL-encoded or in Basic form) or control characters, and not over 512 characters.</summary>
    public string Scrub(string message)
    {
        var text = message;
        foreach (var secret in secrets.Where(s => s.Length > 0).OrderByDescending(s => s.Length))
        {
            text = text.Replace(secret, Hidden, StringComparison.Ordinal);
        }
        var clean = new StringBuilder(Math.Min(text.Length, MaxMessage));
        foreach (var c in text)
        {
            if (clean.Length == MaxMessage)
            {
                break;
            }
            clean.Append(char.IsControl(c) ? ' ' : c);
        }
        return clean.ToString();
    }

    public ConnectionTestResult Result(string kind, string target) => new(!Failed, kind, target, steps, ElapsedMs);

    public void Dispose() => deadline.Dispose();
}
