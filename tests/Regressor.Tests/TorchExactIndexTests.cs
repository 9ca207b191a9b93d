using VecLm.Embeddings;

namespace VecLm.Regressor.Tests;

/// <summary>The matmul-based exact index answers the <c>IVectorIndex</c> contract: cosine order, ties by smaller id.</summary>
public class TorchExactIndexTests
{
    [Fact]
    public void AgreesWithBruteForceCosine()
    {
        var vectors = TinyData.Vectors(TinyData.Sentences, dim: 12, seed: 11);
        using var targets = TargetVectors.UnitRows(vectors);
        var index = targets.ExactIndex();
        var random = new Random(4);
        var queries = Enumerable.Range(0, 5 * 12).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var hits = index.SearchBatch(queries, 3);
        for (int q = 0; q < 5; q++)
        {
            var query = queries.AsSpan(q * 12, 12).ToArray();
            var expected = Enumerable.Range(0, vectors.Count)
                .Select(id => (Id: id, Cos: VectorMath.Cosine(query, vectors[id])))
                .OrderByDescending(x => x.Cos).ThenBy(x => x.Id).Take(3).ToArray();
            Assert.Equal(expected.Select(x => x.Id), hits[q].Select(h => h.Id));
            Assert.All(hits[q].Zip(expected), p => Assert.Equal(p.Second.Cos, p.First.Similarity, 4));
        }
    }

    [Fact]
    public void TiesGoToTheSmallerId()
    {
        var words = new[] { "a", "b", "c" };
        var vectors = new WordVectors(new Vocabulary(words, [3, 2, 1]), 2, [0, 1, 1, 0, 2, 0]);
        using var targets = TargetVectors.UnitRows(vectors);
        var hits = targets.ExactIndex().Search([1, 0], 2);
        Assert.Equal([1, 2], hits.Select(h => h.Id));
    }
}
