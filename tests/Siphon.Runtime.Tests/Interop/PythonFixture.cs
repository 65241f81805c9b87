using Siphon.Runtime.Python;

namespace Siphon.Runtime.Tests.Interop;

/// <summary>One CPython per test process, initialised on a dedicated thread (as the host does).
/// Which Python: $SIPHON_PYTHON, else python3 on PATH — the test script runs the suite once per version.</summary>
public static class PythonFixture
{
    private static readonly Lazy<PythonInstall> s_install = new(() =>
    {
        var install = PythonLocator.Locate();
        Exception? error = null;
        var t = new Thread(() =>
        {
            try { PythonRuntime.Initialize(install); }
            catch (Exception e) { error = e; }
        }) { Name = "python-init" };
        t.Start();
        t.Join();
        if (error is not null) throw error;
        return install;
    });

    public static PythonInstall Ensure() => s_install.Value;

    /// <summary>Runs Python statements in a fresh namespace (GIL held by the caller) and returns the
    /// value of the expression <paramref name="result"/> evaluated afterwards, as a new reference.</summary>
    public static unsafe nint Run(string statements, string result = "None", IReadOnlyDictionary<string, nint>? inject = null)
    {
        using var globals = PyOwned.Checked(CApi.PyDict_New());
        PyErrors.ThrowIfMinusOne(CApi.PyDict_SetItemString(globals.Handle, (byte*)Utf8Z.Of("__builtins__"), CApi.PyEval_GetBuiltins()));
        if (inject is not null)
            foreach (var (k, v) in inject)
                PyErrors.ThrowIfMinusOne(CApi.PyDict_SetItemString(globals.Handle, (byte*)Utf8Z.Of(k), v));
        using (var code = PyOwned.Checked(PythonRuntime.Compile(statements, "<test>", CApi.Py_file_input)))
        using (var r = PyOwned.Checked(CApi.PyEval_EvalCode(code.Handle, globals.Handle, globals.Handle))) { }
        using var expr = PyOwned.Checked(PythonRuntime.Compile(result, "<test>", CApi.Py_eval_input));
        return PyErrors.ThrowIfNull(CApi.PyEval_EvalCode(expr.Handle, globals.Handle, globals.Handle));
    }

    public static string RunString(string statements, string result, IReadOnlyDictionary<string, nint>? inject = null)
    {
        using var r = PyOwned.Adopt(Run(statements, result, inject));
        return PyConvert.ToString(r.Handle, result);
    }
}
