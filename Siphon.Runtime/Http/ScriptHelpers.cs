// Calls from the bound Request/Response members into siphon._helpers, the Python side of what they
// return (a read-only dict subclass, an async generator, a lookup in a dict the script may have
// changed). The module is imported once per interpreter and kept in PyInterpreter. A Python error
// the helper raises crosses back as the same class (builtins or siphon.http), with its message.
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Runtime.Http;

internal static unsafe class ScriptHelpers
{
    /// <summary>siphon._helpers.<paramref name="function"/>(args...): a new reference. The args are
    /// borrowed. GIL held.</summary>
    public static PyOwned Call(string function, params ReadOnlySpan<nint> args)
    {
        using var fn = PyObjects.GetAttr(Module(), function);
        nint result;
        fixed (nint* p = args) result = CApi.PyObject_Vectorcall(fn.Handle, p, (nuint)args.Length, 0);
        if (result != 0) return PyOwned.Adopt(result);
        var e = PyErrors.Fetch();
        throw new ScriptError(e.PythonType, e.PythonMessage, e.PythonType is "BadRequestError" or "HTTPException" ? "siphon.http" : "builtins");
    }

    /// <summary>The answer to an http.HTTPException (or BadRequestError) the script let go, or null
    /// for any other exception (then a 500). <paramref name="exception"/> borrowed. GIL held.</summary>
    public static Response? AnswerFor(nint exception)
    {
        try
        {
            using var answer = Call("answer_for", exception);
            return PyConvert.IsNone(answer.Handle) ? null : BoundObject.Get<Response>(answer.Handle);
        }
        catch (ScriptError)
        {
            return null; // an HTTPException whose headers cannot make a Response: the 500 it raised stands
        }
    }

    private static nint Module()
    {
        var state = PyInterpreter.Current;
        if (state.Helpers is { } cached) return cached.Handle;
        state.Helpers = PyObjects.Import("siphon._helpers").ToRef();
        return state.Helpers.Handle;
    }
}
