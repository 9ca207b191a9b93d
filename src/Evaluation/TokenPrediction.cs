namespace VecLm.Evaluation;

/// <summary>
/// What a model said at one test position: its ranked guesses (best first, at least five where the vocabulary
/// allows) with their scores (cosine for a regression head, probability for softmax), and, for a head that
/// defines a distribution, the natural log of the probability it gave to the true word. <see cref="Words"/>: the guesses as
/// words, when they come from a decode vocabulary (the ids are then the training vocabulary's, <c>&lt;unk&gt;</c> for a word it lacks).
/// </summary>
public sealed record TokenPrediction(int TrueId, int[] Ranked, float[] Scores, double? TrueLogProb = null,
                                     string[]? Words = null)
{
    public int Top1 => Ranked[0];
}
