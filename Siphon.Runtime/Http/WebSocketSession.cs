// One websocket of an @http.websocket route, on the .NET side: the upgrade (accepted when the
// script awaits ws.accept(), refused when the host answers first), messages read whole within the
// listener's max_message_bytes, sends one at a time (each awaits the socket: backpressure, nothing
// queued), and the closing handshake. Every method is called from the worker's thread (through the
// bound ServerWebSocket) or from the Kestrel side once the handler has ended; none takes the GIL.
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Http;

/// <param name="route">The route pattern, the metrics label.</param>
internal sealed class WebSocketSession(HttpContext ctx, WebSocketConfig limits, string route)
{
    private const int Fresh = 0, Accepting = 1, Refused = 2;
    private int _state;
    private readonly TaskCompletionSource<bool> _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private System.Net.WebSockets.WebSocket? _socket;
    private byte[] _buffer = new byte[4096]; // grows up to max_message_bytes + 1, kept for the next message
    private int _receiving;
    private Task? _receive; // the script's read in flight: the closing handshake waits for it rather than read beside it

    // The accepted sockets of this process, which a shutdown closes with 1001.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<WebSocketSession, byte> s_open = new();

    /// <summary>Open websockets of this process (accepted, not yet finished).</summary>
    public static int OpenCount => s_open.Count;

    /// <summary>Graceful shutdown: sends every open socket's close frame with 1001 ("going away"),
    /// so a handler in `async for` ends normally; the peers' replies end their receive loops.</summary>
    public static Task GoingAwayAsync() => Task.WhenAll(s_open.Keys.Select(s => s.CloseAsync(1001, "server shutting down")));

    /// <summary>True once accepted, false when the accept failed; never completes for a socket not accepted.</summary>
    public Task<bool> Accepted => _accepted.Task;

    /// <summary>The script called accept() (it may still be under way).</summary>
    public bool AcceptCalled => Volatile.Read(ref _state) == Accepting;

    /// <summary>Closes the door before accept() (the upgrade timed out, or the script closed first):
    /// false when accept() came first.</summary>
    public bool TryRefuse() => Interlocked.CompareExchange(ref _state, Refused, Fresh) != Accepting;

