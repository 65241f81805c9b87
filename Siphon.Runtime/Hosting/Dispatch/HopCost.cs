// bench/hop-cost.sh's short-cuts of the request path, compiled into every build so they cannot drift
// from the code, and live only in a build made with -p:SiphonHopCost=true: elsewhere Mode is 0 and
// the JIT drops the branches (a static readonly int is a constant to tiered compilation).
using Siphon.Runtime.Http;

namespace Siphon.Runtime.Hosting.Dispatch;

internal static class HopCost
{
#if SIPHON_HOP_COST
    private const bool Built = true;
#else
    private const bool Built = false;
#endif

    /// <summary>1: answer on the Kestrel thread without a worker; 2: the worker answers without Python.</summary>
    internal static readonly int Mode = Built ? int.Parse(Environment.GetEnvironmentVariable("SIPHON_EXP") ?? "0") : 0;

    internal static readonly Response Canned =
        new(200, new Dictionary<string, string> { ["content-type"] = "application/json" }, "{\"id\": \"42\"}"u8.ToArray());
}
