// The response a handler returns (and what http.Client calls resolve to). Immutable once built,
// so the worker can hand it to a Kestrel thread without copying. Validation happens at
// construction, where a script author sees it as a ValueError at the line that made it.
using Siphon.Bindings;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Http;

/// <summary>An HTTP response: status, headers and a body of bytes, or a body streamed from an async iterable.</summary>
[PyClass("Response", Module = "siphon.http")]
public sealed partial class Response
{
    private static readonly IReadOnlyDictionary<string, string> s_noHeaders = new Dictionary<string, string>();

    private PyRef? _stream;

    /// <summary>Builds a response; a str body is encoded as UTF-8; an async iterable (or async
    /// generator) of bytes/str is streamed to the client as it is produced. A status outside
    /// 100-599 or a header name or value containing CR or LF raises ValueError.</summary>
    [PyConstructor]
    public Response(long status = 200, IReadOnlyDictionary<string, string>? headers = null,
        [PyTypeHint("bytes | str | AsyncIterable[bytes | str] | None")] PyBorrowed body = default)
        : this(status, headers, BufferedBody(body))
    {
        if (!body.IsNull && !PyConvert.IsNone(body.Handle) && !IsBuffered(body.Handle)) _stream = body.NewReference().ToRef();
    }

    /// <summary>A response with a buffered body (C# callers).</summary>
    public Response(long status, IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte>? body)
    {
        if (status is < 100 or > 599)
            throw new ArgumentOutOfRangeException(nameof(status), $"status must be within 100-599, got {status}");
        if (headers is not null)
            foreach (var (name, value) in headers)
            {
                if (name.Length == 0) throw new ArgumentException("header names must not be empty", nameof(headers));
                if (name.AsSpan().IndexOfAny('\r', '\n') >= 0 || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
                    throw new ArgumentException($"header {name!} must not contain CR or LF", nameof(headers));
            }
        Status = (int)status;
        Headers = headers ?? s_noHeaders;
        Body = body ?? ReadOnlyMemory<byte>.Empty;
    }

    private Response(int status, IReadOnlyDictionary<string, string> headers, ReadOnlyMemory<byte> body)
    {
        Status = status;
        Headers = headers;
        Body = body;
    }

    /// <summary>bytes, bytearray or str: a body sent as it is.</summary>
    internal static bool IsBuffered(nint o) =>
        CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_BYTES_SUBCLASS) || PyConvert.IsStr(o)
        || CApi.Py_TYPE(o) == PyBuiltins.ByteArrayType || CApi.PyType_IsSubtype(CApi.Py_TYPE(o), PyBuiltins.ByteArrayType) != 0;

    private static ReadOnlyMemory<byte>? BufferedBody(PyBorrowed body)
    {
        if (body.IsNull || PyConvert.IsNone(body.Handle)) return null;
        if (IsBuffered(body.Handle)) return PyConvert.ToMemory(body.Handle, "body");
        if (!IsAsyncIterable(body.Handle))
            throw new InvalidCastException($"body must be bytes, str, an async iterable of bytes/str, or None, got {PyConvert.TypeNameOf(body.Handle)}");
        return null;
    }

    /// <summary>The object's type has __aiter__ (an async generator, a BodyStream, ...).</summary>
    internal static unsafe bool IsAsyncIterable(nint o)
    {
        var aiter = CApi.PyObject_GetAttrString(CApi.Py_TYPE(o), (byte*)Utf8Z.Of("__aiter__"));
        if (aiter == 0)
        {
            CApi.PyErr_Clear();
            return false;
        }
        CApi.Py_DecRef(aiter);
        return true;
    }

    /// <summary>True when the body is streamed from an async iterable (not yet handed to the host).</summary>
    internal bool IsStreamed => Volatile.Read(ref _stream) is not null;

    /// <summary>The async iterable of a streamed body, once: the caller owns it (loop thread, GIL held).</summary>
    internal PyRef? TakeStream() => Interlocked.Exchange(ref _stream, null);

    /// <summary>An upstream's answer, taken as it came (no validation: it is not the script's doing).</summary>
    internal static Response FromUpstream(int status, IReadOnlyDictionary<string, string> headers, ReadOnlyMemory<byte> body) =>
        new(status, headers, body);

    /// <summary>The status code.</summary>
    [PyProperty] public int Status { get; }

    /// <summary>The response headers.</summary>
    [PyProperty] public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The body as bytes (empty for a response whose body is streamed).</summary>
    [PyProperty] public ReadOnlyMemory<byte> Body { get; }

    /// <summary>Raises http.HttpStatusError for a status of 400 or more; returns the response otherwise.</summary>
    [PyMethod]
    public Response RaiseForStatus() => Status >= 400 ? throw new HttpStatusException(this) : this;
}

/// <summary>Surfaces in Python as siphon.http.HttpStatusError with .response and .status.</summary>
public sealed class HttpStatusException(Response response)
    : Exception($"HTTP status {response.Status}"), IPyRaisable
{
    public Response Response { get; } = response;
    public string PyModule => "siphon.http";
    public string PyTypeName => "HttpStatusError";

    public void Decorate(nint exception)
    {
        using var wrapped = PyOwned.Adopt(BoundObject.Wrap(Response));
        using var status = PyOwned.Adopt(PyConvert.ToPy(Response.Status));
        PyObjects.SetAttr(exception, "response", wrapped.Handle);
        PyObjects.SetAttr(exception, "status", status.Handle);
    }
}
