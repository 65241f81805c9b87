// Entry point: parses the command line, then for `run`: config → Python → workers (script loaded,
// startup hooks done) → listeners → wait for SIGTERM/SIGINT → drain → shutdown hooks → exit.
// workers: N runs as N processes under a Supervisor (worker_mode: processes, the default) or as N
// interpreters in this process (worker_mode: interpreters, CPython 3.13+; see WorkerPool).
// Nothing binds until the config, the TLS files and the script have all loaded cleanly (in
// processes mode: in every worker, StartGate).
// Once serving, SIGHUP (and with reload: true / --reload a changed file) reloads the script and
// http.yaml's live settings (ScriptReloader); in processes mode each worker process does so itself.
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Cli;
using Siphon.Runtime.Config;
using Siphon.Runtime.Hosting.Admin;
using Siphon.Runtime.Hosting.Dispatch;
using Siphon.Runtime.Hosting.Supervision;
using Siphon.Runtime.Hosting.Transport;
using Siphon.Runtime.Python;
using Siphon.Runtime.Routing;
using Siphon.Runtime.Telemetry;

namespace Siphon.Runtime;

public static class Program
{
    public static string Version => ProductVersion.Current;

    public static async Task<int> Main(string[] args)
    {
        CommandLine cli;
        try { cli = CommandLine.Parse(args); }
        catch (UsageException e)
        {
            Console.Error.WriteLine($"siphon: {e.Message}\n\n{CommandLine.Usage}");
            return 2;
        }
        switch (cli.Command)
        {
            case "version":
                Console.WriteLine($"siphon {Version}");
                return 0;
            case "help":
                Console.WriteLine(CommandLine.Usage);
                return 0;
            case "stubs":
                if (cli.ConfigPath is { } stubsConfig) // the extensions it names get stubs too
                {
                    try
                    {
                        Extensions.ExtensionLoader.Load(ConfigLoader.Load(stubsConfig).Extensions);
                    }
                    catch (Exception e) when (e is ConfigException or Extensions.ExtensionException)
                    {
                        Console.Error.WriteLine($"siphon: error: {(e is Extensions.ExtensionException ? stubsConfig + ": " : "")}{e.Message}");
                        return 2;
                    }
                }
                return Stubs.StubWriter.WriteCommand(cli.OutDir!);
            default:
                return await RunAsync(cli, args);
        }
    }

