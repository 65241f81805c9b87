using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Xunit.Abstractions;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Issue 14, streaming bodies, end to end against the real host on HTTP/1.1, h2c and TLS
/// (HTTP/2 by ALPN and HTTP/1.1): stream=True uploads read as they arrive with max_body_bytes
/// enforced, streamed Responses (chunked / DATA frames) with backpressure, time to first byte,
/// producer failure and client disconnect, http.Client.stream() through the examples, and the
/// host's peak RSS over 256 MiB each way.</summary>
public class StreamingTests(ITestOutputHelper output, SharedHosts hosts) : IClassFixture<SharedHosts>
{
    /// <summary>The host for the cases that leave no state behind, shared by every wire's case: one
    /// per (max_body_bytes, request_timeout_ms).</summary>
    private Task<(SiphonProcess Siphon, TempDir Dir, TestCertificates Certs)> Shared(string maxBody = "4194304", string timeoutMs = "60000") =>
        hosts.Get($"{maxBody} {timeoutMs}", () => Start(maxBody, timeoutMs), async host =>
        {
            await host.Siphon.DisposeAsync();
            host.Dir.Dispose();
        });

    private const string Script = """
        import asyncio, hashlib, json
        from siphon import http

        state = {"produced": 0, "closed": 0}

        @http.route("/up", methods=["POST", "PUT"], stream=True)
        async def up(req):
            h = hashlib.sha256(); n = 0; chunks = 0
            async for c in req.stream():
                h.update(c); n += len(c); chunks += 1
            return http.Response(200, {"content-type": "application/json"},
                                 json.dumps({"bytes": n, "chunks": chunks, "sha256": h.hexdigest()}))

        @http.route("/up-body", methods=["POST"], stream=True)
        async def up_body(req):
            return http.Response(200, {}, req.body())

        @http.route("/up-caught", methods=["POST"], stream=True)
        async def up_caught(req):
            try:
                async for c in req.stream():
                    pass
            except http.BodyTooLargeError as e:
                return http.Response(200, {}, "caught: " + str(e))
            return http.Response(200, {}, "complete")

        @http.route("/buffered", methods=["POST"])
        async def buffered(req):
            return http.Response(200, {}, json.dumps([len(c) async for c in req.stream()]))

        @http.route("/down/{kib}")
        async def down(req):
            kib = int(req.path_params["kib"])
            async def gen():
                block = bytes(range(256)) * 256
                for _ in range(kib // 64):
                    yield block
                yield "end"
            return http.Response(200, {"content-type": "application/octet-stream"}, body=gen())

        @http.route("/endless")
        async def endless(req):
            async def gen():
                try:
                    while True:
                        state["produced"] += 1
                        yield b"e" * 65536
                finally:
                    state["closed"] += 1
            return http.Response(200, {}, body=gen())

        @http.route("/state")
        def get_state(req):
            return http.Response(200, {}, json.dumps(state))

        @http.route("/slow-first")
        async def slow_first(req):
            async def gen():
                await asyncio.sleep(3)
                yield b"late"
            return http.Response(200, {}, body=gen())

        @http.route("/slow-after")
        async def slow_after(req):
            async def gen():
                for i in range(5):
                    yield f"{i};"
                    await asyncio.sleep(0.4)
            return http.Response(200, {}, body=gen())

        @http.route("/boom")
        async def boom(req):
            async def gen():
                yield b"a" * 65536
                await asyncio.sleep(0.05)
                raise ValueError("producer broke on purpose")
            return http.Response(200, {}, body=gen())

        @http.route("/boom-first")
        async def boom_first(req):
            async def gen():
                raise ValueError("broke before the first chunk")
                yield b""
            return http.Response(200, {}, body=gen())
        """;

    public enum Wire { Http11, H2c, TlsH2, TlsHttp11 }

    private static async Task<(SiphonProcess Siphon, TempDir Dir, TestCertificates Certs)> Start(string maxBody = "4194304", string timeoutMs = "60000")
    {
        var dir = new TempDir();
        var certs = TestCertificates.Create(dir.Path);
        var siphon = await SiphonProcess.StartAsync(dir.Write("stream.py", Script), dir.Write("http.yaml", $"""
            servers:
              - listen: "127.0.0.1:0"
                max_body_bytes: {maxBody}
                request_timeout_ms: {timeoutMs}
              - listen: "127.0.0.1:0"
                max_body_bytes: {maxBody}
                request_timeout_ms: {timeoutMs}
                tls:
                  cert_path: server.crt
                  key_path: server.key
            """));
        return (siphon, dir, certs);
    }

