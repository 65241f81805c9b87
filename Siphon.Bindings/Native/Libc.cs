// Every libc function the host calls, imported once: loading libpython with RTLD_GLOBAL (dlopen),
// the inbox's eventfd, the supervisor's signals, and the stall watchdog's immediate exit.
using System.Runtime.InteropServices;

namespace Siphon.Runtime.Native;

internal static unsafe partial class Libc
{
    private const string Library = "libc.so.6";

    public const int RTLD_NOW = 2, RTLD_GLOBAL = 0x100;
    public const int EFD_CLOEXEC = 0x80000, EFD_NONBLOCK = 0x800;

    [LibraryImport(Library, EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint DlOpen(string path, int flags);

    /// <summary>The last dlopen error as text (libc owns the buffer).</summary>
    [LibraryImport(Library, EntryPoint = "dlerror")]
    public static partial nint DlError();

    [LibraryImport(Library, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, ulong* buf, nint count);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, ulong* buf, nint count);

    /// <summary>Waits until the epoll descriptor has a ready event or <paramref name="timeoutMs"/>
    /// passes (-1: no limit); level-triggered, so the events stay for the caller's own read.</summary>
    [LibraryImport(Library, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, void* events, int maxEvents, int timeoutMs);

    [LibraryImport(Library, EntryPoint = "close")]
    public static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int sig);

    /// <summary>Ends the process at once: no finalisers, no atexit handlers, no flushing.</summary>
    [LibraryImport(Library, EntryPoint = "_exit")]
    public static partial void Exit(int status);
}
