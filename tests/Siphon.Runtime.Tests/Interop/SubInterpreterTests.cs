using System.Runtime.CompilerServices;
using Siphon.Runtime.Hosting.Dispatch;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Tests.Interop;

/// <summary>A fact that needs the suite's own Python (the in-process fixture) to be ≥ 3.13.</summary>
public sealed class FixturePython313FactAttribute : FactAttribute
{
    public FixturePython313FactAttribute()
    {
        Version? version = null;
        try { version = PythonLocator.Locate().Version; }
        catch (PythonNotFoundException) { }
        if (version is null || version < PythonRuntime.SubInterpreterMinimum)
            Skip = $"the suite runs on CPython {version?.ToString() ?? "(none)"}; in-process sub-interpreters need 3.13+ (SIPHON_PYTHON set to a 3.13 build, e.g. one under $PYENV_ROOT/versions, runs this)";
    }
}

/// <summary>The interop layer's per-interpreter state against a real sub-interpreter with its own
/// GIL, created and ended in this process on a thread of its own (as a worker does).</summary>
[Collection("python")]
public unsafe class SubInterpreterTests
{
    [FixturePython313Fact]
    public void Bound_types_traceback_formatting_and_deferred_decrefs_are_per_interpreter()
    {
        PythonFixture.Ensure();
        nint mainInterp, mainRequestType;
        using (var gil = Gil.Acquire())
        {
            mainInterp = CApi.PyInterpreterState_Get();
            mainRequestType = BindingRegistry.TypeOf(typeof(Request));
            // Fill the main interpreter's traceback.format_exception cache.
            Assert.Contains("ValueError: main", Assert.Throws<PythonException>(() => Raise("main")).PythonTraceback);
        }

        PyRef? survivor = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                var sub = PythonRuntime.CreateSubInterpreter();
                try
                {
                    Assert.NotEqual(mainInterp, CApi.PyInterpreterState_Get());
                    // A heap type of its own, and a working siphon package on sys.path.
                    var subRequestType = BindingRegistry.TypeOf(typeof(Request));
                    Assert.NotEqual(mainRequestType, subRequestType);
                    Assert.Equal(subRequestType, BindingRegistry.TypeOf(typeof(Request)));
                    NativeModule.Install(_ => PyConvert.None());
                    Assert.Equal("201 b'x'", PythonFixture.RunString("from siphon import http\nr = http.Response(201, body='x')", "f'{r.status} {r.body!r}'"));
                    Assert.Equal("True", PythonFixture.RunString("import sys, _interpreters", "str(_interpreters.get_current()[0] != 0)"));
                    // Tracebacks are formatted with this interpreter's own traceback module.
                    var e = Assert.Throws<PythonException>(() => Raise("sub"));
                    Assert.Contains("Traceback (most recent call last)", e.PythonTraceback);
                    Assert.Contains("ValueError: sub", e.PythonTraceback);
                    // A PyRef dropped without Dispose is decref'd by its own interpreter's drain.
                    DropUndisposed();
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    Assert.True(PyRef.DrainPending() >= 1);
                    survivor = PyOwned.Checked(PythonRuntime.Eval("object()")).ToRef();
                }
                finally
                {
                    PythonRuntime.EndSubInterpreter(sub);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { Name = "sub-interpreter test" };
        thread.Start();
        thread.Join();
        if (failure is not null) throw new Xunit.Sdk.XunitException($"in the sub-interpreter: {failure}");

        // The sub-interpreter's objects died with it: a late finalizer drops its handle rather than
        // queueing it for another interpreter.
        survivor = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using (var gil = Gil.Acquire())
        {
            PyRef.DrainPending();
            Assert.Equal(mainInterp, CApi.PyInterpreterState_Get());
            Assert.Equal(mainRequestType, BindingRegistry.TypeOf(typeof(Request)));
            Assert.Contains("ValueError: main again", Assert.Throws<PythonException>(() => Raise("main again")).PythonTraceback);
        }
    }

    private static void Raise(string message)
    {
        using var r = PyOwned.Adopt(PythonFixture.Run($"def f():\n    raise ValueError({System.Text.Json.JsonSerializer.Serialize(message)})\nf()\n"));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void DropUndisposed()
    {
        _ = PyOwned.Checked(PythonRuntime.Eval("[1, 2, 3]")).ToRef();
    }
}
