using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>http.Client end to end: the real host runs a script whose handler calls an in-process
/// Kestrel upstream and reports what happened (status, headers, body, or the exception's type,
/// base classes and message) as JSON.</summary>
public class ClientTests(SharedHosts hosts) : IClassFixture<SharedHosts>
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>POST /call with a JSON spec: {client: {name} | {inline kwargs}, method, path, headers,
    /// body, raise_for_status, async_with}. POST /pool: many calls through one named client.</summary>
    private const string ProbeScript = """
        import asyncio, json
        from siphon import http


        def make_client(spec):
            if "name" in spec:
                return http.Client(spec["name"], **spec.get("extra", {}))
            kw = dict(spec)
            if isinstance(kw.get("cert"), list):
                kw["cert"] = tuple(kw["cert"])
            return http.Client(**kw)


        async def send(client, spec):
            kw = {}
            if spec.get("headers") is not None:
                kw["headers"] = spec["headers"]
            if spec.get("body") is not None:
                kw["body"] = spec["body"]
            return await getattr(client, spec.get("method", "get"))(spec["path"], **kw)


        def describe_error(e):
            return {"error": type(e).__name__, "mro": [t.__name__ for t in type(e).__mro__],
                    "message": str(e), "exc_status": getattr(e, "status", None)}


        @http.route("/call", methods=["POST"])
        async def call(req):
            spec = json.loads(req.body())
            out = {}
            try:
                if spec.get("async_with"):
                    async with make_client(spec["client"]) as c:
                        out["client_name"] = c.name
                        out["client_base_url"] = c.base_url
                        resp = await send(c, spec)
                else:
                    resp = await send(make_client(spec["client"]), spec)
                if spec.get("raise_for_status"):
                    out["raised_for"] = resp.raise_for_status().status
                out.update(status=resp.status, headers=dict(resp.headers), body=resp.body.decode("utf-8", "replace"))
            except Exception as e:
                out = describe_error(e)
            return http.Response(200, {"content-type": "application/json"}, json.dumps(out))


        @http.route("/pool", methods=["POST"])
        async def pool(req):
            spec = json.loads(req.body())
            statuses = []
            try:
                for i in range(spec["sequential"]):
                    r = await http.Client(spec["name"]).get(f"/seq/{i}")
                    statuses.append(r.status)
                c = http.Client(spec["name"])
                rs = await asyncio.gather(*(c.get(f"/par/{i}") for i in range(spec["concurrent"])))
                statuses.extend(r.status for r in rs)
            except Exception as e:
                return http.Response(200, {"content-type": "application/json"}, json.dumps(describe_error(e)))
            return http.Response(200, {"content-type": "application/json"}, json.dumps({"statuses": statuses}))
        """;

    // ---------------- plain HTTP ----------------

    [Fact]
    public async Task A_plain_round_trip_carries_method_headers_and_body_up_and_status_headers_and_body_back()
    {
        var seen = new ConcurrentQueue<(string Method, string Target, string? XTest, string? ContentType, string? Auth, string Body)>();
        await using var upstream = await Upstream.StartAsync(async ctx =>
        {
            var body = await Upstream.BodyText(ctx);
            seen.Enqueue((ctx.Request.Method, ctx.Features.Get<IHttpRequestFeature>()!.RawTarget, ctx.Request.Headers["X-Test"].FirstOrDefault(),
                ctx.Request.ContentType, ctx.Request.Headers.Authorization.FirstOrDefault(), body));
            ctx.Response.Headers["X-Upstream-Token"] = "Abc";
            ctx.Response.Headers["Cache-Control"] = "no-store";
            await Upstream.Text(ctx, ctx.Request.Method == "POST" ? 201 : 200, $"{ctx.Request.Method} got [{body}]");
        });
        var siphon = await hosts.ScriptAsync("probe.py", ProbeScript); // no http.yaml: shared with the cases alike

        var r = Ok(await Call(siphon, new
        {
            client = new { base_url = upstream.Url },
            method = "post",
            path = "/things/1?x=1&y=%C3%A9",
            headers = new Dictionary<string, string> { ["X-Test"] = "yes", ["Content-Type"] = "application/json", ["Authorization"] = "Bearer t0k" },
            body = "{\"name\": \"héllo\"}",
        }));
        Assert.Equal(201, r.GetProperty("status").GetInt32());
        Assert.Equal("POST got [{\"name\": \"héllo\"}]", r.GetProperty("body").GetString());
        var headers = r.GetProperty("headers");
        Assert.Equal("Abc", headers.GetProperty("x-upstream-token").GetString());
        Assert.Equal("no-store", headers.GetProperty("cache-control").GetString());
        Assert.Equal("text/plain; charset=utf-8", headers.GetProperty("content-type").GetString());
        Assert.All(headers.EnumerateObject(), h => Assert.Equal(h.Name.ToLowerInvariant(), h.Name));

        Assert.True(seen.TryDequeue(out var post));
        Assert.Equal(("POST", "/things/1?x=1&y=%C3%A9", "yes", "application/json", "Bearer t0k", "{\"name\": \"héllo\"}"), post);

        foreach (var method in new[] { "get", "delete", "put", "patch" })
        {
            var hasBody = method is "put" or "patch";
            var m = Ok(await Call(siphon, new
            {
                client = new { base_url = upstream.Url + "/" },
                method,
                path = "res",
                headers = new Dictionary<string, string> { ["x-test"] = method },
                body = hasBody ? "payload-" + method : null,
            }));
            var upper = method.ToUpperInvariant();
            Assert.Equal(200, m.GetProperty("status").GetInt32());
            Assert.Equal($"{upper} got [{(hasBody ? "payload-" + method : "")}]", m.GetProperty("body").GetString());
            Assert.True(seen.TryDequeue(out var s));
            Assert.Equal((upper, "/res", method), (s.Method, s.Target, s.XTest));
        }
    }

    // ---------------- TLS ----------------

    [Fact]
    public async Task A_tls_upstream_is_trusted_with_verify_set_to_its_ca_and_rejected_as_TlsError_without_it()
    {
        using var pkiDir = new TempDir();
        var pki = TestCertificates.Create(pkiDir.Path);
        await using var upstream = await Upstream.StartAsync(
            ctx => Upstream.Text(ctx, 200, $"secure {ctx.Request.IsHttps} {ctx.Request.Protocol}"),
            listen => listen.UseHttps(pki.ServerCertificate));
        Assert.StartsWith("https://", upstream.Url);
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", $$"""
            servers:
              - listen: "127.0.0.1:0"
            clients:
              secure:
                base_url: "{{upstream.Url}}"
                verify: "{{pki.CaPath}}"
              system_trust:
                base_url: "{{upstream.Url}}"
            """);
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("probe.py", ProbeScript), config);

        var trusted = Ok(await Call(siphon, new { client = new { base_url = upstream.Url, verify = pki.CaPath }, path = "/x" }));
        Assert.Equal("secure True HTTP/2", trusted.GetProperty("body").GetString()); // h2 by ALPN
        var named = Ok(await Call(siphon, new { client = new { name = "secure" }, path = "/x" }));
        Assert.Equal("secure True HTTP/2", named.GetProperty("body").GetString());

        var untrusted = Err(await Call(siphon, new { client = new { base_url = upstream.Url }, path = "/x" }), "TlsError");
        Assert.Contains($"{upstream.Url}/x", untrusted.GetProperty("message").GetString());
        Err(await Call(siphon, new { client = new { name = "system_trust" }, path = "/x" }), "TlsError");
        Err(await Call(siphon, new { client = new { base_url = upstream.Url, verify = pki.OtherCaPath }, path = "/x" }), "TlsError");
    }

    [Fact]
    public async Task Mutual_tls_works_with_a_cert_and_key_pair_or_one_combined_pem_and_fails_clearly_without_a_certificate()
    {
        using var pkiDir = new TempDir();
        var pki = TestCertificates.Create(pkiDir.Path);
        await using var upstream = await Upstream.StartAsync(
            ctx => Upstream.Text(ctx, 200, $"client {ctx.Connection.ClientCertificate?.Subject}"),
            listen => listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = pki.ServerCertificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (cert, _, _) => pki.IssuedHere(cert),
            }));
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", $$"""
            servers:
              - listen: "127.0.0.1:0"
            clients:
              pair:
                base_url: "{{upstream.Url}}"
                verify: "{{pki.CaPath}}"
                cert: ["{{pki.ClientCertPath}}", "{{pki.ClientKeyPath}}"]
              combined:
                base_url: "{{upstream.Url}}"
                verify: "{{pki.CaPath}}"
                cert: "{{pki.ClientCombinedPath}}"
              two_keys:
                base_url: "{{upstream.Url}}"
                verify: "{{pki.CaPath}}"
                cert: "{{pki.ClientCertPath}}"
                key: "{{pki.ClientKeyPath}}"
            """);
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("probe.py", ProbeScript), config);

        var expected = $"client {TestCertificates.ClientSubject}";
        var pair = Ok(await Call(siphon, new { client = new { base_url = upstream.Url, verify = pki.CaPath, cert = new[] { pki.ClientCertPath, pki.ClientKeyPath } }, path = "/who" }));
        Assert.Equal(expected, pair.GetProperty("body").GetString());
        var combined = Ok(await Call(siphon, new { client = new { base_url = upstream.Url, verify = pki.CaPath, cert = pki.ClientCombinedPath }, path = "/who" }));
        Assert.Equal(expected, combined.GetProperty("body").GetString());
        Assert.Equal(expected, Ok(await Call(siphon, new { client = new { name = "pair" }, path = "/who" })).GetProperty("body").GetString());
        Assert.Equal(expected, Ok(await Call(siphon, new { client = new { name = "combined" }, path = "/who" })).GetProperty("body").GetString());
        Assert.Equal(expected, Ok(await Call(siphon, new { client = new { name = "two_keys" }, path = "/who" })).GetProperty("body").GetString());

        // The upstream drops the connection after the TLS 1.3 handshake; nothing on the wire says why,
        // so the error is a ConnectError-style "closed the connection" that names the likely cause.
        var refused = Err(await Call(siphon, new { client = new { base_url = upstream.Url, verify = pki.CaPath }, path = "/who" }), "ClientError", exact: false);
        Assert.NotEqual("ClientError", refused.GetProperty("error").GetString());
        var message = refused.GetProperty("message").GetString();
        Assert.Contains($"GET {upstream.Url}/who", message);
        Assert.Contains("client certificate", message);
    }

    // ---------------- h2c ----------------

    [Fact]
    public async Task Http2_prior_knowledge_speaks_h2c_to_an_http2_only_cleartext_upstream()
    {
        await using var h2 = await Upstream.StartAsync(ctx => Upstream.Text(ctx, 200, ctx.Request.Protocol),
            listen => listen.Protocols = HttpProtocols.Http2);
        await using var h1 = await Upstream.StartAsync(ctx => Upstream.Text(ctx, 200, ctx.Request.Protocol),
            listen => listen.Protocols = HttpProtocols.Http1);
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", $$"""
            servers:
              - listen: "127.0.0.1:0"
            clients:
              h2c:
                base_url: "{{h2.Url}}"
                http2_prior_knowledge: true
            """);
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("probe.py", ProbeScript), config);

        var inline = Ok(await Call(siphon, new { client = new { base_url = h2.Url, http2_prior_knowledge = true }, path = "/p" }));
        Assert.Equal("HTTP/2", inline.GetProperty("body").GetString());
        var named = Ok(await Call(siphon, new { client = new { name = "h2c" }, method = "post", path = "/p", body = "x" }));
        Assert.Equal("HTTP/2", named.GetProperty("body").GetString());
        // Without the flag the client speaks HTTP/1.1, which an HTTP/2-only endpoint turns away.
        Assert.Equal("HTTP/1.1", Ok(await Call(siphon, new { client = new { base_url = h1.Url }, path = "/p" })).GetProperty("body").GetString());
        var refused = Ok(await Call(siphon, new { client = new { base_url = h2.Url }, path = "/p" }));
        Assert.Equal(400, refused.GetProperty("status").GetInt32());
        Assert.Contains("HTTP/2 only", refused.GetProperty("body").GetString());
    }

    // ---------------- failures ----------------

    [Fact]
    public async Task A_slow_upstream_raises_ClientTimeoutError_after_timeout_ms()
    {
        await using var upstream = await Upstream.StartAsync(async ctx =>
        {
            try { await Task.Delay(TimeSpan.FromSeconds(20), ctx.RequestAborted); }
            catch (OperationCanceledException) { return; }
            await Upstream.Text(ctx, 200, "too late");
        });
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", $$"""
            servers:
              - listen: "127.0.0.1:0"
            clients:
              slow:
                base_url: "{{upstream.Url}}"
                timeout_ms: 300
            """);
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("probe.py", ProbeScript), config);

        foreach (object client in new object[] { new { base_url = upstream.Url, timeout_ms = 300 }, new { name = "slow" } })
        {
            var started = DateTime.UtcNow;
            var e = Err(await Call(siphon, new { client, path = "/sleep" }), "ClientTimeoutError");
            var elapsed = DateTime.UtcNow - started;
            Assert.Contains("TimeoutError", Names(e.GetProperty("mro")));
            Assert.Contains($"{upstream.Url}/sleep", e.GetProperty("message").GetString());
            Assert.Contains("300 ms", e.GetProperty("message").GetString());
            Assert.InRange(elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public async Task A_refused_connection_raises_ConnectError_naming_the_url()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // nothing listens there now
        var siphon = await hosts.ScriptAsync("probe.py", ProbeScript); // no http.yaml: shared with the cases alike

        var e = Err(await Call(siphon, new { client = new { base_url = $"http://127.0.0.1:{port}" }, path = "/nothing" }), "ConnectError");
        Assert.Contains($"GET http://127.0.0.1:{port}/nothing", e.GetProperty("message").GetString());
        var post = Err(await Call(siphon, new { client = new { base_url = $"http://127.0.0.1:{port}" }, method = "post", path = "/nothing", body = "x" }), "ConnectError");
        Assert.Contains($"POST http://127.0.0.1:{port}/nothing", post.GetProperty("message").GetString());
    }

    [Fact]
    public async Task An_upstream_that_drops_the_connection_mid_body_raises_ConnectError()
    {
        await using var upstream = await Upstream.StartAsync(async ctx =>
        {
            ctx.Response.ContentLength = 1000;
            await ctx.Response.Body.WriteAsync(new byte[10]);
            await ctx.Response.Body.FlushAsync();
            ctx.Abort();
        });
        var siphon = await hosts.ScriptAsync("probe.py", ProbeScript); // no http.yaml: shared with the cases alike

        var e = Err(await Call(siphon, new { client = new { base_url = upstream.Url }, path = "/partial" }), "ConnectError");
        Assert.Contains($"GET {upstream.Url}/partial", e.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Error_statuses_come_back_as_responses_and_raise_for_status_raises_HttpStatusError_with_the_status()
    {
        await using var upstream = await Upstream.StartAsync(ctx =>
        {
            var code = int.Parse(ctx.Request.Path.Value!.TrimStart('/'));
            if (code == 204) { ctx.Response.StatusCode = code; return Task.CompletedTask; }
            return Upstream.Text(ctx, code, $"status {code}");
        });
        var siphon = await hosts.ScriptAsync("probe.py", ProbeScript); // no http.yaml: shared with the cases alike

        var plain = Ok(await Call(siphon, new { client = new { base_url = upstream.Url }, path = "/404" }));
        Assert.Equal(404, plain.GetProperty("status").GetInt32());
        Assert.Equal("status 404", plain.GetProperty("body").GetString());
        foreach (var code in new[] { 400, 404, 500, 503 })
        {
            var e = Err(await Call(siphon, new { client = new { base_url = upstream.Url }, path = $"/{code}", raise_for_status = true }), "HttpStatusError");
            Assert.Equal(code, e.GetProperty("exc_status").GetInt32());
            Assert.DoesNotContain("ClientError", Names(e.GetProperty("mro")));
        }
        foreach (var code in new[] { 200, 204, 302, 399 })
        {
            var ok = Ok(await Call(siphon, new { client = new { base_url = upstream.Url }, path = $"/{code}", raise_for_status = true }));
            Assert.Equal(code, ok.GetProperty("raised_for").GetInt32());
        }
    }

    // ---------------- named clients ----------------

    [Fact]
    public async Task Named_clients_join_paths_onto_base_url_and_an_unknown_name_raises_UnknownClientError_listing_the_configured_ones()
    {
        var targets = new ConcurrentQueue<string>();
        await using var upstream = await Upstream.StartAsync(ctx =>
        {
            var target = ctx.Features.Get<IHttpRequestFeature>()!.RawTarget;
            targets.Enqueue(target);
            return Upstream.Text(ctx, 200, target);
        });
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", $$"""
            servers:
              - listen: "127.0.0.1:0"
            clients:
              prefixed:
                base_url: "{{upstream.Url}}/api/v1/"
              prefixed_no_slash:
                base_url: "{{upstream.Url}}/api/v1"
              bare:
                base_url: "{{upstream.Url}}"
            """);
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("probe.py", ProbeScript), config);

        async Task<string> Target(string name, string path) =>
            Ok(await Call(siphon, new { client = new { name }, path })).GetProperty("body").GetString()!;

        Assert.Equal("/api/v1/items", await Target("prefixed", "items"));
        Assert.Equal("/api/v1/items", await Target("prefixed", "/items"));
        Assert.Equal("/api/v1/items", await Target("prefixed_no_slash", "items"));
        Assert.Equal("/api/v1/items", await Target("prefixed_no_slash", "/items"));
        Assert.Equal("/api/v1/items/7?q=a%20b", await Target("prefixed", "/items/7?q=a%20b"));
        Assert.Equal("/api/v1", await Target("prefixed_no_slash", ""));
        Assert.Equal("/x/y", await Target("bare", "x/y"));
        Assert.Equal("/x/y", await Target("bare", "/x/y"));
        Assert.Equal("/elsewhere", await Target("prefixed", $"{upstream.Url}/elsewhere")); // absolute: as is

        // A ClientError (so RuntimeError, as siphon-http raised) and still a KeyError; str() unquoted.
        var unknown = Err(await Call(siphon, new { client = new { name = "nope" }, path = "/" }), "UnknownClientError");
        Assert.Equal("unknown client 'nope'; configured clients: bare, prefixed, prefixed_no_slash", unknown.GetProperty("message").GetString());
        Assert.Contains("ClientError", Names(unknown.GetProperty("mro")));
        Assert.Contains("RuntimeError", Names(unknown.GetProperty("mro")));
        Assert.Contains("KeyError", Names(unknown.GetProperty("mro")));
        var both = Err(await Call(siphon, new { client = new { name = "bare", extra = new { base_url = upstream.Url } }, path = "/" }), "TypeError");
        Assert.Contains("not both", both.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_named_client_without_base_url_takes_absolute_urls_and_a_relative_path_is_a_ClientError_naming_it()
    {
        await using var upstream = await Upstream.StartAsync(ctx => Upstream.Text(ctx, 200, $"at {ctx.Request.Path}"));
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", """
            servers:
              - listen: "127.0.0.1:0"
            clients:
              anywhere:
                timeout_ms: 5000
            """);
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("probe.py", ProbeScript), config);

        var ok = Ok(await Call(siphon, new { client = new { name = "anywhere" }, path = $"{upstream.Url}/abs" }));
        Assert.Equal("at /abs", ok.GetProperty("body").GetString());
        var named = Ok(await Call(siphon, new { client = new { name = "anywhere" }, path = $"{upstream.Url}/abs", async_with = true }));
        Assert.Equal(JsonValueKind.Null, named.GetProperty("client_base_url").ValueKind);
        var e = Err(await Call(siphon, new { client = new { name = "anywhere" }, path = "/relative" }), "ClientError");
        Assert.Equal("client 'anywhere' has no base_url, so '/relative' must be an absolute http:// or https:// URL", e.GetProperty("message").GetString());
        Assert.Contains("RuntimeError", Names(e.GetProperty("mro")));
        var inline = Err(await Call(siphon, new { client = new { timeout_ms = 1000 }, path = "rel" }), "ClientError");
        Assert.Equal("inline client has no base_url, so 'rel' must be an absolute http:// or https:// URL", inline.GetProperty("message").GetString());
    }

    /// <summary>A script written the siphon-http way: log.warn, and `except RuntimeError` around a client call and
    /// raise_for_status(), catching a refused connection, an error status and an unknown client name alike.</summary>
    [Fact]
    public async Task A_siphon_http_style_script_catches_client_failures_as_RuntimeError_and_logs_with_warn()
    {
        await using var upstream = await Upstream.StartAsync(ctx => Upstream.Text(ctx, 503, "busy"));
        var refused = new TcpListener(IPAddress.Loopback, 0);
        refused.Start();
        var deadPort = ((IPEndPoint)refused.LocalEndpoint).Port;
        refused.Stop();
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", $$"""
            servers:
              - listen: "127.0.0.1:0"
            clients:
              busy:
                base_url: "{{upstream.Url}}"
              dead:
                base_url: "http://127.0.0.1:{{deadPort}}"
            """);
        var script = dir.Write("ported.py", """
            from siphon import http, log


            @http.route("/try/{name}")
            async def attempt(req):
                name = req.path_params["name"]
                try:
                    resp = await http.Client(name).get("/work")
                    resp.raise_for_status()
                except RuntimeError as e:
                    log.warn(f"upstream {name} failed: {type(e).__name__}")
                    return http.Response(502, {"x-caught": type(e).__name__}, str(e))
                return http.Response(200)
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, config);

        foreach (var (name, caught) in new[] { ("busy", "HttpStatusError"), ("dead", "ConnectError"), ("nope", "UnknownClientError") })
        {
            using var r = await Http.GetAsync($"{siphon.Url}/try/{name}");
            Assert.Equal(HttpStatusCode.BadGateway, r.StatusCode);
            Assert.Equal(caught, r.Headers.GetValues("x-caught").Single());
        }
        // The log line is written by the host's logger after the answer: give it a moment.
        await siphon.WaitForOutputAsync("upstream nope failed", TimeSpan.FromSeconds(10));
        Assert.Contains("upstream busy failed: HttpStatusError", siphon.Output);
        Assert.Contains("upstream dead failed: ConnectError", siphon.Output);
        Assert.Contains("upstream nope failed: UnknownClientError", siphon.Output);
    }

    [Fact]
    public async Task A_named_client_shares_one_pool_capped_at_pool_size_across_a_thousand_calls()
    {
        var connections = new ConcurrentDictionary<string, int>();
        int active = 0, maxActive = 0;
        await using var upstream = await Upstream.StartAsync(async ctx =>
        {
            connections.AddOrUpdate(ctx.Connection.Id, 1, (_, n) => n + 1);
            var now = Interlocked.Increment(ref active);
            InterlockedMax(ref maxActive, now);
            try
            {
                if (ctx.Request.Path.StartsWithSegments("/par")) await Task.Delay(2);
                await Upstream.Text(ctx, 200, "ok");
            }
            finally { Interlocked.Decrement(ref active); }
        });
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", $$"""
            servers:
              - listen: "127.0.0.1:0"
            clients:
              pooled:
                base_url: "{{upstream.Url}}"
                pool_size: 2
            """);
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("probe.py", ProbeScript), config);

        using var resp = await Http.PostAsync($"{siphon.Url}/pool", Json(new { name = "pooled", sequential = 1000, concurrent = 200 }));
        var r = JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement;
        Assert.False(r.TryGetProperty("error", out _), r.ToString());
        var statuses = r.GetProperty("statuses").EnumerateArray().Select(s => s.GetInt32()).ToList();
        Assert.Equal(1200, statuses.Count);
        Assert.All(statuses, s => Assert.Equal(200, s));
        Assert.Equal(1200, connections.Values.Sum());
        Assert.InRange(connections.Count, 1, 2);
        Assert.InRange(maxActive, 1, 2);
    }

    // ---------------- cancellation ----------------

    [Fact]
    public async Task A_handler_cancelled_by_the_request_timeout_cancels_its_outbound_call()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource<DateTime>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await Upstream.StartAsync(async ctx =>
        {
            if (ctx.Request.Path == "/warm") { await Upstream.Text(ctx, 200, "warm"); return; }
            arrived.TrySetResult();
            try { await Task.Delay(TimeSpan.FromSeconds(60), ctx.RequestAborted); }
            catch (OperationCanceledException) { aborted.TrySetResult(DateTime.UtcNow); return; }
            await Upstream.Text(ctx, 200, "finished");
        });
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", """
            servers:
              - listen: "127.0.0.1:0"
                request_timeout_ms: 1000
            """);
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("probe.py", ProbeScript), config);
        // One call first, so the outbound stack is warm and the timed call reaches the upstream in time.
        Assert.Equal("warm", Ok(await Call(siphon, new { client = new { base_url = upstream.Url }, path = "/warm" })).GetProperty("body").GetString());

        using var resp = await Http.PostAsync($"{siphon.Url}/call", Json(new { client = new { base_url = upstream.Url, timeout_ms = 60000 }, path = "/hang" }));
        var answered = DateTime.UtcNow;
        Assert.Equal(HttpStatusCode.GatewayTimeout, resp.StatusCode);
        Assert.True(arrived.Task.IsCompleted, "the outbound call never reached the upstream");
        var at = await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(at - answered < TimeSpan.FromSeconds(2), $"upstream saw the abort {(at - answered).TotalMilliseconds:F0} ms after the 504");
    }

    // ---------------- async with ----------------

    [Fact]
    public async Task Async_with_works_for_inline_and_named_clients()
    {
        await using var upstream = await Upstream.StartAsync(ctx => Upstream.Text(ctx, 200, "in " + ctx.Request.Path));
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", $$"""
            servers:
              - listen: "127.0.0.1:0"
            clients:
              api:
                base_url: "{{upstream.Url}}/base"
            """);
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("probe.py", ProbeScript), config);

        var inline = Ok(await Call(siphon, new { client = new { base_url = upstream.Url }, path = "/a", async_with = true }));
        Assert.Equal("in /a", inline.GetProperty("body").GetString());
        Assert.Equal(JsonValueKind.Null, inline.GetProperty("client_name").ValueKind);
        Assert.StartsWith(upstream.Url, inline.GetProperty("client_base_url").GetString());

        for (var i = 0; i < 2; i++) // leaving the block keeps a named client's pool usable
        {
            var named = Ok(await Call(siphon, new { client = new { name = "api" }, path = "b", async_with = true }));
            Assert.Equal("in /base/b", named.GetProperty("body").GetString());
            Assert.Equal("api", named.GetProperty("client_name").GetString());
        }
        var after = Ok(await Call(siphon, new { client = new { name = "api" }, path = "c" }));
        Assert.Equal("in /base/c", after.GetProperty("body").GetString());
    }

    // ---------------- the examples ----------------

    [Fact]
    public async Task The_proxy_example_forwards_through_the_real_host_to_its_upstream_client()
    {
        var seen = new ConcurrentQueue<(string Method, string Target, string? Custom, string? Xff, string? Connection, string Body)>();
        var upstream = await Upstream.StartAsync(async ctx =>
        {
            var body = await Upstream.BodyText(ctx);
            seen.Enqueue((ctx.Request.Method, ctx.Features.Get<IHttpRequestFeature>()!.RawTarget, ctx.Request.Headers["X-Custom"].FirstOrDefault(),
                ctx.Request.Headers["X-Forwarded-For"].FirstOrDefault(), ctx.Request.Headers.Connection.FirstOrDefault(), body));
            ctx.Response.Headers["X-Internal"] = "secret";
            if (ctx.Request.Path == "/missing") { await Upstream.Text(ctx, 404, "no such thing"); return; }
            await Upstream.Text(ctx, ctx.Request.Method == "POST" ? 201 : 200, $"echo {ctx.Request.Method} {body}", "application/json");
        });
        try
        {
            using var dir = new TempDir();
            var config = dir.Write("http.yaml", $$"""
                servers:
                  - listen: "127.0.0.1:0"
                clients:
                  upstream:
                    base_url: "{{upstream.Url}}"
                    timeout_ms: 5000
                """);
            await using var siphon = await SiphonProcess.StartAsync(Path.Combine(SiphonProcess.RepoRoot, "examples", "proxy.py"), config);

            using (var msg = new HttpRequestMessage(HttpMethod.Post, $"{siphon.Url}/api/things?x=1&y=two")
            {
                Content = new StringContent("{\"a\": 1}", Encoding.UTF8, "application/json"),
            })
            {
                msg.Headers.Add("X-Custom", "v1");
                using var resp = await Http.SendAsync(msg);
                Assert.Equal(HttpStatusCode.Created, resp.StatusCode);
                Assert.Equal("application/json", resp.Content.Headers.ContentType?.MediaType);
                Assert.False(resp.Headers.Contains("X-Internal")); // only content-type comes back
                Assert.Equal("echo POST {\"a\": 1}", await resp.Content.ReadAsStringAsync());
            }
            Assert.True(seen.TryDequeue(out var post));
            Assert.Equal(("POST", "/api/things?x=1&y=two", "v1", "127.0.0.1", "{\"a\": 1}"), (post.Method, post.Target, post.Custom, post.Xff, post.Body));

            using (var get = await Http.GetAsync($"{siphon.Url}/a%20b/c"))
            {
                Assert.Equal(HttpStatusCode.OK, get.StatusCode);
                Assert.True(seen.TryDequeue(out var g));
                Assert.Equal(("GET", "/a%20b/c"), (g.Method, g.Target));
            }
            foreach (var method in new[] { HttpMethod.Put, HttpMethod.Patch, HttpMethod.Delete })
            {
                using var msg = new HttpRequestMessage(method, $"{siphon.Url}/m") { Content = method == HttpMethod.Delete ? null : new StringContent("b") };
                using var resp = await Http.SendAsync(msg);
                Assert.Equal(HttpStatusCode.OK, resp.StatusCode);
                Assert.True(seen.TryDequeue(out var s));
                Assert.Equal((method.Method, "/m", method == HttpMethod.Delete ? "" : "b"), (s.Method, s.Target, s.Body));
            }
            using (var missing = await Http.GetAsync($"{siphon.Url}/missing"))
            {
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
                Assert.Equal("no such thing", await missing.Content.ReadAsStringAsync());
            }
            using (var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{siphon.Url}/h")))
            {
                Assert.Equal(HttpStatusCode.OK, head.StatusCode);
                Assert.Empty(await head.Content.ReadAsByteArrayAsync());
            }

            await upstream.DisposeAsync();
            using var gone = await Http.GetAsync($"{siphon.Url}/anything");
            Assert.Equal(HttpStatusCode.BadGateway, gone.StatusCode);
            Assert.Equal("bad gateway\n", await gone.Content.ReadAsStringAsync());
        }
        finally
        {
            await upstream.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_notify_example_runs_unmodified_on_the_host_relaying_and_catching_failures_as_RuntimeError()
    {
        var status = 201;
        var seen = new ConcurrentQueue<(string Target, string? Key, string Body)>();
        await using var upstream = await Upstream.StartAsync(async ctx =>
        {
            seen.Enqueue((ctx.Features.Get<IHttpRequestFeature>()!.RawTarget, ctx.Request.Headers["Idempotency-Key"].FirstOrDefault(), await Upstream.BodyText(ctx)));
            ctx.Response.Headers["X-Notification-Id"] = "n-1";
            await Upstream.Text(ctx, status, "{}");
        });
        var root = SiphonProcess.RepoRoot;
        await using var siphon = await SiphonProcess.StartAsync(Path.Combine(root, "examples", "notify.py"), Path.Combine(root, "http.yaml"),
            extraArgs: ["--listen", "127.0.0.1:0"], env: new Dictionary<string, string> { ["NOTIFIER_API"] = upstream.Url + "/api" });

        using (var req = new HttpRequestMessage(HttpMethod.Post, $"{siphon.Url}/notify/sms") { Content = new StringContent("{\"to\": \"+1555\", \"text\": \"hi\"}") })
        {
            req.Headers.Add("Idempotency-Key", "k1");
            using var ok = await Http.SendAsync(req);
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
            Assert.Equal("{\"id\": \"n-1\", \"channel\": \"sms\"}", await ok.Content.ReadAsStringAsync());
        }
        Assert.True(seen.TryDequeue(out var sent));
        Assert.Equal(("/api/v1/sms", "k1", "{\"to\": \"+1555\", \"text\": \"hi\"}"), sent);

        status = 503; // raise_for_status() → HttpStatusError, caught by `except RuntimeError`
        using (var busy = await Http.PostAsync($"{siphon.Url}/notify/email", new StringContent("{\"to\": \"ada\", \"text\": \"x\"}")))
            Assert.Equal(HttpStatusCode.BadGateway, busy.StatusCode);
        await upstream.DisposeAsync(); // ConnectError, caught the same way
        using (var gone = await Http.PostAsync($"{siphon.Url}/notify/push", new StringContent("{\"to\": \"dev\", \"text\": \"x\"}")))
        {
            Assert.Equal(HttpStatusCode.BadGateway, gone.StatusCode);
            Assert.Equal("{\"error\": \"notifier unavailable\"}", await gone.Content.ReadAsStringAsync());
        }
        await siphon.WaitForOutputAsync("push to dev not relayed", TimeSpan.FromSeconds(10));
        Assert.Contains("email to ada not relayed: HTTP status 503", siphon.Output);
        Assert.Contains("push to dev not relayed: POST " + upstream.Url + "/api/v1/push: cannot connect", siphon.Output);
    }

    [Fact]
    public async Task The_rest_api_example_fetches_users_from_the_upstream_named_by_USERS_API()
    {
        var seen = new ConcurrentQueue<(string Target, string? Accept)>();
        var upstream = await Upstream.StartAsync(ctx =>
        {
            var target = ctx.Features.Get<IHttpRequestFeature>()!.RawTarget;
            seen.Enqueue((target, ctx.Request.Headers.Accept.FirstOrDefault()));
            return target == "/v1/users/42"
                ? Upstream.Text(ctx, 200, "{\"id\": \"42\", \"name\": \"Ada\"}", "application/json; charset=utf-8")
                : Upstream.Text(ctx, 404, "{\"error\": \"no such user\"}", "application/problem+json");
        });
        try
        {
            var root = SiphonProcess.RepoRoot;
            await using var siphon = await SiphonProcess.StartAsync(Path.Combine(root, "examples", "rest_api.py"), Path.Combine(root, "http.yaml"),
                extraArgs: ["--listen", "127.0.0.1:0"], env: new Dictionary<string, string> { ["USERS_API"] = upstream.Url });

            using (var ok = await Http.GetAsync($"{siphon.Url}/users/42"))
            {
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
                Assert.Equal("application/json; charset=utf-8", ok.Content.Headers.ContentType?.ToString());
                Assert.Equal("{\"id\": \"42\", \"name\": \"Ada\"}", await ok.Content.ReadAsStringAsync());
            }
            Assert.True(seen.TryDequeue(out var first));
            Assert.Equal(("/v1/users/42", "application/json"), first);

            using (var missing = await Http.GetAsync($"{siphon.Url}/users/a%20b%2Fc"))
            {
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
                Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.ToString());
            }
            Assert.True(seen.TryDequeue(out var second));
            Assert.Equal("/v1/users/a%20b%2Fc", second.Target); // the id stays one segment

            await upstream.DisposeAsync();
            using var gone = await Http.GetAsync($"{siphon.Url}/users/42");
            Assert.Equal(HttpStatusCode.BadGateway, gone.StatusCode);
            Assert.Equal("upstream unavailable\n", await gone.Content.ReadAsStringAsync());
        }
        finally
        {
            await upstream.DisposeAsync();
        }
    }

    // ---------------- helpers ----------------

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    /// <summary>Runs one call through the probe script and returns its report.</summary>
    private static async Task<JsonElement> Call(SiphonProcess siphon, object spec)
    {
        using var resp = await Http.PostAsync($"{siphon.Url}/call", Json(spec));
        var text = await resp.Content.ReadAsStringAsync();
        Assert.True(resp.StatusCode == HttpStatusCode.OK, $"probe answered {(int)resp.StatusCode}: {text}\n{siphon.Output}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The report of a call that returned a response.</summary>
    private static JsonElement Ok(JsonElement report)
    {
        Assert.False(report.TryGetProperty("error", out _), $"expected a response, got {report}");
        return report;
    }

    /// <summary>The report of a call that raised <paramref name="type"/> (or, with exact: false, a subclass of it).</summary>
    private static JsonElement Err(JsonElement report, string type, bool exact = true)
    {
        Assert.True(report.TryGetProperty("error", out var error), $"expected {type}, got {report}");
        if (exact) Assert.True(error.GetString() == type, $"expected {type}, got {report}");
        else Assert.True(Names(report.GetProperty("mro")).Contains(type), $"expected a {type}, got {report}");
        if (type is "ClientTimeoutError" or "ConnectError" or "TlsError")
            Assert.Contains("ClientError", Names(report.GetProperty("mro")));
        return report;
    }

    private static List<string> Names(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}
