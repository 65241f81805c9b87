using Siphon.Runtime.Hosting.Admin;

namespace Siphon.Runtime.Unit.Tests.Operations;

public class PrometheusMergeTests
{
    [Fact]
    public void Each_family_appears_once_with_every_workers_samples_labelled()
    {
        const string w = """
            # TYPE req_total counter
            # HELP req_total Requests
            req_total{route="/a",worker="0"} 3
            # TYPE up gauge
            up 1
            # EOF
            """;
        var merged = PrometheusMerge.Merge([(0, w), (1, w.Replace("} 3", "} 4").Replace("up 1", "up 0"))]);
        var lines = merged.TrimEnd('\n').Split('\n');
        Assert.Equal([
            "# TYPE req_total counter", "# HELP req_total Requests",
            "req_total{worker=\"0\",route=\"/a\"} 3", "req_total{worker=\"1\",route=\"/a\"} 4",
            "# TYPE up gauge", "up{worker=\"0\"} 1", "up{worker=\"1\"} 0"], lines);
        var samples = PrometheusText.Parse(merged);
        Assert.Equal(4, samples.Count);
    }

    [Fact]
    public void Label_values_with_braces_commas_and_quotes_survive()
    {
        Assert.Equal("m{worker=\"2\",route=\"/x/{id},y\",q=\"a\\\"}b\"} 1 123",
            PrometheusMerge.Label("m{route=\"/x/{id},y\",q=\"a\\\"}b\",worker=\"0\"} 1 123", "m", 2));
    }
}
