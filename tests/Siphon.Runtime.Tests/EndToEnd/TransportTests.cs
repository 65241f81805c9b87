using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Issue 6, end to end against the real host: TLS with HTTP/2 by ALPN, HTTP/1.1 and
/// prior-knowledge h2c on one cleartext socket, mutual TLS, per-listener limits, X-Forwarded-For
/// from trusted proxies only (IPv4 and IPv6), and every bad TLS file refusing to start.</summary>
public class TransportTests(ITestOutputHelper output)
{
    private const string Script = """
        import asyncio, json
        from siphon import http

        calls = []

        @http.route("/who", methods=["GET", "POST"])
        def who(req):
            calls.append(req.method)
            return http.Response(headers={"content-type": "application/json"}, body=json.dumps({
                "method": req.method, "client": req.client, "client_cert": req.client_cert,
                "body": req.body().decode(), "xff": req.header("x-forwarded-for"),
            }))

        @http.route("/upload", methods=["POST"])
        def upload(req):
            return http.Response(body=str(len(req.body())))

        @http.route("/slow")
        async def slow(req):
            await asyncio.sleep(float(req.query_params.get("s", "1")))
            return http.Response(body="slow done")

        @http.route("/calls")
        def count(req):
            return http.Response(body=str(len(calls)))
        """;

