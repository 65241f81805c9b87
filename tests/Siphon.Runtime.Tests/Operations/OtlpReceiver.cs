using System.Net;
using System.Text;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Siphon.Runtime.Tests.Operations;

/// <summary>A span as the collector receives it, decoded from OTLP's protobuf.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
    IReadOnlyDictionary<string, object> Attributes, IReadOnlyList<(string Name, IReadOnlyDictionary<string, object> Attributes)> Events,
    int StatusCode, IReadOnlyDictionary<string, object> Resource)
{
    public const int Server = 2, Client = 3; // opentelemetry.proto.trace.v1.Span.SpanKind
    public string? Attribute(string key) => Attributes.TryGetValue(key, out var v) ? Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) : null;
}

/// <summary>An OTLP/HTTP trace receiver, as a collector's: POST /v1/traces with an
/// ExportTraceServiceRequest in protobuf, on 127.0.0.1 with an ephemeral port. The messages are
/// read field by field with Google.Protobuf's CodedInputStream (the field numbers are those of
/// opentelemetry/proto/trace/v1/trace.proto); nothing of the exporter's own code is used.</summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<ReceivedSpan> _spans = [];

    private OtlpReceiver(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>http://127.0.0.1:PORT, the value for tracing.otlp_endpoint.</summary>
    public string Url { get; }

    public int Posts { get; private set; }

    public IReadOnlyList<ReceivedSpan> Spans { get { lock (_spans) return [.. _spans]; } }

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        OtlpReceiver? self = null;
        app.Run(async ctx =>
        {
            if (ctx.Request.Path != "/v1/traces" || ctx.Request.Method != "POST" || ctx.Request.ContentType != "application/x-protobuf")
            {
                ctx.Response.StatusCode = 404;
                return;
            }
            using var buffer = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(buffer);
            var spans = ReadExportRequest(buffer.ToArray());
            lock (self!._spans)
            {
                self._spans.AddRange(spans);
                self.Posts++;
            }
            ctx.Response.ContentType = "application/x-protobuf";
            ctx.Response.StatusCode = 200; // an empty ExportTraceServiceResponse
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return self = new OtlpReceiver(app, address.TrimEnd('/'));
    }

    /// <summary>Waits until the spans received satisfy <paramref name="done"/> (the exporter sends in
    /// batches); fails with what did arrive.</summary>
    public async Task<IReadOnlyList<ReceivedSpan>> WaitForAsync(Func<IReadOnlyList<ReceivedSpan>, bool> done, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var spans = Spans;
            if (done(spans)) return spans;
            if (DateTime.UtcNow > until)
                Assert.Fail("the spans expected did not arrive; received:\n" + string.Join("\n", spans.Select(s => $"{s.Name} kind={s.Kind} trace={s.TraceId} span={s.SpanId} parent={s.ParentSpanId}")));
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }

    // ---- protobuf: ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }

    private static List<ReceivedSpan> ReadExportRequest(byte[] data)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var (field, resourceSpans) in Fields(data))
            if (field == 1) ReadResourceSpans((byte[])resourceSpans, spans);
        return spans;
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    // Resource { repeated KeyValue attributes = 1; }   ScopeSpans { scope = 1; repeated Span spans = 2; }
    private static void ReadResourceSpans(byte[] data, List<ReceivedSpan> into)
    {
        var resource = new Dictionary<string, object>();
        var scopes = new List<byte[]>();
        foreach (var (field, value) in Fields(data))
        {
            if (field == 1)
                foreach (var (f, kv) in Fields((byte[])value))
                    if (f == 1) AddKeyValue((byte[])kv, resource);
            if (field == 2) scopes.Add((byte[])value);
        }
        foreach (var scope in scopes)
            foreach (var (field, span) in Fields(scope))
                if (field == 2) into.Add(ReadSpan((byte[])span, resource));
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5;
    //        SpanKind kind = 6; repeated KeyValue attributes = 9; repeated Event events = 11; Status status = 15; }
    // Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
    // Status { string message = 2; StatusCode code = 3; }
    private static ReceivedSpan ReadSpan(byte[] data, IReadOnlyDictionary<string, object> resource)
    {
        string trace = "", span = "", parent = "", name = "";
        int kind = 0, status = 0;
        var attributes = new Dictionary<string, object>();
        var events = new List<(string, IReadOnlyDictionary<string, object>)>();
        foreach (var (field, value) in Fields(data))
        {
            switch (field)
            {
                case 1: trace = Convert.ToHexStringLower((byte[])value); break;
                case 2: span = Convert.ToHexStringLower((byte[])value); break;
                case 4: parent = Convert.ToHexStringLower((byte[])value); break;
                case 5: name = Encoding.UTF8.GetString((byte[])value); break;
                case 6: kind = (int)(ulong)value; break;
                case 9: AddKeyValue((byte[])value, attributes); break;
                case 11:
                    var eventName = "";
                    var eventAttributes = new Dictionary<string, object>();
                    foreach (var (f, v) in Fields((byte[])value))
                    {
                        if (f == 2) eventName = Encoding.UTF8.GetString((byte[])v);
                        if (f == 3) AddKeyValue((byte[])v, eventAttributes);
                    }
                    events.Add((eventName, eventAttributes));
                    break;
                case 15:
                    foreach (var (f, v) in Fields((byte[])value))
                        if (f == 3) status = (int)(ulong)v;
                    break;
            }
        }
        return new ReceivedSpan(trace, span, parent, name, kind, attributes, events, status, resource);
    }

    // KeyValue { string key = 1; AnyValue value = 2; }
    // AnyValue { oneof { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ... } }
    private static void AddKeyValue(byte[] data, Dictionary<string, object> into)
    {
        string? key = null;
        object? value = null;
        foreach (var (field, v) in Fields(data))
        {
            if (field == 1) key = Encoding.UTF8.GetString((byte[])v);
            if (field != 2) continue;
            foreach (var (f, any) in Fields((byte[])v))
                value = f switch
                {
                    1 => Encoding.UTF8.GetString((byte[])any),
                    2 => (ulong)any != 0,
                    3 => (long)(ulong)any,
                    4 => BitConverter.UInt64BitsToDouble((ulong)any),
                    _ => "(unsupported)",
                };
        }
        if (key is not null) into[key] = value ?? "";
    }

    /// <summary>The fields of one message: (number, bytes for a length-delimited field, ulong for
    /// a varint or fixed one).</summary>
    private static IEnumerable<(int Field, object Value)> Fields(byte[] message)
    {
        var input = new CodedInputStream(message);
        var fields = new List<(int, object)>();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var number = WireFormat.GetTagFieldNumber(tag);
            switch (WireFormat.GetTagWireType(tag))
            {
                case WireFormat.WireType.Varint: fields.Add((number, input.ReadUInt64())); break;
                case WireFormat.WireType.Fixed64: fields.Add((number, input.ReadFixed64())); break;
                case WireFormat.WireType.Fixed32: fields.Add((number, (ulong)input.ReadFixed32())); break;
                case WireFormat.WireType.LengthDelimited: fields.Add((number, input.ReadBytes().ToByteArray())); break;
                default: input.SkipLastField(); break;
            }
        }
        return fields;
    }
}
