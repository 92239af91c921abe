namespace CsmPayments.Integrations.Stripe;

/// <summary>Bound from the <c>Stripe</c> configuration section.</summary>
public sealed class StripeOptions
{
    public const string Section = "Stripe";

    /// <summary>The webhook endpoint's signing secret (<c>whsec_…</c>) from the Stripe dashboard.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How old a signed event may be, in seconds, before it is refused as a replay.</summary>
    public long ToleranceSeconds { get; set; } = 300;
}
