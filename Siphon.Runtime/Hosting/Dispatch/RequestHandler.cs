// The Kestrel side of a request: match the route in C# (an unmatched request never reaches
// Python, unless the request's script version registered a wrapper: then the 404/405/413 answer
// passes through it), enforce the listener's body cap, snapshot the request, post it to a worker
// (the pool picks one, whose current script version routes and serves the whole request), wait
// with the listener's timeout, and write the Response. Runs on Kestrel/pool threads only; it
// never takes the GIL.
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Routing;
using Siphon.Runtime.Telemetry;

namespace Siphon.Runtime.Hosting;

public sealed class RequestHandler(WorkerPool workers, ILoggerFactory loggers, bool accessLog)
{
    // Short text/plain error bodies, the same words as the SDK harness uses.
    internal static readonly byte[] NotFound = "not found\n"u8.ToArray();
    internal static readonly byte[] MethodNotAllowed = "method not allowed\n"u8.ToArray();
    internal static readonly byte[] InternalError = "internal server error\n"u8.ToArray();
    internal static readonly byte[] PayloadTooLarge = "payload too large\n"u8.ToArray();
    internal static readonly byte[] GatewayTimeout = "gateway timeout\n"u8.ToArray();
    internal static readonly byte[] ServiceUnavailable = "service unavailable\n"u8.ToArray();

    // The same answers as Responses, for a script with wrappers (they pass through its wrappers).
    private static readonly Response NotFoundAnswer = TextAnswer(404, NotFound, null);
    private static readonly Response PayloadTooLargeAnswer = TextAnswer(413, PayloadTooLarge, null);

    private static Response TextAnswer(int status, byte[] body, string? allow)
    {
        var headers = new Dictionary<string, string> { ["content-type"] = "text/plain; charset=utf-8" };
        if (allow is not null) headers["allow"] = allow;
        return new Response(status, headers, body);
    }

    private readonly ILogger _access = loggers.CreateLogger("siphon.access");
    private readonly ILogger _log = loggers.CreateLogger("siphon.http");

    // One async state machine per request: the metrics and the access log are taken in
    // HandleCoreAsync's finally (an awaited wrapper around it cost a second one), from observedSince
    // (0: neither is on).
    public Task HandleAsync(HttpContext ctx) =>
        HandleCoreAsync(ctx, accessLog || SiphonMetrics.Enabled ? Stopwatch.GetTimestamp() : 0);

    /// <summary>After the request: its metrics (labelled with the matched route pattern, null when
    /// none matched) and its access-log line.</summary>
    private void Observe(HttpContext ctx, string? route, long since)
    {
        SiphonMetrics.Request(route, ctx.Response.StatusCode, since);
        if (accessLog)
            _access.LogInformation("{Method} {Target} {Route} {Status} {DurationMs:F1}ms {Client}", ctx.Request.Method,
                ctx.Features.Get<IHttpRequestFeature>()?.RawTarget, route ?? SiphonMetrics.Unmatched, ctx.Response.StatusCode,
                Stopwatch.GetElapsedTime(since).TotalMilliseconds,
                ClientOf(ctx, (Listener)ctx.Features.Get<IConnectionItemsFeature>()!.Items[Listener.ItemKey]!));
    }

