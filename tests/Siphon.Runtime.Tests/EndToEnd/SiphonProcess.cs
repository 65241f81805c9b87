using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>The real `siphon` host in its own process: launched with `run`, read until it reports
/// its listeners, stopped with a real SIGTERM.</summary>
public sealed partial class SiphonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _urls = [];

    private SiphonProcess(Process process) => _process = process;

    public IReadOnlyList<string> Urls => _urls;
    public string Url => _urls[0];
    public int Pid => _process.Id;
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>Where the built host lives (beside the tests, with its python/ folder).</summary>
    public static string HostDll => Path.Combine(AppContext.BaseDirectory, "siphon.dll");

    public static string RepoRoot
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Siphon.sln"))) return d.FullName;
            throw new InvalidOperationException("repo root not found");
        }
    }

    /// <summary>Starts `siphon ARGS...`; does not wait for readiness.</summary>
    public static SiphonProcess Launch(IEnumerable<string> args, string? workingDirectory = null, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        psi.ArgumentList.Add(HostDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = new SiphonProcess(Process.Start(psi)!);
        p._process.OutputDataReceived += (_, e) => p.OnLine(e.Data);
        p._process.ErrorDataReceived += (_, e) => p.OnLine(e.Data);
        p._process.BeginOutputReadLine();
        p._process.BeginErrorReadLine();
        p._process.EnableRaisingEvents = true;
        p._process.Exited += (_, _) => p._ready.TrySetException(new InvalidOperationException($"siphon exited ({p._process.ExitCode}) before listening:\n{p.Output}"));
        return p;
    }

    /// <summary>Starts `siphon run SCRIPT` on an ephemeral loopback port and waits until it listens.</summary>
    public static async Task<SiphonProcess> StartAsync(string script, string? config = null, IEnumerable<string>? extraArgs = null,
        IDictionary<string, string>? env = null, bool listenOverride = true)
    {
        var args = new List<string> { "run", script };
        if (config is not null) { args.Add("--config"); args.Add(config); }
        if (listenOverride && config is null) { args.Add("--listen"); args.Add("127.0.0.1:0"); }
        if (extraArgs is not null) args.AddRange(extraArgs);
        var p = Launch(args, Path.GetDirectoryName(script), env);
        try
        {
            await p._ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            await p.DisposeAsync();
            throw;
        }
        return p;
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
        var m = ListeningLine().Match(line);
        if (m.Success)
        {
            lock (_urls) _urls.Add(m.Groups[1].Value);
        }
        // The host prints one line per listener, all before it serves; give the others a moment.
        if (m.Success) _ = Task.Delay(100).ContinueWith(_ => _ready.TrySetResult());
    }

    [GeneratedRegex(@"^siphon: listening on (\S+)")]
    private static partial Regex ListeningLine();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    public void Signal(int signal = 15) => kill(_process.Id, signal);

    /// <summary>Sends SIGTERM and waits for the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited) Signal(15);
        return await WaitForExitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit(); // flush the async output readers
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(true); } catch (InvalidOperationException) { }
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

/// <summary>A temp folder for scripts and configs written by a test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("siphon-test-").FullName;

    public string Write(string name, string content)
    {
        var p = System.IO.Path.Combine(Path, name);
        File.WriteAllText(p, content.ReplaceLineEndings("\n"));
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}
