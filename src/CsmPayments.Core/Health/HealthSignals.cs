namespace CsmPayments.Health;

/// <summary>What the scoring noticed about an account on a day; several at once.</summary>
[Flags]
public enum HealthSignals
{
    None = 0,
    SilentChurn = 1,
    UsageDecline = 2,
    EarlyWarning = 4,
    FailedPayment = 8,
    OverdueInvoice = 16,
    OpenDispute = 32,
    UrgentTicket = 64,
    OverdueFollowUp = 128,
    Detractor = 256,
    Onboarding = 512,
    BrokenPromise = 1024,
}

public static class HealthSignalNames
{
    private static readonly (HealthSignals Signal, string Name)[] Names =
    [
        (HealthSignals.SilentChurn, "silent_churn"),
        (HealthSignals.UsageDecline, "usage_decline"),
        (HealthSignals.EarlyWarning, "early_warning"),
        (HealthSignals.FailedPayment, "failed_payment"),
        (HealthSignals.OverdueInvoice, "overdue_invoice"),
        (HealthSignals.OpenDispute, "open_dispute"),
        (HealthSignals.BrokenPromise, "broken_promise"),
        (HealthSignals.UrgentTicket, "urgent_ticket"),
        (HealthSignals.OverdueFollowUp, "overdue_follow_up"),
        (HealthSignals.Detractor, "detractor"),
        (HealthSignals.Onboarding, "onboarding"),
    ];

    /// <summary>
    /// The stored form of each combination of signals, joined the first time it is asked for: one slot for every
    /// combination of the named signals (a new signal widens it).
    /// </summary>
    private static readonly string?[] Joined = new string?[2 * (int)Names.Max(n => n.Signal)];

    /// <summary>The signals' names in a fixed order, e.g. <c>["silent_churn", "failed_payment"]</c>.</summary>
    public static IReadOnlyList<string> Of(HealthSignals signals) =>
        Names.Where(n => signals.HasFlag(n.Signal)).Select(n => n.Name).ToList();

    /// <summary>Stored form: names joined by commas; empty when there is none.</summary>
    public static string Join(HealthSignals signals)
    {
        // The cycle stores a snapshot per account: each of the few combinations is joined once. Only the named bits
        // count, as in Of.
        var key = (int)signals & (Joined.Length - 1);
        return Joined[key] ??= string.Join(',', Of((HealthSignals)key));
    }

    public static HealthSignals Parse(string? text)
    {
        var signals = HealthSignals.None;
        if (string.IsNullOrEmpty(text)) return signals;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = Array.FindIndex(Names, n => n.Name == part);
            if (match < 0) throw new FormatException($"'{part}' is not a health signal");
            signals |= Names[match].Signal;
        }
        return signals;
    }

    public static string Name(HealthComponent component) => component switch
    {
        HealthComponent.Usage => "usage",
        HealthComponent.Engagement => "engagement",
        HealthComponent.Support => "support",
        HealthComponent.Sentiment => "sentiment",
        _ => "payment",
    };

    public static string Name(HealthBand band) => band switch
    {
        HealthBand.Red => "red",
        HealthBand.Yellow => "yellow",
        _ => "green",
    };
}
