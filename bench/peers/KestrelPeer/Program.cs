// Bare Kestrel minimal API with the routes of examples/hello.py, the .NET ceiling for bench/run.sh,
// and the streaming routes of bench/stream_app.py for bench/stream.sh (POST /upload counts a body
// as it arrives; GET /download/{mib} writes MiB of 64 KiB chunks, flushing each).
// Same settings as Siphon's host where they change the bytes on the wire or the per-request work:
// no Server header, no request logging. Usage: kestrel-peer --listen 127.0.0.1:PORT
using System.Net;
using System.Text.Json;

var listen = args.Length == 2 && args[0] == "--listen" ? IPEndPoint.Parse(args[1])
    : throw new ArgumentException("usage: kestrel-peer --listen HOST:PORT");

var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k =>
{
    k.AddServerHeader = false;
    k.Listen(listen);
});
var app = builder.Build();

app.MapGet("/hello", () => Results.Text("hello, world", "text/plain; charset=utf-8"));
// The body json.dumps writes in examples/hello.py: {"id": "42"}.
app.MapGet("/users/{id}", (string id) =>
    Results.Text("{\"id\": " + JsonSerializer.Serialize(id, PeerJson.Default.String) + "}", "application/json"));

app.MapPost("/upload", async (HttpRequest req) =>
{
    long n = 0;
    var reader = req.BodyReader;
    while (true)
    {
        var r = await reader.ReadAsync();
        n += r.Buffer.Length;
        reader.AdvanceTo(r.Buffer.End);
        if (r.IsCompleted) break;
    }
    return Results.Text(n.ToString(), "text/plain");
});
app.MapGet("/download/{mib:int}", async (int mib, HttpResponse resp) =>
{
    var block = new byte[65536];
    resp.ContentType = "application/octet-stream";
    for (var i = 0; i < mib * 16; i++) await resp.Body.WriteAsync(block);
});

app.Run();

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class PeerJson : System.Text.Json.Serialization.JsonSerializerContext;
