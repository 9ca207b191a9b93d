namespace VecLm.Embeddings.Tests;

public class SystemMemoryTests
{
    [Fact]
    public void ATableLargerThanWhatIsAvailableIsOneLineWithBothFigures()
    {
        var e = Assert.Throws<BadInputException>(() => SystemMemory.Check(30_000_000_000, "v.bin: 100,000,000 vectors", available: 8_000_000_000));
        Assert.Equal("v.bin: 100,000,000 vectors needs about 30.0 GB of memory, and 8.0 GB is available", e.Message);
        SystemMemory.Check(1_000_000, "small", available: 8_000_000_000);
        // The machine's own figure is real: at least the 100 MB this test process itself could still take.
        Assert.InRange(SystemMemory.Available(), 100L << 20, long.MaxValue);
    }
}
