// The admin listener (http.yaml `admin:`): GET /metrics (Prometheus text), /livez and /readyz, on
// a Kestrel of its own so it never shares a socket, limits or a request path with the serving
// listeners, and so it stays up through the drain until the process exits. In a single process
// (or a worker process of the supervisor, on an ephemeral loopback port) /metrics is
// OpenTelemetry's Prometheus exporter over the "Siphon" meter, Kestrel's meter and the runtime's;
// under the supervisor it is the merge of the worker processes' scrapes (SupervisorAdmin).
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Siphon.Runtime.Config;
using Siphon.Runtime.Telemetry;

namespace Siphon.Runtime.Hosting.Admin;

internal sealed class AdminServer : IAsyncDisposable
{
    /// <summary>The meters /metrics exports in a serving process.</summary>
    internal static readonly string[] Meters = [SiphonMetrics.MeterName, "Microsoft.AspNetCore.Server.Kestrel", "System.Runtime"];

    private readonly WebApplication _app;

    /// <param name="metrics">null: this process's own meters (OpenTelemetry); otherwise what answers GET /metrics.</param>
    public AdminServer(ListenEndpoint listen, IHealth health, ILoggerFactory loggers, Func<HttpContext, Task>? metrics = null)
    {
        _listen = listen;
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton<IHostLifetime, NoLifetime>(); // the CLI owns SIGTERM/SIGINT
        builder.WebHost.UseKestrelCore().UseSockets();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(listen.ToIPEndPoint());
        });
        if (metrics is null)
            builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(Meters)
                // Every scrape sees the counts of that moment (the default caches a scrape for 300 ms).
                .AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));
        _app = builder.Build();
        if (metrics is null) _app.UseOpenTelemetryPrometheusScrapingEndpoint("/metrics");
        _app.Run(ctx => ctx.Request.Path.Value switch
        {
            "/livez" => Answer(ctx, health.LiveAsync()),
            "/readyz" => Answer(ctx, health.ReadyAsync()),
            "/metrics" when metrics is not null => metrics(ctx),
            _ => Text(ctx, 404, "not found: the admin listener serves /metrics, /livez and /readyz\n"),
        });
    }

    private readonly ListenEndpoint _listen;

    /// <summary>The bound address (port 0 resolved), once started.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>http://HOST:PORT as configured, with the bound port, once started.</summary>
    public string Url => $"http://{(_listen.Host.Contains(':') ? $"[{_listen.Host}]" : _listen.Host)}:{EndPoint!.Port}";

    /// <summary>Binds; a port in use surfaces as IOException.</summary>
    public async Task StartAsync()
    {
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"));
        EndPoint = new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
    }

    private static async Task Answer(HttpContext ctx, Task<(bool Ok, string Text)> check)
    {
        var (ok, text) = await check;
        await Text(ctx, ok ? 200 : 503, text);
    }

    private static Task Text(HttpContext ctx, int status, string text)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-store";
        return ctx.Response.WriteAsync(text);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try { await _app.StopAsync(cts.Token); } catch (OperationCanceledException) { }
        await _app.DisposeAsync();
    }

    private sealed class NoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
