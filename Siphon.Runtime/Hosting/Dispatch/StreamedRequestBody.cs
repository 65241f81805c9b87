// The body of a stream=True route, read from Kestrel's PipeReader as the script asks for it (never
// buffered whole): each chunk is at most MaxChunk bytes, copied out of the pipe before it is
// advanced. max_body_bytes is enforced here (Kestrel's own cap is set to the same value), and
// Exceeded tells RequestHandler to answer 413 when the handler did not answer.
using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Siphon.Runtime.Http;

namespace Siphon.Runtime.Hosting.Dispatch;

internal sealed class StreamedRequestBody(PipeReader reader, long cap, CancellationToken aborted)
{
    public const int MaxChunk = 256 * 1024;
    private long _read;
    private int _opened;
    private volatile bool _done, _closed;

    /// <summary>The body passed max_body_bytes while the script read it.</summary>
    public bool Exceeded { get; private set; }

    public BodyStream Open() => Interlocked.Exchange(ref _opened, 1) == 0
        ? new BodyStream(NextAsync)
        : throw new ScriptError("RuntimeError", "req.stream() on a stream=True route can be read once");

    /// <summary>The response is written: the pipe is no longer the script's to read.</summary>
    public void Close() => _closed = true;

    private async ValueTask<ReadOnlyMemory<byte>?> NextAsync(CancellationToken ct)
    {
        if (Exceeded) throw TooLarge();
        if (_done) return null;
        if (_closed) throw new ScriptError("RuntimeError", "the request is over: its body can no longer be read");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, aborted);
        try
        {
            var result = await reader.ReadAsync(linked.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.IsEmpty && result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                _done = true;
                return null;
            }
            var take = buffer.Slice(0, Math.Min(buffer.Length, MaxChunk));
            if (_read + take.Length > cap)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw TooLarge();
            }
            var chunk = take.ToArray();
            _read += chunk.Length;
            reader.AdvanceTo(take.End);
            return chunk;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(); // Kestrel's own cap (the same value) tripped first
        }
        catch (Exception e) when (e is not ScriptError && (aborted.IsCancellationRequested || e is IOException or ConnectionResetException or BadHttpRequestException))
        {
            _done = true;
            throw new ScriptError("ConnectionResetError", $"the request body ended early: {e.Message}");
        }
    }

    private ScriptError TooLarge()
    {
        Exceeded = true;
        _done = true;
        return new ScriptError("BodyTooLargeError", $"the request body is larger than max_body_bytes ({cap})", "siphon.http");
    }
}
