using System.Diagnostics;
using System.Net.Sockets;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Reliability;

/// <summary>The Kestrel limits a listener sets in http.yaml (max_header_bytes, keep_alive_timeout_ms,
/// max_connections; header_timeout_ms is in SlowClientTests) apply to that listener only.</summary>
public class LimitTests
{
    [Fact]
    public async Task Each_listener_enforces_its_own_header_size_connection_cap_and_keep_alive()
    {
        using var dir = new TempDir();
        var script = dir.Write("limits.py", "from siphon import http\n\n@http.route(\"/ok\")\ndef ok(req):\n    return http.Response(body=\"ok\")\n");
        var config = dir.Write("http.yaml", """
            servers:
              - listen: "127.0.0.1:0"
                max_header_bytes: 2048
                max_connections: 3
                keep_alive_timeout_ms: 1000
              - listen: "127.0.0.1:0"
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, config);
        siphon.AssertReadyAfterListening(2); // ready only once both listeners are bound
        var (limited, open) = (siphon.Urls[0], siphon.Urls[1]);
        var big = $"GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: {new string('b', 3000)}\r\n\r\n";
        Assert.StartsWith("HTTP/1.1 431", await RawHttp.ExchangeAsync(limited, big));
        Assert.StartsWith("HTTP/1.1 200", await RawHttp.ExchangeAsync(open, big));

        // Three connections held open: a fourth on the same listener is closed unanswered, the other listener is not capped.
        var held = new List<Socket>();
        try
        {
            for (var i = 0; i < 3; i++) held.Add(await RawHttp.SendAsync(limited, "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"));
            await Task.Delay(300);
            Assert.Equal("", await RawHttp.ExchangeAsync(limited, "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            Assert.StartsWith("HTTP/1.1 200", await RawHttp.ExchangeAsync(open, "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));

            // Each held connection got its answer and stays open, idle, until keep_alive_timeout_ms closes it.
            var sw = Stopwatch.StartNew();
            var tails = await Task.WhenAll(held.Select(s => RawHttp.ReadToCloseAsync(s, TimeSpan.FromSeconds(8))));
            Assert.All(tails, t => Assert.StartsWith("HTTP/1.1 200", t));
            Assert.InRange(sw.Elapsed.TotalMilliseconds, 500, 6000);
        }
        finally
        {
            foreach (var s in held) s.Dispose();
        }
        // Once they are closed, the listener takes new connections again.
        Assert.StartsWith("HTTP/1.1 200", await RawHttp.ExchangeAsync(limited, "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
    }
}
