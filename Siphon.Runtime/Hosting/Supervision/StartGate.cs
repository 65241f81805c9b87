// processes mode's start-up order: nothing binds until every worker has loaded. A worker process
// loads its script and runs its on_startup hooks, prints LoadedLine and waits; once every worker
// has printed it the supervisor writes GoLine to each one's stdin, and only then do they bind
// (SO_REUSEPORT) and print the ready line. Without it the first worker to load took connections
// while the others were still loading (a request answered before the second worker's script had
// run), and a slow on_startup in one worker was invisible to clients of the others.
// A worker restarted after a crash gets the go as soon as it has loaded: the others are serving.
namespace Siphon.Runtime.Hosting.Supervision;

internal static class StartGate
{
    public const string LoadedLine = "siphon: worker loaded", GoLine = "siphon: bind";

    /// <summary>Worker side: tells the supervisor this worker has loaded and waits for the go.
    /// False when SIGTERM/SIGINT comes first, or the supervisor is gone (stdin closed): then the
    /// worker stops without ever binding.</summary>
    public static async Task<bool> LoadedAsync()
    {
        var stop = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(false); });
        using var intr = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(false); });
        Console.Out.WriteLine(LoadedLine);
        Console.Out.Flush();
        // A blocking read on a thread of its own: stdin is a pipe from the supervisor, read once.
        var go = Task.Factory.StartNew(() => Console.In.ReadLine() == GoLine, TaskCreationOptions.LongRunning);
        return await await Task.WhenAny(go, stop.Task);
    }

    /// <summary>Supervisor side: completes with 0 when every task has, or with the first non-zero
    /// result as soon as one gives it (a worker that failed: the others need not be waited for).</summary>
    public static async Task<int> AllOrFirstFailure(IEnumerable<Task<int>> tasks)
    {
        var pending = tasks.ToList();
        while (pending.Count > 0)
        {
            var done = await Task.WhenAny(pending);
            if (done.Result != 0) return done.Result;
            pending.Remove(done);
        }
        return 0;
    }
}
