namespace VecLm.Serving;

// The JSON bodies of the API (camelCase on the wire). Every field a client sends is optional and has a default, so a
// request is never refused for leaving one out; one that is out of range is a 400 with an ApiError.

/// <summary>
/// A served model as <c>GET /api/models</c> lists it; <see cref="Tokenizer"/> says how it reads a context: split on
/// <c>white space</c>, or by <c>tokenize</c> (<c>--tokenize</c>), with <c>lowercase</c>.
/// </summary>
public sealed record ModelInfo(string Name, string Loss, string Targets, string? Rule, int VocabularySize, int Dim,
                               string Decoder, string? Tokenizer);

/// <summary>
/// <c>POST /api/predict</c>: the next words after <see cref="Context"/> (empty: a sentence start) from every model,
/// <see cref="K"/> of them (default 10), regression heads decoded by <see cref="Rule"/> (cosine, prior, posterior,
/// csls; default the model's) with <see cref="Beta"/>. <see cref="Next"/>, when given, is the word that truly
/// came next: each model says where it ranked it.
/// </summary>
public sealed record PredictRequest(string? Context = null, int? K = null, string? Rule = null, double? Beta = null, string? Next = null);

public sealed record PredictResponse(IReadOnlyList<ModelPrediction> Models);

/// <summary>
/// One model's answer: the context as it read it (<see cref="Tokens"/>, with the words it lacks in
/// <see cref="Unknown"/>), its ranked words, the true next word's place, and a 2-D picture (PCA) of the predicted
/// vector and its neighbours (regression) or of the top words' vectors (softmax). <see cref="Error"/> instead, when
/// this model cannot answer this context (no word it knows).
/// </summary>
public sealed record ModelPrediction(string Name, string Loss, string ScoreName, IReadOnlyList<string> Tokens,
                                     IReadOnlyList<string> Unknown, IReadOnlyList<PredictedWord> Words, NextWordCheck? Next,
                                     IReadOnlyList<PlotPoint> Picture, string? Error = null);

/// <summary>
/// A ranked word: the rule's <see cref="Score"/>, with <see cref="Cosine"/> for a regression head or
/// <see cref="Probability"/> for softmax; <see cref="Shared"/> when another model's list has it too.
/// </summary>
public sealed record PredictedWord(string Word, double Score, double? Cosine, double? Probability, bool Shared = false);

/// <summary>
/// Where a model put the word that came next: its rank among all words (exact scoring under the rule in use; null
/// when the model does not know it), its cosine or probability, and whether it is in the list shown.
/// </summary>
public sealed record NextWordCheck(string Word, bool Known, int? Rank, double? Cosine, double? Probability, bool InTop);

/// <summary>A point of the 2-D picture: a word (or the prediction itself, <c>kind = "predicted"</c>).</summary>
public sealed record PlotPoint(string Label, double X, double Y, string Kind);

/// <summary><c>POST /api/generate</c>: <see cref="N"/> tokens after the context from every model (seeded: reproducible).</summary>
public sealed record GenerateRequest(string? Context = null, int? N = null, double? Temperature = null, double? TopP = null, int? Seed = null);

public sealed record GenerateResponse(IReadOnlyList<ModelGeneration> Models);

public sealed record ModelGeneration(string Name, string Text, IReadOnlyList<string> Tokens, string? Error = null);

/// <summary><c>GET /api/neighbors</c>: the nearest words of a word by cosine in each model's vectors.</summary>
public sealed record NeighborsResponse(string Word, IReadOnlyList<WordNeighbors> Models);

public sealed record WordNeighbors(string Name, bool Known, IReadOnlyList<PredictedWord> Neighbors);

/// <summary>Every error the API answers: one line saying what was wrong.</summary>
public sealed record ApiError(string Error);
