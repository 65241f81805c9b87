// The request a handler sees. Built on a Kestrel thread as an immutable snapshot (nothing here
// touches Python); the generated glue converts each member when a script first reads it, so members a
// script never reads cost nothing, and keeps the Python value in the Python object (Cached = true),
// so reading it again costs an attribute lookup, not a conversion (issue 16). Query params and
// lower-cased header dictionaries are built on first read and kept.
using Microsoft.AspNetCore.WebUtilities;
using Siphon.Bindings;
using Siphon.Runtime.Python;

namespace Siphon.Runtime.Http;

/// <summary>An incoming HTTP request, as routed to a handler.</summary>
[PyClass("Request", Module = "siphon.http")]
public sealed partial class Request
{
    private static readonly IReadOnlyDictionary<string, string> s_empty = new Dictionary<string, string>();
    private readonly string? _rawQuery;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly ReadOnlyMemory<byte> _body;
    private IReadOnlyDictionary<string, string>? _query, _headerDict, _cookies;
    private Dictionary<string, Microsoft.Extensions.Primitives.StringValues>? _queryValues;

    /// <param name="headers">One pair per header line, lower-case names (a name may repeat).</param>
    public Request(string method, string path, string? rawQuery, KeyValuePair<string, string>[] headers,
        ReadOnlyMemory<byte> body, string client, string? clientCert, IReadOnlyDictionary<string, string>? pathParams)
    {
        Method = method;
        Path = path;
        _rawQuery = rawQuery;
        _headers = headers;
        _body = body;
        Client = client;
        ClientCert = clientCert;
        PathParams = pathParams ?? s_empty;
    }

    /// <summary>The request method, upper case.</summary>
    [PyProperty(Cached = true)] public string Method { get; }

    /// <summary>The decoded path, without the query string.</summary>
    [PyProperty(Cached = true)] public string Path { get; }

    /// <summary>Parameters captured by the matched route pattern, URL-decoded.</summary>
    [PyProperty(Cached = true)] public IReadOnlyDictionary<string, string> PathParams { get; }

    /// <summary>The parsed query string; for a repeated key the last value wins.</summary>
    [PyProperty(Cached = true)]
    public IReadOnlyDictionary<string, string> QueryParams => _query ??= LastValues(QueryValues);

    /// <summary>The cookies of the Cookie header(s), as they arrived: name to value (surrounding
    /// double quotes removed); for a repeated name the first wins (the most specific path).</summary>
    [PyProperty(Cached = true)]
    public IReadOnlyDictionary<string, string> Cookies => _cookies ??= CookieParser.Parse(_headers);

    /// <summary>Request headers with lower-case names; repeated headers joined with ", ".</summary>
    [PyProperty(Cached = true)]
    public IReadOnlyDictionary<string, string> Headers => _headerDict ??= ToDictionary(_headers);

    /// <summary>"ip:port" of the peer, or the left-most X-Forwarded-For entry when the peer is a trusted proxy.</summary>
    [PyProperty(Cached = true)] public string Client { get; }

    /// <summary>Subject of the verified client certificate on a mutual-TLS listener, else None.</summary>
    [PyProperty(Cached = true)] public string? ClientCert { get; }

    /// <summary>The request's server span (Kestrel's Activity) when tracing is on; null otherwise.
    /// Set by the host; a Python thread finds it again through ScriptTrace.</summary>
    internal System.Diagnostics.Activity? Trace { get; init; }

    /// <summary>The W3C trace id (32 hex digits) of the request's trace, or None when tracing is off.</summary>
    [PyProperty(Cached = true)] public string? TraceId => Trace?.TraceId.ToHexString();

    /// <summary>The id (16 hex digits) of the request's server span, the parent of its http.Client
    /// calls' spans, or None when tracing is off.</summary>
    [PyProperty(Cached = true)] public string? SpanId => Trace?.SpanId.ToHexString();

    /// <summary>The request's span: add attributes and events to it (they do nothing when tracing is off).</summary>
    [PyProperty(Cached = true)] public Span Span => _span ??= Trace is null ? Span.None : new Span(Trace);

    private Span? _span;

    /// <summary>On an @http.websocket route: the socket the handler gets in place of this request (set by the host).</summary>
    internal ServerWebSocket? Socket { get; set; }

    /// <summary>On a stream=True route: opens the body as it arrives (set by the host; null elsewhere).</summary>
    internal Func<BodyStream>? OpenStream { get; init; }

    /// <summary>The buffered request body. On a stream=True route it raises RuntimeError: read req.stream() there.</summary>
    [PyMethod]
    public ReadOnlyMemory<byte> Body() => OpenStream is null ? _body
        : throw new ScriptError("RuntimeError", $"req.body() is not available on a stream=True route ({Method} {Path}): read the body with `async for chunk in req.stream()`");

    /// <summary>The body parsed as JSON. Invalid JSON raises http.BadRequestError (a ValueError,
    /// answered 400 if the handler lets it go); on a stream=True route RuntimeError.</summary>
    [PyMethod]
    [return: PyTypeHint("Any")]
    public PyOwned Json()
    {
        if (OpenStream is not null)
            throw new ScriptError("RuntimeError", $"req.json() is not available on a stream=True route ({Method} {Path}): read the body with `async for chunk in req.stream()` and parse it");
        return JsonOf(_body, "req.json()", badRequest: true);
    }

