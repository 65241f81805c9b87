using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;
using PythonNetConverter = global::Python.Runtime.ConverterExtension;

#pragma warning disable CS0612 // PyObject.Handle: the raw pointer is what these tests compare

namespace Siphon.Runtime.Tests.Interop;

/// <summary>pythonnet hosts the engine: what it must do for this host, and how the generated types
/// meet it (docs/architecture.md, "The engine: pythonnet").</summary>
[Collection("python")] // in-process Python: one at a time with the other users of the one CPython (live-object counts)
public class PythonNetHostTests
{
    [Fact]
    public void Sys_executable_is_the_real_interpreter_the_locator_found()
    {
        var install = PythonFixture.Ensure();
        using var gil = Gil.Acquire();
        Assert.NotNull(install.Executable);
        Assert.Equal(install.Executable, PythonFixture.RunString("import sys", "sys.executable"));
        Assert.True(global::Python.Runtime.PythonEngine.IsInitialized);
    }

    [Fact]
    public unsafe void A_bound_object_converted_by_pythonnet_is_the_generated_type_and_balances_refcounts()
    {
        PythonFixture.Ensure();
        using var gil = Gil.Acquire();
        var response = new Response(201, new Dictionary<string, string> { ["content-type"] = "text/plain" }, "made in C#"u8.ToArray());
        // LiveHandles counts every bound object of the process: let what earlier tests left for a
        // collector (.NET's, pythonnet's finalizer queue, Python's cycle collector) go first, so
        // only this test's objects are counted.
        Collect();
        var handlesBefore = BoundObject.LiveHandles;
        var type = BindingRegistry.TypeOf(typeof(Response));
        var typeRefs = *(nint*)type;
        for (var i = 0; i < 10_000; i++)
        {
            using var py = PythonNetConverter.ToPython(response);
            Assert.Equal(type, CApi.Py_TYPE(py.Handle));
        }
        using (var py = PythonNetConverter.ToPython(response))
        {
            var status = PythonFixture.RunString("", "f'{type(r).__module__}.{type(r).__name__} {r.status} {r.body!r}'",
                new Dictionary<string, nint> { ["r"] = py.Handle });
            Assert.Equal("siphon.http.Response 201 b'made in C#'", status);
            Assert.Same(response, BoundObject.Get<Response>(py.Handle));
        }
        // ToPython keeps the encoder's own wrapper undisposed: pythonnet's finalizer queue drops it
        // (under this GIL) on its next collection.
        Collect();
        Assert.Equal(handlesBefore, BoundObject.LiveHandles);
        Assert.Equal(typeRefs, *(nint*)type);
    }

    [Fact]
    public void Clr_is_importable_in_the_main_interpreter()
    {
        PythonFixture.Ensure();
        using var gil = Gil.Acquire();
        var digest = PythonFixture.RunString(
            "import clr\nfrom System.Security.Cryptography import SHA256\nfrom System.Text import Encoding\n" +
            "d = bytes(SHA256.HashData(Encoding.UTF8.GetBytes('abc')))",
            "d.hex()");
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", digest);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        global::Python.Runtime.Finalizer.Instance.Collect();
        PythonFixture.RunString("import gc", "str(gc.collect())");
    }
}