    private static async Task<int> RunAsync(CommandLine cli, string[] args)
    {
        SiphonConfig config;
        try
        {
            config = LoadConfig(cli);
        }
        catch (Exception e) when (e is ConfigException or FormatException)
        {
            Console.Error.WriteLine($"siphon: error: {e.Message}");
            return 2;
        }
        if (!File.Exists(cli.Script))
        {
            Console.Error.WriteLine($"siphon: error: {cli.Script}: no such script");
            return 1;
        }
        var workerIndex = Environment.GetEnvironmentVariable(Supervisor.IndexVariable);
        var interpreters = config.Workers > 1 && config.WorkerMode == WorkerMode.Interpreters && workerIndex is null;
        if (config.Workers > 1 && workerIndex is null && !interpreters)
        {
            foreach (var c in config.Caches.Where(c => c.Redis is null))
                Console.Error.WriteLine($"siphon: warning: {config.SourcePath}: cache '{c.Name}' is an embedded store and " +
                    $"{config.Workers} workers run as processes: each process has its own store, so the workers do not share it " +
                    "(give it a url: redis://... to share, or use worker_mode: interpreters)");
            return await new Supervisor(config, args).RunAsync();
        }
        if (workerIndex is not null) ReusePort.Enabled = true; // a worker process of a supervisor: share its ports
        config = ForThisProcess(config);
        WorkerLog.Configure(int.TryParse(workerIndex, out var processWorker) ? processWorker : null, interpreters);
        // Start-up work that overlaps (bench/startup.sh): asking a python executable for its
        // libpython runs beside the logging and admin set-up.
        var locating = Task.Run(() => PythonLocator.Locate(config.Python, config.SourcePath, cli.Python));

        using var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            // Its only messages are per-request Information/Debug lines, and while it is enabled at
            // all ASP.NET creates an Activity and a logging scope for every request (measurable here).
            .AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None)
            .AddSiphonConsole(config.LogFormat));
        var log = loggers.CreateLogger("siphon");

        // Spans of the serving listeners' requests (not the admin listener's) and of http.Client calls;
        // disposed when the run ends (after the workers have stopped), which sends what is still queued.
        using var tracing = Tracing.Start(config.Tracing,
            static ctx => ctx.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items.ContainsKey(Listener.ItemKey) == true,
            workerIndex);

        try
        {
            Extensions.ExtensionLoader.Load(config.Extensions); // their types registered before any interpreter starts
        }
        catch (Extensions.ExtensionException e)
        {
            Console.Error.WriteLine($"siphon: error: {config.SourcePath}: {e.Message}");
            return 2;
        }

        AdminHost? admin; // /metrics, /livez, /readyz: up before the workers start, down after they stop
        try
        {
            admin = await AdminHost.StartAsync(config, workerIndex is not null, loggers);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"siphon: error: cannot listen on admin.listen: {e.Message}");
            return 1;
        }
        await using var adminScope = admin;

        try
        {
            Http.ClientPool.Configure(config.Clients);
            Cache.CacheNamespace.Configure(config.Caches, loggers.CreateLogger("siphon.cache"), metered: admin is not null);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"siphon: error: {config.SourcePath}: {e.Message}");
            return 2;
        }

        WorkerPool? started = null;
        try
        {
            var install = await locating;
            if (interpreters && WorkerPool.Refusal(install) is { } refusal)
            {
                Fail(refusal);
                return 2;
            }
            var prewarm = Startup.KestrelPrewarm.Start(); // beside CPython's start, off the path before it
            var workers = new WorkerPool(install, cli.Script!, loggers, interpreters ? config.Workers : 1, SyncPoolOptions.From(config));
            await workers.StartAsync();
            started = workers;
            admin?.WorkersStarted(workers);
            log.LogInformation("{Python}", install);
            // processes mode: bind only once every worker has loaded (the supervisor says when).
            if (workerIndex is not null && !await StartGate.LoadedAsync())
                return await workers.StopAsync() == 0 ? 0 : 1;

            await prewarm;
            await using var server = new HttpServer(config, workers, loggers, cli.AccessLog ?? config.AccessLog);
            try
            {
                await server.StartAsync();
            }
            catch (IOException e)
            {
                Fail($"cannot listen: {e.Message}");
                await workers.StopAsync();
                return 1;
            }
            if (workerIndex is null)
                foreach (var l in server.Listeners)
                    Console.Out.WriteLine($"siphon: listening on {l.Url}{(interpreters ? $" ({config.Workers} workers, interpreters)" : "")}");

            await using var reloader = new ScriptReloader(workers, server.Listeners, config, () => ForThisProcess(LoadConfig(cli)), loggers);
            reloader.Start(watch: cli.Reload ?? config.Reload);
            // Ready (a supervisor's worker: ready for the supervisor, which prints the ready line)
            // once a file change made from now on would be reloaded, too.
            Console.Out.WriteLine(workerIndex is null ? StartupLines.Ready : Supervisor.ReadyLine);
            Console.Out.Flush();
            admin?.Ready(); // after the listening and ready lines: a probe that sees ready finds them printed

            var stop = new TaskCompletionSource<PosixSignal>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(c.Signal); });
            using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(c.Signal); });
            var signal = await stop.Task;
            admin?.Draining();
            await reloader.DisposeAsync(); // no reload once draining has begun
            var grace = reloader.Config.ShutdownGraceMs;
            log.LogInformation("{Signal}: draining for up to {Grace} ms", signal, grace);
            await server.StopAsync(TimeSpan.FromMilliseconds(grace));
            var rc = await workers.StopAsync();
            log.LogInformation("stopped");
            return rc == 0 ? 0 : 1;
        }
        catch (Exception e) when (e is PythonNotFoundException or PythonInitException or ScriptLoadException or PythonException or TlsConfigException or RouteTableException
                                       or Extensions.ExtensionException)
        {
            Fail(e is Extensions.ExtensionException ? $"{config.SourcePath}: {e.Message}" : e.Message);
            // A pool that failed to start has stopped its workers already; one that started (a bad
            // TLS file is found after the script loaded) runs its on_shutdown hooks and finalises.
            if (started is not null) await started.StopAsync();
            return e is TlsConfigException or Extensions.ExtensionException ? 2 : 1;
        }

        void Fail(string message)
        {
            loggers.Dispose(); // flush queued log lines before the error
            Console.Error.WriteLine($"siphon: error: {message}");
        }
    }

    /// <summary>In a worker process of a supervisor, the listeners on the ports it reserved (port 0
    /// resolved); elsewhere the config as it is.</summary>
    private static SiphonConfig ForThisProcess(SiphonConfig config)
    {
        if (Environment.GetEnvironmentVariable(Supervisor.IndexVariable) is null) return config;
        var ports = (Environment.GetEnvironmentVariable(Supervisor.PortsVariable) ?? "").Split(',');
        return config with
        {
            Servers = config.Servers.Select((s, i) => i < ports.Length && int.TryParse(ports[i], out var port)
                ? s with { Listen = new ListenEndpoint(s.Listen.Host, port) } : s).ToList(),
        };
    }

    internal static SiphonConfig LoadConfig(CommandLine cli)
    {
        var path = cli.ConfigPath ?? (File.Exists("http.yaml") ? "http.yaml" : null);
        var config = path is null ? SiphonConfig.Default : ConfigLoader.Load(path);
        if (cli.Listen.Count > 0)
        {
            var template = config.Servers[0] with { Tls = null };
            config = config with { Servers = cli.Listen.Select(l => template with { Listen = ListenEndpoint.Parse(l) }).ToList() };
        }
        if (cli.Workers is { } w) config = config with { Workers = w };
        if (cli.WorkerMode is { } mode) config = config with { WorkerMode = mode };
        return config;
    }
}
