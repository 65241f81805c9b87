using Siphon.Runtime.Python;

namespace Siphon.Runtime.Tests.Interop;

[Collection("python")] // in-process Python: one at a time with the other users of the one CPython (live-object counts)
public class RuntimeInitTests
{
    [Fact]
    public void Initialises_with_its_own_signal_handlers_off_and_extension_modules_working()
    {
        var install = PythonFixture.Ensure();
        using var gil = Gil.Acquire();
        var version = PythonFixture.RunString("import sys", "'%d.%d' % sys.version_info[:2]");
        Assert.Equal($"{install.Version.Major}.{install.Version.Minor}", version);
        // RTLD_GLOBAL: C accelerators load (a private load would break asyncio and fall back in json).
        Assert.Equal("ok", PythonFixture.RunString("import asyncio, ssl, decimal, json, _json", "'ok'"));
        Assert.Equal("True", PythonFixture.RunString("import json, json.decoder", "str(json.decoder.c_scanstring is not None)"));
        // install_signal_handlers = 0: SIGINT keeps its default disposition, not Python's handler.
        Assert.Equal("False", PythonFixture.RunString("import signal", "str(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"));
    }

    [Fact]
    public void The_runtime_package_directory_is_on_sys_path()
    {
        PythonFixture.Ensure();
        using var gil = Gil.Acquire();
        // Ahead of the stdlib and site-packages, so its siphon package is the one imported (a script
        // loaded in this process since puts its own directory in front of it, as `siphon run` does).
        var dir = System.Text.Json.JsonSerializer.Serialize(PythonRuntime.PackageDirectory);
        Assert.Equal("True", PythonFixture.RunString("import sys, os",
            $"str({dir} in sys.path and sys.path.index({dir}) < min(i for i, p in enumerate(sys.path) if p.startswith(sys.base_prefix) or 'site-packages' in p))"));
    }

    [Fact]
    public void A_python_error_reaches_csharp_with_its_traceback()
    {
        PythonFixture.Ensure();
        using var gil = Gil.Acquire();
        var e = Assert.Throws<PythonException>(() =>
        {
            using var r = PyOwned.Adopt(PythonFixture.Run("def inner():\n    raise ValueError('bad value 42')\n\ndef outer():\n    inner()\n\nouter()\n"));
        });
        Assert.Equal("ValueError", e.PythonType);
        Assert.Equal("bad value 42", e.PythonMessage);
        Assert.Contains("Traceback (most recent call last)", e.PythonTraceback);
        Assert.Contains("line 2, in inner", e.PythonTraceback);
        Assert.Contains("line 5, in outer", e.PythonTraceback);
        Assert.Contains("File \"<test>\"", e.PythonTraceback);
        Assert.Equal(0, (long)CApi.PyErr_Occurred());
    }
}
