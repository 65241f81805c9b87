// The `tracing:` section (TracingConfig): kept beside ConfigLoader.cs, on its shared value rules.
using System.Globalization;

namespace Siphon.Runtime.Config;

public static partial class ConfigLoader
{
    internal static readonly string[] TracingKeys = ["otlp_endpoint", "sample_ratio", "service_name"];

    private sealed partial class Reader
    {
        // Off unless configured: without it no ActivityListener exists and a request creates no Activity.
        private TracingConfig? ReadTracing(Fields root)
        {
            if (!root.TryGet("tracing", out var node, out var path) || IsNull(node))
            {
                return null;
            }

            if (node is not YMapping map)
            {
                throw Error(node, path, $"expected a mapping (otlp_endpoint: \"http://127.0.0.1:4318\"), got {node.KindName}");
            }

            var m = CheckKeys(map, path, TracingKeys);
            var endpointText = RequiredString(m, "otlp_endpoint", out var endpointNode, out var endpointPath);
            if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")
                || endpoint.Query.Length > 0 || endpoint.Fragment.Length > 0)
            {
                throw Error(endpointNode, endpointPath, $"expected an http:// or https:// URL of a collector's OTLP/HTTP receiver (http://127.0.0.1:4318), got {Quote(endpointNode, endpointText)}");
            }

            var ratio = TracingConfig.DefaultSampleRatio;
            if (m.TryGet("sample_ratio", out var ratioNode, out var ratioPath) && ScalarText(ratioNode, ratioPath) is { } ratioText)
            {
                if (!double.TryParse(ratioText, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out ratio)
                    || ratio is < 0 or > 1)
                {
                    throw Error(ratioNode, ratioPath, $"expected a number from 0 to 1 (0.1 records one new trace in ten), got {Quote(ratioNode, ratioText)}");
                }
            }

            return new TracingConfig
            {
                OtlpEndpoint = endpoint,
                SampleRatio = ratio,
                ServiceName = OptionalString(m, "service_name") ?? TracingConfig.DefaultServiceName,
            };
        }
    }
}
