namespace Siphon.Runtime.Python.Binding;

/// <summary>Work to run on a loop thread with the GIL held.</summary>
public interface IPyWork
{
    void Run();
}