    private static HttpClient PlainClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>A client that trusts only the test CA (or, with <paramref name="trustOtherCa"/>, only the other one)
    /// and presents <paramref name="clientCert"/> when the server asks, whatever issuers it names.</summary>
    private static HttpClient TlsClient(TestCertificates certs, X509Certificate2? clientCert = null, bool trustOtherCa = false)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5) };
        handler.SslOptions.RemoteCertificateValidationCallback = trustOtherCa ? certs.ValidateServerAgainstOtherCa : certs.ValidateServer;
        if (clientCert is not null)
        {
            handler.SslOptions.ClientCertificates = [clientCert];
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCert;
        }
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, Version version, HttpVersionPolicy policy, string? body = null) =>
        new(method, url)
        {
            Version = version,
            VersionPolicy = policy,
            Content = body is null ? null : new StringContent(body, Encoding.UTF8),
        };

    private static async Task<(HttpResponseMessage Response, JsonElement Json)> Who(HttpClient client, HttpRequestMessage msg)
    {
        var resp = await client.SendAsync(msg);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        return (resp, JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement);
    }

    private static async Task<SiphonProcess> Start(TempDir dir, string config) =>
        await SiphonProcess.StartAsync(dir.Write("transport.py", Script), dir.Write("http.yaml", config));

    // ---- TLS -------------------------------------------------------------------------------

    [Fact]
    public async Task Https_negotiates_http2_by_alpn_and_still_serves_http11_on_the_same_listener()
    {
        using var dir = new TempDir();
        var certs = TestCertificates.Create(dir.Path);
        await using var siphon = await Start(dir, """
            servers:
              - listen: "127.0.0.1:0"
                tls:
                  cert_path: server.crt
                  key_path: server.key
            """);
        Assert.Matches(@"^https://127\.0\.0\.1:\d+$", siphon.Url);
        using var client = TlsClient(certs);

        var (h2, json) = await Who(client, Request(HttpMethod.Post, $"{siphon.Url}/who", HttpVersion.Version20, HttpVersionPolicy.RequestVersionOrHigher, "over h2"));
        Assert.Equal(HttpVersion.Version20, h2.Version);
        Assert.Equal("over h2", json.GetProperty("body").GetString());
        Assert.Equal("POST", json.GetProperty("method").GetString());
        Assert.Matches(@"^127\.0\.0\.1:\d+$", json.GetProperty("client").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("client_cert").ValueKind);

        var (h1, json1) = await Who(client, Request(HttpMethod.Post, $"{siphon.Url}/who", HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact, "over h1"));
        Assert.Equal(HttpVersion.Version11, h1.Version);
        Assert.Equal("over h1", json1.GetProperty("body").GetString());

        // The client's check is real: trusting only another CA, the same server is refused.
        using var distrusting = TlsClient(certs, trustOtherCa: true);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => distrusting.GetAsync($"{siphon.Url}/who"));
        // And cleartext HTTP/1.1 on the TLS socket is not served.
        using var plain = PlainClient();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plain.GetAsync(siphon.Url.Replace("https://", "http://") + "/who"));
    }

    [Fact]
    public async Task Mutual_tls_refuses_no_certificate_and_a_foreign_one_and_reports_the_subject_of_a_good_one()
    {
        using var dir = new TempDir();
        var certs = TestCertificates.Create(dir.Path);
        await using var siphon = await Start(dir, """
            servers:
              - listen: "127.0.0.1:0"
                tls:
                  cert_path: server.crt
                  key_path: server.key
                  client_ca: ca.crt
            """);

        using (var anonymous = TlsClient(certs))
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => anonymous.GetAsync($"{siphon.Url}/who"));
        using (var rogue = TlsClient(certs, certs.RogueClient))
        {
            await Assert.ThrowsAnyAsync<HttpRequestException>(() =>
                rogue.SendAsync(Request(HttpMethod.Get, $"{siphon.Url}/who", HttpVersion.Version20, HttpVersionPolicy.RequestVersionOrHigher)));
            await Assert.ThrowsAnyAsync<HttpRequestException>(() =>
                rogue.SendAsync(Request(HttpMethod.Get, $"{siphon.Url}/who", HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact)));
        }

        using var good = TlsClient(certs, certs.Client);
        var (h2, json) = await Who(good, Request(HttpMethod.Get, $"{siphon.Url}/who", HttpVersion.Version20, HttpVersionPolicy.RequestVersionOrHigher));
        Assert.Equal(HttpVersion.Version20, h2.Version);
        Assert.Equal("CN=test-client", json.GetProperty("client_cert").GetString());
        Assert.Equal(certs.Client.Subject, json.GetProperty("client_cert").GetString());
        var (h1, json1) = await Who(good, Request(HttpMethod.Get, $"{siphon.Url}/who", HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact));
        Assert.Equal(HttpVersion.Version11, h1.Version);
        Assert.Equal("CN=test-client", json1.GetProperty("client_cert").GetString());
        // The refused connections never reached the script.
        Assert.Equal("2", await good.GetStringAsync($"{siphon.Url}/calls"));
    }

    // ---- cleartext ---------------------------------------------------------------------------

    [Fact]
    public async Task Cleartext_serves_prior_knowledge_h2c_and_http11_on_one_socket()
    {
        using var dir = new TempDir();
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("transport.py", Script));
        Assert.Matches(@"^http://127\.0\.0\.1:\d+$", siphon.Url);
        using var client = PlainClient();

        var (h2, json) = await Who(client, Request(HttpMethod.Post, $"{siphon.Url}/who", HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact, "via h2c"));
        Assert.Equal(HttpVersion.Version20, h2.Version);
        Assert.Equal("via h2c", json.GetProperty("body").GetString());

        var (h1, json1) = await Who(client, Request(HttpMethod.Post, $"{siphon.Url}/who", HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact, "via http/1.1"));
        Assert.Equal(HttpVersion.Version11, h1.Version);
        Assert.Equal("via http/1.1", json1.GetProperty("body").GetString());

        // Many streams multiplexed on the h2c connection, each answered with its own body.
        var many = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using var r = await client.SendAsync(Request(HttpMethod.Post, $"{siphon.Url}/upload", HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact, new string('x', i)));
            return (i, r.Version, Body: await r.Content.ReadAsStringAsync());
        }));
        Assert.All(many, r =>
        {
            Assert.Equal(HttpVersion.Version20, r.Version);
            Assert.Equal(r.i.ToString(), r.Body);
        });

        // An HTTP/1.1 request whose first bytes arrive on their own (a prefix of neither or both
        // protocols) is still routed once the rest comes.
        foreach (var head in new[] { "P", "PO" })
        {
            var raw = await RawHttp11(new IPEndPoint(IPAddress.Loopback, new Uri(siphon.Url).Port), head,
                "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"[head.Length..]);
            Assert.StartsWith("HTTP/1.1 200", raw);
            Assert.EndsWith("\r\n\r\n3", raw);
        }

        // The HTTP/2 preface split across two writes still reaches HTTP/2: the server answers
        // the client's SETTINGS with its own SETTINGS frame (type 4), not an HTTP/1.1 400.
        var frame = await RawHttp2Preface(new IPEndPoint(IPAddress.Loopback, new Uri(siphon.Url).Port));
        Assert.Equal(0x4, frame[3]);
    }

    private static async Task<byte[]> RawHttp2Preface(IPEndPoint endpoint)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        await socket.SendAsync("PRI * HTTP/2.0\r\n\r\n"u8.ToArray());
        await Task.Delay(100);
        await socket.SendAsync("SM\r\n\r\n"u8.ToArray());
        await socket.SendAsync(new byte[] { 0, 0, 0, 0x4, 0, 0, 0, 0, 0 }); // empty SETTINGS on stream 0
        var head = new byte[9];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var got = 0; got < head.Length;)
        {
            var n = await socket.ReceiveAsync(head.AsMemory(got), cts.Token);
            if (n == 0) throw new IOException($"closed after {got} bytes: {Encoding.ASCII.GetString(head, 0, got)}");
            got += n;
        }
        return head;
    }

    private static async Task<string> RawHttp11(IPEndPoint endpoint, string first, string rest)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        await socket.SendAsync(Encoding.ASCII.GetBytes(first));
        await Task.Delay(100);
        await socket.SendAsync(Encoding.ASCII.GetBytes(rest));
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await reader.ReadToEndAsync(cts.Token);
    }

    // ---- per-listener limits ---------------------------------------------------------------

    [Fact]
    public async Task Two_listeners_each_enforce_their_own_body_cap_and_timeout()
    {
        using var dir = new TempDir();
        await using var siphon = await Start(dir, """
            servers:
              - listen: "127.0.0.1:0"
                max_body_bytes: 1000
                request_timeout_ms: 5000
              - listen: "127.0.0.1:0"
                max_body_bytes: 100
                request_timeout_ms: 300
            """);
        Assert.Equal(2, siphon.Urls.Count);
        var (a, b) = (siphon.Urls[0], siphon.Urls[1]);
        Assert.NotEqual(a, b);
        using var client = PlainClient();

        async Task<(HttpStatusCode, string)> Upload(string url, int n, Version version)
        {
            using var r = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"{url}/upload")
            {
                Version = version,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(new byte[n]),
            });
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }

        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            Assert.Equal((HttpStatusCode.OK, "500"), await Upload(a, 500, version));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Upload(b, 500, version)).Item1);
            Assert.Equal((HttpStatusCode.OK, "100"), await Upload(b, 100, version));
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Upload(a, 1001, version)).Item1);
        }

        // Both at once, so neither listener's answer can come from the other's setting.
        var slowA = client.GetAsync($"{a}/slow?s=1");
        var slowB = client.GetAsync($"{b}/slow?s=1");
        using (var rb = await slowB)
            Assert.Equal(HttpStatusCode.GatewayTimeout, rb.StatusCode);
        using (var ra = await slowA)
        {
            Assert.Equal(HttpStatusCode.OK, ra.StatusCode);
            Assert.Equal("slow done", await ra.Content.ReadAsStringAsync());
        }
    }

    // ---- X-Forwarded-For -------------------------------------------------------------------

    [Fact]
    public async Task X_forwarded_for_is_believed_only_from_a_trusted_proxy()
    {
        using var dir = new TempDir();
        await using var siphon = await Start(dir, """
            servers:
              - listen: "127.0.0.1:0"
                trusted_proxies: ["127.0.0.0/8"]
              - listen: "127.0.0.1:0"
              - listen: "127.0.0.1:0"
                trusted_proxies: ["10.0.0.0/8"]
            """);
        Assert.Equal(3, siphon.Urls.Count);
        using var client = PlainClient();

        async Task<string?> ClientSeen(string url, string? xff, Version version)
        {
            using var msg = Request(HttpMethod.Get, $"{url}/who", version, HttpVersionPolicy.RequestVersionExact);
            if (xff is not null) msg.Headers.TryAddWithoutValidation("X-Forwarded-For", xff);
            var (_, json) = await Who(client, msg);
            return json.GetProperty("client").GetString();
        }

        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            Assert.Equal("203.0.113.7", await ClientSeen(siphon.Urls[0], "203.0.113.7, 10.1.2.3", version));
            Assert.Equal("203.0.113.7", await ClientSeen(siphon.Urls[0], " 203.0.113.7 ", version));
            Assert.Equal("2001:db8::7", await ClientSeen(siphon.Urls[0], "2001:db8::7, 127.0.0.1", version));
            Assert.Matches(@"^127\.0\.0\.1:\d+$", await ClientSeen(siphon.Urls[0], null, version));
            Assert.Matches(@"^127\.0\.0\.1:\d+$", await ClientSeen(siphon.Urls[1], "203.0.113.7", version));
            Assert.Matches(@"^127\.0\.0\.1:\d+$", await ClientSeen(siphon.Urls[2], "203.0.113.7", version));
        }

        // Two X-Forwarded-For header lines: the left-most entry is the first line's first.
        var port = new Uri(siphon.Urls[0]).Port;
        var raw = await RawHttp11(new IPEndPoint(IPAddress.Loopback, port), "GET /who HTTP/1.1\r\n",
            "Host: x\r\nX-Forwarded-For: 198.51.100.1, 10.0.0.9\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", raw);
        var json = JsonDocument.Parse(raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]).RootElement;
        Assert.Equal("198.51.100.1", json.GetProperty("client").GetString());
    }

    [Fact]
    public async Task X_forwarded_for_over_ipv6_loopback_and_a_dual_mode_listener_is_believed_only_from_a_trusted_proxy()
    {
        if (!HasIPv6Loopback())
        {
            output.WriteLine("skipped: this machine has no IPv6 loopback");
            return;
        }
        using var dir = new TempDir();
        await using var siphon = await Start(dir, """
            servers:
              - listen: "[::1]:0"
                trusted_proxies: ["::1/128"]
              - listen: "[::1]:0"
                trusted_proxies: ["127.0.0.0/8"]
              - listen: "*:0"
                trusted_proxies: ["127.0.0.1"]
            """);
        Assert.Equal(3, siphon.Urls.Count);
        Assert.Matches(@"^http://\[::1\]:\d+$", siphon.Urls[0]);
        Assert.Matches(@"^http://\[::1\]:\d+$", siphon.Urls[1]);
        Assert.Matches(@"^http://\[::\]:\d+$", siphon.Urls[2]);
        // "*" is one dual-mode socket: an IPv4 peer arrives as ::ffff:127.0.0.1, is reported as
        // 127.0.0.1 and matches the IPv4 trusted proxy; an IPv6 peer is reported in brackets.
        var any = new Uri(siphon.Urls[2]).Port;
        using var client = PlainClient();
        foreach (var version in new[] { HttpVersion.Version11, HttpVersion.Version20 })
        {
            using var trusted = Request(HttpMethod.Get, $"{siphon.Urls[0]}/who", version, HttpVersionPolicy.RequestVersionExact);
            trusted.Headers.TryAddWithoutValidation("X-Forwarded-For", "2001:db8::42, ::1");
            Assert.Equal("2001:db8::42", (await Who(client, trusted)).Json.GetProperty("client").GetString());

            using var direct = Request(HttpMethod.Get, $"{siphon.Urls[0]}/who", version, HttpVersionPolicy.RequestVersionExact);
            Assert.Matches(@"^\[::1\]:\d+$", (await Who(client, direct)).Json.GetProperty("client").GetString());

            using var untrusted = Request(HttpMethod.Get, $"{siphon.Urls[1]}/who", version, HttpVersionPolicy.RequestVersionExact);
            untrusted.Headers.TryAddWithoutValidation("X-Forwarded-For", "2001:db8::42");
            Assert.Matches(@"^\[::1\]:\d+$", (await Who(client, untrusted)).Json.GetProperty("client").GetString());

            using var viaV4 = Request(HttpMethod.Get, $"http://127.0.0.1:{any}/who", version, HttpVersionPolicy.RequestVersionExact);
            Assert.Matches(@"^127\.0\.0\.1:\d+$", (await Who(client, viaV4)).Json.GetProperty("client").GetString());
            using var viaV4Proxy = Request(HttpMethod.Get, $"http://127.0.0.1:{any}/who", version, HttpVersionPolicy.RequestVersionExact);
            viaV4Proxy.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9");
            Assert.Equal("203.0.113.9", (await Who(client, viaV4Proxy)).Json.GetProperty("client").GetString());
            using var viaV6 = Request(HttpMethod.Get, $"http://[::1]:{any}/who", version, HttpVersionPolicy.RequestVersionExact);
            viaV6.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.9");
            Assert.Matches(@"^\[::1\]:\d+$", (await Who(client, viaV6)).Json.GetProperty("client").GetString());
        }
    }

    private static bool HasIPv6Loopback()
    {
        if (!Socket.OSSupportsIPv6) return false;
        try
        {
            using var l = new TcpListener(IPAddress.IPv6Loopback, 0);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // ---- bad TLS configuration ---------------------------------------------------------------

    // Each kind of bad file and its message: TlsSetupTests (unit tests, no CPython). Here, one from
    // the file system and one from the crypto library, through the real host.
    [Theory]
    [InlineData("missing-cert")]
    [InlineData("key-not-matching")]
    public async Task A_bad_tls_file_is_named_exits_non_zero_and_nothing_listens(string problem)
    {
        using var dir = new TempDir();
        var bad = BadTlsFiles.Make(problem, dir.Path, TestCertificates.Create(dir.Path));
        var port = FreePort();
        var config = dir.Write("http.yaml", BadTlsFiles.Yaml(bad, port));
        var script = dir.Write("transport.py", Script);

        await using var p = SiphonProcess.Launch(["run", script, "--config", config], dir.Path);
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine(p.Output);
        Assert.Equal(2, code);
        var error = p.Output.Split('\n').SingleOrDefault(l => l.StartsWith("siphon: error:", StringComparison.Ordinal));
        Assert.NotNull(error);
        Assert.StartsWith($"siphon: error: {bad.Named[0]}: ", error); // the file at fault comes first
        foreach (var n in bad.Named) Assert.Contains(n, error);
        Assert.Contains(bad.Because, error);
        Assert.DoesNotContain("listening on", p.Output);
        Assert.DoesNotContain("Unhandled exception", p.Output);
        AssertNothingListens(port);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static void AssertNothingListens(int port)
    {
        using var c = new TcpClient();
        Assert.ThrowsAny<SocketException>(() => c.Connect(IPAddress.Loopback, port));
    }
}
