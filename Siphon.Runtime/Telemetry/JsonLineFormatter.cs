// log_format: json. One JSON object per line with fixed lower-case names: timestamp (UTC, ISO 8601),
// level, category (the script's file name for log.* calls, siphon.access for the access log,
// siphon.* for the host), worker (the worker the line is about, WorkerLog; null for a line of the
// process as a whole in interpreters mode), message (the rendered text), then the message's named fields in
// snake_case (the access log's method, target, route, status, duration_ms, client), and exception
// when there is one; trace_id and span_id after message while a traced request runs. .NET's own
// JSON console formatter nests the fields under "State" with PascalCase names (Timestamp,
// LogLevel...), which log pipelines then have to remap.
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Siphon.Runtime.Telemetry;

internal sealed class JsonLineFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "siphon-json";

    private static readonly JsonWriterOptions Options = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = entry.Formatter(entry.State, entry.Exception);
        if (message is null && entry.Exception is null) return;
        var buffer = new MemoryStream(256);
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("timestamp", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"));
            w.WriteString("level", Level(entry.LogLevel));
            w.WriteString("category", entry.Category);
            if (WorkerLog.Current is { } worker) w.WriteNumber("worker", worker);
            else w.WriteNull("worker");
            w.WriteString("message", message);
            // Written while a traced request runs (on its Kestrel thread, or on a Python thread
            // through ScriptTrace): the ids that find its spans. Without tracing nothing is current.
            if (Activity.Current is { } span)
            {
                w.WriteString("trace_id", span.TraceId.ToHexString());
                w.WriteString("span_id", span.SpanId.ToHexString());
            }
            if (entry.State is IReadOnlyList<KeyValuePair<string, object?>> fields)
                foreach (var (key, value) in fields)
                {
                    if (key == "{OriginalFormat}") continue;
                    var name = SnakeCase(key);
                    if (name is "timestamp" or "level" or "category" or "worker" or "message" or "exception" or "trace_id" or "span_id") continue;
                    switch (value)
                    {
                        case null: w.WriteNull(name); break;
                        case int or long or short or byte: w.WriteNumber(name, Convert.ToInt64(value)); break;
                        case double d: w.WriteNumber(name, Math.Round(d, 3)); break;
                        case float or decimal: w.WriteNumber(name, Convert.ToDouble(value)); break;
                        case bool b: w.WriteBoolean(name, b); break;
                        default: w.WriteString(name, value.ToString()); break;
                    }
                }
            if (entry.Exception is { } e) w.WriteString("exception", e.ToString());
            w.WriteEndObject();
        }
        textWriter.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        textWriter.Write('\n');
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };

    // DurationMs → duration_ms, Python → python.
    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]))) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
