using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.WebSockets;

/// <summary>A websocket handler must be an async def: a plain one fails the script load, naming its line.</summary>
public class WebSocketScriptLoadTests
{
    [Fact]
    public async Task A_def_websocket_handler_fails_the_load_naming_the_line()
    {
        using var dir = new TempDir();
        var script = dir.Write("bad.py", """
            from siphon import http

            @http.websocket("/ws")
            def plain(ws):
                pass
            """);
        await using var siphon = SiphonProcess.Launch(["run", script, "--listen", "127.0.0.1:0"], dir.Path);
        var rc = await siphon.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, rc);
        Assert.Contains($"{script}:3: @http.websocket('/ws') needs an async def handler(ws)", siphon.Output);
        Assert.DoesNotContain(SiphonProcess.ReadyLine, siphon.Output);
    }
}
