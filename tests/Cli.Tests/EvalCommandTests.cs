namespace VecLm.Cli.Tests;

public class EvalCommandTests
{
    [Fact]
    public void AFolderThatIsNotAModelIsOneLineAndExitTwo()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("test.txt"), "a b c\n");
        Directory.CreateDirectory(dir.File("empty.model"));
        Veclm.AssertCleanError(Veclm.Run("eval", dir.File("empty.model"), "--test", dir.File("test.txt")), 2, "not a model folder");
        Veclm.AssertCleanError(Veclm.Run("compare", dir.File("missing.model"), "--test", dir.File("test.txt")), 2, "model folder not found");
        Veclm.AssertCleanError(Veclm.Run("eval", dir.File("empty.model"), "--test", dir.File("test.txt"), "--ef", "0"), 2, "--ef");
    }
}
