// processes mode's one admin listener, owned by the supervisor (the worker processes bind theirs on
// ephemeral loopback ports and report them on stdout). /readyz: every worker process has reported
// ready (scripts loaded, on_startup run, listeners bound) and no SIGTERM has come; a worker being
// restarted makes it false until it is ready again. /livez: each worker process answers its own
// /livez (its loops turn) — a worker between restarts does not fail it, one the supervisor gave up
// restarting does. /metrics: the workers' scrapes merged, labelled worker="N" (PrometheusMerge).
using System.Net.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Hosting.Admin;

namespace Siphon.Runtime.Hosting.Supervision;

internal sealed partial class Supervisor : IHealth
{
    private static readonly HttpClient Probe = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
    private int[]? _adminPorts;
    private bool[]? _workerReady;
    private volatile bool _gaveUp;

    private async Task<AdminServer?> StartAdminAsync()
    {
        if (config.Admin is not { } admin) return null;
        _adminPorts = new int[config.Workers];
        _workerReady = new bool[config.Workers];
        var server = new AdminServer(admin.Listen, this, LoggerFactory.Create(_ => { }), ServeMetricsAsync);
        await server.StartAsync();
        Console.Out.WriteLine($"siphon: admin listening on {server.Url}");
        return server;
    }

    /// <summary>A line of a worker's stdout that is for the supervisor: true when consumed.</summary>
    private bool OnWorkerLine(int index, string line)
    {
        if (_adminPorts is null) return false;
        if (line.StartsWith(AdminHost.AdminLinePrefix, StringComparison.Ordinal) && int.TryParse(line.AsSpan(AdminHost.AdminLinePrefix.Length), out var port))
        {
            Volatile.Write(ref _adminPorts[index], port);
            return true;
        }
        if (line == ReadyLine) Volatile.Write(ref _workerReady![index], true);
        return false;
    }

    private void OnWorkerExit(int index)
    {
        if (_adminPorts is null) return;
        Volatile.Write(ref _workerReady![index], false);
        Volatile.Write(ref _adminPorts[index], 0);
    }

    Task<(bool Ok, string Text)> IHealth.ReadyAsync()
    {
        if (_stopping) return Task.FromResult((false, "draining\n"));
        for (var i = 0; i < _workerReady!.Length; i++)
            if (!Volatile.Read(ref _workerReady[i])) return Task.FromResult((false, $"worker {i} not ready\n"));
        return Task.FromResult((true, "ready\n"));
    }

    async Task<(bool Ok, string Text)> IHealth.LiveAsync()
    {
        if (_gaveUp) return (false, "a worker exited too often and is not restarted\n");
        for (var i = 0; i < _adminPorts!.Length; i++)
        {
            var port = Volatile.Read(ref _adminPorts[i]);
            if (port == 0) continue; // starting or restarting
            try
            {
                using var r = await Probe.GetAsync($"http://127.0.0.1:{port}/livez");
                if (!r.IsSuccessStatusCode) return (false, $"worker {i}: {(await r.Content.ReadAsStringAsync()).TrimEnd()}\n");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                if (Volatile.Read(ref _adminPorts[i]) == 0) continue; // it exited meanwhile
                return (false, $"worker {i}: no answer from its admin port ({e.Message})\n");
            }
        }
        return (true, "ok\n");
    }

    private async Task ServeMetricsAsync(HttpContext ctx)
    {
        var scrapes = await Task.WhenAll(_adminPorts!.Select(async (port, i) =>
        {
            if (port == 0) return (i, "");
            try { return (i, await Probe.GetStringAsync($"http://127.0.0.1:{port}/metrics")); }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return (i, ""); } // exited meanwhile
        }));
        ctx.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await ctx.Response.WriteAsync(PrometheusMerge.Merge(scrapes));
    }
}
