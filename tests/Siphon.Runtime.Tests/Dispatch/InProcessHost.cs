using System.Text;
using Microsoft.Extensions.Logging;
using Siphon.Runtime.Config;
using Siphon.Runtime.Hosting.Dispatch;
using Siphon.Runtime.Hosting.Transport;
using Siphon.Runtime.Tests.EndToEnd;
using Siphon.Runtime.Tests.Interop;

namespace Siphon.Runtime.Tests.Dispatch;

/// <summary>The host's request path in the test process, as Kestrel's in-memory functional tests
/// run theirs: a real <see cref="WorkerPool"/> (the test process's one CPython, the script loaded
/// as `siphon run` loads it) behind a real <see cref="HttpServer"/> on a loopback port, with no
/// process to start. CPython stays initialised when it stops (the other in-process tests use it),
/// so its classes join the "python" collection: one at a time with them.</summary>
public sealed class InProcessHost : IAsyncDisposable
{
    private readonly TempDir _dir;
    private readonly WorkerPool _workers;
    private readonly HttpServer _server;
    private readonly CapturedLog _log;

    private InProcessHost(TempDir dir, WorkerPool workers, HttpServer server, CapturedLog log) =>
        (_dir, _workers, _server, _log) = (dir, workers, server, log);

    public string Url => _server.Listeners[0].Url;

    /// <summary>The one worker (its counters: requests run on Kestrel threads).</summary>
    public Worker Worker => _workers.Workers[0];

    /// <summary>Every line logged so far (the host's and the script's <c>log.*</c>), one per line.</summary>
    public string Log => _log.Text;

    /// <summary>Loads <paramref name="script"/> with <paramref name="yaml"/> as its http.yaml (listening
    /// on 127.0.0.1:0 when it has no <c>servers:</c>) and starts serving it.</summary>
    public static async Task<InProcessHost> StartAsync(string script, string yaml = "")
    {
        var install = PythonFixture.Ensure();
        var dir = new TempDir();
        var log = new CapturedLog();
        var loggers = LoggerFactory.Create(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Information));
        WorkerPool? workers = null;
        try
        {
            var config = ConfigLoader.Parse(yaml.Contains("servers:") ? yaml : "servers:\n  - listen: \"127.0.0.1:0\"\n" + yaml,
                dir.Write("http.yaml", yaml));
            workers = new WorkerPool(install, dir.Write("app.py", script), loggers, sync: SyncPoolOptions.From(config), finalizePython: false);
            await workers.StartAsync();
            var server = new HttpServer(config, workers, loggers, accessLog: false);
            await server.StartAsync();
            return new InProcessHost(dir, workers, server, log);
        }
        catch
        {
            if (workers is not null) await workers.StopAsync();
            dir.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync(TimeSpan.FromSeconds(5));
        await _server.DisposeAsync();
        Assert.Equal(0, await _workers.StopAsync());
        _dir.Dispose();
    }

    private sealed class CapturedLog : ILoggerProvider
    {
        private readonly StringBuilder _text = new();

        public string Text { get { lock (_text) return _text.ToString(); } }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose() { }

        private sealed class Logger(CapturedLog sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (sink._text) sink._text.Append(logLevel).Append(' ').Append(category).Append(": ").AppendLine(formatter(state, exception));
            }
        }
    }
}
