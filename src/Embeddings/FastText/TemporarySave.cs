namespace VecLm.Embeddings.FastText;

// Until FastTextBinary lands: the .vec only.
public static class TemporarySave
{
    public static void Save(this SubwordModel model, string path) =>
        model.WordVectors().Save(Path.ChangeExtension(path, ".vec"), VectorFormat.Text);
}
