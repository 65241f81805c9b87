// The two directions of error crossing. Python → C#: a raised Python error becomes a
// PythonException carrying the type name, message and the formatted traceback.
// C# → Python: an exception caught in a thunk becomes a Python exception set on the thread,
// mapped by type (ArgumentException → ValueError, ...) or by IPyRaisable for SDK-defined classes.
using System.Text;

namespace Siphon.Runtime.Python;

public static unsafe class PyErrors
{
    /// <summary>Returns <paramref name="result"/>, or throws the pending Python error if it is NULL.</summary>
    public static nint ThrowIfNull(nint result) => result != 0 ? result : throw Fetch();

    /// <summary>Throws the pending Python error if <paramref name="status"/> is -1.</summary>
    public static int ThrowIfMinusOne(int status) => status != -1 ? status : throw Fetch();

    /// <summary>Throws the pending Python error if one is set (for APIs whose failure value is ambiguous).</summary>
    public static void ThrowIfOccurred()
    {
        if (CApi.PyErr_Occurred() != 0) throw Fetch();
    }

    /// <summary>Drops a pending Python error, if any (after a failure already reported another way). GIL held.</summary>
    public static void Clear()
    {
        if (CApi.PyErr_Occurred() != 0) CApi.PyErr_Clear();
    }

    /// <summary>Takes the pending Python error (clearing it) as a new reference to its exception
    /// instance, normalised, with its traceback attached; 0 when none was set. GIL held.</summary>
    public static nint FetchException()
    {
        nint type, value, tb;
        CApi.PyErr_Fetch(&type, &value, &tb);
        if (type == 0) return 0;
        CApi.PyErr_NormalizeException(&type, &value, &tb);
        AttachTraceback(value, tb);
        CApi.Py_DecRef(type);
        if (tb != 0) CApi.Py_DecRef(tb);
        return value;
    }

    // PyErr_Fetch hands the traceback apart from the instance; a failure to attach it (no memory)
    // keeps the exception without it rather than raising a second error.
    private static void AttachTraceback(nint value, nint tb)
    {
        if (tb != 0 && value != 0 && CApi.PyException_SetTraceback(value, tb) != 0) CApi.PyErr_Clear();
    }

    /// <summary>Takes the pending Python error (clearing it) as a PythonException.</summary>
    public static PythonException Fetch()
    {
        nint type, value, tb;
        CApi.PyErr_Fetch(&type, &value, &tb);
        if (type == 0)
            return new PythonException("SystemError", "a C API call failed without setting an error", "");
        CApi.PyErr_NormalizeException(&type, &value, &tb);
        AttachTraceback(value, tb);
        try
        {
            var typeName = TypeName(type);
            var message = value != 0 ? StrOrEmpty(value) : "";
            var traceback = Format(type, value, tb) ?? $"{typeName}: {message}\n";
            return new PythonException(typeName, message, traceback);
        }
        finally
        {
            CApi.Py_DecRef(type);
            if (value != 0) CApi.Py_DecRef(value);
            if (tb != 0) CApi.Py_DecRef(tb);
        }
    }

    /// <summary>Formats an exception instance (with its traceback) the way Python prints it.</summary>
    public static string FormatTraceback(nint exception)
    {
        var tb = PyObjects.GetAttrOrNull(exception, "__traceback__");
        if (tb == 0) CApi.PyErr_Clear();
        try
        {
            return Format(CApi.Py_TYPE(exception), exception, tb == PyBuiltins.None ? 0 : tb)
                ?? $"{TypeName(CApi.Py_TYPE(exception))}: {StrOrEmpty(exception)}";
        }
        finally { if (tb != 0) CApi.Py_DecRef(tb); }
    }

