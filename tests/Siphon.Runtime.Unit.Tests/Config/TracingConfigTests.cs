using Siphon.Runtime.Config;
using static Siphon.Runtime.Unit.Tests.Config.ConfigTestSupport;

namespace Siphon.Runtime.Unit.Tests.Config;

/// <summary>http.yaml's tracing: section.</summary>
public class TracingConfigTests
{
    [Fact]
    public void Tracing_is_off_by_default()
    {
        Assert.Null(Parse("workers: 1\n").Tracing);
        Assert.Null(Parse("tracing: ~\n").Tracing);
    }

    [Fact]
    public void Endpoint_ratio_and_service_name_are_read()
    {
        var t = Parse("tracing:\n  otlp_endpoint: http://collector:4318\n  sample_ratio: 0.25\n  service_name: gateway\n").Tracing!;
        Assert.Equal(new Uri("http://collector:4318"), t.OtlpEndpoint);
        Assert.Equal(new Uri("http://collector:4318/v1/traces"), t.TracesUrl);
        Assert.Equal(0.25, t.SampleRatio);
        Assert.Equal("gateway", t.ServiceName);

        var defaults = Parse("tracing:\n  otlp_endpoint: \"${OTLP:-http://127.0.0.1:4318/}\"\n").Tracing!;
        Assert.Equal(new Uri("http://127.0.0.1:4318/v1/traces"), defaults.TracesUrl);
        Assert.Equal(1.0, defaults.SampleRatio);
        Assert.Equal("siphon", defaults.ServiceName);
        // A URL with its own path is used as it is (a collector behind a path prefix).
        Assert.Equal(new Uri("https://otel.example/tenant/v1/traces"),
            Parse("tracing:\n  otlp_endpoint: https://otel.example/tenant/v1/traces\n").Tracing!.TracesUrl);
        Assert.Equal(0.0, Parse("tracing:\n  otlp_endpoint: http://c:4318\n  sample_ratio: 0\n").Tracing!.SampleRatio);
    }

    [Theory]
    [InlineData("tracing:\n  sample_ratio: 1\n", 2, "tracing.otlp_endpoint", "required key is missing")]
    [InlineData("tracing:\n  otlp_endpoint: collector:4317\n", 2, "tracing.otlp_endpoint", "expected an http:// or https:// URL")]
    [InlineData("tracing:\n  otlp_endpoint: grpc://c:4317\n", 2, "tracing.otlp_endpoint", "got 'grpc://c:4317'")]
    [InlineData("tracing:\n  otlp_endpoint: http://c:4318\n  sample_ratio: 1.5\n", 3, "tracing.sample_ratio", "expected a number from 0 to 1")]
    [InlineData("tracing:\n  otlp_endpoint: http://c:4318\n  sample_ratio: all\n", 3, "tracing.sample_ratio", "got 'all'")]
    [InlineData("tracing:\n  otlp_endpont: http://c:4318\n", 2, "tracing.otlp_endpont", "did you mean 'otlp_endpoint'?")]
    [InlineData("tracing: http://c:4318\n", 1, "tracing", "expected a mapping")]
    [InlineData("tracng:\n  otlp_endpoint: http://c:4318\n", 1, "tracng", "did you mean 'tracing'?")]
    public void Bad_tracing_values_name_the_key_and_line(string yaml, int line, string key, string reason) =>
        AssertError(yaml, line, key, reason);

    [Fact]
    public void A_reload_that_changes_tracing_needs_a_restart()
    {
        var running = Parse("tracing:\n  otlp_endpoint: http://c:4318\n");
        Assert.Empty(ConfigReload.NeedsRestart(running, Parse("tracing:\n  otlp_endpoint: http://c:4318\n")));
        Assert.Equal(["tracing"], ConfigReload.NeedsRestart(running, Parse("tracing:\n  otlp_endpoint: http://c:4318\n  sample_ratio: 0.5\n")));
        Assert.Equal(["tracing"], ConfigReload.NeedsRestart(running, Parse("workers: 1\n")));
    }
}
