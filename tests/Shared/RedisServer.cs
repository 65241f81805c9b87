using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Siphon.Tests.Shared;

/// <summary>A real redis-server (Debian's, installed by scripts/ensure-deps.sh test) started by the
/// test on a free loopback port, with no persistence, and stopped (killed) on dispose. Stop and
/// Start again on the same port make an outage.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private Process? _process;
    private readonly StringBuilder _log = new();

    private RedisServer(int port) => Port = port;

    public int Port { get; }
    public string Url => $"redis://127.0.0.1:{Port}/0";
    public string Log { get { lock (_log) return _log.ToString(); } }

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.StartAgainAsync();
        return server;
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>Starts redis-server on <see cref="Port"/> and waits until it answers PING.</summary>
    public async Task StartAgainAsync()
    {
        var exe = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("redis-server is not installed: run scripts/ensure-deps.sh test");
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                     "--daemonize", "no", "--loglevel", "warning" })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"redis-server exited ({_process.ExitCode}):\n{Log}");
            if (await PingAsync()) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"redis-server on port {Port} did not answer PING within 20 s:\n{Log}");
    }

    /// <summary>Kills the server (an abrupt outage) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>Sends a raw RESP command and returns the first reply line (e.g. "+PONG", ":3").</summary>
    public async Task<string> CommandAsync(params string[] args)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port);
        var stream = client.GetStream();
        var sb = new StringBuilder($"*{args.Length}\r\n");
        foreach (var a in args) sb.Append($"${Encoding.UTF8.GetByteCount(a)}\r\n{a}\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadLineAsync() ?? "";
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(1000);
            return await CommandAsync("PING").WaitAsync(cts.Token) == "+PONG";
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
