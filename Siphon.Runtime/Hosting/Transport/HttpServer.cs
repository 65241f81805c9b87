// One Kestrel per `servers:` entry, so each listener has its own connection limits (Kestrel's
// limits are per server, not per endpoint: header size and timeout, keep-alive, max connections,
// body size). Every listener speaks HTTP/1.1 and HTTP/2: ALPN on TLS, and on cleartext HTTP/1.1
// and prior-knowledge h2c on one socket (CleartextTransport). A connection middleware tags each
// connection with its Listener so the request path finds its body cap and timeout.
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Config;
using Siphon.Runtime.Hosting.Dispatch;

namespace Siphon.Runtime.Hosting.Transport;

public sealed class HttpServer : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private readonly List<(Listener Listener, ListenOptions Options)> _endpoints = [];

    public IReadOnlyList<Listener> Listeners => _endpoints.Select(e => e.Listener).Distinct().ToList();

    public HttpServer(SiphonConfig config, WorkerPool workers, ILoggerFactory loggers, bool accessLog)
    {
        // TLS files are read before anything binds, so a bad one stops start-up whole.
        var tls = config.Servers.Select((s, i) => s.Tls is null ? null : TlsSetup.Load(s.Tls, $"servers[{i}]")).ToList();
        var handler = new RequestHandler(workers, loggers, accessLog);
        for (var i = 0; i < config.Servers.Count; i++)
        {
            var app = Build(new Listener(i, config.Servers[i]), tls[i], loggers);
            app.UseWebSockets(); // the upgrade itself; @http.websocket routes accept through it (RequestHandler.WebSocket.cs)
            app.Run(handler.HandleAsync);
            _apps.Add(app);
        }
    }

    private WebApplication Build(Listener listener, TlsSetup? tlsSetup, ILoggerFactory loggers)
    {
        var server = listener.Config;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton<IHostLifetime, HostLifetime>(); // the CLI owns SIGTERM/SIGINT
        builder.WebHost.UseKestrelCore();
        if (ReusePort.Enabled) // TLS listeners use Kestrel's own socket transport
            builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ReusePort.CreateBoundSocket);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = server.MaxBodyBytes; // lowered per request
            k.Limits.MaxRequestHeadersTotalSize = server.MaxHeaderBytes;
            k.Limits.Http2.MaxRequestHeaderFieldSize = server.MaxHeaderBytes; // one HPACK field may be as big as all headers
            k.Limits.RequestHeadersTimeout = TimeSpan.FromMilliseconds(server.HeaderTimeoutMs);
            k.Limits.KeepAliveTimeout = TimeSpan.FromMilliseconds(server.KeepAliveTimeoutMs);
            k.Limits.MaxConcurrentConnections = server.MaxConnections;
            k.Limits.MaxConcurrentUpgradedConnections = server.MaxConnections;
            if (tlsSetup is not null)
            {
                k.Listen(server.Listen.ToIPEndPoint(), o =>
                {
                    o.Protocols = HttpProtocols.Http1AndHttp2; // chosen by ALPN
                    Tag(o, listener);
                    o.UseHttps(tlsSetup.Apply);
                    _endpoints.Add((listener, o));
                });
                return;
            }
            // Cleartext: one socket, two endpoints (see CleartextTransport).
            foreach (var protocol in new[] { HttpProtocols.Http1, HttpProtocols.Http2 })
                k.Listen(new CleartextEndPoint(listener.Index, server.Listen.ToIPEndPoint(), protocol), o =>
                {
                    o.Protocols = protocol;
                    Tag(o, listener);
                    _endpoints.Add((listener, o));
                });
        });
        builder.Services.AddSingleton<IConnectionListenerFactory>(sp => new CleartextTransport(loggers));
        return builder.Build();
    }

    private static void Tag(ListenOptions o, Listener listener) =>
        o.Use(next => connection =>
        {
            connection.Items[Listener.ItemKey] = listener;
            return next(connection);
        });

    /// <summary>Binds and starts accepting. A port in use surfaces as IOException.</summary>
    public async Task StartAsync()
    {
        foreach (var app in _apps) await app.StartAsync();
        foreach (var (listener, options) in _endpoints)
            listener.BoundEndPoint = options.EndPoint is CleartextEndPoint c ? c.Socket : options.EndPoint;
    }

    /// <summary>Stops accepting on every listener and lets in-flight requests finish until <paramref name="grace"/> ends.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        using var cts = new CancellationTokenSource(grace);
        var stopping = Task.WhenAll(_apps.Select(a => a.StopAsync(cts.Token)));
        // Open websockets are told at once (1001), so their handlers end within the grace period.
        try { await Http.WebSocketSession.GoingAwayAsync().WaitAsync(cts.Token); }
        catch (OperationCanceledException) { } // a send stuck on a peer that does not read: Kestrel drops it at the deadline
        await stopping;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in _apps) await app.DisposeAsync();
    }

    private sealed class HostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
