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

        private IReadOnlyList<string> ReadOrigins(Fields ws) =>
            OptionalList(ws, "allowed_origins", "origins (e.g. [\"https://app.example.com\"])", "an origin", Origin);

        /// <summary>An origin is scheme://host[:port] exactly as browsers send it: no path, no trailing slash.</summary>
        private static string Origin(string text) =>
            Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.PathAndQuery == "/" && !text.EndsWith('/')
                ? text.ToLowerInvariant()
                : throw new FormatException($"'{text}' is not an origin: expected scheme://host[:port] (http or https, no path), e.g. https://app.example.com");
    }
}
