using CsmPayments.Health;

namespace CsmPayments.Work;

/// <summary>An account's state on a day as far as alerts care.</summary>
public readonly record struct AlertSubject(long AccountId, long CsmId, HealthSignals Signals, HealthBand Band, HealthBand? PreviousBand);

/// <summary>An alert to open: kind, account, owner and what it says.</summary>
public readonly record struct AlertToOpen(long AccountId, AlertKind Kind, long OwnerId, string Detail);

/// <summary>
/// A set of alert kinds as bits (bit <c>1 &lt;&lt; kind</c>): which kinds are open for an account, which hold. The cycle
/// reconciles a million accounts a day with these instead of a dictionary per account.
/// </summary>
public readonly record struct AlertKinds(int Bits)
{
    public static AlertKinds None => default;

    public static int Count { get; } = Enum.GetValues<AlertKind>().Length;

    public bool Contains(AlertKind kind) => (Bits & (1 << (int)kind)) != 0;

    public AlertKinds With(AlertKind kind) => new(Bits | (1 << (int)kind));

    public AlertKinds Except(AlertKinds other) => new(Bits & ~other.Bits);

    public bool IsEmpty => Bits == 0;

    /// <summary>The kinds in the set, in the enum's order.</summary>
    public IEnumerable<AlertKind> Kinds()
    {
        for (var k = 0; k < Count; k++)
            if ((Bits & (1 << k)) != 0)
                yield return (AlertKind)k;
    }
}

/// <summary>Which alerts open and which close, from the day's signals and the alerts open before it.</summary>
public static class AlertRules
{
    /// <summary>The signal behind each kind but the band drop, indexed by kind.</summary>
    private static readonly (HealthSignals Signal, string Detail)[] SignalOf = BuildSignals();

    private static (HealthSignals, string)[] BuildSignals()
    {
        var signals = new (HealthSignals, string)[AlertKinds.Count];
        signals[(int)AlertKind.UsageDecline] = (HealthSignals.UsageDecline, "usage is declining against its baseline");
        signals[(int)AlertKind.SilentChurn] = (HealthSignals.SilentChurn, "usage has stopped while billing continues");
        signals[(int)AlertKind.FailedPayment] = (HealthSignals.FailedPayment, "a payment attempt failed and the invoice is unpaid");
        signals[(int)AlertKind.OverdueFollowUp] = (HealthSignals.OverdueFollowUp, "no touchpoint within the tier's cadence");
        signals[(int)AlertKind.UrgentTicket] = (HealthSignals.UrgentTicket, "an urgent ticket is unresolved");
        signals[(int)AlertKind.BrokenPromise] = (HealthSignals.BrokenPromise, "a promise to pay was broken; reminders have resumed");
        for (var k = 0; k < signals.Length; k++)
            if (signals[k].Item1 == HealthSignals.None && (AlertKind)k != AlertKind.HealthBandDrop)
                throw new InvalidOperationException($"alert kind {(AlertKind)k} has no signal");
        return signals;
    }

    /// <summary>
    /// Whether the condition of an alert kind holds. A band drop holds from the day the band fell below the previous
    /// day's until it is back: <paramref name="openBandDrop"/> is the open band-drop alert's detail, which records the band
    /// it fell from.
    /// </summary>
    public static bool Holds(AlertKind kind, AlertSubject subject, string? openBandDrop) =>
        Holding(subject, openBandDrop is null ? null : BandFellFrom(openBandDrop)).Contains(kind);

    /// <summary>
    /// The kinds whose condition holds. <paramref name="bandDropFrom"/> is the band an open band-drop alert fell from
    /// (null when none is open, or when its detail names no band): while one is open, the drop holds until the band is
    /// back; otherwise it holds on the day the band fell below the previous day's.
    /// </summary>
    public static AlertKinds Holding(AlertSubject subject, HealthBand? bandDropFrom)
    {
        var bits = 0;
        for (var k = 0; k < SignalOf.Length; k++)
            if (SignalOf[k].Signal != HealthSignals.None && (subject.Signals & SignalOf[k].Signal) != 0)
                bits |= 1 << k;
        var dropped = bandDropFrom is { } from ? subject.Band < from : subject.PreviousBand is { } previous && subject.Band < previous;
        if (dropped) bits |= 1 << (int)AlertKind.HealthBandDrop;
        return new AlertKinds(bits);
    }

    /// <summary>
    /// The alerts to open (conditions that hold without an open alert of their kind) and the open alerts to close
    /// (conditions that no longer hold). <paramref name="open"/> holds the account's open alerts by kind with their detail.
    /// </summary>
    public static (List<AlertToOpen> Open, List<AlertKind> Close) Reconcile(AlertSubject subject, IReadOnlyDictionary<AlertKind, string> open)
    {
        var openKinds = AlertKinds.None;
        foreach (var kind in open.Keys) openKinds = openKinds.With(kind);
        var from = open.TryGetValue(AlertKind.HealthBandDrop, out var detail) ? BandFellFrom(detail) : null;
        var holding = Holding(subject, from);
        return (Opening(subject, holding.Except(openKinds)).ToList(), openKinds.Except(holding).Kinds().ToList());
    }

    /// <summary>The alerts of <paramref name="kinds"/> to open for the subject, each with what it says.</summary>
    public static IEnumerable<AlertToOpen> Opening(AlertSubject subject, AlertKinds kinds)
    {
        foreach (var kind in kinds.Kinds())
            yield return new AlertToOpen(subject.AccountId, kind, subject.CsmId, DetailOf(kind, subject));
    }

    private static string DetailOf(AlertKind kind, AlertSubject subject) => kind == AlertKind.HealthBandDrop
        ? $"health fell from {HealthSignalNames.Name(subject.PreviousBand!.Value)} to {HealthSignalNames.Name(subject.Band)}"
        : SignalOf[(int)kind].Detail;

    /// <summary>The band a band-drop alert fell from, read back from its detail.</summary>
    public static HealthBand? BandFellFrom(string detail)
    {
        const string prefix = "health fell from ";
        if (!detail.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var word = detail[prefix.Length..].Split(' ')[0];
        return word switch { "green" => HealthBand.Green, "yellow" => HealthBand.Yellow, "red" => HealthBand.Red, _ => null };
    }
}
