using System.Diagnostics;

namespace Siphon.Tests.Shared;

/// <summary>Wait-until helpers: poll a condition until it holds or a deadline passes, instead of
/// sleeping a fixed time and hoping the machine kept up.</summary>
public static class Wait
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>Polls <paramref name="condition"/> until true; fails with <paramref name="what"/> after
    /// <paramref name="timeout"/> (default 20 s).</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), () => what, timeout);

    public static Task UntilAsync(Func<bool> condition, Func<string> what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);

    public static Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(condition, () => what, timeout);

    public static async Task UntilAsync(Func<Task<bool>> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        while (!await condition())
        {
            if (deadline.Elapsed > limit) Assert.Fail($"not within {limit.TotalSeconds:0.#} s: {what()}");
            await Task.Delay(Poll);
        }
    }
}
