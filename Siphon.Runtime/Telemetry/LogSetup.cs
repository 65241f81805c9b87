// log_format: text is one line per message ("HH:mm:ss.fff info: category[w0] message",
// TextLineFormatter); json is one object per line (JsonLineFormatter). Both name the worker.
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Telemetry;

internal static class LogSetup
{
    public static ILoggingBuilder AddSiphonConsole(this ILoggingBuilder b, LogFormat format) => format == LogFormat.Json
        ? b.AddConsole(o => o.FormatterName = JsonLineFormatter.FormatterName).AddConsoleFormatter<JsonLineFormatter, ConsoleFormatterOptions>()
        : b.AddConsole(o => o.FormatterName = TextLineFormatter.FormatterName).AddConsoleFormatter<TextLineFormatter, ConsoleFormatterOptions>();
}