    public async Task AcceptAsync(string? subprotocol, IReadOnlyDictionary<string, string>? headers)
    {
        switch (Interlocked.CompareExchange(ref _state, Accepting, Fresh))
        {
            case Accepting: throw new ScriptError("RuntimeError", "ws.accept() was already called");
            case Refused: throw new ScriptError("RuntimeError", "ws.accept() after the upgrade was closed or answered (request_timeout_ms passed, or ws.close() came first)");
        }
        try
        {
            if (headers is not null)
                foreach (var (name, value) in headers) ctx.Response.Headers.Append(name, value);
            // An accepted socket may stay quiet for long: only its pings and ping_timeout_ms judge the peer.
            if (ctx.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate) rate.MinDataRate = null;
            if (ctx.Features.Get<IHttpMinResponseDataRateFeature>() is { } outRate) outRate.MinDataRate = null;
            _socket = await ctx.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                SubProtocol = subprotocol,
                KeepAliveInterval = limits.PingIntervalMs == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(limits.PingIntervalMs),
                KeepAliveTimeout = limits.PingIntervalMs == 0 || limits.PingTimeoutMs == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(limits.PingTimeoutMs),
            }).ConfigureAwait(false);
            s_open.TryAdd(this, 0);
            Telemetry.SiphonMetrics.WebSocketOpened(route, 1);
            _accepted.TrySetResult(true);
        }
        catch (Exception e)
        {
            _accepted.TrySetResult(false);
            throw new WebSocketClosedException(1006, $"the upgrade failed: {e.Message}");
        }
    }

    /// <summary>The next message: a string for a text message, a byte[] for a binary one; raises
    /// WebSocketClosedException when the peer closed (its code) or went away (1006), or when the
    /// message passed max_message_bytes (1009, after closing with it).</summary>
    public async Task<object> ReceiveAsync(CancellationToken cancel)
    {
        var socket = _socket ?? throw new ScriptError("RuntimeError", "ws.receive() before ws.accept()");
        if (Interlocked.Exchange(ref _receiving, 1) == 1)
            throw new ScriptError("RuntimeError", "ws.receive() is already waiting in another task: read a websocket from one task at a time");
        try
        {
            var read = ReadMessageAsync(socket, cancel);
            _receive = read;
            return await read.ConfigureAwait(false);
        }
        finally { Volatile.Write(ref _receiving, 0); }
    }

    private async Task<object> ReadMessageAsync(System.Net.WebSockets.WebSocket socket, CancellationToken cancel)
    {
        if (socket.State != WebSocketState.Open) throw Gone(socket);
        var max = limits.MaxMessageBytes;
        var filled = 0;
        while (true)
        {
            if (filled == _buffer.Length) Array.Resize(ref _buffer, (int)Math.Min(max + 1L, _buffer.Length * 2L));
            ValueWebSocketReceiveResult r;
            try { r = await socket.ReceiveAsync(_buffer.AsMemory(filled), cancel).ConfigureAwait(false); }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException) { throw Gone(socket); }
            if (r.MessageType == WebSocketMessageType.Close)
            {
                var code = socket.CloseStatus is { } s ? (int)s : 1005;
                var reason = socket.CloseStatusDescription ?? "";
                await CloseOutputQuietly(socket, code == 1005 ? 1000 : code, "").ConfigureAwait(false); // the closing handshake's reply
                throw new WebSocketClosedException(code, reason);
            }
            filled += r.Count;
            if (filled > max)
            {
                await CloseOutputQuietly(socket, 1009, "message too big").ConfigureAwait(false);
                throw new WebSocketClosedException(1009, $"a message passed max_message_bytes ({max})");
            }
            if (!r.EndOfMessage) continue;
            Telemetry.SiphonMetrics.WebSocketMessage(route, incoming: true);
            // A binary message is handed over as a view of the buffer, not a copy: it is converted to
            // Python bytes when the Task completes, before the script can ask for the next message.
            return r.MessageType == WebSocketMessageType.Text
                ? Encoding.UTF8.GetString(_buffer, 0, filled)
                : new ReadOnlyMemory<byte>(_buffer, 0, filled);
        }
    }

    /// <summary>Sends one whole message; completes when the socket has taken it.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> data, bool text, CancellationToken cancel)
    {
        var socket = _socket ?? throw new ScriptError("RuntimeError", "ws.send() before ws.accept()");
        await _sendLock.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            if (socket.State != WebSocketState.Open) throw Gone(socket);
            await socket.SendAsync(data, text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, true, cancel).ConfigureAwait(false);
            Telemetry.SiphonMetrics.WebSocketMessage(route, incoming: false);
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException) { throw Gone(socket); }
        finally { _sendLock.Release(); }
    }

    /// <summary>ws.close(): before accept it refuses the upgrade (the client gets 403); after, it
    /// sends the close frame (the peer's reply is awaited by the host once the handler ends).</summary>
    public async Task CloseAsync(int code, string reason)
    {
        if (code != 1000 && code is not (>= 3000 and <= 4999) && code is not (>= 1001 and <= 1014) || code is 1004 or 1005 or 1006)
            throw new ArgumentException($"ws.close(code={code}): a close code is 1000, 1001-1003, 1007-1014 or 3000-4999");
        if (Encoding.UTF8.GetByteCount(reason) > 123)
            throw new ArgumentException("ws.close(reason=...): at most 123 bytes of UTF-8 fit in a close frame");
        if (_socket is not { } socket)
        {
            if (!TryRefuse()) throw new ScriptError("RuntimeError", "ws.close() while ws.accept() is under way: await accept() first");
            return;
        }
        await _sendLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await CloseOutputQuietly(socket, code, reason).ConfigureAwait(false);
        }
        finally { _sendLock.Release(); }
    }

    /// <summary>After the handler ended (Kestrel side): closes with <paramref name="code"/> unless the
    /// socket is closed already, then waits up to <paramref name="grace"/> for the peer's close frame.</summary>
    public async Task FinishAsync(int code, TimeSpan grace)
    {
        if (_socket is not { } socket) return;
        try
        {
            using var timeout = new CancellationTokenSource(grace);
            await _sendLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                    await socket.CloseOutputAsync((WebSocketCloseStatus)code, "", timeout.Token).ConfigureAwait(false);
            }
            finally { _sendLock.Release(); }
            if (_receive is { IsCompleted: false } inFlight)
                await inFlight.WaitAsync(timeout.Token).ConfigureAwait(false);
            var scratch = new byte[256];
            while (socket.State == WebSocketState.CloseSent)
                await socket.ReceiveAsync(scratch.AsMemory(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception) { } // peer gone or too slow: the connection is dropped with the request
        finally
        {
            if (s_open.TryRemove(this, out _)) Telemetry.SiphonMetrics.WebSocketOpened(route, -1);
            socket.Dispose();
        }
    }

    private static async Task CloseOutputQuietly(System.Net.WebSockets.WebSocket socket, int code, string reason)
    {
        try { await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, CancellationToken.None).ConfigureAwait(false); }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException) { }
    }

    private static WebSocketClosedException Gone(System.Net.WebSockets.WebSocket socket) =>
        new(socket.CloseStatus is { } s ? (int)s : 1006, socket.CloseStatusDescription ?? "");
}

/// <summary>Surfaces in Python as siphon.http.WebSocketDisconnect with .code and .reason.</summary>
public sealed class WebSocketClosedException(int code, string reason)
    : Exception(reason.Length > 0 ? $"{code} {reason}" : code.ToString(System.Globalization.CultureInfo.InvariantCulture)), Python.IPyRaisable
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public string PyModule => "siphon.http";
    public string PyTypeName => "WebSocketDisconnect";

    public void Decorate(nint exception)
    {
        using var code = Python.PyOwned.Adopt(Python.PyConvert.ToPy(Code));
        using var reason = Python.PyOwned.Adopt(Python.PyConvert.ToPy(Reason));
        Python.PyObjects.SetAttr(exception, "code", code.Handle);
        Python.PyObjects.SetAttr(exception, "reason", reason.Handle);
    }
}
