using System.Diagnostics;

namespace CsmPayments;

/// <summary>
/// Times the steps of a piece of work one after the other and tells each step's time to whoever asked (a cycle's summary
/// of where its time went); without a listener it only keeps its stopwatch running.
/// </summary>
internal sealed class StepTimer(Action<string, TimeSpan>? report, string prefix = "")
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    /// <summary>Reports the time since the last lap (or the start) as <paramref name="step"/>, and starts the next one.</summary>
    public void Lap(string step)
    {
        report?.Invoke(prefix + step, _clock.Elapsed);
        _clock.Restart();
    }

    /// <summary>Starts the next step without reporting the time since the last (it was reported elsewhere).</summary>
    public void Skip() => _clock.Restart();
}
