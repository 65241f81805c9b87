// The context-variable imports (ScriptTrace: which request a Python thread is serving), kept
// beside the rest as a part of the one CApi class.
using System.Runtime.InteropServices;

namespace Siphon.Runtime.Python;

internal static unsafe partial class CApi
{
    [LibraryImport(Library)] public static partial nint PyContextVar_New(byte* name, nint def); // [new]
    [LibraryImport(Library)] public static partial int PyContextVar_Get(nint var, nint def, nint* value); // -1 on error; *value [new] or NULL when unset
    [LibraryImport(Library)] public static partial nint PyContextVar_Set(nint var, nint value); // [new] the token Reset takes
    [LibraryImport(Library)] public static partial int PyContextVar_Reset(nint var, nint token); // -1 on error
}
