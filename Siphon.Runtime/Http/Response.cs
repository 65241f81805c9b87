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
    private const string HeadersHint = "Mapping[str, str] | Sequence[tuple[str, str]] | None";
    private const string BodyHint = "bytes | str | AsyncIterable[bytes | str] | None";

    private readonly KeyValuePair<string, string>[] _lines;
    private readonly ReadOnlyMemory<byte> _content;
    // A streamed response stays one: once its iterable is taken (sent, or moved on by replace() or
    // stream()) it has no body to fall back on, so sending it again fails instead of going out empty.
    private readonly bool _streamed;
    private PyRef? _stream;

    /// <summary>Builds a response; headers are a dict or a list of (name, value) pairs (a name may
    /// repeat: two Set-Cookie lines); a str body is encoded as UTF-8; an async iterable (or async
    /// generator) of bytes/str is streamed to the client as it is produced. A status outside 100-599
    /// or a header name or value containing CR or LF raises ValueError.</summary>
    [PyConstructor]
    public Response(long status = 200, [PyTypeHint(HeadersHint)] PyBorrowed headers = default,
        [PyTypeHint(BodyHint)] PyBorrowed body = default)
        : this(CheckedStatus(status), HeaderLines.FromPy(headers.Handle), BufferedBody(body) ?? ReadOnlyMemory<byte>.Empty, null)
    {
        if (!body.IsNull && !PyConvert.IsNone(body.Handle) && !IsBuffered(body.Handle))
        {
            _stream = body.NewReference().ToRef();
            _streamed = true;
        }
    }

    /// <summary>A response with a buffered body (C# callers).</summary>
    public Response(long status, IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte>? body)
        : this(CheckedStatus(status), HeaderLines.Of(headers), body ?? ReadOnlyMemory<byte>.Empty, null)
    {
    }

    private Response(int status, KeyValuePair<string, string>[] lines, ReadOnlyMemory<byte> content, PyRef? stream)
    {
        Status = status;
        _lines = lines;
        _content = content;
        _stream = stream;
        _streamed = stream is not null;
    }

    private static int CheckedStatus(long status) => status is < 100 or > 599
        ? throw new ArgumentOutOfRangeException(nameof(status), $"status must be within 100-599, got {status}")
        : (int)status;

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
    internal static bool IsAsyncIterable(nint o) => PyObjects.HasAttr(CApi.Py_TYPE(o), "__aiter__");

    /// <summary>The async iterable of a streamed body, once: the caller owns it (loop thread, GIL held).
    /// Null when it was already taken (sent, or moved on by replace() or stream()).</summary>
    internal PyRef? TakeStream() => Interlocked.Exchange(ref _stream, null);

    /// <summary>The header lines to send, in order; a name may repeat.</summary>
    internal KeyValuePair<string, string>[] Lines => _lines;

    /// <summary>The buffered body (empty for a streamed one).</summary>
    internal ReadOnlyMemory<byte> Content => _content;

    /// <summary>An upstream's answer, taken as it came (no validation: it is not the script's doing).</summary>
    internal static Response FromUpstream(int status, KeyValuePair<string, string>[] lines, ReadOnlyMemory<byte> body) =>
        new(status, lines, body, null);

    /// <summary>The status code.</summary>
    [PyProperty] public int Status { get; }

    /// <summary>The response headers, read-only: a dict[str, str] in which a repeated name's lines are
    /// joined with ", " under its first spelling. Change them with replace().</summary>
    [PyProperty(Cached = true)]
    [PyTypeHint("dict[str, str]")]
    public PyOwned Headers
    {
        get
        {
            using var d = PyOwned.Adopt(PyConvert.ToPy(HeaderLines.Joined(_lines)));
            return ScriptHelpers.Call("response_headers", d.Handle);
        }
    }

    /// <summary>The body as bytes. For a streamed response it raises RuntimeError: keep the stream with
    /// resp.replace(...) or read it with resp.stream().</summary>
    [PyProperty]
    public ReadOnlyMemory<byte> Body => _streamed
        ? throw new ScriptError("RuntimeError", "this Response's body is streamed, so it has no bytes to read: "
            + "change its status or headers with resp.replace(status=..., headers=...), which keeps the stream, "
            + "or read its chunks with `async for chunk in resp.stream()`")
        : _content;

    /// <summary>The body parsed as JSON (an upstream's answer, say). Invalid JSON raises ValueError;
    /// a streamed body RuntimeError.</summary>
    [PyMethod]
    [return: PyTypeHint("Any")]
    public PyOwned Json() => Request.JsonOf(Body, "resp.json()", badRequest: false);

    /// <summary>True when the body is streamed from an async iterable (then .body raises; use stream()).</summary>
    [PyProperty] public bool IsStreamed => _streamed;

    /// <summary>A copy with what is given replaced and the rest kept, a streamed body included (it
    /// moves to the copy). headers: a dict or a list of (name, value) pairs; a dict entry whose value
    /// is a repeated name's joined value from .headers keeps that name's lines (two Set-Cookie lines
    /// stay two). None keeps the status, the headers or the body.</summary>
    [PyMethod]
    public Response Replace(long? status = null, [PyTypeHint(HeadersHint)] PyBorrowed headers = default,
        [PyTypeHint(BodyHint)] PyBorrowed body = default)
    {
        var newStatus = status is { } s ? CheckedStatus(s) : Status;
        var lines = headers.IsNull || PyConvert.IsNone(headers.Handle) ? _lines
            : HeaderLines.Merge(_lines, HeaderLines.FromPy(headers.Handle), CApi.HasTypeFlag(headers.Handle, CApi.Py_TPFLAGS_DICT_SUBCLASS));
        if (!body.IsNull && !PyConvert.IsNone(body.Handle))
        {
            if (IsBuffered(body.Handle)) return new Response(newStatus, lines, PyConvert.ToMemory(body.Handle, "body"), null);
            BufferedBody(body); // TypeError for what is neither bytes/str nor an async iterable
            return new Response(newStatus, lines, ReadOnlyMemory<byte>.Empty, body.NewReference().ToRef());
        }
        if (!_streamed) return new Response(newStatus, lines, _content, null);
        return new Response(newStatus, lines, ReadOnlyMemory<byte>.Empty, TakeStream() ?? throw Spent("replace()"));
    }

    /// <summary>The body as an async iterator of bytes chunks: a streamed body's chunks as its
    /// producer makes them (taken from this response, once: return resp.replace(body=...) with what
    /// you make of them), else the buffered body as one chunk.</summary>
    [PyMethod]
    [return: PyTypeHint("AsyncIterator[bytes]")]
    public PyOwned Stream()
    {
        if (!_streamed) return PyOwned.Adopt(BoundObject.Wrap(BodyStream.Buffered(_content)));
        using var stream = TakeStream() ?? throw Spent("stream()");
        return ScriptHelpers.Call("chunks", stream.Handle);
    }

    /// <summary>A copy with one more Set-Cookie line (the body, streamed or not, and every other
    /// header kept). max_age in seconds; expires an int (seconds from now) or an HTTP date. Defaults:
    /// path "/", samesite "lax", httponly True (scripts rarely need a cookie JavaScript can read),
    /// secure False (so it works on plain http in development: pass secure=True in production).</summary>
    [PyMethod]
    public Response WithCookie(string name, string value, [PyKeywordOnly] long? maxAge = null,
        [PyTypeHint("int | str | None")] PyBorrowed expires = default, string? path = "/", string? domain = null,
        bool secure = false, bool httponly = true, string? samesite = "lax") =>
        WithLine(SetCookie.Format(name, value, maxAge, SetCookie.Expires(expires, name), path, domain, secure, httponly, samesite));

    /// <summary>A copy with a Set-Cookie line that deletes the cookie (empty, expired, max-age 0);
    /// path and domain must be those it was set with.</summary>
    [PyMethod]
    public Response WithoutCookie(string name, [PyKeywordOnly] string? path = "/", string? domain = null,
        bool secure = false, bool httponly = true, string? samesite = "lax") =>
        WithLine(SetCookie.Delete(name, path, domain, secure, httponly, samesite));

    private Response WithLine(string setCookie) =>
        new(Status, [.. _lines, new("set-cookie", setCookie)], _content, _streamed ? TakeStream() ?? throw Spent("with_cookie()") : null);

    private static ScriptError Spent(string what) => new("RuntimeError",
        $"resp.{what}: this Response's streamed body was already taken (sent, or moved on by replace() or stream()); "
        + "use the Response that replace() returned");

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
