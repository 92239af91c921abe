namespace CsmPayments.Integrations.Stripe;

/// <summary>Bound from the <c>Stripe</c> configuration section.</summary>
public sealed class StripeOptions
{
    public const string Section = "Stripe";

    /// <summary>The webhook endpoint's signing secret (<c>whsec_…</c>) from the Stripe dashboard.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>How old a signed event may be, in seconds, before it is refused as a replay.</summary>
    public long ToleranceSeconds { get; set; } = 300;

    /// <summary>
    /// The CSM (a user's email) who owns the accounts made from Stripe customers that name no account; when empty, the CSM
    /// with the fewest accounts.
    /// </summary>
    public string? NewAccountCsmEmail { get; set; }
}

/// <summary>How an account is made for a Stripe customer that names none: its owner, and its currency when Stripe has none yet.</summary>
public sealed record StripeNewAccounts(string DefaultCurrency, string? CsmEmail)
{
    public static readonly StripeNewAccounts Default = new("USD", null);
}