    private async Task HandleCoreAsync(HttpContext ctx, long observedSince)
    {
        string? route = null; // the matched pattern (the metrics label), null while none matched
        try
        {
            var listener = (Listener)ctx.Features.Get<IConnectionItemsFeature>()!.Items[Listener.ItemKey]!;
            var request = ctx.Request;
            var method = request.Method;
            var rawTarget = ctx.Features.Get<IHttpRequestFeature>()!.RawTarget;
            var q = rawTarget.IndexOf('?');
            var rawPath = q < 0 ? rawTarget : rawTarget[..q];
            if (rawPath.Length == 0 || rawPath[0] != '/') rawPath = request.Path.HasValue ? request.Path.Value! : "/"; // absolute-form or '*'

            // The worker first, then its current script version, entered once: that version routes and
            // serves the whole request even if a live reload swaps it meanwhile (ScriptVersion); its
            // wrappers, if any, carry the host's own 404/405/413 too.
            var worker = workers.Pick();
            var version = worker.Enter();
            Routed routed;
            try
            {
                routed = await RouteAndSubmitAsync(ctx, listener, worker, version, method, rawTarget, rawPath, q);
            }
            catch
            {
                version.Leave();
                throw;
            }
            var (pending, matched, streamed, started) = routed;
            route = matched;
            if (pending is null)
            {
                version.Leave(); // answered without Python (404, 405, 413, ...)
                return;
            }

            Response response;
            try
            {
                response = await pending.Task.WaitAsync(listener.RequestTimeout);
            }
            catch (TimeoutException)
            {
                pending.Abandon(); // a sync handler not yet started never runs
                worker.Post(new CancelRequestWork(pending)); // the script sees asyncio.CancelledError
                await WriteText(ctx, 504, GatewayTimeout);
                return;
            }
            catch (HandlerFailedException e) when (e.Status == 503)
            {
                ctx.Response.Headers.RetryAfter = "1";
                await WriteText(ctx, 503, ServiceUnavailable);
                return;
            }
            catch (HandlerFailedException) when (streamed is { Exceeded: true })
            {
                await WriteText(ctx, 413, PayloadTooLarge); // req.stream() raised BodyTooLargeError and the handler let it go
                return;
            }
            catch (HandlerFailedException)
            {
                await WriteText(ctx, 500, InternalError);
                return;
            }
            finally { streamed?.Close(); }
            // The rest of a refused body stays unread on the wire, so an HTTP/1.x connection cannot be reused.
            if (streamed is { Exceeded: true } && HttpProtocol.IsHttp11(request.Protocol)) ctx.Response.Headers.Connection = "close";
            if (response.IsStreamed)
                await WriteStreamedAsync(ctx, response, pending, listener.RequestTimeout - Stopwatch.GetElapsedTime(started));
            else
                await WriteResponse(ctx, response, method == HttpMethods.Head);
        }
        catch
        {
            observedSince = 0; // a request that threw is Kestrel's to answer (or abort): not counted
            throw;
        }
        finally
        {
            if (observedSince != 0) Observe(ctx, route, observedSince);
        }
    }

    /// <summary>A Response whose body is an async iterable: its producer runs on the worker's loop
    /// (BodyPump) and each chunk is written and flushed before the next is asked for. Chunked on
    /// HTTP/1.1, DATA frames on HTTP/2. The rest of request_timeout_ms bounds the wait for the
    /// first chunk (504 if it passes); after that a producer that raises aborts the connection
    /// (HTTP/1.1) or resets the stream (HTTP/2), and a client that goes away cancels the producer.</summary>
    private async Task WriteStreamedAsync(HttpContext ctx, Response r, PendingRequest pending, TimeSpan firstByteBudget)
    {
        var worker = pending.Worker;
        var pump = new BodyPump(worker);
        var head = HttpMethods.IsHead(ctx.Request.Method) || r.Status is 204 or 304 || r.Status < 200;
        worker.Post(new ActionWork(() =>
        {
            using var iterable = r.TakeStream();
            if (iterable is null) pump.Fail("this streamed Response's body was already taken (sent once, or moved on by replace() or stream()): an async iterable can be drained only once");
            else if (!head) pump.Start(iterable.Handle);
        }));
        if (head)
        {
            WriteHead(ctx.Response, r);
            return;
        }
        var aborted = ctx.RequestAborted;
        using var onAbort = aborted.Register(static p => ((BodyPump)p!).Cancel(), pump);
        try
        {
            byte[]? chunk;
            try
            {
                chunk = await pump.ReadAsync(aborted).AsTask().WaitAsync(firstByteBudget > TimeSpan.Zero ? firstByteBudget : TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                pump.Cancel();
                _log.LogWarning("{Method} {Path} ({Route}): no first chunk of the streamed body within request_timeout_ms", pending.Request.Method, pending.Request.Path, pending.Route);
                await WriteText(ctx, 504, GatewayTimeout);
                return;
            }
            catch (ProducerFailedException e)
            {
                _log.LogError("{Method} {Path} ({Route}): the streamed body's producer raised before its first chunk\n{Traceback}", pending.Request.Method, pending.Request.Path, pending.Route, e.Traceback);
                await WriteText(ctx, 500, InternalError);
                return;
            }
            WriteHead(ctx.Response, r);
            var writer = ctx.Response.BodyWriter;
            while (chunk is not null)
            {
                var flushed = await writer.WriteAsync(chunk, aborted);
                if (flushed.IsCanceled || flushed.IsCompleted) { pump.Cancel(); return; } // the client is gone
                chunk = await pump.ReadAsync(aborted);
            }
        }
        catch (ProducerFailedException e)
        {
            _log.LogError("{Method} {Path} ({Route}): the streamed body's producer raised; aborting the response\n{Traceback}", pending.Request.Method, pending.Request.Path, pending.Route, e.Traceback);
            ctx.Abort();
        }
        catch (Exception e) when (e is OperationCanceledException or IOException || aborted.IsCancellationRequested)
        {
            pump.Cancel(); // the client went away (or the producer was cancelled): nothing more to send
            if (!aborted.IsCancellationRequested) ctx.Abort();
        }
    }

    private static void WriteHead(HttpResponse response, Response r)
    {
        response.StatusCode = r.Status;
        foreach (var (name, value) in r.Lines)
        {
            // Framing is Kestrel's job: a script's Content-Length or Transfer-Encoding is not used.
            if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase) || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
                continue;
            response.Headers.Append(name, value); // a repeated name (two Set-Cookie lines) stays two lines
        }
    }

