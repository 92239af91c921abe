namespace CsmPayments.Billing;

/// <summary>A credit note reducing what an invoice asks for, from the day it is issued.</summary>
public sealed class CreditNote
{
    private CreditNote() { Number = Currency = ""; }

    public CreditNote(string number, long accountId, long invoiceId, Money amount, DateOnly issuedOn)
    {
        Number = Guard.Required(number, nameof(number));
        AccountId = accountId;
        InvoiceId = invoiceId;
        Guard.NotNegative(amount, nameof(amount));
        AmountValue = amount.Amount;
        Currency = amount.Currency;
        IssuedOn = issuedOn;
    }

    public long Id { get; private set; }
    public string Number { get; private set; }
    public long AccountId { get; private set; }
    public long InvoiceId { get; private set; }
    public decimal AmountValue { get; private set; }
    public string Currency { get; private set; }
    public DateOnly IssuedOn { get; private set; }

    public Money Amount => new(AmountValue, Currency);
}
