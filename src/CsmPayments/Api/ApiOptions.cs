namespace CsmPayments.Api;

/// <summary>Bound from the <c>Api</c> configuration section: how large a request body may be.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>The largest body of a JSON create or update, or of a Stripe event (1 MiB).</summary>
    public long MaxBodyBytes { get; set; } = 1 << 20;

    /// <summary>The largest body of a usage batch (32 MiB, about 300,000 events).</summary>
    public long MaxUsageBodyBytes { get; set; } = 32 << 20;
}