    /// <summary>The body read as a form (application/x-www-form-urlencoded or multipart/form-data)
    /// into an http.FormData; file parts are http.UploadFile. A body that is not a form, is malformed
    /// or passes a limit (1000 fields, 1 MiB a field) raises http.BadRequestError; on a stream=True
    /// route RuntimeError.</summary>
    [PyMethod]
    [return: PyTypeHint("FormData")]
    public PyOwned Form()
    {
        if (OpenStream is not null)
            throw new ScriptError("RuntimeError", $"req.form() is not available on a stream=True route ({Method} {Path}): read the parts with `async for part in http.read_multipart(req)`");
        string? contentType = null;
        foreach (var (k, v) in _headers)
            if (k == "content-type") { contentType = v; break; }
        var entries = FormParser.Parse(contentType, _body);
        using var list = PyOwned.Adopt(PyConvert.ToPyList(entries, static e =>
        {
            using var name = PyOwned.Adopt(PyConvert.ToPy(e.Name));
            if (e.Value is not null)
                return PyObjects.TupleOf(name.Steal(), PyConvert.ToPy(e.Value)).Steal();
            using var file = PyObjects.TupleOf(PyConvert.ToPy(e.FileName), PyConvert.ToPy(e.ContentType), PyConvert.ToPy(e.Data));
            return PyObjects.TupleOf(name.Steal(), file.Steal()).Steal();
        }));
        return ScriptHelpers.Call("form_data", list.Handle);
    }

    /// <summary>siphon._helpers.parse_json of a body. GIL held.</summary>
    internal static PyOwned JsonOf(ReadOnlyMemory<byte> body, string what, bool badRequest)
    {
        using var bytes = PyOwned.Adopt(PyConvert.ToPy(body));
        using var name = PyOwned.Adopt(PyConvert.ToPy(what));
        using var flag = PyOwned.Adopt(PyConvert.ToPy(badRequest));
        return ScriptHelpers.Call("parse_json", bytes.Handle, name.Handle, flag.Handle);
    }

    /// <summary>The body as an async iterator of bytes chunks: as it arrives on a stream=True route
    /// (once), else the buffered body as one chunk.</summary>
    [PyMethod]
    public BodyStream Stream() => OpenStream is { } open ? open() : BodyStream.Buffered(_body);

    /// <summary>One header's value by case-insensitive name, or None. It reads req.headers, so a
    /// middleware's change to that dict is what it returns.</summary>
    [PyMethod]
    public string? Header([PySelf] PyBorrowed self, string name)
    {
        // One source of truth: the req.headers dict of this Python object (cached on first read),
        // which a middleware may have changed; the snapshot only until a script reads headers.
        using var headers = PyObjects.GetAttr(self.Handle, "headers");
        using var name_ = PyOwned.Adopt(PyConvert.ToPy(name));
        using var value = ScriptHelpers.Call("header", headers.Handle, name_.Handle);
        return PyConvert.ToNullableString(value.Handle, "req.headers value");
    }

    /// <summary>Every value of a repeated query key, in order: those of the query string, unless
    /// req.query_params[name] was changed by the script (then that one value; [] when removed).</summary>
    [PyMethod]
    public IReadOnlyList<string> QueryList([PySelf] PyBorrowed self, string name) =>
        Values(self, "query_params", name, QueryValues.TryGetValue(name, out var v) ? [.. v.Select(s => s ?? "")] : []);

    /// <summary>Every value of a repeated header (case-insensitive name), one per line as it arrived,
    /// unless req.headers[name] was changed by the script (then that one value; [] when removed).</summary>
    [PyMethod]
    public IReadOnlyList<string> HeaderList([PySelf] PyBorrowed self, string name)
    {
        var lower = name.ToLowerInvariant();
        var lines = new List<string>();
        foreach (var (k, v) in _headers) if (k == lower) lines.Add(v);
        return Values(self, "headers", lower, lines);
    }

    /// <summary>The arrived values, or what the script's dict now holds for that key when it
    /// differs from the arrived view (siphon._helpers.values). GIL held.</summary>
    private static IReadOnlyList<string> Values(PyBorrowed self, string dict, string key, List<string> arrived)
    {
        using var current = PyObjects.GetAttr(self.Handle, dict);
        using var k = PyOwned.Adopt(PyConvert.ToPy(key));
        using var list = PyOwned.Adopt(PyConvert.ToPy(arrived));
        using var result = ScriptHelpers.Call("values", current.Handle, k.Handle, list.Handle, dict == "headers" ? PyBuiltins.True : PyBuiltins.False);
        return PyConvert.ToStringList(result.Handle, "values");
    }

    private Dictionary<string, Microsoft.Extensions.Primitives.StringValues> QueryValues =>
        _queryValues ??= string.IsNullOrEmpty(_rawQuery) ? [] : QueryHelpers.ParseQuery(_rawQuery);

    private static IReadOnlyDictionary<string, string> LastValues(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> parsed)
    {
        if (parsed.Count == 0) return s_empty;
        var result = new Dictionary<string, string>(parsed.Count);
        foreach (var (k, v) in parsed) result[k] = v.Count > 0 ? v[^1] ?? "" : "";
        return result;
    }

    /// <summary>req.headers: repeated names joined with ", " in order.</summary>
    private static IReadOnlyDictionary<string, string> ToDictionary(KeyValuePair<string, string>[] pairs)
    {
        var d = new Dictionary<string, string>(pairs.Length);
        foreach (var (k, v) in pairs) d[k] = d.TryGetValue(k, out var seen) ? seen + ", " + v : v;
        return d;
    }
}
