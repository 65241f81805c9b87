// `workers: N` as N processes: this process starts N copies of itself, one per worker, that bind
// the same ports with SO_REUSEPORT (the kernel spreads connections across them); each has its own
// interpreter, so module globals are per worker. Port 0 is resolved here first (a reserved socket
// holds the port for the children), output is relayed, no worker binds until every worker has
// loaded its script and run its on_startup hooks (StartGate), the listening lines are printed once all
// workers are ready, and SIGTERM/SIGINT and SIGHUP (reload) are forwarded; with live reload each
// worker process watches the files itself. A worker that dies while serving is
// restarted (at most 5 times a minute); one that fails at start-up stops them all.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Siphon.Runtime.Config;
using Siphon.Runtime.Native;
using Siphon.Runtime.Hosting.Transport;
using Siphon.Runtime.Hosting.Admin;

namespace Siphon.Runtime.Hosting.Supervision;

internal sealed partial class Supervisor(SiphonConfig config, string[] args)
{
    public const string IndexVariable = "SIPHON_WORKER_INDEX", PortsVariable = "SIPHON_WORKER_PORTS", ReadyLine = "siphon: worker ready";
    private readonly List<Socket> _reserved = [];
    private readonly Process?[] _children = new Process?[config.Workers];
    private readonly TaskCompletionSource<int>[] _ready = Enumerable.Range(0, config.Workers).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
    private readonly TaskCompletionSource<int>[] _loaded = Enumerable.Range(0, config.Workers).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
    private volatile bool _released; // every worker has loaded and was told to bind
    private readonly Queue<DateTime> _restarts = new();
    private volatile bool _stopping;
    private string _ports = "";

    public async Task<int> RunAsync()
    {
        try
        {
            _ports = string.Join(",", config.Servers.Select(s => Reserve(s.Listen)));
        }
        catch (SocketException e)
        {
            Console.Error.WriteLine($"siphon: error: cannot listen: {e.Message}");
            return 1;
        }
        AdminServer? admin;
        try
        {
            admin = await StartAdminAsync();
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"siphon: error: cannot listen on admin.listen: {e.Message}");
            foreach (var s in _reserved) s.Dispose();
            return 1;
        }
        await using var adminScope = admin; // stays up until the workers have exited
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var hup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c =>
        {
            c.Cancel = true;
            // Only to workers that are serving: one still starting has no SIGHUP handler yet.
            for (var i = 0; i < _children.Length; i++)
                if (_children[i] is { HasExited: false } child && _ready[i].Task is { IsCompletedSuccessfully: true, Result: 0 })
                    Libc.Kill(child.Id, 1);
        });

        for (var i = 0; i < config.Workers; i++) Spawn(i);
        // Every worker loads first (script, on_startup); only then may any of them bind.
        var loaded = StartGate.AllOrFirstFailure(_loaded.Select(r => r.Task));
        var startup = loaded;
        if (await Task.WhenAny(loaded, stop.Task) == loaded && loaded.Result == 0)
        {
            _released = true;
            for (var i = 0; i < _children.Length; i++) Go(i);
            startup = StartGate.AllOrFirstFailure(_ready.Select(r => r.Task));
            await Task.WhenAny(startup, stop.Task);
        }
        if (startup.IsCompleted && startup.Result == 0)
        {
            var ports = _ports.Split(',');
            for (var i = 0; i < config.Servers.Count; i++)
            {
                var s = config.Servers[i];
                var host = s.Listen.Host.Contains(':') ? $"[{s.Listen.Host}]" : s.Listen.Host;
                Console.Out.WriteLine($"siphon: listening on {(s.Tls is null ? "http" : "https")}://{host}:{ports[i]} ({config.Workers} workers)");
            }
            Console.Out.WriteLine(StartupLines.Ready);
            Console.Out.Flush();
            await stop.Task;
        }
        _stopping = true;
        var failed = loaded.IsCompleted && loaded.Result != 0 ? loaded.Result : startup.IsCompleted ? startup.Result : 0;
        foreach (var c in _children)
            if (c is { HasExited: false }) Libc.Kill(c.Id, 15);
        var codes = new List<int>();
        foreach (var c in _children)
        {
            if (c is null) continue;
            await c.WaitForExitAsync();
            c.WaitForExit(); // flush relayed output
            codes.Add(c.ExitCode);
        }
        foreach (var s in _reserved) s.Dispose();
        return failed != 0 ? failed : codes.Any(rc => rc != 0) ? 1 : 0;
    }

    // Resolves port 0 to a concrete port every worker can bind (the reserved socket is bound, not
    // listening, so it takes no connections).
    private int Reserve(ListenEndpoint listen)
    {
        var endpoint = listen.ToIPEndPoint();
        var socket = ReusePort.CreateBoundSocket(endpoint);
        _reserved.Add(socket);
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private void Spawn(int index)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        var self = Environment.GetCommandLineArgs()[0];
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(self);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment[IndexVariable] = index.ToString();
        psi.Environment[PortsVariable] = _ports;
        var child = Process.Start(psi)!;
        _children[index] = child;
        var ready = _ready[index];
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null || OnWorkerLine(index, e.Data)) return;
            if (e.Data == StartGate.LoadedLine)
            {
                _loaded[index].TrySetResult(0);
                if (_released) Go(index); // a restarted worker: the others are serving already
            }
            else if (e.Data == ReadyLine) ready.TrySetResult(0);
            else Console.Out.WriteLine(e.Data);
        };
        child.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        child.EnableRaisingEvents = true;
        child.Exited += (_, _) => OnExit(index, child);
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
    }

    /// <summary>Tells worker <paramref name="index"/> to bind (StartGate).</summary>
    private void Go(int index)
    {
        var child = _children[index];
        if (child is null) return;
        try
        {
            lock (child)
            {
                child.StandardInput.WriteLine(StartGate.GoLine);
                child.StandardInput.Flush();
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException) { } // it exited meanwhile: OnExit handles it
    }

    private void OnExit(int index, Process child)
    {
        child.WaitForExit();
        OnWorkerExit(index);
        _loaded[index].TrySetResult(child.ExitCode == 0 ? 1 : child.ExitCode); // died before loading
        if (_ready[index].TrySetResult(child.ExitCode == 0 ? 1 : child.ExitCode)) return; // died before ready
        if (_stopping) return;
        lock (_restarts)
        {
            while (_restarts.Count > 0 && DateTime.UtcNow - _restarts.Peek() > TimeSpan.FromMinutes(1)) _restarts.Dequeue();
            if (_restarts.Count >= 5)
            {
                Console.Error.WriteLine($"siphon: error: worker {index} exited ({child.ExitCode}); too many restarts, not restarting");
                _gaveUp = true;
                return;
            }
            _restarts.Enqueue(DateTime.UtcNow);
        }
        Console.Error.WriteLine($"siphon: worker {index} (pid {child.Id}) exited ({child.ExitCode}); restarting it");
        Spawn(index);
    }
}