    private static HttpClient Client(TestCertificates certs)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5) };
        handler.SslOptions.RemoteCertificateValidationCallback = certs.ValidateServer;
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
    }

    private static HttpRequestMessage Req(SiphonProcess s, Wire wire, HttpMethod method, string path, HttpContent? content = null)
    {
        var tls = wire is Wire.TlsH2 or Wire.TlsHttp11;
        var baseUrl = s.Urls.Single(u => u.StartsWith(tls ? "https://" : "http://", StringComparison.Ordinal));
        return new HttpRequestMessage(method, baseUrl + path)
        {
            Content = content,
            Version = wire is Wire.H2c or Wire.TlsH2 ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>A body of unknown length (chunked on HTTP/1.1), produced in 16 KiB pieces.</summary>
    private sealed class ChunkedContent(byte[] data) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var i = 0; i < data.Length; i += 16384)
            {
                await stream.WriteAsync(data.AsMemory(i, Math.Min(16384, data.Length - i)));
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }

    /// <summary>What /down/{kib} of the streaming scripts sends: kib/64 blocks of 0..255 repeated, then "end".</summary>
    internal static byte[] Pattern(int kib)
    {
        var block = new byte[65536];
        for (var i = 0; i < block.Length; i++) block[i] = (byte)i;
        var data = new byte[kib * 1024 + 3];
        for (var i = 0; i < kib / 64; i++) block.CopyTo(data, i * 65536);
        "end"u8.CopyTo(data.AsSpan(kib * 1024));
        return data;
    }

    [Theory]
    [InlineData(Wire.Http11)]
    [InlineData(Wire.H2c)]
    [InlineData(Wire.TlsH2)]
    [InlineData(Wire.TlsHttp11)]
    public async Task Uploads_stream_and_downloads_stream_on_every_wire(Wire wire)
    {
        var (siphon, _, certs) = await Shared();
        using var client = Client(certs);
        var upload = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        foreach (HttpContent content in new HttpContent[] { new ChunkedContent(upload), new ByteArrayContent(upload) })
        {
            using var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Post, "/up", content));
            Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
            var json = JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(upload.Length, json.GetProperty("bytes").GetInt32());
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(upload)), json.GetProperty("sha256").GetString());
            Assert.True(json.GetProperty("chunks").GetInt32() >= 12, $"read in {json.GetProperty("chunks")} chunks: not streamed"); // at most 256 KiB per chunk
        }

        using (var down = await client.SendAsync(Req(siphon, wire, HttpMethod.Get, "/down/2048"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, down.StatusCode);
            Assert.Equal(wire is Wire.H2c or Wire.TlsH2 ? HttpVersion.Version20 : HttpVersion.Version11, down.Version);
            Assert.Null(down.Content.Headers.ContentLength);
            if (wire is Wire.Http11 or Wire.TlsHttp11) Assert.True(down.Headers.TransferEncodingChunked);
            Assert.Equal(Pattern(2048), await down.Content.ReadAsByteArrayAsync());
        }

        // A HEAD of a streamed route: the head only, the producer is not run.
        using (var head = await client.SendAsync(Req(siphon, wire, HttpMethod.Head, "/down/64")))
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Theory]
    [InlineData(Wire.Http11)]
    [InlineData(Wire.H2c)]
    [InlineData(Wire.TlsH2)]
    public async Task Max_body_bytes_is_enforced_while_streaming_and_body_raises_on_a_stream_route(Wire wire)
    {
        var (siphon, _, certs) = await Shared(maxBody: "1048576");
        using var client = Client(certs);
        var big = RandomNumberGenerator.GetBytes(3 * 1024 * 1024);

        // Unknown length: the handler starts, req.stream() raises past the cap, the client gets 413.
        using (var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Post, "/up", new ChunkedContent(big))))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, resp.StatusCode);
        // A declared length over the cap: 413 before the handler runs.
        using (var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Post, "/up", new ByteArrayContent(big))))
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, resp.StatusCode);
        // A handler that catches BodyTooLargeError answers for itself.
        using (var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Post, "/up-caught", new ChunkedContent(big))))
        {
            Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
            Assert.StartsWith("caught: the request body is larger than max_body_bytes (1048576)", await resp.Content.ReadAsStringAsync());
        }
        // Exactly at the cap is fine.
        using (var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Post, "/up", new ChunkedContent(big[..1048576]))))
            Assert.Equal(HttpStatusCode.OK, resp.StatusCode);

        // req.body() on a stream=True route: a clear error (500, and the log says why: once more
        // than before, as the host is shared with the other wires' cases).
        var bodyError = Logged("req.body() is not available on a stream=True route (POST /up-body): read the body with `async for chunk in req.stream()`");
        var logged = bodyError.Count(siphon.Output);
        using (var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Post, "/up-body", new ByteArrayContent("hi"u8.ToArray()))))
            Assert.Equal(HttpStatusCode.InternalServerError, resp.StatusCode);
        await siphon.WaitForOutputAsync(bodyError, logged + 1, TimeSpan.FromSeconds(10));

        // On a buffered route req.stream() yields the whole body as one chunk (none when empty).
        using (var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Post, "/buffered", new ByteArrayContent(big[..5000]))))
            Assert.Equal("[5000]", await resp.Content.ReadAsStringAsync());
        using (var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Post, "/buffered", new ByteArrayContent([]))))
            Assert.Equal("[]", await resp.Content.ReadAsStringAsync());
    }

    /// <summary>A log line to count in the output (log lines reach it asynchronously: wait for them).</summary>
    private static System.Text.RegularExpressions.Regex Logged(string text) => new(System.Text.RegularExpressions.Regex.Escape(text));

    private static async Task<JsonElement> State(HttpClient client, SiphonProcess siphon) =>
        JsonDocument.Parse(await client.GetStringAsync(siphon.Url + "/state")).RootElement;

    [Theory]
    [InlineData(Wire.Http11)]
    [InlineData(Wire.H2c)]
    [InlineData(Wire.TlsH2)]
    public async Task The_producer_waits_for_a_slow_reader_and_a_client_that_goes_away_cancels_it(Wire wire)
    {
        var (siphon, dir, certs) = await Start();
        await using var _ = siphon;
        using var __ = dir;
        using var client = Client(certs);
        using var control = Client(certs);

        var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Get, "/endless"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
        var stream = await resp.Content.ReadAsStreamAsync();
        var buffer = new byte[65536];
        Assert.True(await stream.ReadAsync(buffer) > 0);
        await Task.Delay(1500); // the client reads nothing more
        var stalled = (await State(control, siphon)).GetProperty("produced").GetInt32();
        await Task.Delay(1000);
        var later = (await State(control, siphon)).GetProperty("produced").GetInt32();
        output.WriteLine($"{wire}: produced {stalled} then {later} chunks of 64 KiB while the client did not read");
        // Socket buffers and flow-control windows hold a few MiB at most; an unbounded producer makes thousands.
        Assert.True(stalled < 400, $"the producer ran ahead of the socket: {stalled} chunks");
        Assert.Equal(stalled, later);

        resp.Dispose(); // the client goes away
        if (wire is Wire.H2c or Wire.TlsH2) client.Dispose();
        await Wait.UntilAsync(async () => (await State(control, siphon)).GetProperty("closed").GetInt32() >= 1, "the producer saw the client go", TimeSpan.FromSeconds(10));
        Assert.Equal(1, (await State(control, siphon)).GetProperty("closed").GetInt32());
    }

    [Theory]
    [InlineData(Wire.Http11)]
    [InlineData(Wire.H2c)]
    [InlineData(Wire.TlsH2)]
    public async Task Request_timeout_bounds_the_first_byte_and_a_producer_that_raises_aborts_the_stream(Wire wire)
    {
        var (siphon, _, certs) = await Shared(timeoutMs: "1000");
        using var client = Client(certs);
        // The host is shared with the other wires' cases: each line must be logged once more than before.
        string[] lines = ["GET /boom (/boom): the streamed body's producer raised; aborting the response",
            "ValueError: producer broke on purpose",
            "GET /slow-first (/slow-first): no first chunk of the streamed body within request_timeout_ms"];
        var before = lines.Select(l => Logged(l).Count(siphon.Output)).ToArray();

        using (var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Get, "/slow-first")))
            Assert.Equal(HttpStatusCode.GatewayTimeout, resp.StatusCode);
        // Once the first byte is out the timeout no longer applies: this one takes 2 s in all.
        using (var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Get, "/slow-after")))
        {
            Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
            Assert.Equal("0;1;2;3;4;", await resp.Content.ReadAsStringAsync());
        }

        using (var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Get, "/boom-first")))
            Assert.Equal(HttpStatusCode.InternalServerError, resp.StatusCode);

        using (var resp = await client.SendAsync(Req(siphon, wire, HttpMethod.Get, "/boom"), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
            var e = await Assert.ThrowsAnyAsync<Exception>(() => resp.Content.ReadAsByteArrayAsync());
            output.WriteLine($"{wire}: {e.GetType().Name}: {e.Message}");
        }
        for (var i = 0; i < lines.Length; i++) await siphon.WaitForOutputAsync(Logged(lines[i]), before[i] + 1, TimeSpan.FromSeconds(10));
        // The worker is fine afterwards.
        using (var ok = await client.SendAsync(Req(siphon, wire, HttpMethod.Get, "/down/64")))
            Assert.Equal(65536 + 3, (await ok.Content.ReadAsByteArrayAsync()).Length);
    }

    // ---- the examples: upload.py and stream_proxy.py ----------------------------------------------

    [Theory]
    [InlineData(Wire.Http11)]
    [InlineData(Wire.H2c)]
    public async Task Upload_example_writes_the_file_and_reports_its_sha256(Wire wire)
    {
        using var dir = new TempDir();
        var uploads = Directory.CreateDirectory(Path.Combine(dir.Path, "uploads")).FullName;
        await using var siphon = await SiphonProcess.StartAsync(Path.Combine(SiphonProcess.RepoRoot, "examples", "upload.py"),
            dir.Write("http.yaml", """
                servers:
                  - listen: "127.0.0.1:0"
                    max_body_bytes: 8388608
                """), env: new Dictionary<string, string> { ["UPLOAD_DIR"] = uploads });
        using var client = new HttpClient();
        var data = RandomNumberGenerator.GetBytes(5 * 1024 * 1024 + 1);
        var req = new HttpRequestMessage(HttpMethod.Put, siphon.Url + "/upload/data.bin")
        {
            Content = new ChunkedContent(data),
            Version = wire == Wire.H2c ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var resp = await client.SendAsync(req);
        Assert.Equal(HttpStatusCode.Created, resp.StatusCode);
        var json = JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(data)), json.GetProperty("sha256").GetString());
        Assert.Equal(data, await File.ReadAllBytesAsync(Path.Combine(uploads, "data.bin")));

        // Too large: 413, and no partial file is left.
        using var tooBig = await client.SendAsync(new HttpRequestMessage(HttpMethod.Put, siphon.Url + "/upload/big.bin") { Content = new ChunkedContent(new byte[9 * 1024 * 1024]) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);
        Assert.Equal(["data.bin"], Directory.GetFiles(uploads).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData(Wire.Http11)]
    [InlineData(Wire.H2c)]
    public async Task Stream_proxy_example_relays_a_large_upstream_download(Wire wire)
    {
        var data = RandomNumberGenerator.GetBytes(8 * 1024 * 1024 + 5);
        await using var upstream = await Upstream.StartAsync(async ctx =>
        {
            if (ctx.Request.Path != "/big.bin") { ctx.Response.StatusCode = 404; return; }
            ctx.Response.ContentType = "application/x-test";
            for (var i = 0; i < data.Length; i += 100_000)
                await ctx.Response.Body.WriteAsync(data.AsMemory(i, Math.Min(100_000, data.Length - i)));
        });
        using var dir = new TempDir();
        await using var siphon = await SiphonProcess.StartAsync(Path.Combine(SiphonProcess.RepoRoot, "examples", "stream_proxy.py"),
            dir.Write("http.yaml", $"""
                servers:
                  - listen: "127.0.0.1:0"
                clients:
                  files:
                    base_url: "{upstream.Url}"
                """));
        using var client = new HttpClient();
        HttpRequestMessage Get(string path) => new(HttpMethod.Get, siphon.Url + path)
        {
            Version = wire == Wire.H2c ? HttpVersion.Version20 : HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using (var resp = await client.SendAsync(Get("/files/big.bin")))
        {
            Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
            Assert.Equal("application/x-test", resp.Content.Headers.ContentType?.MediaType);
            Assert.Equal(data, await resp.Content.ReadAsByteArrayAsync());
        }
        using (var missing = await client.SendAsync(Get("/files/nope")))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        await upstream.DisposeAsync();
        using (var down = await client.SendAsync(Get("/files/big.bin")))
            Assert.Equal(HttpStatusCode.BadGateway, down.StatusCode);
    }

    [Fact]
    public async Task Client_stream_sends_an_async_iterable_body_upstream_as_it_is_produced()
    {
        var received = new TaskCompletionSource<(long Bytes, string Sha, bool Chunked)>();
        await using var upstream = await Upstream.StartAsync(async ctx =>
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[65536];
            long n = 0;
            int read;
            while ((read = await ctx.Request.Body.ReadAsync(buffer)) > 0) { sha.AppendData(buffer, 0, read); n += read; }
            received.TrySetResult((n, Convert.ToHexStringLower(sha.GetHashAndReset()), ctx.Request.Headers.TransferEncoding == "chunked"));
            await Upstream.Text(ctx, 200, $"got {n}");
        });
        using var dir = new TempDir();
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("push.py", $$"""
            import hashlib
            from siphon import http

            @http.route("/push/{n}")
            async def push(req):
                n = int(req.path_params["n"])
                h = hashlib.sha256()
                async def gen():
                    for i in range(n):
                        chunk = bytes([i % 256]) * 65536
                        h.update(chunk)
                        yield chunk
                async with http.Client(base_url="{{upstream.Url}}").stream("POST", "/in", body=gen()) as resp:
                    text = b"".join([c async for c in resp.aiter_bytes()]).decode()
                return http.Response(resp.status, {}, f"{text} {h.hexdigest()}")

            @http.route("/bad")
            async def bad(req):
                async def gen():
                    yield b"x"
                    raise ValueError("upload producer broke")
                try:
                    async with http.Client(base_url="{{upstream.Url}}").stream("POST", "/in", body=gen()) as resp:
                        return http.Response(200, {}, "no error?")
                except http.ClientError as e:
                    return http.Response(502, {}, type(e).__name__ + ": " + str(e))
            """));
        using var client = new HttpClient();
        var text = await client.GetStringAsync(siphon.Url + "/push/80");
        var (bytes, sha, chunked) = await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(80 * 65536, bytes);
        Assert.True(chunked);
        Assert.Equal($"got {bytes} {sha}", text);

        using var bad = await client.GetAsync(siphon.Url + "/bad");
        Assert.Equal(HttpStatusCode.BadGateway, bad.StatusCode);
        Assert.Contains("the request body's producer raised", await bad.Content.ReadAsStringAsync());
    }

    // ---- memory: 256 MiB each way must not be buffered ------------------------------------------

    internal static long StatusKib(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0]);
        throw new InvalidOperationException($"{field} not in /proc/{pid}/status");
    }

    [FullModeFact]
    public async Task A_256_MiB_upload_and_download_grow_the_hosts_peak_rss_by_less_than_64_MiB()
    {
        var (siphon, dir, certs) = await Start(maxBody: "1073741824", timeoutMs: "300000");
        await using var _ = siphon;
        using var __ = dir;
        using var client = Client(certs);
        // Warm up both paths with small transfers, then take the idle figure.
        (await client.SendAsync(Req(siphon, Wire.Http11, HttpMethod.Post, "/up", new ChunkedContent(new byte[1 << 20])))).Dispose();
        (await client.SendAsync(Req(siphon, Wire.Http11, HttpMethod.Get, "/down/1024"))).Dispose();
        await Task.Delay(500);
        var idle = StatusKib(siphon.Pid, "VmRSS");

        const int MiB = 1024 * 1024;
        var block = new byte[MiB];
        Random.Shared.NextBytes(block);
        var upload = new StreamingUpload(block, 256);
        using (var resp = await client.SendAsync(Req(siphon, Wire.Http11, HttpMethod.Post, "/up", upload)))
        {
            var json = JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(256L * MiB, json.GetProperty("bytes").GetInt64());
        }
        long downloaded = 0;
        using (var resp = await client.SendAsync(Req(siphon, Wire.Http11, HttpMethod.Get, $"/down/{256 * 1024}"), HttpCompletionOption.ResponseHeadersRead))
        {
            var stream = await resp.Content.ReadAsStreamAsync();
            var buffer = new byte[MiB];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) downloaded += n;
        }
        Assert.Equal(256L * MiB + 3, downloaded);
        var peak = StatusKib(siphon.Pid, "VmHWM");
        output.WriteLine($"idle VmRSS {idle / 1024} MiB, peak VmHWM {peak / 1024} MiB, growth {(peak - idle) / 1024} MiB");
        Assert.True(peak - idle < 64 * 1024, $"peak RSS grew by {(peak - idle) / 1024} MiB over idle ({idle / 1024} MiB): a body was buffered");
    }

    /// <summary>count × block, of unknown length (chunked), without holding it.</summary>
    private sealed class StreamingUpload(byte[] block, int count) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            for (var i = 0; i < count; i++) await stream.WriteAsync(block);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