    /// <summary>A request handed to its worker (Pending), or answered here (Pending null: the caller
    /// then leaves the version). Route is the matched pattern, the metrics label (null: unmatched);
    /// Streamed the body of a stream=True route; Started when it was handed over.</summary>
    private readonly record struct Routed(PendingRequest? Pending, string? Route, StreamedRequestBody? Streamed = null, long Started = 0);

    /// <summary>Routes with <paramref name="version"/>'s table, reads the body (or opens it for a
    /// stream=True route of that version) and hands the request to the worker.</summary>
    private async ValueTask<Routed> RouteAndSubmitAsync(HttpContext ctx, Listener listener,
        Worker worker, ScriptVersion version, string method, string rawTarget, string rawPath, int q)
    {
        var request = ctx.Request;
        var match = version.Routes.Match(method, rawPath);
        Response? hostAnswer = null; // with a wrapper registered, the host's own answer goes through it
        if (match.Kind == RouteMatchKind.NotFound)
        {
            if (!version.Wraps)
            {
                await WriteText(ctx, 404, NotFound);
                return new(null, null);
            }
            hostAnswer = NotFoundAnswer;
        }
        else if (match.Kind == RouteMatchKind.MethodNotAllowed)
        {
            if (!version.Wraps)
            {
                ctx.Response.Headers.Allow = match.Allow;
                await WriteText(ctx, 405, MethodNotAllowed);
                return new(null, null);
            }
            hostAnswer = TextAnswer(405, MethodNotAllowed, match.Allow);
        }

        var body = ReadOnlyMemory<byte>.Empty;
        var tooLarge = hostAnswer is null && request.ContentLength > listener.MaxBodyBytes;
        // A stream=True route is dispatched now; its handler reads the body through req.stream(),
        // which enforces the cap itself (Kestrel's would answer 413 over a handler that caught it).
        var streamed = hostAnswer is null && !tooLarge && version.StreamsBody(match.HandlerId)
            ? new StreamedRequestBody(request.BodyReader, listener.MaxBodyBytes, ctx.RequestAborted)
            : null;
        if (hostAnswer is null && !tooLarge)
        {
            if (ctx.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } cap)
                cap.MaxRequestBodySize = streamed is null ? listener.MaxBodyBytes : null;
            try
            {
                // Most requests (GET, HEAD) carry no body: skip the read and its buffer.
                if (streamed is null && ctx.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: false })
                    body = await ReadBodyAsync(request.BodyReader, request.ContentLength, listener.MaxBodyBytes, ctx.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { tooLarge = true; }
            catch (BodyTooLargeException) { tooLarge = true; }
        }
        if (tooLarge)
        {
            if (!version.Wraps)
            {
                await WriteText(ctx, 413, PayloadTooLarge);
                return new(null, match.Route!.Pattern);
            }
            // The wrappers see the matched route with no body; what they answer closes an HTTP/1.1
            // connection, as a 413 does, because the refused body stays unread on the wire.
            hostAnswer = PayloadTooLargeAnswer;
            if (HttpProtocol.IsHttp11(request.Protocol)) ctx.Response.Headers.Connection = "close";
        }

        var snapshot = new Request(method, request.Path.HasValue ? request.Path.Value! : "/", q < 0 ? null : rawTarget[(q + 1)..],
            CopyHeaders(request.Headers), body, ClientOf(ctx, listener),
            ctx.Connection.ClientCertificate?.Subject, match.Params) { OpenStream = streamed is null ? null : streamed.Open };
        var route = match.Route?.Pattern; // null: unmatched, answered through the wrappers
        if (HopCost.Mode == 1)
        {
            streamed?.Close();
            await WriteResponse(ctx, HopCost.Canned, false);
            return new(null, route);
        }
        var pending = new PendingRequest(worker, version, snapshot, match.HandlerId, route ?? "no route") { HostAnswer = hostAnswer };
        var started = Stopwatch.GetTimestamp();
        if (hostAnswer is null) worker.Submit(pending);
        else worker.SubmitAnswer(pending);
        return new(pending, route, streamed, started);
    }

