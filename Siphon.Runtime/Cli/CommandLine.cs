// The command line: `siphon run SCRIPT [options]`, `siphon stubs --out DIR`, `--help`, `--version`.
// Hand-parsed: a handful of flags does not justify a dependency, and the errors name the flag.
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Cli;

public sealed class UsageException(string message) : Exception(message);

public sealed record CommandLine
{
    public string Command { get; init; } = "help";
    public string? Script { get; init; }
    public string? ConfigPath { get; init; }
    public IReadOnlyList<string> Listen { get; init; } = [];
    public bool? AccessLog { get; init; }
    public bool? Reload { get; init; }
    public int? Workers { get; init; }
    public WorkerMode? WorkerMode { get; init; }
    public string? Python { get; init; }
    public string? OutDir { get; init; }

    public const string Usage = """
        usage:
          siphon run SCRIPT [--config FILE] [--listen HOST:PORT]... [--access-log] [--workers N]
                     [--worker-mode processes|interpreters] [--python PATH] [--reload]
          siphon stubs --out DIR [--config FILE]
          siphon --help | --version

        run      serve SCRIPT with the listeners of http.yaml (FILE, or ./http.yaml when present,
                 else one listener on 127.0.0.1:8080)
          --listen HOST:PORT   replaces the configured listeners (repeatable); each keeps the first
                               configured server's limits, without TLS
          --access-log         log method, path, status and duration of every request
          --workers N          serve with N workers, each with its own interpreter (see README, "Scaling")
          --worker-mode MODE   how N > 1 workers run: processes (default; N processes sharing each
                               port) or interpreters (one process, N interpreters each with its own
                               GIL; CPython 3.13+)
          --python PATH        python executable or libpython to embed (also $SIPHON_PYTHON)
          --reload             live reload: when SCRIPT, a module it imported from its own folder
                               or http.yaml changes, load the new version and switch to it without
                               dropping requests; a version that fails to load is logged and the
                               running one keeps serving (also reload: true; SIGHUP always reloads)
        stubs    write the .pyi stubs of the siphon package to DIR; with --config, also those of
                 the modules of the extensions FILE names (extensions:)

        exit status: 0 after a clean shutdown, 1 when the script or Python fails or a port is in use,
        2 for a bad command line or http.yaml (or worker_mode: interpreters before CPython 3.13)
        """;

    public static CommandLine Parse(string[] args)
    {
        if (args.Length == 0) return new() { Command = "help" };
        var cmd = args[0] switch
        {
            "-h" or "--help" or "help" => "help",
            "-V" or "--version" or "version" => "version",
            "run" or "stubs" => args[0],
            var other => throw new UsageException($"unknown command '{other}'"),
        };
        var result = new CommandLine { Command = cmd };
        var listen = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            var a = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{a} needs a value");
            switch (a)
            {
                case "--config" or "-c": result = result with { ConfigPath = Value() }; break;
                case "--listen" or "-l": listen.Add(Value()); break;
                case "--access-log": result = result with { AccessLog = true }; break;
                case "--reload": result = result with { Reload = true }; break;
                case "--python": result = result with { Python = Value() }; break;
                case "--out" or "-o": result = result with { OutDir = Value() }; break;
                case "--workers" or "-w":
                    var w = Value();
                    result = result with { Workers = int.TryParse(w, out var n) && n >= 1 ? n : throw new UsageException($"--workers takes a whole number ≥ 1, got '{w}'") };
                    break;
                case "--worker-mode":
                    var mode = Value();
                    result = result with { WorkerMode = WorkerModes.TryParse(mode, out var m) ? m : throw new UsageException($"--worker-mode takes processes or interpreters, got '{mode}'") };
                    break;
                case "-h" or "--help": return new() { Command = "help" };
                default:
                    if (a.StartsWith('-')) throw new UsageException($"unknown option '{a}'");
                    if (cmd == "run" && result.Script is null) result = result with { Script = a };
                    else throw new UsageException($"unexpected argument '{a}'");
                    break;
            }
        }
        if (cmd == "run" && result.Script is null) throw new UsageException("run needs a SCRIPT");
        if (cmd == "stubs" && result.OutDir is null) throw new UsageException("stubs needs --out DIR");
        return result with { Listen = listen };
    }
}
