namespace VecLm.Regressor.Tests;

/// <summary>
/// Sealed files are written and read as streams (a softmax model at a million words has parts larger than one array):
/// each part's writer writes straight into the file, each part reads back only its own bytes, and the file a reader
/// opened stays the one it verified while a new one is renamed over it.
/// </summary>
public class SealedFileTests
{
    [Fact]
    public void PartsWrittenInPiecesReadBackAsTheirOwnBytes()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "f.bin");
        var big = new byte[3 * (1 << 20) + 17];                     // more than one of the writer's chunks
        new Random(1).NextBytes(big);
        SealedFile.Write(path, "TEST", new List<(string, Action<Stream>)>
        {
            ("empty", _ => { }),
            ("big", s => { for (int at = 0; at < big.Length; at += 1000) s.Write(big, at, Math.Min(1000, big.Length - at)); }),
            ("tail", s => s.Write("end"u8)),
        });

        using var parts = SealedFile.Open(path, "TEST");
        Assert.Equal(["empty", "big", "tail"], parts.Names);
        Assert.Empty(parts.Bytes("empty"));
        Assert.Equal("end"u8.ToArray(), parts.Bytes("tail"));
        using var reader = parts.Reader("big");
        Assert.Equal(big.Length, reader.BaseStream.Length);
        var read = new MemoryStream();
        reader.BaseStream.CopyTo(read, 4096);
        Assert.Equal(big, read.ToArray());                            // and not a byte of "tail"
        Assert.Throws<EndOfStreamException>(() => reader.ReadByte());
        Assert.Contains("no 'other' part", Assert.Throws<InvalidDataException>(() => parts.Reader("other")).Message);
    }

    [Fact]
    public void AnOpenFileStaysTheOneVerifiedWhileANewOneReplacesIt()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "f.bin");
        SealedFile.Write(path, "TEST", [("a", "old"u8.ToArray())]);
        using var parts = SealedFile.Open(path, "TEST");
        SealedFile.Write(path, "TEST", [("a", "new!"u8.ToArray())]);
        Assert.Equal("old"u8.ToArray(), parts.Bytes("a"));
        Assert.Equal("new!"u8.ToArray(), SealedFile.Read(path, "TEST")["a"]);
    }

    [Fact]
    public void AFileOfAnotherKindOrOneByteChangedIsRefused()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "f.bin");
        SealedFile.Write(path, "TEST", [("a", new byte[5000])]);
        Assert.Contains("not a OTHER file", Assert.Throws<InvalidDataException>(() => SealedFile.Open(path, "OTHER")).Message);
        var bytes = File.ReadAllBytes(path);
        bytes[2500] ^= 1;
        File.WriteAllBytes(path, bytes);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => SealedFile.Open(path, "TEST")).Message);
    }
}
