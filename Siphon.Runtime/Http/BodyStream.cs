// req.stream() and resp.aiter_bytes(): an async iterator of bytes chunks read from a C# source (the
// request's PipeReader, an upstream's content stream, or a buffered body as one chunk). Each
// __anext__ is a Task resolved through the worker's inbox (AsyncBridge); nothing is read ahead of
// the script, so a body is never buffered whole.
using Siphon.Bindings;
using Siphon.Runtime.Python;

namespace Siphon.Runtime.Http;

/// <summary>An async iterator over a body's bytes chunks, as they arrive (`async for chunk in ...`).</summary>
[PyClass("BodyStream", Module = "siphon.http")]
public sealed partial class BodyStream
{
    private readonly Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>?>> _next;
    private int _reading;

    /// <param name="next">The next chunk, or null at the end of the body. Called one at a time.</param>
    internal BodyStream(Func<CancellationToken, ValueTask<ReadOnlyMemory<byte>?>> next) => _next = next;

    /// <summary>A stream of one chunk (none for an empty body): a buffered body seen through the streaming API.</summary>
    internal static BodyStream Buffered(ReadOnlyMemory<byte> body)
    {
        var done = body.IsEmpty;
        return new BodyStream(_ =>
        {
            if (done) return ValueTask.FromResult<ReadOnlyMemory<byte>?>(null);
            done = true;
            return ValueTask.FromResult<ReadOnlyMemory<byte>?>(body);
        });
    }

    /// <summary>A stream read from <paramref name="source"/> in chunks of at most <paramref name="chunkSize"/> bytes;
    /// <paramref name="onEnd"/> runs once when the source is exhausted or fails.</summary>
    internal static BodyStream FromStream(Stream source, int chunkSize, Func<Exception, Exception> translate, Action? onEnd = null)
    {
        var buffer = new byte[chunkSize];
        var ended = false;
        return new BodyStream(async ct =>
        {
            if (ended) return null;
            try
            {
                var n = await source.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (n > 0) return buffer.AsSpan(0, n).ToArray();
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                ended = true;
                onEnd?.Invoke();
                throw translate(e);
            }
            ended = true;
            onEnd?.Invoke();
            return null;
        });
    }

    /// <summary>Returns the iterator itself.</summary>
    [PyMethod("__aiter__")]
    public BodyStream Iter() => this;

    /// <summary>The next chunk of bytes; raises StopAsyncIteration at the end of the body.</summary>
    [PyMethod("__anext__")]
    public async Task<ReadOnlyMemory<byte>> Next(CancellationToken cancel = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) == 1)
            throw new ScriptError("RuntimeError", "a body stream is read by one `async for` at a time");
        try
        {
            var chunk = await _next(cancel).ConfigureAwait(false);
            return chunk ?? throw new ScriptError("StopAsyncIteration", "");
        }
        finally { Volatile.Write(ref _reading, 0); }
    }
}

/// <summary>A Python exception of a builtin (or siphon.http) class with a message, raised into the script.</summary>
public sealed class ScriptError(string pyTypeName, string message, string pyModule = "builtins")
    : Exception(message), IPyRaisable
{
    public string PyModule => pyModule;
    public string PyTypeName => pyTypeName;
}
