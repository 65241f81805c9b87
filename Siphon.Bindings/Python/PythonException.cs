// A Python exception seen from C#, and IPyRaisable, the C# exceptions that surface in Python as a
// class of its own. The crossings themselves are in PyErrors.cs.

namespace Siphon.Runtime.Python;

/// <summary>A Python exception seen from C#.</summary>
public sealed class PythonException(string pythonType, string pythonMessage, string traceback)
    : Exception($"{pythonType}: {pythonMessage}")
{
    public string PythonType { get; } = pythonType;
    public string PythonMessage { get; } = pythonMessage;
    /// <summary>The whole formatted traceback, as Python would print it.</summary>
    public string PythonTraceback { get; } = traceback;
    public override string ToString() => PythonTraceback.Length > 0 ? PythonTraceback.TrimEnd() : Message;
}

/// <summary>A C# exception that surfaces in Python as an exception class defined in Python
/// (e.g. siphon.http.HttpStatusError).</summary>
public interface IPyRaisable
{
    string PyModule { get; }
    string PyTypeName { get; }
    /// <summary>Sets extra attributes on the new Python exception instance (GIL held).</summary>
    void Decorate(nint exception) { }
}

/// <summary>No loadable CPython library where one was looked for.</summary>
public sealed class PythonNotFoundException(string message) : Exception(message);

/// <summary>CPython (or pythonnet over it) could not be initialised as this host needs.</summary>
public sealed class PythonInitException(string message) : Exception(message);