    private static string? Format(nint type, nint value, nint tb)
    {
        try
        {
            // A function object belongs to one interpreter: cached per interpreter.
            var interpreter = PyInterpreter.Current;
            if (interpreter.FormatException is null)
            {
                using var module = PyObjects.Import("traceback");
                interpreter.FormatException = PyObjects.GetAttr(module.Handle, "format_exception").ToRef();
            }
            var args = stackalloc nint[3] { type, value != 0 ? value : PyBuiltins.None, tb != 0 ? tb : PyBuiltins.None };
            using var lines = PyOwned.Checked(CApi.PyObject_Vectorcall(interpreter.FormatException.Handle, args, 3, 0));
            var sb = new StringBuilder();
            var n = CApi.PyList_Size(lines.Handle);
            for (nint i = 0; i < n; i++) sb.Append(PyConvert.ToStringRaw(CApi.PyList_GetItem(lines.Handle, i)));
            return sb.ToString();
        }
        catch (PythonException)
        {
            return null;
        }
    }

    private static string TypeName(nint type)
    {
        using var name = PyOwned.Adopt(PyObjects.GetAttrOrNull(type, "__qualname__"));
        if (name.IsNull) { CApi.PyErr_Clear(); return "?"; }
        return PyConvert.ToStringRaw(name.Handle);
    }

    private static string StrOrEmpty(nint o)
    {
        using var s = PyOwned.Adopt(CApi.PyObject_Str(o));
        if (s.IsNull) { CApi.PyErr_Clear(); return ""; }
        return PyConvert.ToStringRaw(s.Handle);
    }

    /// <summary>Sets a Python exception for a C# exception caught at the boundary. GIL held.
    /// Never throws: whatever goes wrong here ends as a RuntimeError.</summary>
    public static void SetFromException(Exception e)
    {
        try
        {
            if (e is IPyRaisable raisable && SetRaisable(raisable, e.Message)) return;
            var (type, message) = e switch
            {
                PythonException pe => (PyBuiltins.RuntimeError, pe.Message),
                ArgumentException ae => (PyBuiltins.ValueError, StripParamName(ae)),
                FormatException => (PyBuiltins.ValueError, e.Message),
                KeyNotFoundException => (PyBuiltins.KeyError, e.Message),
                InvalidCastException => (PyBuiltins.TypeError, e.Message),
                OverflowException => (PyBuiltins.OverflowError, e.Message),
                TimeoutException => (PyBuiltins.TimeoutError, e.Message),
                NotImplementedException or NotSupportedException => (PyBuiltins.NotImplementedError, e.Message),
                OutOfMemoryException => (PyBuiltins.MemoryError, e.Message),
                _ => (PyBuiltins.RuntimeError, $"{e.GetType().Name}: {e.Message}"),
            };
            SetString(type, message);
        }
        catch (Exception inner)
        {
            SetString(PyBuiltins.RuntimeError, $"{e.GetType().Name}: {e.Message} (while mapping: {inner.Message})");
        }
    }

    public static void SetString(nint type, string message)
    {
        using var msg = PyOwned.Adopt(PyConvert.ToPy(message));
        CApi.PyErr_SetObject(type, msg.Handle);
    }

    private static bool SetRaisable(IPyRaisable r, string message)
    {
        using var module = PyOwned.Adopt(CApi.PyImport_ImportModule((byte*)Utf8Z.Of(r.PyModule)));
        if (module.IsNull) { CApi.PyErr_Clear(); return false; }
        using var type = PyOwned.Adopt(PyObjects.GetAttrOrNull(module.Handle, r.PyTypeName));
        if (type.IsNull) { CApi.PyErr_Clear(); return false; }
        using var msg = PyOwned.Adopt(PyConvert.ToPy(message));
        using var instance = PyOwned.Adopt(CApi.PyObject_CallOneArg(type.Handle, msg.Handle));
        if (instance.IsNull) return true; // constructing it raised: that error stands
        r.Decorate(instance.Handle);
        CApi.PyErr_SetObject(type.Handle, instance.Handle);
        return true;
    }

    private static string StripParamName(ArgumentException ae) =>
        ae.ParamName is { } p ? ae.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : ae.Message;
}
