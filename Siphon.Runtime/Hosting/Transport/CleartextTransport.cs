// HTTP/1.1 and prior-knowledge h2c on one cleartext socket. Kestrel switches HTTP/2 off for a
// cleartext endpoint that also allows HTTP/1.1 (there is no ALPN to choose with), and does so at
// bind time, before any connection middleware runs. So each cleartext listener is two Kestrel
// endpoints, one HTTP/1.1-only and one HTTP/2-only, both fed by this transport: it binds the one
// real socket with Kestrel's own socket transport, and per accepted connection peeks (without
// consuming) at the first bytes: the HTTP/2 connection preface sends it to the HTTP/2 endpoint,
// anything else to the HTTP/1.1 one. Kestrel's own protocol stacks do all the rest.
using System.Buffers;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Siphon.Runtime.Hosting.Transport;

/// <summary>One protocol's half of a cleartext listener's socket.</summary>
internal sealed class CleartextEndPoint(int listener, IPEndPoint socket, HttpProtocols protocol) : EndPoint
{
    public int Listener { get; } = listener;
    public IPEndPoint Socket { get; } = socket;
    public HttpProtocols Protocol { get; } = protocol;
    public override string ToString() => $"{Socket} ({(Protocol == HttpProtocols.Http2 ? "h2c" : "HTTP/1.1")})";
}

internal sealed class CleartextTransport(ILoggerFactory loggers) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly SocketTransportFactory _sockets = new(Options.Create(SocketOptions()), loggers);
    private readonly Dictionary<int, SharedSocket> _shared = [];
    private readonly ILogger _log = loggers.CreateLogger("siphon.transport");

    public bool CanBind(EndPoint endpoint) => endpoint is CleartextEndPoint;

    internal static SocketTransportOptions SocketOptions()
    {
        var options = new SocketTransportOptions();
        if (ReusePort.Enabled) options.CreateBoundListenSocket = ReusePort.CreateBoundSocket;
        return options;
    }

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var ep = (CleartextEndPoint)endpoint;
        SharedSocket shared;
        lock (_shared)
        {
            if (!_shared.TryGetValue(ep.Listener, out shared!))
                _shared[ep.Listener] = shared = new SharedSocket(_log);
        }
        await shared.EnsureBoundAsync(_sockets, ep.Socket, cancellationToken);
        return shared.Half(ep.Protocol, ep.Listener);
    }

    private sealed class SharedSocket(ILogger log)
    {
        private static readonly byte[] s_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
        private readonly SemaphoreSlim _bindLock = new(1, 1);
        private readonly Channel<ConnectionContext> _http1 = Channel.CreateUnbounded<ConnectionContext>();
        private readonly Channel<ConnectionContext> _http2 = Channel.CreateUnbounded<ConnectionContext>();
        private IConnectionListener? _socket;
        private int _open;

        public async Task EnsureBoundAsync(SocketTransportFactory sockets, IPEndPoint endpoint, CancellationToken ct)
        {
            await _bindLock.WaitAsync(ct);
            try
            {
                if (_socket is not null) return;
                _socket = await sockets.BindAsync(endpoint, ct);
                _ = AcceptLoop(_socket);
            }
            finally { _bindLock.Release(); }
        }

        public IConnectionListener Half(HttpProtocols protocol, int listener)
        {
            Interlocked.Increment(ref _open);
            var bound = (IPEndPoint)_socket!.EndPoint;
            return new HalfListener(this, protocol == HttpProtocols.Http2 ? _http2 : _http1, new CleartextEndPoint(listener, bound, protocol));
        }

        private async Task AcceptLoop(IConnectionListener socket)
        {
            while (true)
            {
                ConnectionContext? connection;
                try { connection = await socket.AcceptAsync(); }
                catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException) { break; }
                catch (Exception e)
                {
                    log.LogWarning(e, "accept failed");
                    continue;
                }
                if (connection is null) break; // unbound
                _ = RouteAsync(connection);
            }
            _http1.Writer.TryComplete();
            _http2.Writer.TryComplete();
        }

        private async Task RouteAsync(ConnectionContext connection)
        {
            try
            {
                var isH2 = await StartsWithPrefaceAsync(connection);
                if (!(isH2 ? _http2 : _http1).Writer.TryWrite(connection)) await connection.DisposeAsync();
            }
            catch (Exception e)
            {
                log.LogDebug(e, "connection dropped before its first bytes");
                await connection.DisposeAsync();
            }
        }

        /// <summary>Reads until the first bytes are (or cannot be) the HTTP/2 preface; consumes nothing.</summary>
        private static async Task<bool> StartsWithPrefaceAsync(ConnectionContext connection)
        {
            var input = connection.Transport.Input;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token);
                var buffer = result.Buffer;
                var n = (int)Math.Min(buffer.Length, s_preface.Length);
                var matches = Matches(buffer.Slice(0, n), n);
                if (!matches || n == s_preface.Length || result.IsCompleted)
                {
                    input.AdvanceTo(buffer.Start); // nothing consumed or examined: Kestrel reads it all again
                    return matches && n == s_preface.Length;
                }
                input.AdvanceTo(buffer.Start, buffer.End); // a prefix of the preface so far: wait for more
            }
        }

        private static bool Matches(ReadOnlySequence<byte> head, int n)
        {
            Span<byte> bytes = stackalloc byte[n];
            head.CopyTo(bytes);
            return bytes.SequenceEqual(s_preface.AsSpan(0, n));
        }

        public async ValueTask CloseHalfAsync()
        {
            if (Interlocked.Decrement(ref _open) == 0 && _socket is { } s)
            {
                await s.UnbindAsync();
                await s.DisposeAsync();
            }
        }
    }

    private sealed class HalfListener(SharedSocket shared, Channel<ConnectionContext> connections, EndPoint endpoint) : IConnectionListener
    {
        private int _closed;
        public EndPoint EndPoint { get; } = endpoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await connections.Reader.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => Close();
        public ValueTask DisposeAsync() => Close();

        private ValueTask Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 1) return ValueTask.CompletedTask;
            // Stop handing out connections to this half; the socket closes when both halves have.
            return shared.CloseHalfAsync();
        }
    }
}
