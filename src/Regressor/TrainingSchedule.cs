namespace VecLm.Regressor;

/// <summary>
/// When the trainer writes its checkpoint and validates within an epoch: every <c>--checkpoint-every</c> and
/// <c>--eval-every</c> of this run's wall-clock time, counted from the last one (a validation writes a checkpoint too,
/// so it restarts both clocks). Checked after every step: two comparisons, no I/O.
/// </summary>
public sealed class TrainingSchedule(TimeSpan checkpointEvery, TimeSpan? evalEvery)
{
    private TimeSpan lastCheckpoint, lastEval;

    /// <summary>What is due at <paramref name="now"/>: a validation (and with it a checkpoint), a checkpoint, or nothing.</summary>
    public (bool Validate, bool Checkpoint) Due(TimeSpan now) =>
        evalEvery is { } e && now - lastEval >= e ? (true, true) : (false, now - lastCheckpoint >= checkpointEvery);

    public void Validated(TimeSpan now)
    {
        lastEval = now;
        lastCheckpoint = now;
    }

    public void Checkpointed(TimeSpan now) => lastCheckpoint = now;
}
