// The instruments of @http.websocket routes: open sockets and messages each way, by route pattern.
using System.Diagnostics.Metrics;

namespace Siphon.Runtime.Telemetry;

internal static partial class SiphonMetrics
{
    public static readonly UpDownCounter<long> WebSocketsOpen = Meter.CreateUpDownCounter<long>("siphon.websockets.open", "{socket}",
        "Accepted websockets not yet closed, by route pattern");

    public static readonly Counter<long> WebSocketMessages = Meter.CreateCounter<long>("siphon.websocket.messages", "{message}",
        "Websocket messages by route pattern and direction (in: from the peer, out: to it)");

    public static void WebSocketOpened(string route, int delta)
    {
        if (WebSocketsOpen.Enabled) WebSocketsOpen.Add(delta, new KeyValuePair<string, object?>("route", route));
    }

    public static void WebSocketMessage(string route, bool incoming)
    {
        if (WebSocketMessages.Enabled)
            WebSocketMessages.Add(1, new KeyValuePair<string, object?>("route", route),
                new KeyValuePair<string, object?>("direction", incoming ? "in" : "out"));
    }
}
