// The Kestrel side of an @http.websocket route. Before any Python: a request that is not an
// upgrade gets 426, a browser upgrade from an origin the listener does not allow gets 403, and an
// upgrade past the listener's max_sockets for the worker gets 503. Then the chain runs with a
// ServerWebSocket in place of the request (guards see the upgrade request's members); this side
// waits, within request_timeout_ms, for the handler to accept or to answer (a guard's Response, or
// the entry's 403 when it never accepted). After accept() the timeout no longer applies: the
// handler's end closes the socket (1000, or 1011 when it raised) and the request ends with it.
using Microsoft.AspNetCore.Http;
using Siphon.Runtime.Config;
using Siphon.Runtime.Hosting.Transport;
using Siphon.Runtime.Http;
using Siphon.Runtime.Routing;

namespace Siphon.Runtime.Hosting.Dispatch;

public sealed partial class RequestHandler
{
    private static readonly byte[] UpgradeRequired = "upgrade required: this route serves websockets\n"u8.ToArray();
    private static readonly byte[] OriginRefused = "forbidden: origin not allowed\n"u8.ToArray();

    /// <summary>How long the closing handshake may take once the handler has ended.</summary>
    private static readonly TimeSpan CloseHandshakeWait = TimeSpan.FromSeconds(5);

    private async ValueTask<Routed> SubmitWebSocketAsync(HttpContext ctx, Listener listener, Worker worker, ScriptVersion version,
        string method, string rawTarget, int q, RouteMatch match)
    {
        var route = match.Route!.Pattern;
        var limits = listener.Config.WebSocket;
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            if (HttpProtocol.IsHttp11(ctx.Request.Protocol)) ctx.Response.Headers.Upgrade = "websocket";
            await ResponseWriter.WriteText(ctx, 426, UpgradeRequired);
            return new(null, route);
        }
        if (!OriginAllowed(ctx, limits))
        {
            await ResponseWriter.WriteText(ctx, 403, OriginRefused);
            return new(null, route);
        }
        if (!WebSocketCount.TryOpen(listener.Index, worker.Index, limits.MaxSockets))
        {
            ctx.Response.Headers.RetryAfter = "1";
            await ResponseWriter.WriteText(ctx, 503, ResponseWriter.ServiceUnavailable);
            return new(null, route);
        }
        var snapshot = RequestSnapshot.Take(ctx, listener, method, rawTarget, q, ReadOnlyMemory<byte>.Empty, in match, null, worker.Index);
        var socket = new ServerWebSocket(snapshot, new WebSocketSession(ctx, limits, route));
        snapshot.Socket = socket;
        var pending = new PendingRequest(worker, version, snapshot, match.HandlerId, route);
        worker.Submit(pending);
        return new(pending, route, Socket: socket);
    }

    private async Task ServeWebSocketAsync(HttpContext ctx, Listener listener, PendingRequest pending, ServerWebSocket socket)
    {
        var session = socket.Session;
        try
        {
            try
            {
                await Task.WhenAny(pending.Task, session.Accepted).WaitAsync(listener.RequestTimeout);
            }
            catch (TimeoutException) when (session.TryRefuse())
            {
                pending.Abandon();
                pending.Worker.Post(new CancelRequestWork(pending)); // the script sees asyncio.CancelledError
                await ResponseWriter.WriteText(ctx, 504, ResponseWriter.GatewayTimeout);
                return;
            }
            if (!session.AcceptCalled)
            {
                // Answered without accepting: a guard's Response, the entry's 403, or an error.
                Response response;
                try { response = await pending.Task; }
                catch (HandlerFailedException e) when (e.Status == 503)
                {
                    ctx.Response.Headers.RetryAfter = "1";
                    await ResponseWriter.WriteText(ctx, 503, ResponseWriter.ServiceUnavailable);
                    return;
                }
                catch (HandlerFailedException)
                {
                    await ResponseWriter.WriteText(ctx, 500, ResponseWriter.InternalError);
                    return;
                }
                if (response.IsStreamed)
                    await ResponseWriter.WriteStreamedAsync(ctx, response, pending, listener.RequestTimeout, _log);
                else
                    await ResponseWriter.WriteResponse(ctx, response, false);
                return;
            }
            var accepted = await session.Accepted;
            var code = 1000;
            try { await pending.Task; }
            catch (HandlerFailedException) { code = 1011; } // its traceback is logged by the worker
            if (accepted) await session.FinishAsync(code, CloseHandshakeWait);
        }
        finally
        {
            WebSocketCount.Close(listener.Index, pending.Worker.Index);
        }
    }

    /// <summary>No Origin (a non-browser client), the listener's own host, or one of allowed_origins.</summary>
    internal static bool OriginAllowed(HttpContext ctx, WebSocketConfig limits)
    {
        var origin = ctx.Request.Headers.Origin.ToString();
        if (origin.Length == 0) return true;
        foreach (var allowed in limits.AllowedOrigins)
            if (string.Equals(allowed, origin, StringComparison.OrdinalIgnoreCase)) return true;
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri)) return false;
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        return string.Equals(host, ctx.Request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
