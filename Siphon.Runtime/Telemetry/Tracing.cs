// Traces (http.yaml `tracing:`). The spans are the platform's own Activities: Kestrel's hosting
// layer starts one per request (continuing an incoming traceparent/tracestate, through .NET's
// DistributedContextPropagator) and SocketsHttpHandler one per outbound call (writing traceparent
// on it); OpenTelemetry's instrumentation libraries give them the HTTP semantic-convention
// attributes, its sampler decides, and its OTLP exporter sends them in batches. What the host adds:
// the server span's name and http.route from the route *pattern* Siphon matched (it does its own
// routing, so ASP.NET has no endpoint to name it by), the worker, and the parent of every
// http.Client call — which runs on a Python thread, where .NET's Activity.Current does not reach
// (ScriptTrace carries it there).
// Off (no `tracing:`): no TracerProvider, so no ActivityListener: Kestrel and SocketsHttpHandler
// create no Activity, and Enabled keeps the host's own hooks to one static read.
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Telemetry;

internal static class Tracing
{
    /// <summary>The attribute naming the worker that served a request.</summary>
    public const string WorkerAttribute = "siphon.worker";

    private static volatile bool s_enabled;
    private static string? s_processWorker; // processes mode: this process's worker number
    private static readonly string[] s_workerLabels = [.. Enumerable.Range(0, 64).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Whether spans are being recorded (a TracerProvider is running in this process).</summary>
    public static bool Enabled => s_enabled;

    /// <summary>Starts recording and exporting spans as <paramref name="config"/> says; null (no
    /// <c>tracing:</c>) starts nothing. <paramref name="serves"/> picks the requests that get a
    /// span (the serving listeners', not the admin listener's probes and scrapes);
    /// <paramref name="processWorker"/> is the worker number of a supervisor's worker process.
    /// Disposing the result flushes the spans not yet sent and stops.</summary>
    public static TracerProvider? Start(TracingConfig? config, Func<HttpContext, bool> serves, string? processWorker) =>
        config is null ? null : StartProvider(config, serves, processWorker);

    // Apart, so that without tracing: the OpenTelemetry SDK's assemblies are not even loaded.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static TracerProvider StartProvider(TracingConfig config, Func<HttpContext, bool> serves, string? processWorker)
    {
        s_processWorker = processWorker;
        var provider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(config.ServiceName, serviceVersion: Program.Version))
            // A caller's sampled flag is followed; a new trace is kept with the configured ratio.
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(config.SampleRatio)))
            .AddAspNetCoreInstrumentation(o => o.Filter = serves)
            .AddHttpClientInstrumentation()
            .AddOtlpExporter(o =>
            {
                o.Protocol = OtlpExportProtocol.HttpProtobuf;
                o.Endpoint = config.TracesUrl; // as given: the exporter appends no path to an Endpoint set in code
            })
            .Build();
        s_enabled = true;
        return provider;
    }

    /// <summary>Kestrel thread, once the route is known: names the request's span by the route
    /// pattern (<c>GET /users/{id}</c>, not the raw path) and tags its worker. Returns the span
    /// (recorded or not: an unsampled one still carries the ids a client call propagates).</summary>
    public static Activity? Routed(string method, string? route, int worker)
    {
        if (Activity.Current is not { } span) return null;
        if (span.IsAllDataRequested)
        {
            if (route is not null)
            {
                span.DisplayName = method + " " + route;
                span.SetTag("http.route", route);
            }
            span.SetTag(WorkerAttribute, s_processWorker ?? (worker < s_workerLabels.Length ? s_workerLabels[worker] : worker.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
        return span;
    }

    /// <summary>Makes <paramref name="span"/> (null: none) the current Activity until disposed, so a
    /// log line written meanwhile carries its ids; nothing when tracing is off.</summary>
    public static Current Use(Activity? span) => s_enabled ? new Current(span) : default;

    public readonly ref struct Current
    {
        private readonly Activity? _previous;
        private readonly bool _set;

        public Current(Activity? span)
        {
            _previous = Activity.Current;
            _set = true;
            Activity.Current = span;
        }

        public void Dispose()
        {
            if (_set) Activity.Current = _previous;
        }
    }
}
