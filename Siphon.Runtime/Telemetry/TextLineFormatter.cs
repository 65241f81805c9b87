// log_format: text. One line per message: "HH:mm:ss.fff level: category[wN] message", where wN is
// the worker the line is about (WorkerLog; "-" for a line of the process as a whole in interpreters
// mode). .NET's simple console formatter prints the event id there instead ("[0]" on every line of
// this host), which read as a worker number that never changed. Newlines in a message or an
// exception become spaces, as the simple formatter's single-line mode does, so a line is one record.
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Siphon.Runtime.Telemetry;

internal sealed class TextLineFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "siphon-text";

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = entry.Formatter(entry.State, entry.Exception);
        if (message is null && entry.Exception is null) return;
        textWriter.Write(DateTime.Now.ToString("HH:mm:ss.fff ", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write(Level(entry.LogLevel));
        textWriter.Write(": ");
        textWriter.Write(entry.Category);
        textWriter.Write(WorkerLog.Current is { } w ? $"[w{w}] " : "[-] ");
        if (message is not null) textWriter.Write(OneLine(message));
        if (entry.Exception is { } e)
        {
            textWriter.Write(' ');
            textWriter.Write(OneLine(e.ToString()));
        }
        textWriter.Write('\n');
    }

    private static string OneLine(string text) => text.Replace("\r\n", " ").Replace('\n', ' ');

    // The simple console formatter's four-letter levels, which operators' greps already know.
    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}
