namespace CsmPayments.Segments;

/// <summary>
/// Collection risk of an account, from invoice value, payment behaviour and credit risk [004]: the tier that chooses
/// the collection cadence.
/// </summary>
public enum RiskTier { Low, Medium, High }
