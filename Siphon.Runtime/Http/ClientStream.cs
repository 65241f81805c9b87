// http.Client.stream(): a streamed outbound call as an async context manager. __aenter__ starts the
// request body's producer (if the body is an async iterable) on the worker's loop and resolves once
// the response head is in; the StreamedResponse it gives reads the body in chunks as it arrives.
// __aexit__ releases the response (and its connection) and stops a producer still running.
using System.Net;
using Siphon.Bindings;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Http;

/// <summary>A streamed outbound call: `async with client.stream(method, path) as resp:`.</summary>
[PyClass("ClientStream", Module = "siphon.http")]
public sealed partial class ClientStream
{
    private readonly Client _client;
    private readonly HttpMethod _method;
    private readonly Uri _url;
    private readonly HttpContent? _content;
    private readonly IReadOnlyDictionary<string, string>? _headers;
    private PyRef? _producer;
    private BodyPump? _pump;
    private StreamedResponse? _response;

    internal ClientStream(Client client, HttpMethod method, Uri url, HttpContent? content, PyRef? producer, IReadOnlyDictionary<string, string>? headers)
    {
        _client = client;
        _method = method;
        _url = url;
        _content = content;
        _producer = producer;
        _headers = headers;
    }

    /// <summary>Sends the request; resolves to the response once its head is in.</summary>
    [PyMethod("__aenter__")]
    public Task<StreamedResponse> Enter(CancellationToken cancel = default)
    {
        if (_response is not null || _pump is not null) throw new ScriptError("RuntimeError", "a client.stream() call can be entered once");
        var content = _content;
        if (Interlocked.Exchange(ref _producer, null) is { } producer)
        {
            using (producer)
            {
                _pump = new BodyPump(AsyncBridge.Current ?? throw new InvalidOperationException("client.stream() runs on a Siphon worker's event loop"));
                _pump.Start(producer.Handle);
            }
            content = new PumpContent(_pump);
        }
        return Open(content, cancel);
    }

    private async Task<StreamedResponse> Open(HttpContent? content, CancellationToken cancel) =>
        _response = await _client.OpenAsync(_method, _url, content, _pump, _headers, cancel).ConfigureAwait(false);

    /// <summary>Releases the response and its connection; exceptions raised in the block propagate.</summary>
    [PyMethod("__aexit__")]
    public Task Exit(PyBorrowed excType, PyBorrowed exc, PyBorrowed tb)
    {
        _response?.Dispose();
        _pump?.Cancel();
        _producer?.Dispose();
        _producer = null;
        return Task.CompletedTask;
    }

    /// <summary>A request body drained from a BodyPump: chunked on HTTP/1.1, DATA frames on HTTP/2.</summary>
    private sealed class PumpContent(BodyPump pump) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken ct)
        {
            try
            {
                while (await pump.ReadAsync(ct).ConfigureAwait(false) is { } chunk)
                {
                    await stream.WriteAsync(chunk, ct).ConfigureAwait(false);
                    await stream.FlushAsync(ct).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not ProducerFailedException)
            {
                pump.Cancel();
                throw;
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}

/// <summary>The response of a client.stream() call: status and headers now, the body through aiter_bytes().</summary>
[PyClass("StreamedResponse", Module = "siphon.http")]
public sealed partial class StreamedResponse : IDisposable
{
    private const int ChunkSize = 64 * 1024;
    private readonly HttpResponseMessage _message;
    private readonly BodyStream _body;
    private int _iterated;

    internal StreamedResponse(int status, IReadOnlyDictionary<string, string> headers, HttpResponseMessage message, Stream body, Func<Exception, Exception> translate)
    {
        Status = status;
        Headers = headers;
        _message = message;
        _body = BodyStream.FromStream(body, ChunkSize, translate);
    }

    /// <summary>The status code.</summary>
    [PyProperty] public int Status { get; }

    /// <summary>The response headers, lower-case names.</summary>
    [PyProperty] public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The body as an async iterator of bytes chunks, read as they arrive (once).</summary>
    [PyMethod]
    public BodyStream AiterBytes() => Interlocked.Exchange(ref _iterated, 1) == 0 ? _body
        : throw new ScriptError("RuntimeError", "resp.aiter_bytes() can be read once");

    public void Dispose() => _message.Dispose();
}
