namespace Siphon.Runtime;

public static class Program
{
    public static int Main(string[] args) => 0;
}
