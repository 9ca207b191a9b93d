namespace VecLm.Embeddings;

/// <summary>
/// A value the user gave is invalid: an option out of range, an unknown format name, a prompt of unknown words. It
/// is an <see cref="ArgumentException"/> for library callers; the <c>veclm</c> tool reports it as bad input (one line,
/// exit 2). Every other <see cref="ArgumentException"/> is a caller's mistake inside VecLm — a bug, reported as one.
/// </summary>
public sealed class BadInputException(string message) : ArgumentException(message);
