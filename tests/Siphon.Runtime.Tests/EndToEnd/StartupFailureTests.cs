using System.Net.Sockets;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Bad input never starts a half-working server: each failure exits non-zero with a
/// message naming the place, and nothing is listening.</summary>
public class StartupFailureTests
{
    private static async Task<(int Code, string Output)> RunToExit(string dir, params string[] args)
    {
        await using var p = SiphonProcess.Launch(args, dir);
        var code = await p.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, p.Output);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    private static void AssertNothingListens(int port)
    {
        using var c = new TcpClient();
        Assert.ThrowsAny<SocketException>(() => c.Connect(System.Net.IPAddress.Loopback, port));
    }

    [Fact]
    public async Task A_config_with_a_typod_key_names_file_line_and_key()
    {
        using var dir = new TempDir();
        var port = FreePort();
        var script = dir.Write("ok.py", "from siphon import http\n");
        var config = dir.Write("bad.yaml", $"servers:\n  - listen: \"127.0.0.1:{port}\"\n    max_body_byte: 10\n");
        var (code, output) = await RunToExit(dir.Path, "run", script, "--config", config);
        Assert.Equal(2, code);
        Assert.Contains("bad.yaml:3", output);
        Assert.Contains("max_body_byte", output);
        AssertNothingListens(port);
    }

    [Fact]
    public async Task A_script_with_a_syntax_error_names_the_script_line()
    {
        using var dir = new TempDir();
        var port = FreePort();
        var script = dir.Write("broken.py", "from siphon import http\n\n@http.route('/x')\ndef x(req)\n    return None\n");
        var (code, output) = await RunToExit(dir.Path, "run", script, "--listen", $"127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Contains("broken.py:4", output);
        Assert.Contains("SyntaxError", output);
        AssertNothingListens(port);
    }

    [Fact]
    public async Task A_script_importing_a_missing_module_names_the_script_line()
    {
        using var dir = new TempDir();
        var port = FreePort();
        var script = dir.Write("imports.py", "from siphon import http\nimport json\nimport no_such_module_here\n");
        var (code, output) = await RunToExit(dir.Path, "run", script, "--listen", $"127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Contains("imports.py:3", output);
        Assert.Contains("ModuleNotFoundError: No module named 'no_such_module_here'", output);
        AssertNothingListens(port);
    }

    [Fact]
    public async Task Two_routes_claiming_the_same_path_and_method_fail_the_load_naming_both_lines()
    {
        using var dir = new TempDir();
        var script = dir.Write("dupe.py", "from siphon import http\n\n@http.route('/a/{x}')\ndef a(req): pass\n\n@http.route('/a/{y}')\ndef b(req): pass\n");
        var (code, output) = await RunToExit(dir.Path, "run", script, "--listen", "127.0.0.1:0");
        Assert.Equal(1, code);
        Assert.Contains("dupe.py:6", output);
        Assert.Contains("dupe.py:3", output);
    }

    [Fact]
    public async Task A_raising_startup_hook_stops_the_process_with_its_traceback()
    {
        using var dir = new TempDir();
        var port = FreePort();
        var script = dir.Write("hook.py", "from siphon import http\n\n@http.on_startup\ndef boot():\n    raise RuntimeError('no database')\n");
        var (code, output) = await RunToExit(dir.Path, "run", script, "--listen", $"127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Contains("hook.py:5", output);
        Assert.Contains("RuntimeError: no database", output);
        AssertNothingListens(port);
    }

    [Fact]
    public async Task A_port_in_use_is_a_clear_error()
    {
        using var dir = new TempDir();
        using var taken = new TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        var script = dir.Write("ok.py", "from siphon import http\n");
        var (code, output) = await RunToExit(dir.Path, "run", script, "--listen", $"127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Contains("cannot listen", output);
        Assert.Contains(port.ToString(), output);
    }

    [Fact]
    public async Task Version_and_help()
    {
        var (code, output) = await RunToExit(Path.GetTempPath(), "--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^siphon \d+\.\d+\.\d+", output);
        (code, output) = await RunToExit(Path.GetTempPath(), "--help");
        Assert.Equal(0, code);
        Assert.Contains("siphon run SCRIPT", output);
        (code, output) = await RunToExit(Path.GetTempPath(), "serve");
        Assert.Equal(2, code);
        Assert.Contains("unknown command 'serve'", output);
    }
}
