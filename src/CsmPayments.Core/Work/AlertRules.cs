using CsmPayments.Health;

namespace CsmPayments.Work;

/// <summary>An account's state on a day as far as alerts care.</summary>
public readonly record struct AlertSubject(long AccountId, long CsmId, HealthSignals Signals, HealthBand Band, HealthBand? PreviousBand);

/// <summary>An alert to open: kind, account, owner and what it says.</summary>
public readonly record struct AlertToOpen(long AccountId, AlertKind Kind, long OwnerId, string Detail);

/// <summary>Which alerts open and which close, from the day's signals and the alerts open before it.</summary>
public static class AlertRules
{
    private static readonly (AlertKind Kind, HealthSignals Signal, string Detail)[] SignalKinds =
    [
        (AlertKind.UsageDecline, HealthSignals.UsageDecline, "usage is declining against its baseline"),
        (AlertKind.SilentChurn, HealthSignals.SilentChurn, "usage has stopped while billing continues"),
        (AlertKind.FailedPayment, HealthSignals.FailedPayment, "a payment attempt failed and the invoice is unpaid"),
        (AlertKind.OverdueFollowUp, HealthSignals.OverdueFollowUp, "no touchpoint within the tier's cadence"),
        (AlertKind.UrgentTicket, HealthSignals.UrgentTicket, "an urgent ticket is unresolved"),
        (AlertKind.BrokenPromise, HealthSignals.BrokenPromise, "a promise to pay was broken; reminders have resumed"),
    ];

    /// <summary>
    /// Whether the condition of an alert kind holds. A band drop holds from the day the band fell below the previous
    /// day's until it is back: <paramref name="openBandDrop"/> is the open band-drop alert's detail, which records the band
    /// it fell from.
    /// </summary>
    public static bool Holds(AlertKind kind, AlertSubject subject, string? openBandDrop)
    {
        if (kind != AlertKind.HealthBandDrop) return subject.Signals.HasFlag(SignalKinds.First(k => k.Kind == kind).Signal);
        if (openBandDrop is not null && BandFellFrom(openBandDrop) is { } from) return subject.Band < from;
        return subject.PreviousBand is { } previous && subject.Band < previous;
    }

    /// <summary>
    /// The alerts to open (conditions that hold without an open alert of their kind) and the open alerts to close
    /// (conditions that no longer hold). <paramref name="open"/> holds the account's open alerts by kind with their detail.
    /// </summary>
    public static (List<AlertToOpen> Open, List<AlertKind> Close) Reconcile(AlertSubject subject, IReadOnlyDictionary<AlertKind, string> open)
    {
        var toOpen = new List<AlertToOpen>();
        var toClose = new List<AlertKind>();
        foreach (var kind in Enum.GetValues<AlertKind>())
        {
            var isOpen = open.TryGetValue(kind, out var detail);
            var holds = Holds(kind, subject, isOpen && kind == AlertKind.HealthBandDrop ? detail : null);
            if (holds && !isOpen) toOpen.Add(new AlertToOpen(subject.AccountId, kind, subject.CsmId, DetailOf(kind, subject)));
            else if (!holds && isOpen) toClose.Add(kind);
        }
        return (toOpen, toClose);
    }

    private static string DetailOf(AlertKind kind, AlertSubject subject) => kind == AlertKind.HealthBandDrop
        ? $"health fell from {HealthSignalNames.Name(subject.PreviousBand!.Value)} to {HealthSignalNames.Name(subject.Band)}"
        : SignalKinds.First(k => k.Kind == kind).Detail;

    /// <summary>The band a band-drop alert fell from, read back from its detail.</summary>
    public static HealthBand? BandFellFrom(string detail)
    {
        const string prefix = "health fell from ";
        if (!detail.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var word = detail[prefix.Length..].Split(' ')[0];
        return word switch { "green" => HealthBand.Green, "yellow" => HealthBand.Yellow, "red" => HealthBand.Red, _ => null };
    }
}
