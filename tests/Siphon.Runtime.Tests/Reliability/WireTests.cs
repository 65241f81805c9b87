using System.Text;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Reliability;

/// <summary>Bad input on the wire, byte for byte on a plain socket: each gets its 4xx (or a
/// closed connection where the RFC says so), and the server keeps serving after every one.</summary>
public class WireTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private SiphonProcess? _siphon;
    private string Url => _siphon!.Url;

    public async Task InitializeAsync()
    {
        var script = _dir.Write("wire.py", """
            from siphon import http

            @http.route("/ok")
            def ok(req):
                return http.Response(body="ok")

            @http.route("/echo", methods=["POST"])
            def echo(req):
                return http.Response(body=req.body())

            @http.route("/p/{x}")
            def param(req):
                return http.Response(body=req.path_params["x"].encode("utf-8", "surrogateescape").hex())
            """);
        _siphon = await SiphonProcess.StartAsync(script);
    }

    public async Task DisposeAsync()
    {
        if (_siphon is not null) await _siphon.DisposeAsync();
        _dir.Dispose();
    }

    private static string Status(string raw) => raw.Length >= 12 && raw.StartsWith("HTTP/1.1 ") ? raw[9..12] : $"closed:{raw.Length}";

    private async Task StillServing()
    {
        var raw = await RawHttp.ExchangeAsync(Url, "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", raw);
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n", "400")]
    [InlineData("GET /ok\r\n\r\n", "400")]                                   // no version
    [InlineData("GET  /ok HTTP/1.1\r\nHost: x\r\n\r\n", "400")]              // two spaces
    [InlineData("GET /ok HTTP/1.1\nHost: x\nConnection: close\n\n", "200")] // bare LF: RFC 9112 2.2 lets a recipient accept it, Kestrel does
    [InlineData("GET /ok HTTP/9.9\r\nHost: x\r\n\r\n", "505")]
    [InlineData("GET /ok HTTP/1.1\r\n\r\n", "400")]                          // no Host (RFC 9112 3.2)
    [InlineData("GET /ok HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n", "400")]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", "400")]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", "400")]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "400")]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd", "400")]
    [InlineData("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", "400")]   // not ending in chunked: RFC 9112 6.3 says 400 and close
    [InlineData("GET /a\0b HTTP/1.1\r\nHost: x\r\n\r\n", "400")]             // raw NUL in the target
    [InlineData("GET /p/%00 HTTP/1.1\r\nHost: x\r\n\r\n", "400")]            // encoded NUL
    [InlineData("GET /p/\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n", "400")]         // raw non-ASCII byte in the target
    public async Task A_malformed_request_gets_its_4xx_and_the_server_keeps_serving(string request, string status)
    {
        var raw = await RawHttp.ExchangeAsync(Url, request);
        Assert.Equal(status, Status(raw));
        await StillServing();
    }

    [Fact]
    public async Task Content_length_with_transfer_encoding_is_read_as_chunked_and_the_connection_closes()
    {
        // RFC 9112 6.3: Transfer-Encoding overrides Content-Length, and the server must close the
        // connection after answering (the request may be a smuggling attempt).
        var raw = await RawHttp.ExchangeAsync(Url,
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200", raw);
        Assert.Contains("Connection: close", raw);
        Assert.EndsWith("\r\n\r\nabc", raw); // the smuggled GET was never answered
        await StillServing();
    }

    [Fact]
    public async Task Invalid_utf8_in_a_path_param_reaches_the_handler_as_surrogate_free_text_or_404_never_a_crash()
    {
        var raw = await RawHttp.ExchangeAsync(Url, "GET /p/%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        // Kestrel leaves an invalid sequence percent-encoded; the param is then decoded by the router.
        Assert.StartsWith("HTTP/1.1 200", raw);
        await StillServing();
    }

    [Fact]
    public async Task An_oversized_request_line_gets_414_and_oversized_headers_get_431()
    {
        Assert.Equal("414", Status(await RawHttp.ExchangeAsync(Url, $"GET /ok?{new string('a', 9000)} HTTP/1.1\r\nHost: x\r\n\r\n")));
        Assert.Equal("431", Status(await RawHttp.ExchangeAsync(Url, $"GET /ok HTTP/1.1\r\nHost: x\r\nX-Big: {new string('b', 40_000)}\r\n\r\n")));
        Assert.Equal("431", Status(await RawHttp.ExchangeAsync(Url,
            "GET /ok HTTP/1.1\r\nHost: x\r\n" + string.Concat(Enumerable.Range(0, 120).Select(i => $"X-H{i}: v\r\n")) + "\r\n")));
        await StillServing();
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 4, 0xee, 0, 0, 0, 0, 1, 1, 2, 3, 4 })]                  // unknown frame type on stream 1: ignored (RFC 9113 4.1), then fine
    [InlineData(new byte[] { 0, 0, 1, 0x1, 0x4, 0, 0, 0, 2, 0xff })]                       // HEADERS with a garbage HPACK block
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0x0, 0, 0, 0, 0, 1 })]                      // DATA frame far larger than SETTINGS_MAX_FRAME_SIZE
    [InlineData(new byte[] { 0, 0, 0, 0x4, 0, 0, 0, 0, 3 })]                               // SETTINGS on a stream, not 0
    public async Task Http2_garbage_frames_get_goaway_or_are_ignored_and_the_server_keeps_serving(byte[] frame)
    {
        using var socket = await RawHttp.SendAsync(Url, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await socket.SendAsync(new byte[] { 0, 0, 0, 0x4, 0, 0, 0, 0, 0 }); // our SETTINGS
        await socket.SendAsync(frame);
        var received = Encoding.Latin1.GetBytes(await RawHttp.ReadToCloseAsync(socket, TimeSpan.FromSeconds(3)));
        var types = new List<byte>();
        for (var i = 0; i + 9 <= received.Length; i += 9 + (received[i] << 16 | received[i + 1] << 8 | received[i + 2])) types.Add(received[i + 3]);
        Assert.Equal(0x4, types[0]); // the server's SETTINGS: it spoke HTTP/2
        if (frame[3] != 0xee) Assert.Contains((byte)0x7, types); // GOAWAY for a connection error
        await StillServing();
    }
}
