using System.Diagnostics;
using System.Net;

namespace Siphon.Runtime.Tests.Reliability;

/// <summary>How long the reliability suite runs: short in ./test, long by hand
/// (SIPHON_RELIABILITY=long, see scripts/reliability.sh).</summary>
public static class ReliabilityMode
{
    public static bool Long => Environment.GetEnvironmentVariable("SIPHON_RELIABILITY") == "long";

    public static TimeSpan Soak => Long ? TimeSpan.FromSeconds(60) : TimeSpan.FromSeconds(10);
}

/// <summary>A closed-loop load generator: N connections, each sending its next request as soon as
/// the last is answered, counting statuses and socket errors.</summary>
public sealed class Load
{
    public long Requests, SocketErrors, Unexpected;
    public readonly List<string> Samples = [];

    public static async Task<Load> RunAsync(IReadOnlyList<string> urls, int connections, TimeSpan duration, Func<HttpStatusCode, string, bool> ok)
    {
        var load = new Load();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        { Timeout = TimeSpan.FromSeconds(30) };
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async c =>
        {
            for (var i = c; sw.Elapsed < duration; i += connections)
            {
                try
                {
                    using var r = await client.GetAsync(urls[i % urls.Count]);
                    var body = await r.Content.ReadAsStringAsync();
                    Interlocked.Increment(ref load.Requests);
                    if (!ok(r.StatusCode, body)) load.Note(ref load.Unexpected, $"{urls[i % urls.Count]}: {(int)r.StatusCode} {body}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    load.Note(ref load.SocketErrors, $"{urls[i % urls.Count]}: {e.Message}");
                }
            }
        }));
        return load;
    }

    private void Note(ref long counter, string sample)
    {
        Interlocked.Increment(ref counter);
        lock (Samples) if (Samples.Count < 5) Samples.Add(sample);
    }

    public override string ToString() => $"{Requests} answered, {SocketErrors} socket errors, {Unexpected} unexpected; e.g. {string.Join(" | ", Samples)}";
}

public static class ProcessStats
{
    /// <summary>VmRSS of a process, in KiB.</summary>
    public static long RssKiB(int pid) =>
        long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);

    /// <summary>Open file descriptors (sockets included) of a process.</summary>
    public static int OpenFds(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    /// <summary>Established TCP connections (this machine, any process) whose remote end is
    /// <paramref name="port"/>: the client side of connections to a local server.</summary>
    public static int ConnectionsTo(int port)
    {
        var hex = $":{port:X4}";
        var n = 0;
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f[3] == "01" && f[2].EndsWith(hex)) n++;
            }
        return n;
    }
}
