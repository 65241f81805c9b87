// Kestrel with one endpoint per `servers:` entry. Every endpoint speaks HTTP/1.1 and HTTP/2:
// ALPN on TLS, and on cleartext HTTP/1.1 and prior-knowledge h2c on one socket (CleartextTransport). A connection
// middleware tags each connection with its Listener so limits apply per socket.
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Hosting;

public sealed class HttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(Listener Listener, ListenOptions Options)> _endpoints = [];

    public IReadOnlyList<Listener> Listeners => _endpoints.Select(e => e.Listener).Distinct().ToList();

    public HttpServer(SiphonConfig config, WorkerPool workers, ILoggerFactory loggers, bool accessLog)
    {
        // TLS files are read before anything binds, so a bad one stops start-up whole.
        var tls = config.Servers.Select((s, i) => s.Tls is null ? null : TlsSetup.Load(s.Tls, $"servers[{i}]")).ToList();

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton<IHostLifetime, HostLifetime>(); // the CLI owns SIGTERM/SIGINT
        builder.WebHost.UseKestrelCore();
        if (ReusePort.Enabled) // TLS listeners use Kestrel's own socket transport
            builder.WebHost.UseSockets(o => o.CreateBoundListenSocket = ReusePort.CreateBoundSocket);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = config.Servers.Max(s => s.MaxBodyBytes); // lowered per request
            for (var i = 0; i < config.Servers.Count; i++)
            {
                var server = config.Servers[i];
                var listener = new Listener(i, server);
                var tlsSetup = tls[i];
                if (tlsSetup is not null)
                {
                    k.Listen(server.Listen.ToIPEndPoint(), o =>
                    {
                        o.Protocols = HttpProtocols.Http1AndHttp2; // chosen by ALPN
                        Tag(o, listener);
                        o.UseHttps(tlsSetup.Apply);
                        _endpoints.Add((listener, o));
                    });
                    continue;
                }
                // Cleartext: one socket, two endpoints (see CleartextTransport).
                foreach (var protocol in new[] { HttpProtocols.Http1, HttpProtocols.Http2 })
                    k.Listen(new CleartextEndPoint(i, server.Listen.ToIPEndPoint(), protocol), o =>
                    {
                        o.Protocols = protocol;
                        Tag(o, listener);
                        _endpoints.Add((listener, o));
                    });
            }
        });
        builder.Services.AddSingleton<IConnectionListenerFactory>(sp => new CleartextTransport(loggers));
        _app = builder.Build();
        var handler = new RequestHandler(workers, loggers, accessLog);
        _app.Run(handler.HandleAsync);
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
        await _app.StartAsync();
        foreach (var (listener, options) in _endpoints)
            listener.BoundEndPoint = options.EndPoint is CleartextEndPoint c ? c.Socket : options.EndPoint;
    }

    /// <summary>Stops accepting and lets in-flight requests finish until <paramref name="grace"/> ends.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        using var cts = new CancellationTokenSource(grace);
        await _app.StopAsync(cts.Token);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private sealed class HostLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
