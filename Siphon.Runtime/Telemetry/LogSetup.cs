// log_format: text is one line per message ("HH:mm:ss.fff info: category[0] message"); json is one
// object per line (JsonLineFormatter).
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Telemetry;

internal static class LogSetup
{
    public static ILoggingBuilder AddSiphonConsole(this ILoggingBuilder b, LogFormat format) => format == LogFormat.Json
        ? b.AddConsole(o => o.FormatterName = JsonLineFormatter.FormatterName).AddConsoleFormatter<JsonLineFormatter, ConsoleFormatterOptions>()
        : b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
}
