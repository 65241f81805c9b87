// The admin side of one serving process, as Program drives it: started before the workers (so
// /readyz answers "starting" while scripts load), told when the workers are up, when the
// listeners are bound and when the drain begins, and disposed last. A worker process of the
// supervisor binds it on an ephemeral loopback port and tells the supervisor the port on stdout
// (AdminLinePrefix); the supervisor's own admin listener is the public one.
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Config;
using Siphon.Runtime.Telemetry;
using Siphon.Runtime.Hosting.Dispatch;

namespace Siphon.Runtime.Hosting.Admin;

internal sealed class AdminHost : IAsyncDisposable
{
    public const string AdminLinePrefix = "siphon: worker admin ";

    private readonly AdminServer _server;
    private readonly Health _health;

    private AdminHost(AdminServer server, Health health) => (_server, _health) = (server, health);

    /// <summary>Starts the admin listener this process should have, or returns null when it has none.
    /// A port in use surfaces as IOException.</summary>
    public static async Task<AdminHost?> StartAsync(SiphonConfig config, bool supervisedWorker, ILoggerFactory loggers)
    {
        if (config.Admin is not { } admin) return null;
        var listen = supervisedWorker ? new ListenEndpoint("127.0.0.1", 0) : admin.Listen;
        var health = new Health(admin.StallAfterMs);
        var server = new AdminServer(listen, health, loggers);
        await server.StartAsync();
        if (supervisedWorker) Console.Out.WriteLine($"{AdminLinePrefix}{server.EndPoint!.Port}");
        else Console.Out.WriteLine($"siphon: admin listening on {server.Url}");
        Console.Out.Flush();
        return new AdminHost(server, health);
    }

    /// <summary>Every worker has run on_startup: publish their gauges and watch their loops.</summary>
    public void WorkersStarted(WorkerPool workers)
    {
        SiphonMetrics.Observe(workers.Workers);
        _health.Watch(workers);
    }

    public void Ready() => _health.MarkReady();

    public void Draining() => _health.MarkDraining();

    public async ValueTask DisposeAsync()
    {
        _health.Dispose();
        await _server.DisposeAsync();
    }
}
