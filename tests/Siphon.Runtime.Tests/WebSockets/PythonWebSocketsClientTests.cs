using System.Diagnostics;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.WebSockets;

/// <summary>A fact that needs Debian's python3-websockets (a real third-party client) under /usr/bin/python3.</summary>
public sealed class DebianWebsocketsFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    public DebianWebsocketsFactAttribute()
    {
        if (!File.Exists(Python) || !Pythons.CanImport(Python, "websockets"))
            Skip = "no python3-websockets under /usr/bin/python3 (apt-get install python3-websockets)";
    }
}

/// <summary>The host's websockets spoken to by the `websockets` library (Python's most used client).</summary>
public class PythonWebSocketsClientTests(SharedHosts hosts) : IClassFixture<SharedHosts>
{
    private const string Script = """
        from siphon import http

        @http.websocket("/ws/echo")
        async def echo(ws):
            await ws.accept()
            async for msg in ws:
                await ws.send(msg)

        @http.websocket("/ws/boom")
        async def boom(ws):
            await ws.accept()
            await ws.receive()
            raise ValueError("boom")

        @http.websocket("/ws/never")
        async def never(ws):
            return
        """;

    private const string Client = """
        import asyncio, json, sys
        import websockets

        async def main(url):
            out = []
            async with websockets.connect(url + "/ws/echo", max_size=None) as ws:
                await ws.send("h\u00e9llo")
                out.append(await ws.recv())
                await ws.send(bytes(range(256)) * 1024)
                out.append(len(await ws.recv()))
            out.append(ws.close_code)
            async with websockets.connect(url + "/ws/boom") as ws:
                await ws.send("go")
                try:
                    await ws.recv()
                except websockets.ConnectionClosed as e:
                    out.append(e.rcvd.code)
            try:
                async with websockets.connect(url + "/ws/never"):
                    pass
            except websockets.InvalidStatusCode as e:
                out.append(e.status_code)
            print(json.dumps(out))

        asyncio.run(main(sys.argv[1]))
        """;

    [DebianWebsocketsFact]
    public async Task Echo_close_codes_and_refusal_with_python_websockets()
    {
        var siphon = await hosts.ScriptAsync("ws.py", Script);
        using var dir = new TempDir();
        var psi = new ProcessStartInfo(DebianWebsocketsFactAttribute.Python, [dir.Write("client.py", Client), siphon.Url.Replace("http://", "ws://")])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.True(p.ExitCode == 0, await stderr);
        Assert.Equal("[\"h\\u00e9llo\", 262144, 1000, 1011, 403]", (await stdout).Trim());
    }
}
