// Start-up: while the worker thread starts CPython and loads the script (the longest step of a
// launch), the main thread would only wait. KestrelPrewarm spends that time on a thread-pool thread
// building and discarding a Kestrel host that binds nothing, so that the assemblies, types and
// static state the real listeners need are loaded by the time they are built (bench/startup.sh,
// bench/README.md "Start-up"). Nothing here may fail a launch: errors are swallowed, since the real
// build reports its own.
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;

namespace Siphon.Runtime.Startup;

internal static class KestrelPrewarm
{
    /// <summary>Starts the warm-up in the background; the returned task never faults.</summary>
    public static Task Start() => Task.Run(static async () =>
    {
        try
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore();
            builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
            await using var app = builder.Build();
            _ = app.Services.GetRequiredService<IServer>(); // Kestrel's server object: its options, pipes, heartbeat types
        }
        catch (Exception)
        {
            // A warm-up only; HttpServer builds (and reports on) the real hosts.
        }
    });
}
