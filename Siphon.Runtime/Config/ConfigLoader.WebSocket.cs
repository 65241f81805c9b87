// The reader of servers[i].websocket (see WebSocketConfig and docs/configuration.md).
namespace Siphon.Runtime.Config;

public static partial class ConfigLoader
{
    internal static readonly string[] WebSocketKeys = ["max_message_bytes", "ping_interval_ms", "ping_timeout_ms", "max_sockets", "allowed_origins"];

    private sealed partial class Reader
    {
        private WebSocketConfig ReadWebSocket(Fields server)
        {
            if (!server.TryGet("websocket", out var node, out var path) || IsNull(node))
            {
                return WebSocketConfig.Default;
            }

            if (node is not YMapping map)
            {
                throw Error(node, path, $"expected a mapping (max_message_bytes: ..., allowed_origins: [...]), got {node.KindName}");
            }

            var m = CheckKeys(map, path, WebSocketKeys);
            return new WebSocketConfig
            {
                MaxMessageBytes = (int)(OptionalInteger(m, "max_message_bytes", 1, int.MaxValue) ?? WebSocketConfig.DefaultMaxMessageBytes),
                PingIntervalMs = (int)(OptionalInteger(m, "ping_interval_ms", 0, int.MaxValue) ?? WebSocketConfig.DefaultPingIntervalMs),
                PingTimeoutMs = (int)(OptionalInteger(m, "ping_timeout_ms", 0, int.MaxValue) ?? WebSocketConfig.DefaultPingTimeoutMs),
                MaxSockets = (int)(OptionalInteger(m, "max_sockets", 1, int.MaxValue) ?? WebSocketConfig.DefaultMaxSockets),
                AllowedOrigins = ReadOrigins(m),
            };
        }

        private IReadOnlyList<string> ReadOrigins(Fields ws)
        {
            if (!ws.TryGet("allowed_origins", out var node, out var path) || IsNull(node))
            {
                return [];
            }

            if (node is not YSequence seq)
            {
                throw Error(node, path, $"expected a sequence of origins (e.g. [\"https://app.example.com\"]), got {node.KindName}");
            }

            var origins = new List<string>();
            for (var i = 0; i < seq.Items.Count; i++)
            {
                var itemPath = KeyPath.Index(path, i);
                var item = seq.Items[i];
                var text = ScalarText(item, itemPath) ?? throw Error(item, itemPath, "expected an origin, got null");
                // An origin is scheme://host[:port] exactly as browsers send it: no path, no trailing slash.
                if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
                    || uri.PathAndQuery != "/" || text.EndsWith('/'))
                {
                    throw Error(item, itemPath, $"'{text}' is not an origin: expected scheme://host[:port] (http or https, no path), e.g. https://app.example.com");
                }
                origins.Add(text.ToLowerInvariant());
            }

            return origins.AsReadOnly();
        }
    }
}
