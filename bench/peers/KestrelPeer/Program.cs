// Bare Kestrel minimal API with the routes of examples/hello.py, the .NET ceiling for bench/run.sh.
// Same settings as Siphon's host where they change the bytes on the wire or the per-request work:
// no Server header, no request logging. Usage: kestrel-peer --listen 127.0.0.1:PORT
using System.Net;
using System.Text.Json;

var listen = args.Length == 2 && args[0] == "--listen" ? IPEndPoint.Parse(args[1])
    : throw new ArgumentException("usage: kestrel-peer --listen HOST:PORT");

var builder = WebApplication.CreateSlimBuilder();
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

app.Run();

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class PeerJson : System.Text.Json.Serialization.JsonSerializerContext;
