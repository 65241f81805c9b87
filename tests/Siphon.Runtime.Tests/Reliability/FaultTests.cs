using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Reliability;

/// <summary>Faults in a script's handlers and in its upstreams. Raising, returning None, a hanging
/// async handler (504) and a blocking sync one are covered by ServingTests and SyncPoolTests; here
/// the rest, each followed by a healthy request.</summary>
public class FaultTests
{
    [Fact]
    public async Task Handler_faults_get_their_answers_and_the_server_stays_healthy()
    {
        using var dir = new TempDir();
        var script = dir.Write("faults.py", """
            from siphon import http

            @http.route("/crlf/sync")
            def crlf_sync(req):
                return http.Response(200, {"x-evil": "a\r\nSet-Cookie: pwned=1"}, "no")

            @http.route("/crlf/async")
            async def crlf_async(req):
                return http.Response(200, {"x-evil\r\n": "a"}, "no")

            @http.route("/garbage/{kind}")
            def garbage(req):
                return {"int": 42, "str": "text", "tuple": (200, "x"), "class": http.Response}[req.path_params["kind"]]

            BIG = bytes(range(256)) * (8 * 1024 * 4)  # 8 MiB

            @http.route("/big")
            async def big(req):
                return http.Response(200, {"content-type": "application/octet-stream"}, BIG)

            @http.route("/ok")
            def ok(req):
                return http.Response(body="ok")
            """);
        await using var siphon = await SiphonProcess.StartAsync(script);
        using var c = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        foreach (var path in new[] { "/crlf/sync", "/crlf/async", "/garbage/int", "/garbage/str", "/garbage/tuple", "/garbage/class" })
        {
            using var r = await c.GetAsync($"{siphon.Url}{path}");
            Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode);
            Assert.False(r.Headers.Contains("Set-Cookie"));
            Assert.Equal("internal server error\n", await r.Content.ReadAsStringAsync());
        }
        await siphon.WaitForOutputAsync("ValueError"); // Response() refused the CR/LF, naming why
        await siphon.WaitForOutputAsync("returned int, not http.Response");

        var expected = Enumerable.Range(0, 8 * 1024 * 1024).Select(i => (byte)i).ToArray();
        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            using var msg = new HttpRequestMessage(HttpMethod.Get, $"{siphon.Url}/big") { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var r = await c.SendAsync(msg);
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal(8L * 1024 * 1024, r.Content.Headers.ContentLength);
            var body = await r.Content.ReadAsByteArrayAsync();
            Assert.True(expected.AsSpan().SequenceEqual(body), $"8 MiB body differs over HTTP/{version}");
        }
        Assert.Equal("ok", await c.GetStringAsync($"{siphon.Url}/ok"));
    }

    /// <summary>A TCP server that answers every connection with <paramref name="serve"/>.</summary>
    private sealed class RawUpstream : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Socket> _held = [];

        public RawUpstream(Func<Socket, Task> serve)
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    Socket s;
                    try { s = await _listener.AcceptSocketAsync(_stop.Token); }
                    catch (OperationCanceledException) { return; }
                    lock (_held) _held.Add(s);
                    _ = Task.Run(async () => { try { await serve(s); } catch (Exception) { } });
                }
            });
        }

        public string Url => $"http://127.0.0.1:{Port}";
        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_held) foreach (var s in _held) s.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private static async Task ReadHead(Socket s)
    {
        var buffer = new byte[8192];
        var text = new StringBuilder();
        while (!text.ToString().Contains("\r\n\r\n"))
        {
            var n = await s.ReceiveAsync(buffer);
            if (n == 0) return;
            text.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
    }

    [Fact]
    public async Task Upstream_faults_raise_the_right_ClientError_and_leak_no_connections_or_memory()
    {
        await using var garbage = new RawUpstream(async s =>
        {
            await ReadHead(s);
            await s.SendAsync("SSH-2.0-OpenSSH_9.2\r\n\u0001\u0002 this is not HTTP\r\n\r\n"u8.ToArray());
            s.Close();
        });
        await using var reset = new RawUpstream(async s =>
        {
            await ReadHead(s);
            await s.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial"u8.ToArray());
            s.LingerState = new LingerOption(true, 0); // RST, not FIN
            s.Close();
        });
        await using var hang = new RawUpstream(ReadHead); // reads the request, never answers
        int refusedPort;
        using (var probe = new TcpListener(IPAddress.Loopback, 0)) { probe.Start(); refusedPort = ((IPEndPoint)probe.LocalEndpoint).Port; }

        using var dir = new TempDir();
        var certs = TestCertificates.Create(dir.Path);
        await using var tls = await Upstream.StartAsync(ctx => Upstream.Text(ctx, 200, "tls"),
            l => l.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certs.ServerCertificate }));

        var script = dir.Write("upstream.py", """
            from siphon import http

            @http.route("/call/{name}")
            async def call(req):
                try:
                    await http.Client(req.path_params["name"]).get("/x")
                    return http.Response(body="no error")
                except http.ClientError as e:
                    return http.Response(body=type(e).__name__ + ": " + str(e))

            @http.route("/ok")
            def ok(req):
                return http.Response(body="ok")
            """);
        var config = dir.Write("http.yaml", $"""
            servers:
              - listen: "127.0.0.1:0"
            clients:
              garbage:
                base_url: "{garbage.Url}"
              reset:
                base_url: "{reset.Url}"
              hang:
                base_url: "{hang.Url}"
                timeout_ms: 300
              refused:
                base_url: "http://127.0.0.1:{refusedPort}"
              badtls:
                base_url: "https://127.0.0.1:{tls.Port}"
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, config);
        using var c = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { Timeout = TimeSpan.FromSeconds(60) };
        var expected = new Dictionary<string, string>
        {
            ["garbage"] = "ClientError", ["reset"] = "ConnectError", ["hang"] = "ClientTimeoutError",
            ["refused"] = "ConnectError", ["badtls"] = "TlsError",
        };

        async Task Round(int times)
        {
            await Task.WhenAll(expected.Keys.SelectMany(name => Enumerable.Range(0, times).Select(async _ =>
            {
                var body = await c.GetStringAsync($"{siphon.Url}/call/{name}");
                Assert.StartsWith(expected[name] + ": ", body);
            })));
        }

        await Round(5); // warm-up: pools, JIT, TLS
        var fds = ProcessStats.OpenFds(siphon.Pid);
        var rss = ProcessStats.RssKiB(siphon.Pid);
        for (var i = 0; i < 4; i++) await Round(25);
        await Task.Delay(500);
        var fdsAfter = ProcessStats.OpenFds(siphon.Pid);
        var rssAfter = ProcessStats.RssKiB(siphon.Pid);
        var open = new[] { garbage.Port, reset.Port, hang.Port, tls.Port }.Sum(ProcessStats.ConnectionsTo);
        var report = $"fds {fds} → {fdsAfter}, RSS {rss} → {rssAfter} KiB, connections still open to the upstreams: {open}";
        Console.WriteLine($"upstream faults, 500 failed calls: {report}");
        Assert.True(fdsAfter - fds < 20, report);      // 500 failed calls; a socket leaked per call would show
        Assert.True(rssAfter - rss < 24 * 1024, report);
        Assert.True(open < 20, report);
        Assert.Equal("ok", await c.GetStringAsync($"{siphon.Url}/ok"));
    }
}
