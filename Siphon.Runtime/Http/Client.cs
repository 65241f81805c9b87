// http.Client: outbound HTTP from handlers. Each call runs on .NET's pool; the generated glue
// turns the Task into an asyncio future that the worker's inbox resolves, so no pool thread takes
// the GIL. When the awaiting handler is cancelled (its request timed out) the CancellationToken
// fires and the HTTP call is abandoned. Failures become ClientError subclasses naming the URL.
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using Siphon.Bindings;
using Siphon.Runtime.Config;
using Siphon.Runtime.Python;

namespace Siphon.Runtime.Http;

/// <summary>An outbound HTTP client: a named one from http.yaml's clients, or an inline one.</summary>
[PyClass("Client", Module = "siphon.http")]
public sealed partial class Client
{
    private readonly ClientOptions _options;
    private readonly HttpMessageInvoker _invoker;
    private readonly bool _owned;

    /// <summary>A named client (clients.NAME in http.yaml, sharing its pool) or, without a name, an
    /// inline client for one-offs. cert is a (cert, key) pair or one combined PEM path.</summary>
    [PyConstructor]
    public Client(string? name = null, [PyKeywordOnly] string? baseUrl = null, string? verify = null,
        [PyTypeHint("str | tuple[str, str] | list[str] | None")] IReadOnlyList<string>? cert = null,
        long? timeoutMs = null, bool http2PriorKnowledge = false)
    {
        if (name is not null)
        {
            if (baseUrl is not null || verify is not null || cert is not null || timeoutMs is not null || http2PriorKnowledge)
                throw new InvalidCastException("Client() takes either a configured client's name or inline options, not both");
            (_options, _invoker) = ClientPool.Named(name);
            Name = name;
            return;
        }
        Uri? uri = null;
        if (baseUrl is not null && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out uri) || uri.Scheme is not ("http" or "https")))
            throw new ArgumentException($"base_url must be an absolute http or https URL, got '{baseUrl}'");
        if (cert is { Count: 0 or > 2 }) throw new ArgumentException("cert must be a (cert, key) pair or one combined PEM path");
        if (timeoutMs is <= 0) throw new ArgumentException("timeout_ms must be positive");
        // An inline client takes the same defaults as a `clients:` entry of http.yaml.
        _options = new ClientOptions(uri, TimeSpan.FromMilliseconds(timeoutMs ?? ClientConfig.DefaultTimeoutMs), verify,
            cert?[0], cert is { Count: 2 } ? cert[1] : null, ClientConfig.DefaultPoolSize, http2PriorKnowledge);
        _invoker = new HttpMessageInvoker(ClientPool.CreateHandler(_options, "Client"), disposeHandler: true);
        _owned = true;
    }

    /// <summary>The configured client's name, or None for an inline client.</summary>
    [PyProperty] public string? Name { get; }

    /// <summary>The base URL relative paths join onto, or None.</summary>
    [PyProperty] public string? BaseUrl => _options.BaseUrl?.OriginalString;

    /// <summary>GET path; resolves to an http.Response.</summary>
    [PyMethod]
    public Task<Response> Get(string path, [PyKeywordOnly] IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Get, path, null, headers, cancel);

    /// <summary>DELETE path; resolves to an http.Response.</summary>
    [PyMethod]
    public Task<Response> Delete(string path, [PyKeywordOnly] IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Delete, path, null, headers, cancel);

    /// <summary>POST body (bytes, or str as UTF-8) to path; resolves to an http.Response.</summary>
    [PyMethod]
    public Task<Response> Post(string path, [PyKeywordOnly] ReadOnlyMemory<byte>? body = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Post, path, body, headers, cancel);

    /// <summary>PUT body (bytes, or str as UTF-8) to path; resolves to an http.Response.</summary>
    [PyMethod]
    public Task<Response> Put(string path, [PyKeywordOnly] ReadOnlyMemory<byte>? body = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Put, path, body, headers, cancel);

    /// <summary>PATCH body (bytes, or str as UTF-8) to path; resolves to an http.Response.</summary>
    [PyMethod]
    public Task<Response> Patch(string path, [PyKeywordOnly] ReadOnlyMemory<byte>? body = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancel = default) =>
        SendAsync(HttpMethod.Patch, path, body, headers, cancel);

    /// <summary>`async with` support: returns the client.</summary>
    [PyMethod("__aenter__")]
    public Task<Client> Enter() => Task.FromResult(this);

    /// <summary>`async with` support: an inline client closes its connections; a named one stays pooled.</summary>
    [PyMethod("__aexit__")]
    public Task Exit(PyBorrowed excType, PyBorrowed exc, PyBorrowed tb)
    {
        if (_owned) _invoker.Dispose();
        return Task.CompletedTask; // None: exceptions raised in the block propagate
    }

    /// <summary>Joins a path onto the base URL: an absolute URL is used as is; anything else is
    /// appended to base_url with exactly one '/' between, keeping base_url's own path prefix. A
    /// relative path on a client without base_url is a ClientError naming <paramref name="client"/>.</summary>
    public static Uri Resolve(Uri? baseUrl, string path, string client)
    {
        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https") return absolute;
        if (baseUrl is null)
            throw new ClientException($"{client} has no base_url, so '{path}' must be an absolute http:// or https:// URL");
        if (path.Length == 0) return baseUrl;
        var b = baseUrl.OriginalString.TrimEnd('/');
        return new Uri(b + "/" + path.TrimStart('/'));
    }

    private async Task<Response> SendAsync(HttpMethod method, string path, ReadOnlyMemory<byte>? body,
        IReadOnlyDictionary<string, string>? headers, CancellationToken cancel)
    {
        var url = Resolve(_options.BaseUrl, path, Name is null ? "inline client" : $"client '{Name}'");
        using var request = NewRequest(method, url, body is { } b ? new ReadOnlyMemoryContent(b) : null, headers);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(_options.Timeout);
        TraceParent();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = "error"; // siphon.client.duration's outcome label: a status class, timeout, cancelled or error
        try
        {
            using var response = await _invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            outcome = Telemetry.SiphonMetrics.StatusClass((int)response.StatusCode);
            return Response.FromUpstream((int)response.StatusCode, LinesOf(response), bytes);
        }
        catch (Exception e) when (Translate(e, method, url, cancel) is { } translated)
        {
            if (translated is ClientTimeoutException) outcome = "timeout";
            throw translated;
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled";
            throw;
        }
        finally
        {
            Telemetry.SiphonMetrics.Client(Name, outcome, started);
        }
    }

    /// <summary>Called at the start of an async send, still on the Python thread that made the call:
    /// makes the span of the request that thread serves Activity.Current for this send only (an
    /// async method's change to it is undone for its caller), so SocketsHttpHandler's client span
    /// is its child and the traceparent it writes names it.</summary>
    private static void TraceParent()
    {
        // Set even when null: a call outside any request (on_startup) starts a trace of its own.
        if (Telemetry.Tracing.Enabled) System.Diagnostics.Activity.Current = Telemetry.ScriptTrace.Current();
    }

    private HttpRequestMessage NewRequest(HttpMethod method, Uri url, HttpContent? content, IReadOnlyDictionary<string, string>? headers)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (_options.Http2PriorKnowledge && url.Scheme == "http")
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact; // h2c without upgrade
        }
        else if (url.Scheme == "https")
        {
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionOrLower; // h2 when ALPN agrees
        }
        if (headers is not null)
            foreach (var (k, v) in headers)
                if (!request.Headers.TryAddWithoutValidation(k, v))
                {
                    request.Content ??= new ReadOnlyMemoryContent(ReadOnlyMemory<byte>.Empty);
                    request.Content.Headers.TryAddWithoutValidation(k, v);
                }
        return request;
    }

    /// <summary>The upstream's header lines as sent (lower-case names, one per value: two Set-Cookie
    /// lines stay two, so a proxy that passes {**resp.headers} on through replace() keeps them).</summary>
    private static KeyValuePair<string, string>[] LinesOf(HttpResponseMessage response)
    {
        var lines = new List<KeyValuePair<string, string>>();
        foreach (var (k, v) in response.Headers.NonValidated) foreach (var value in v) lines.Add(new(k.ToLowerInvariant(), value));
        foreach (var (k, v) in response.Content.Headers.NonValidated) foreach (var value in v) lines.Add(new(k.ToLowerInvariant(), value));
        return [.. lines];
    }

    private static Dictionary<string, string> HeadersOf(HttpResponseMessage response)
    {
        var h = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in response.Headers) h[k.ToLowerInvariant()] = string.Join(", ", v);
        foreach (var (k, v) in response.Content.Headers) h[k.ToLowerInvariant()] = string.Join(", ", v);
        return h;
    }

    /// <summary>A streamed call, used as `async with client.stream(method, path) as resp:`; the
    /// body arrives through resp.aiter_bytes() as it is read. body may be bytes, str, or an async
    /// iterable of bytes/str sent as it is produced. The client's timeout covers the response head.</summary>
    [PyMethod]
    public ClientStream Stream(string method, string path, [PyKeywordOnly] IReadOnlyDictionary<string, string>? headers = null,
        [PyTypeHint("bytes | str | AsyncIterable[bytes | str] | None")] PyBorrowed body = default)
    {
        if (method.Length == 0 || method.AsSpan().IndexOfAny(" \r\n") >= 0) throw new ArgumentException($"method must be an HTTP method name, got '{method}'");
        var url = Resolve(_options.BaseUrl, path, Name is null ? "inline client" : $"client '{Name}'");
        var httpMethod = new HttpMethod(method.ToUpperInvariant());
        PyRef? producer = null;
        HttpContent? content = null;
        if (!body.IsNull && !PyConvert.IsNone(body.Handle))
        {
            if (Response.IsBuffered(body.Handle)) content = new ReadOnlyMemoryContent(PyConvert.ToMemory(body.Handle, "body"));
            else if (Response.IsAsyncIterable(body.Handle)) producer = body.NewReference().ToRef();
            else throw new InvalidCastException($"body must be bytes, str, an async iterable of bytes/str, or None, got {PyConvert.TypeNameOf(body.Handle)}");
        }
        return new ClientStream(this, httpMethod, url, content, producer, headers);
    }

    /// <summary>Sends a streamed call: returns once the response head is in (loop thread for the
    /// synchronous part: it starts the body's producer).</summary>
    internal async Task<StreamedResponse> OpenAsync(HttpMethod method, Uri url, HttpContent? content, BodyPump? pump,
        IReadOnlyDictionary<string, string>? headers, CancellationToken cancel)
    {
        using var request = NewRequest(method, url, content, headers);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(_options.Timeout);
        TraceParent();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = "error"; // as SendAsync's, up to the response head
        try
        {
            var response = await _invoker.SendAsync(request, timeout.Token).ConfigureAwait(false);
            try
            {
                var stream = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
                outcome = Telemetry.SiphonMetrics.StatusClass((int)response.StatusCode);
                return new StreamedResponse((int)response.StatusCode, HeadersOf(response), response, stream,
                    e => Translate(e, method, url, CancellationToken.None) ?? e);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
        catch (Exception e) when (Translate(e, method, url, cancel) is { } translated)
        {
            if (translated is ClientTimeoutException) outcome = "timeout";
            pump?.Cancel();
            throw translated;
        }
        catch (OperationCanceledException)
        {
            outcome = "cancelled";
            pump?.Cancel();
            throw;
        }
        finally
        {
            Telemetry.SiphonMetrics.Client(Name, outcome, started);
        }
    }

    /// <summary>An outbound failure as the ClientError subclass the script sees; null to let it pass
    /// (the awaiting handler was cancelled).</summary>
    private Exception? Translate(Exception e, HttpMethod method, Uri url, CancellationToken cancel)
    {
        switch (e)
        {
            case OperationCanceledException when !cancel.IsCancellationRequested:
                return new ClientTimeoutException($"{method} {url}: no answer within {(int)_options.Timeout.TotalMilliseconds} ms");
            case ProducerFailedException p:
                return new ClientException($"{method} {url}: the request body's producer raised\n{p.Traceback}", p);
            case HttpRequestException h when Find<ProducerFailedException>(h) is { } p:
                return new ClientException($"{method} {url}: the request body's producer raised\n{p.Traceback}", p);
            case HttpRequestException h when Find<AuthenticationException>(h) is { } auth:
                return new TlsException($"{method} {url}: TLS handshake failed: {auth.Message}", h);
            case HttpRequestException h when Find<SocketException>(h) is { } sock:
                return new ConnectException($"{method} {url}: cannot connect: {sock.Message}", h);
            case HttpRequestException h when EndedEarly(h):
                // Nothing on the wire says why. Over TLS 1.3 this is also how an upstream that requires a
                // client certificate answers a client without one (it drops the connection after the handshake).
                var hint = url.Scheme == "https" && _options.CertPath is null
                    ? " (an upstream that requires a client certificate does this when none is presented; this client has none)"
                    : "";
                return new ConnectException($"{method} {url}: the upstream closed the connection before a complete response{hint}", h);
            case HttpRequestException h:
                return new ClientException($"{method} {url}: {h.Message}", h);
            case IOException io when !cancel.IsCancellationRequested:
                return new ConnectException($"{method} {url}: the upstream connection failed mid-body: {io.Message}", io);
            default:
                return null;
        }
    }

    /// <summary>The connection ended before the response did: EOF where a frame, the headers or the
    /// rest of the body was due; or an HTTP/2 connection (chosen by ALPN) that closed before it
    /// served a request, which SocketsHttpHandler reports not as ResponseEnded but as an
    /// unclassified error, either caused by an IOException (its handshake write failed) or with no
    /// cause at all (the new connection shut down before it had a stream to give).</summary>
    private static bool EndedEarly(HttpRequestException e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } or HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded })
                return true;
        return e.HttpRequestError == HttpRequestError.Unknown
            && (e.InnerException is null || Find<IOException>(e) is { } io && io is not HttpIOException);
    }

    private static T? Find<T>(Exception e) where T : Exception
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is T t) return t;
        return null;
    }
}
