// The Kestrel side of a request: match the route in C# (an unmatched request never reaches
// Python, unless the request's script version registered a wrapper: then the 404/405/413 answer
// passes through it), enforce the listener's body cap, snapshot the request, post it to a worker
// (the pool picks one, whose current script version routes and serves the whole request), wait
// with the listener's timeout, and write the Response. Runs on Kestrel/pool threads only; it
// never takes the GIL.
using System.Diagnostics;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Routing;
using Siphon.Runtime.Telemetry;
using Siphon.Runtime.Hosting.Transport;

namespace Siphon.Runtime.Hosting.Dispatch;

public sealed partial class RequestHandler(WorkerPool workers, ILoggerFactory loggers, bool accessLog)
{
    // The same answers as Responses, for a script with wrappers (they pass through its wrappers).
    private static readonly Response NotFoundAnswer = TextAnswer(404, ResponseWriter.NotFound, null);
    private static readonly Response PayloadTooLargeAnswer = TextAnswer(413, ResponseWriter.PayloadTooLarge, null);

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
    private void Observe(HttpContext ctx, string? route, long since, Worker? worker)
    {
        SiphonMetrics.Request(route, ctx.Response.StatusCode, since);
        if (!accessLog) return;
        using (WorkerLog.For(worker?.Index)) // the line names the worker that served it
            _access.LogInformation("{Method} {Target} {Route} {Status} {DurationMs:F1}ms {Client}", ctx.Request.Method,
                ctx.Features.Get<IHttpRequestFeature>()?.RawTarget, route ?? SiphonMetrics.Unmatched, ctx.Response.StatusCode,
                Stopwatch.GetElapsedTime(since).TotalMilliseconds,
                ((Listener)ctx.Features.Get<IConnectionItemsFeature>()!.Items[Listener.ItemKey]!).ClientOf(ctx));
    }

