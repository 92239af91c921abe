namespace CsmPayments.Billing;

public enum InvoiceStatus { Open, Void, Uncollectible }

/// <summary>An invoice issued to an account. Its balance is derived from payments and credit notes; see <see cref="Ledger"/>.</summary>
public sealed class Invoice
{
    private Invoice() { Number = Currency = ""; }

    public Invoice(string number, long accountId, DateOnly issueDate, DateOnly dueDate, Money amount, string? poNumber, InvoiceStatus status)
    {
        Number = Guard.Required(number, nameof(number));
        AccountId = accountId;
        IssueDate = issueDate;
        DueDate = dueDate >= issueDate ? dueDate : throw new ArgumentException("due date is before the issue date", nameof(dueDate));
        Guard.NotNegative(amount, nameof(amount));
        AmountValue = amount.Amount;
        Currency = amount.Currency;
        PoNumber = string.IsNullOrWhiteSpace(poNumber) ? null : poNumber.Trim();
        Status = status;
    }

    /// <summary>An invoice as a read of the store gives it (the checks of the constructor were made when it was written).</summary>
    internal static Invoice AsStored(long id, long accountId, decimal amount, string currency, DateOnly dueDate, DateOnly issueDate, string number,
        string? poNumber, InvoiceStatus status) =>
        new()
        {
            Id = id,
            AccountId = accountId,
            AmountValue = amount,
            Currency = currency,
            DueDate = dueDate,
            IssueDate = issueDate,
            Number = number,
            PoNumber = poNumber,
            Status = status,
        };

    public long Id { get; private set; }
    public string Number { get; private set; }
    public long AccountId { get; private set; }
    public DateOnly IssueDate { get; private set; }
    public DateOnly DueDate { get; private set; }
    public decimal AmountValue { get; private set; }
    public string Currency { get; private set; }
    public string? PoNumber { get; private set; }
    public InvoiceStatus Status { get; private set; }

    public Money Amount => new(AmountValue, Currency);

    /// <summary>
    /// The column (a shadow property, no part of the invoice the product shows) where the daily cycle keeps the day the
    /// invoice's payments and credit notes first covered its amount, as it last found it: a fact of the ledger that no
    /// as-of day changes, so later days read the invoice without its payments. Null when not known. Trusted only while
    /// the account has no <see cref="LedgerChange"/> note; no writer of the ledger ever sets it.
    /// </summary>
    public const string SettledOnColumn = "settled_on";

    /// <summary>Void and uncollectible invoices carry no balance (DESIGN §3).</summary>
    public bool CarriesBalance => Status == InvoiceStatus.Open;

    public int DaysPastDue(DateOnly asOf) => asOf.DayNumber - DueDate.DayNumber;
}
