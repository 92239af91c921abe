namespace CsmPayments.Billing;

public enum PaymentMethod { Card, Ach, Wire, Check }

public enum PaymentStatus { Succeeded, Failed }

/// <summary>
/// A payment or a failed attempt at one. Applied to an invoice when it names one, otherwise unapplied
/// (account credit). Failed attempts change no balance; they carry the decline code.
/// </summary>
public sealed class Payment
{
    private Payment() { ExternalId = Currency = ""; }

    public Payment(string externalId, long accountId, long? invoiceId, Money amount, DateOnly paidOn, PaymentMethod method,
        PaymentStatus status, string? failureCode)
    {
        ExternalId = Guard.Required(externalId, nameof(externalId));
        AccountId = accountId;
        InvoiceId = invoiceId;
        Guard.NotNegative(amount, nameof(amount));
        AmountValue = amount.Amount;
        Currency = amount.Currency;
        PaidOn = paidOn;
        Method = method;
        Status = status;
        FailureCode = string.IsNullOrWhiteSpace(failureCode) ? null : failureCode.Trim();
    }

    public long Id { get; private set; }
    public string ExternalId { get; private set; }
    public long AccountId { get; private set; }
    public long? InvoiceId { get; private set; }
    public decimal AmountValue { get; private set; }
    public string Currency { get; private set; }
    public DateOnly PaidOn { get; private set; }
    public PaymentMethod Method { get; private set; }
    public PaymentStatus Status { get; private set; }
    public string? FailureCode { get; private set; }

    public Money Amount => new(AmountValue, Currency);
    public bool Succeeded => Status == PaymentStatus.Succeeded;
}
