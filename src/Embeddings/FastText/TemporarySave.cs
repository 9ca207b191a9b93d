namespace VecLm.Embeddings.FastText;

// Until FastTextBinary lands: the .vec only.
public static class TemporarySave
{
    public static void Save(this SubwordModel model, string path) =>
        model.WordVectors().Save(Path.ChangeExtension(path, ".vec"), VectorFormat.Text);
}

// Until FastTextBinary lands (stub).
public static class FastTextBinary
{
    public static bool HasMagic(ReadOnlySpan<byte> head) => head.Length >= 4 && BitConverter.ToInt32(head) == 793712314;
    public static SubwordModel Read(string path, bool withOutput = true) => throw new NotImplementedException();
}