    private sealed class BodyTooLargeException : Exception;

    private static async ValueTask<ReadOnlyMemory<byte>> ReadBodyAsync(PipeReader reader, long? length, long cap, CancellationToken ct)
    {
        if (length == 0) return ReadOnlyMemory<byte>.Empty;
        byte[] buffer = length is { } n ? new byte[n] : new byte[Math.Min(cap, 16 * 1024)];
        var filled = 0;
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var data = result.Buffer;
            foreach (var segment in data)
            {
                if (filled + segment.Length > cap) throw new BodyTooLargeException();
                if (filled + segment.Length > buffer.Length)
                    Array.Resize(ref buffer, (int)Math.Min(cap, Math.Max(buffer.Length * 2L, filled + segment.Length)));
                segment.Span.CopyTo(buffer.AsSpan(filled));
                filled += segment.Length;
            }
            reader.AdvanceTo(data.End);
            if (result.IsCompleted) break;
        }
        return new ReadOnlyMemory<byte>(buffer, 0, filled);
    }

    /// <summary>One pair per header line, lower-case names (Request joins repeated names for req.headers
    /// and keeps the lines for req.header_list() and req.cookies).</summary>
    private static KeyValuePair<string, string>[] CopyHeaders(IHeaderDictionary headers)
    {
        var result = new List<KeyValuePair<string, string>>(headers.Count);
        foreach (var (name, values) in headers)
        {
            if (name.Length > 0 && name[0] == ':') continue; // HTTP/2 pseudo-headers
            var lower = name.ToLowerInvariant();
            foreach (var value in values) result.Add(new(lower, value ?? ""));
        }
        return [.. result];
    }

    private static string ClientOf(HttpContext ctx, Listener listener)
    {
        var ip = ctx.Connection.RemoteIpAddress ?? IPAddress.None;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (listener.Config.TrustedProxies.Count > 0 && listener.IsTrustedProxy(ip)
            && ctx.Request.Headers.TryGetValue("X-Forwarded-For", out var xff) && LeftMost(xff) is { Length: > 0 } forwarded)
            return forwarded;
        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{ip}]:{ctx.Connection.RemotePort}"
            : $"{ip}:{ctx.Connection.RemotePort}";
    }

    private static string? LeftMost(StringValues xff)
    {
        var first = xff[0];
        if (first is null) return null;
        var comma = first.IndexOf(',');
        return (comma < 0 ? first : first[..comma]).Trim();
    }

    private static Task WriteText(HttpContext ctx, int status, byte[] body)
    {
        // A refused body stays unread on the wire, so an HTTP/1.x connection cannot be reused.
        if (status == 413 && HttpProtocol.IsHttp11(ctx.Request.Protocol)) ctx.Response.Headers.Connection = "close";
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(ctx.Request.Method) ? Task.CompletedTask : ctx.Response.Body.WriteAsync(body, 0, body.Length);
    }

    private static async Task WriteResponse(HttpContext ctx, Response r, bool head)
    {
        var response = ctx.Response;
        WriteHead(response, r);
        if (r.Status is 204 or 304 || r.Status < 200) return; // no body allowed
        response.ContentLength = r.Content.Length;
        if (!head && r.Content.Length > 0)
            await response.BodyWriter.WriteAsync(r.Content, ctx.RequestAborted);
    }
}
