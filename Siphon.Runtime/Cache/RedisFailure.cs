// What went wrong between this process and a Redis endpoint, in words an operator acts on:
// "connection refused" (nothing listens: Redis is down), "connection reset", "connect timed out",
// "connected, but Redis did not answer" (something listens and never speaks). A CacheError names it,
// instead of a bare "no answer within N ms" that reads like a slow Redis when it is a stopped one.
// StackExchange.Redis reports a lost connection once (ConnectionFailed) and nothing about the first
// connect or the retries after, so while it is not connected this class asks the endpoint itself with
// a plain TCP connect, at most once a second, and keeps the last answer.
using System.Diagnostics;
using System.Net.Sockets;
using Siphon.Runtime.Config;
using StackExchange.Redis;

namespace Siphon.Runtime.Cache;

internal sealed class RedisFailure(RedisEndpoint endpoint, TimeSpan timeout)
{
    private static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(1);
    private volatile string? _cause;
    private readonly Lock _lock = new();
    private long _probedAt; // Stopwatch timestamp of the last probe's start (0: never)
    private Task _probe = Task.CompletedTask;

    /// <summary>The last known cause while not connected; null when none is known.</summary>
    public string? Cause => _cause;

    /// <summary>Connected again: forget the cause.</summary>
    public void Restored() => _cause = null;

    /// <summary>StackExchange.Redis reported the connection lost or refused.</summary>
    public void Failed(ConnectionFailureType type, Exception? exception) => _cause = Describe(type, exception);

    /// <summary>Not connected: find out why. A probe runs at most once a second; a caller that comes
    /// while one runs gets that one.</summary>
    public Task ProbeAsync()
    {
        lock (_lock)
        {
            if (!_probe.IsCompleted || (_probedAt != 0 && Stopwatch.GetElapsedTime(_probedAt) < ProbeEvery)) return _probe;
            _probedAt = Stopwatch.GetTimestamp();
            return _probe = Run();
        }

        async Task Run() => _cause = await ConnectAsync().ConfigureAwait(false);
    }

    /// <summary>A plain TCP connect to the endpoint, bounded by the cache's timeout.</summary>
    private async Task<string> ConnectAsync()
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(endpoint.Host, endpoint.Port, cancel.Token).ConfigureAwait(false);
            return "connected, but Redis did not answer (timed out)";
        }
        catch (OperationCanceledException)
        {
            return $"connect timed out (no answer within {(int)timeout.TotalMilliseconds} ms)";
        }
        catch (SocketException e)
        {
            return Describe(e);
        }
    }

    internal static string Describe(ConnectionFailureType type, Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is SocketException socket) return Describe(socket);
        return type switch
        {
            ConnectionFailureType.SocketClosed => "connection closed by Redis",
            ConnectionFailureType.AuthenticationFailure => "authentication failed",
            ConnectionFailureType.UnableToConnect or ConnectionFailureType.UnableToResolvePhysicalConnection => "unable to connect",
            _ => $"connection failed ({type})",
        };
    }

    internal static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.ConnectionReset => "connection reset",
        SocketError.ConnectionAborted => "connection aborted",
        SocketError.TimedOut => "connect timed out",
        SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "host not found",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
        _ => e.Message,
    };
}
