using System.Collections.Concurrent;
using System.Diagnostics;

namespace Connectory.Tests.Crash;

/// <summary>The counts of a crash run, and every finding worth failing it for.</summary>
sealed class CrashTally
{
    readonly Stopwatch time = Stopwatch.StartNew();
    readonly ConcurrentQueue<string> findings = new();
    int acknowledged;
    int unanswered;
    int refused;
    int appliedUnanswered;

    public int ServiceKills { get; set; }
    public int PostgresKills { get; set; }
    public int Lost { get; private set; }
    public int HalfApplied { get; private set; }
    public TimeSpan MaxReady { get; private set; }

    public IReadOnlyCollection<string> Findings => findings;

    public int AcknowledgedCount => Volatile.Read(ref acknowledged);

    public void Acknowledged() => Interlocked.Increment(ref acknowledged);

    public void Unanswered() => Interlocked.Increment(ref unanswered);

    /// <summary>A 503: the server says nothing was applied.</summary>
    public void Refused() => Interlocked.Increment(ref refused);

    /// <summary>A write without an acknowledgement turned out applied (allowed: its answer never came).</summary>
    public void AppliedUnanswered() => appliedUnanswered++;

    public void Fail(string finding) => findings.Enqueue(finding);

    public void LostWrite(string what)
    {
        Lost++;
        Fail("lost: " + what);
    }

    public void HalfAppliedWrite(string what)
    {
        HalfApplied++;
        Fail("half-applied: " + what);
    }

    public void Ready(TimeSpan ready) => MaxReady = ready > MaxReady ? ready : MaxReady;

    public override string ToString() =>
        $"kills: {ServiceKills} of the server" + (PostgresKills > 0 ? $", {PostgresKills} of PostgreSQL" : "") +
        $"; acknowledged writes: {acknowledged}; unanswered: {unanswered} (and {refused} answered 503), {appliedUnanswered} of them found applied; " +
        $"lost writes: {Lost}; half-applied: {HalfApplied}; other findings: {findings.Count - Lost - HalfApplied}; " +
        $"slowest restart to ready: {MaxReady.TotalSeconds:0.0} s; time: {time.Elapsed.TotalSeconds:0} s";
}
