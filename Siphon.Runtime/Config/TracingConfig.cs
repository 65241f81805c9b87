namespace Siphon.Runtime.Config;

/// <summary><c>tracing</c>: spans of every request and http.Client call, sent to an OpenTelemetry
/// collector over OTLP/HTTP (docs/deployment.md, "Traces"). Absent: nothing is recorded.</summary>
public sealed record TracingConfig
{
    public const double DefaultSampleRatio = 1.0;
    public const string DefaultServiceName = "siphon";

    /// <summary><c>otlp_endpoint</c> (required): the collector's OTLP/HTTP base URL
    /// (<c>http://collector:4318</c>); spans are posted to its <c>/v1/traces</c>.</summary>
    public required Uri OtlpEndpoint { get; init; }

    /// <summary><c>sample_ratio</c>: the share of new traces recorded, 0–1, default 1. A request
    /// that carries a <c>traceparent</c> follows its caller's decision instead.</summary>
    public double SampleRatio { get; init; } = DefaultSampleRatio;

    /// <summary><c>service_name</c>: the <c>service.name</c> resource attribute, default <c>siphon</c>.</summary>
    public string ServiceName { get; init; } = DefaultServiceName;

    /// <summary>Where the exporter posts: the endpoint's <c>/v1/traces</c>, or the endpoint itself
    /// when it already names a path (as OTEL_EXPORTER_OTLP_TRACES_ENDPOINT does).</summary>
    public Uri TracesUrl => OtlpEndpoint.AbsolutePath is "" or "/"
        ? new Uri(OtlpEndpoint, "/v1/traces")
        : OtlpEndpoint;
}
