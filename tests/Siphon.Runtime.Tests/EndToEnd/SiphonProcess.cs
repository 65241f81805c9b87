using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>The real `siphon` host in its own process: launched with `run`, read until it reports
/// its listeners and says it is ready, stopped with a real SIGTERM.</summary>
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

    public static string RepoRoot => Siphon.Tests.Shared.Repo.Root;

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
        // After its listening lines, once every listener is bound and every worker serves.
        if (line == ReadyLine) _ready.TrySetResult();
    }

    public const string ReadyLine = "siphon: ready";

    /// <summary>Asserts the start-up lines: <paramref name="listeners"/> listening lines, then the
    /// ready line, once.</summary>
    public void AssertReadyAfterListening(int listeners)
    {
        var lines = Output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var listening = lines.Select((l, i) => (l, i)).Where(x => ListeningLine().IsMatch(x.l)).Select(x => x.i).ToList();
        Assert.Equal(listeners, listening.Count);
        Assert.Single(lines, l => l == ReadyLine);
        Assert.True(listening.Max() < lines.IndexOf(ReadyLine), "the ready line came before a listening line:\n" + Output);
    }

    /// <summary>Waits until the output holds <paramref name="text"/>: for lines the host writes a
    /// moment after the answer that caused them (logs are queued, and read here through a pipe).</summary>
    public Task WaitForOutputAsync(string text, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => Output.Contains(text, StringComparison.Ordinal), () => $"'{text}' in the output:\n{Output}", timeout);

    /// <summary>Waits until the output has <paramref name="count"/> matches of <paramref name="pattern"/>.</summary>
    public Task WaitForOutputAsync(Regex pattern, int count = 1, TimeSpan? timeout = null) =>
        Wait.UntilAsync(() => pattern.Count(Output) >= count, () => $"{count} × /{pattern}/ in the output:\n{Output}", timeout);

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
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        File.WriteAllText(p, content.ReplaceLineEndings("\n"));
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}
