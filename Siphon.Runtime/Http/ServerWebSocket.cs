// The `ws` an @http.websocket handler gets (and its guards, as the upgrade request): every member
// of http.Request that an upgrade has (read from the same snapshot; sdk/tests/test_websocket_surface.py fails when
// Request gains one this type lacks), plus accept/receive/send/close and `async for`. The async
// methods are Tasks bridged to the worker's loop by the generated glue (AsyncBridge), like
// BodyStream's; the socket work is WebSocketSession's.
using Siphon.Bindings;
using Siphon.Runtime.Python;

namespace Siphon.Runtime.Http;

/// <summary>A websocket of an @http.websocket route: the upgrade request's members, then
/// accept(), receive() / `async for`, send() and close().</summary>
[PyClass("WebSocket", Module = "siphon.http")]
public sealed partial class ServerWebSocket
{
    private readonly Request _request;

    internal ServerWebSocket(Request request, WebSocketSession session)
    {
        _request = request;
        Session = session;
    }

    internal WebSocketSession Session { get; }

    /// <summary>The upgrade request's method: GET (an HTTP/2 extended CONNECT is shown as GET too).</summary>
    [PyProperty(Cached = true)] public string Method => _request.Method;

    /// <summary>The decoded path, without the query string.</summary>
    [PyProperty(Cached = true)] public string Path => _request.Path;

    /// <summary>Parameters captured by the matched route pattern, URL-decoded.</summary>
    [PyProperty(Cached = true)] public IReadOnlyDictionary<string, string> PathParams => _request.PathParams;

    /// <summary>The parsed query string; for a repeated key the last value wins.</summary>
    [PyProperty(Cached = true)] public IReadOnlyDictionary<string, string> QueryParams => _request.QueryParams;

    /// <summary>The cookies of the Cookie header(s): name to value; for a repeated name the first wins.</summary>
    [PyProperty(Cached = true)] public IReadOnlyDictionary<string, string> Cookies => _request.Cookies;

    /// <summary>Request headers with lower-case names; repeated headers joined with ", ".</summary>
    [PyProperty(Cached = true)] public IReadOnlyDictionary<string, string> Headers => _request.Headers;

    /// <summary>"ip:port" of the peer, or the left-most X-Forwarded-For entry when the peer is a trusted proxy.</summary>
    [PyProperty(Cached = true)] public string Client => _request.Client;

    /// <summary>Subject of the verified client certificate on a mutual-TLS listener, else None.</summary>
    [PyProperty(Cached = true)] public string? ClientCert => _request.ClientCert;

    /// <summary>The W3C trace id of the upgrade request's trace, or None when tracing is off.</summary>
    [PyProperty(Cached = true)] public string? TraceId => _request.TraceId;

    /// <summary>The id of the upgrade request's server span, or None when tracing is off.</summary>
    [PyProperty(Cached = true)] public string? SpanId => _request.SpanId;

    /// <summary>The upgrade request's span (its attributes and events do nothing when tracing is off).</summary>
    [PyProperty(Cached = true)] public Span Span => _request.Span;

    /// <summary>One header's value by case-insensitive name, or None (reads ws.headers).</summary>
    [PyMethod]
    public string? Header([PySelf] PyBorrowed self, string name) => _request.Header(self, name);

    /// <summary>Every value of a repeated query key, in order.</summary>
    [PyMethod]
    public IReadOnlyList<string> QueryList([PySelf] PyBorrowed self, string name) => _request.QueryList(self, name);

    /// <summary>Every value of a repeated header (case-insensitive name), one per line as it arrived.</summary>
    [PyMethod]
    public IReadOnlyList<string> HeaderList([PySelf] PyBorrowed self, string name) => _request.HeaderList(self, name);

    /// <summary>Accepts the upgrade (101, or 200 on HTTP/2) with the chosen subprotocol and extra
    /// response headers. A handler that returns without accepting answers 403.</summary>
    [PyMethod]
    public Task Accept(string? subprotocol = null, IReadOnlyDictionary<string, string>? headers = null) =>
        Session.AcceptAsync(subprotocol, headers);

    /// <summary>The next message: str for a text message, bytes for a binary one. Raises
    /// http.WebSocketDisconnect (.code, .reason) when the peer closes or goes away.</summary>
    [PyMethod]
    [return: PyTypeHint("str | bytes")]
    public Task<object> Receive(CancellationToken cancel = default) => Session.ReceiveAsync(cancel);

    /// <summary>Sends a str as a text message or bytes as a binary one; completes when the socket
    /// has taken it. Raises http.WebSocketDisconnect when the socket is closed.</summary>
    [PyMethod]
    public Task Send([PyTypeHint("str | bytes")] PyBorrowed message, CancellationToken cancel = default)
    {
        // Converted here, on the Python thread that holds the GIL; the send itself runs on .NET's pool.
        var text = PyConvert.IsStr(message.Handle);
        var data = PyConvert.ToBytes(message.Handle, "ws.send() message"); // str, bytes or bytearray; else TypeError
        return Session.SendAsync(data, text, cancel);
    }

    /// <summary>Closes the socket with the code and reason; before accept() it refuses the upgrade (403).</summary>
    [PyMethod]
    public Task Close(int code = 1000, string reason = "") => Session.CloseAsync(code, reason);

    /// <summary>Returns the websocket itself: `async for msg in ws` receives until the peer closes.</summary>
    [PyMethod("__aiter__")]
    public ServerWebSocket Iter() => this;

    /// <summary>The next message; raises StopAsyncIteration when the peer closes normally (1000, 1001
    /// or no code) and http.WebSocketDisconnect for any other close.</summary>
    [PyMethod("__anext__")]
    [return: PyTypeHint("str | bytes")]
    public async Task<object> Next(CancellationToken cancel = default)
    {
        try { return await Session.ReceiveAsync(cancel).ConfigureAwait(false); }
        catch (WebSocketClosedException e) when (e.Code is 1000 or 1001 or 1005) { throw new ScriptError("StopAsyncIteration", ""); }
    }
}
