// The host's own instruments, on one System.Diagnostics.Metrics Meter ("Siphon"). They cost
// nothing until something listens (the admin listener's OpenTelemetry MeterProvider, see
// Hosting/Admin/AdminServer.cs): an instrument with no listener returns from Record/Add at once.
// Labels are bounded: route *patterns* (or "(unmatched)"), status classes, configured client and
// cache names, worker numbers; never raw paths or upstream URLs.
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Siphon.Runtime.Telemetry;

internal static partial class SiphonMetrics
{
    public const string MeterName = "Siphon";

    /// <summary>The route label of a request that matched no route (404/405 written in C#).</summary>
    public const string Unmatched = "(unmatched)";

    private static readonly Meter Meter = new(MeterName, ProductVersion.Current);

    // Latency buckets in seconds: 100 µs .. 30 s (OpenTelemetry's default buckets are for milliseconds).
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    };

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram("siphon.request.duration", "s",
        "Requests by route pattern and status class: time from routing to the answer written (its _count is the request count)", advice: Seconds);

    public static readonly Histogram<double> HandlerDuration = Meter.CreateHistogram("siphon.worker.handler.duration", "s",
        "Time a request spent in Python on a worker (the middleware chain and handler), by worker", advice: Seconds);

    public static readonly Counter<long> PythonExceptions = Meter.CreateCounter<long>("siphon.python.exceptions", "{exception}",
        "Handlers that raised, by route pattern");

    public static readonly Histogram<double> ClientDuration = Meter.CreateHistogram("siphon.client.duration", "s",
        "Outbound http.Client calls by client name and outcome", advice: Seconds);

    public static readonly Histogram<double> CacheDuration = Meter.CreateHistogram("siphon.cache.duration", "s",
        "siphon.cache calls by cache name, backend, operation and outcome", advice: Seconds);

    private static readonly string[] StatusClasses = ["1xx", "2xx", "3xx", "4xx", "5xx"];

    public static string StatusClass(int status) => status is >= 100 and < 600 ? StatusClasses[status / 100 - 1] : "other";

    /// <summary>Whether a listener is collecting the host's instruments (the admin listener is on).</summary>
    public static bool Enabled => RequestDuration.Enabled;

    public static void Request(string? route, int status, long startedTimestamp) =>
        RequestDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds,
            new KeyValuePair<string, object?>("route", route ?? Unmatched),
            new KeyValuePair<string, object?>("status_class", StatusClass(status)));

    public static void Client(string? name, string outcome, long startedTimestamp) =>
        ClientDuration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalSeconds,
            new KeyValuePair<string, object?>("client", name ?? "(inline)"),
            new KeyValuePair<string, object?>("outcome", outcome));

    private static IReadOnlyList<IWorkerGauges>? s_workers;

    /// <summary>Publishes the per-worker gauges (inbox depth, outstanding requests, busy sync
    /// threads) for this process's workers; read when scraped, so they cost the hot path nothing.</summary>
    public static void Observe(IReadOnlyList<IWorkerGauges> workers)
    {
        if (Interlocked.Exchange(ref s_workers, workers) is not null) return;
        Meter.CreateObservableGauge("siphon.worker.inbox.depth", () => PerWorker(w => w.InboxDepth), "{item}",
            "Work items queued on a worker's inbox, not yet run by its loop");
        Meter.CreateObservableGauge("siphon.worker.sync.busy", () => PerWorker(w => w.SyncBusy), "{thread}",
            "Sync pool threads running a handler");
        Meter.CreateObservableUpDownCounter("siphon.requests.in_flight", () => PerWorker(w => w.Outstanding), "{request}",
            "Requests handed to a worker and not yet answered");
    }

    private static IEnumerable<Measurement<int>> PerWorker(Func<IWorkerGauges, int> read)
    {
        if (Volatile.Read(ref s_workers) is not { } workers) yield break;
        foreach (var w in workers)
            yield return new Measurement<int>(read(w), w.MetricsTag);
    }
}