    private async Task HandleCoreAsync(HttpContext ctx, long observedSince)
    {
        Worker? worker = null; // the worker that served it (the access log line names it)
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
            worker = workers.Pick();
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
            var (pending, matched, streamed, started, _) = routed;
            route = matched;
            if (pending is null)
            {
                version.Leave(); // answered without Python (404, 405, 413, ...)
                return;
            }
            if (routed.Socket is { } socket)
            {
                await ServeWebSocketAsync(ctx, listener, pending, socket);
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
                await ResponseWriter.WriteText(ctx, 504, ResponseWriter.GatewayTimeout);
                return;
            }
            catch (HandlerFailedException e) when (e.Status == 503)
            {
                ctx.Response.Headers.RetryAfter = "1";
                await ResponseWriter.WriteText(ctx, 503, ResponseWriter.ServiceUnavailable);
                return;
            }
            catch (HandlerFailedException) when (streamed is { Exceeded: true })
            {
                await ResponseWriter.WriteText(ctx, 413, ResponseWriter.PayloadTooLarge); // req.stream() raised BodyTooLargeError and the handler let it go
                return;
            }
            catch (HandlerFailedException)
            {
                await ResponseWriter.WriteText(ctx, 500, ResponseWriter.InternalError);
                return;
            }
            finally { streamed?.Close(); }
            // The rest of a refused body stays unread on the wire, so an HTTP/1.x connection cannot be reused.
            if (streamed is { Exceeded: true } && HttpProtocol.IsHttp11(request.Protocol)) ctx.Response.Headers.Connection = "close";
            if (response.IsStreamed)
                await ResponseWriter.WriteStreamedAsync(ctx, response, pending, listener.RequestTimeout - Stopwatch.GetElapsedTime(started), _log);
            else
                await ResponseWriter.WriteResponse(ctx, response, method == HttpMethods.Head);
        }
        catch
        {
            observedSince = 0; // a request that threw is Kestrel's to answer (or abort): not counted
            throw;
        }
        finally
        {
            if (observedSince != 0) Observe(ctx, route, observedSince, worker);
        }
    }

    /// <summary>A request handed to its worker (Pending), or answered here (Pending null: the caller
    /// then leaves the version). Route is the matched pattern, the metrics label (null: unmatched);
    /// Streamed the body of a stream=True route; Started when it was handed over.</summary>
    private readonly record struct Routed(PendingRequest? Pending, string? Route, StreamedRequestBody? Streamed = null, long Started = 0,
        ServerWebSocket? Socket = null);

    /// <summary>Routes with <paramref name="version"/>'s table, reads the body (or opens it for a
    /// stream=True route of that version) and hands the request to the worker.</summary>
    private async ValueTask<Routed> RouteAndSubmitAsync(HttpContext ctx, Listener listener,
        Worker worker, ScriptVersion version, string method, string rawTarget, string rawPath, int q)
    {
        var request = ctx.Request;
        var match = version.Routes.Match(method, rawPath);
        // An HTTP/2 websocket (RFC 8441) is an extended CONNECT: routed to a websocket route, and shown
        // to its script, as the GET of HTTP/1.1; to any other route it stays a CONNECT (405), since
        // a 2xx answer to it would tell the client its websocket is open.
        if (method == HttpMethods.Connect && ctx.WebSockets.IsWebSocketRequest
            && version.Routes.Match(HttpMethods.Get, rawPath) is { Kind: RouteMatchKind.Found } get && version.IsWebSocket(get.HandlerId))
            (method, match) = (HttpMethods.Get, get);
        Response? hostAnswer = null; // with a wrapper registered, the host's own answer goes through it
        if (match.Kind == RouteMatchKind.NotFound)
        {
            if (!version.Wraps)
            {
                await ResponseWriter.WriteText(ctx, 404, ResponseWriter.NotFound);
                return new(null, null);
            }
            hostAnswer = NotFoundAnswer;
        }
        else if (match.Kind == RouteMatchKind.MethodNotAllowed)
        {
            if (!version.Wraps)
            {
                ctx.Response.Headers.Allow = match.Allow;
                await ResponseWriter.WriteText(ctx, 405, ResponseWriter.MethodNotAllowed);
                return new(null, null);
            }
            hostAnswer = TextAnswer(405, ResponseWriter.MethodNotAllowed, match.Allow);
        }

        if (match.Kind == RouteMatchKind.Found && version.IsWebSocket(match.HandlerId))
            return await SubmitWebSocketAsync(ctx, listener, worker, version, method, rawTarget, q, match);

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
                    body = await RequestSnapshot.ReadBodyAsync(request.BodyReader, request.ContentLength, listener.MaxBodyBytes, ctx.RequestAborted);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge) { tooLarge = true; }
            catch (RequestSnapshot.BodyTooLargeException) { tooLarge = true; }
        }
        if (tooLarge)
        {
            if (!version.Wraps)
            {
                await ResponseWriter.WriteText(ctx, 413, ResponseWriter.PayloadTooLarge);
                return new(null, match.Route!.Pattern);
            }
            // The wrappers see the matched route with no body; what they answer closes an HTTP/1.1
            // connection, as a 413 does, because the refused body stays unread on the wire.
            hostAnswer = PayloadTooLargeAnswer;
            if (HttpProtocol.IsHttp11(request.Protocol)) ctx.Response.Headers.Connection = "close";
        }

        var snapshot = RequestSnapshot.Take(ctx, listener, method, rawTarget, q, body, in match, streamed, worker.Index);
        var route = match.Route?.Pattern; // null: unmatched, answered through the wrappers
        if (HopCost.Mode == 1)
        {
            streamed?.Close();
            await ResponseWriter.WriteResponse(ctx, HopCost.Canned, false);
            return new(null, route);
        }
        var pending = new PendingRequest(worker, version, snapshot, match.HandlerId, route ?? "no route") { HostAnswer = hostAnswer };
        var started = Stopwatch.GetTimestamp();
        if (hostAnswer is null) worker.Submit(pending);
        else worker.SubmitAnswer(pending);
        return new(pending, route, streamed, started);
    }


}
