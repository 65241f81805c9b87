using Siphon.Runtime.Config;
using static Siphon.Runtime.Unit.Tests.Config.ConfigTestSupport;

namespace Siphon.Runtime.Unit.Tests.Config;

/// <summary>servers[i].websocket: its defaults, its values and the errors of its keys.</summary>
public class WebSocketConfigTests
{
    [Fact]
    public void Defaults_without_the_section()
    {
        var ws = ConfigLoader.Parse("servers:\n  - listen: 127.0.0.1:0\n", "http.yaml").Servers[0].WebSocket;
        Assert.Equal(1_048_576, ws.MaxMessageBytes);
        Assert.Equal(30_000, ws.PingIntervalMs);
        Assert.Equal(30_000, ws.PingTimeoutMs);
        Assert.Equal(10_000, ws.MaxSockets);
        Assert.Empty(ws.AllowedOrigins);
    }

    [Fact]
    public void Values_are_read()
    {
        var ws = ConfigLoader.Parse("""
            servers:
              - listen: 127.0.0.1:0
                websocket:
                  max_message_bytes: 4096
                  ping_interval_ms: 0
                  ping_timeout_ms: 5000
                  max_sockets: 3
                  allowed_origins: ["https://App.example.com", "http://localhost:3000"]
            """, "http.yaml").Servers[0].WebSocket;
        Assert.Equal((4096, 0, 5000, 3), (ws.MaxMessageBytes, ws.PingIntervalMs, ws.PingTimeoutMs, ws.MaxSockets));
        Assert.Equal(["https://app.example.com", "http://localhost:3000"], ws.AllowedOrigins);
    }

    [Fact]
    public void An_unknown_key_names_the_close_one()
    {
        var e = AssertError("servers:\n  - listen: 127.0.0.1:0\n    websocket:\n      max_message_size: 10\n", 4,
            "servers[0].websocket.max_message_size",
            "unknown key (expected one of: max_message_bytes, ping_interval_ms, ping_timeout_ms, max_sockets, allowed_origins)");
        Assert.Contains("did you mean 'max_message_bytes'?", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("max_message_bytes: 0", "servers[0].websocket.max_message_bytes", "must be greater than 0")]
    [InlineData("max_sockets: lots", "servers[0].websocket.max_sockets", "expected an integer, got 'lots'")]
    [InlineData("ping_interval_ms: -1", "servers[0].websocket.ping_interval_ms", "must not be negative, got -1")]
    [InlineData("allowed_origins: https://a.example", "servers[0].websocket.allowed_origins", "expected a sequence of origins")]
    public void Wrong_values(string line, string key, string reason) =>
        AssertError($"servers:\n  - listen: 127.0.0.1:0\n    websocket:\n      {line}\n", 4, key, reason);

    [Theory]
    [InlineData("https://app.example.com/")]
    [InlineData("https://app.example.com/chat")]
    [InlineData("app.example.com")]
    [InlineData("ftp://app.example.com")]
    public void An_origin_is_scheme_host_and_port_only(string origin) =>
        AssertError($"servers:\n  - listen: 127.0.0.1:0\n    websocket:\n      allowed_origins:\n        - \"{origin}\"\n", 5,
            "servers[0].websocket.allowed_origins[0]", "is not an origin: expected scheme://host[:port]");

    [Fact]
    public void Not_a_mapping() =>
        AssertError("servers:\n  - listen: 127.0.0.1:0\n    websocket: on\n", 3, "servers[0].websocket", "expected a mapping");
}
