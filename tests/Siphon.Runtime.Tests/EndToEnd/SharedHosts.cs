namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Host processes a test class's cases share (as an IClassFixture) where no case reads
/// what another leaves behind: one per key, started on first use, stopped after the class. Each
/// case that shares one pays no process start of its own.</summary>
public sealed class SharedHosts : IAsyncLifetime
{
    private readonly Dictionary<string, Task> _hosts = [];
    private readonly List<Func<ValueTask>> _stops = [];

    /// <summary>The host for <paramref name="key"/>: <paramref name="start"/>ed by the first caller,
    /// <paramref name="stop"/>ped after the class.</summary>
    public Task<T> Get<T>(string key, Func<Task<T>> start, Func<T, ValueTask> stop)
    {
        lock (_hosts)
        {
            if (!_hosts.TryGetValue(key, out var host)) _hosts[key] = host = StartAsync(start, stop);
            return (Task<T>)host;
        }
    }

    /// <summary>`siphon run` of <paramref name="script"/> (written as <paramref name="fileName"/>)
    /// on an ephemeral loopback port, with no http.yaml.</summary>
    public async Task<SiphonProcess> ScriptAsync(string fileName, string script)
    {
        var (siphon, _) = await Get($"{fileName}\n{script}", async () =>
        {
            var dir = new TempDir();
            try
            {
                return (Siphon: await SiphonProcess.StartAsync(dir.Write(fileName, script)), Dir: dir);
            }
            catch
            {
                dir.Dispose();
                throw;
            }
        }, async host =>
        {
            await host.Siphon.DisposeAsync();
            host.Dir.Dispose();
        });
        return siphon;
    }

    private async Task<T> StartAsync<T>(Func<Task<T>> start, Func<T, ValueTask> stop)
    {
        var started = await start();
        lock (_hosts) _stops.Add(() => stop(started));
        return started;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var stop in _stops) await stop();
    }
}
