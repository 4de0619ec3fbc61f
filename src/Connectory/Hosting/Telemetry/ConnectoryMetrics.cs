using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Connectory.Hosting.Telemetry;

/// <summary>
/// The service's own instruments, all on the one meter <c>Connectory</c>. Labels carry kinds, results, route templates
/// and tenant ids only: never a name, a path with values, a query string, a token or a secret.
/// </summary>
internal sealed class ConnectoryMetrics
{
    public const string MeterName = "Connectory";

    readonly Histogram<double> requestDuration;
    readonly Counter<long> signIns;
    readonly Counter<long> decryptions;
    readonly Counter<long> rateLimited;
    readonly Counter<long> resolves;
    readonly Counter<long> rewrapped;
    readonly UpDownCounter<long> writeQueue;
    readonly Histogram<double> commitDuration;

    public ConnectoryMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        // Its count is the number of requests, so no separate counter is kept.
        requestDuration = Meter.CreateHistogram<double>("connectory.request.duration", "s", "Requests answered and their time, by API family, route template, method and status.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        signIns = Meter.CreateCounter<long>("connectory.sign_ins", "{sign-in}", "Sign-in attempts by method (api-key, jwt, qlik-user) and result.");
        decryptions = Meter.CreateCounter<long>("connectory.secret.decryptions", "{decryption}", "Stored secrets decrypted, by result (ok, failed).");
        rateLimited = Meter.CreateCounter<long>("connectory.rate_limit.rejections", "{request}", "Requests refused with 429, by tier (1, 2, resolve).");
        resolves = Meter.CreateCounter<long>("connectory.resolve.calls", "{call}", "Connection resolutions, by result (granted, refused, failed, throttled).");
        rewrapped = Meter.CreateCounter<long>("connectory.key_rotation.rewrapped", "{secret}", "Secrets re-wrapped under the current master key by a rotation in this process.");
        writeQueue = Meter.CreateUpDownCounter<long>("connectory.sqlite.write_queue", "{unit}", "SQLite write units waiting for or in a commit.");
        commitDuration = Meter.CreateHistogram<double>("connectory.sqlite.commit.duration", "s", "Time of one grouped SQLite commit.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] });
    }

    public Meter Meter { get; }

    public void Request(string family, string route, string method, int status, double seconds)
    {
        var tags = new TagList { { "family", family }, { "route", route }, { "method", method }, { "status", status } };
        requestDuration.Record(seconds, tags);
    }

    public void SignIn(string method, bool succeeded) =>
        signIns.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("result", succeeded ? "success" : "failure"));

    public void Decryption(bool succeeded) => decryptions.Add(1, new KeyValuePair<string, object?>("result", succeeded ? "ok" : "failed"));

    public void RateLimited(string tier) => rateLimited.Add(1, new KeyValuePair<string, object?>("tier", tier));

    public void Resolve(string result) => resolves.Add(1, new KeyValuePair<string, object?>("result", result));

    public void Rewrapped(int count) => rewrapped.Add(count);

    public void WriteQueued(int delta) => writeQueue.Add(delta);

    public void Committed(int units, double seconds) => commitDuration.Record(seconds, new KeyValuePair<string, object?>("grouped", units > 1));
}
