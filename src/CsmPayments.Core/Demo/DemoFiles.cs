using System.Globalization;
using System.Text;
using CsvHelper;

namespace CsmPayments.Demo;

/// <summary>How many rows each file got, and how many accounts live through each fate.</summary>
public sealed record DemoSummary(
    string Folder, int Users, int Accounts, long Contacts, long Subscriptions, long Invoices, long Payments, long CreditNotes,
    long UsageDays, long Tickets, long NpsResponses, long Touchpoints, IReadOnlyList<(AccountFate Fate, int Accounts)> Fates);

/// <summary>
/// Writes a demo company as the eleven CSV files of DESIGN §4: header row, UTF-8 without a byte-order mark, comma,
/// dates yyyy-MM-dd, amounts with a dot and the currency's minor digits. Accounts stream through one at a time,
/// so the usage file of a large company never sits in memory.
/// </summary>
public static class DemoFiles
{
    /// <summary>The files in the order they must be imported: each refers only to rows of the files before it.</summary>
    public static readonly IReadOnlyList<string> InImportOrder =
    [
        "users.csv", "accounts.csv", "contacts.csv", "subscriptions.csv", "invoices.csv", "payments.csv", "credit_notes.csv",
        "usage.csv", "tickets.csv", "nps.csv", "touchpoints.csv",
    ];

    public static DemoSummary Write(DemoCompany company, string folder, Action<DemoAccount>? observe = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(folder);
        using var users = new CsvFile(folder, "users.csv", "email", "name", "role", "capacity");
        using var accounts = new CsvFile(folder, "accounts.csv", "external_id", "name", "industry", "employees", "country", "plan", "csm_email", "currency", "timezone", "tier");
        using var contacts = new CsvFile(folder, "contacts.csv", "email", "account_external_id", "name", "role");
        using var subscriptions = new CsvFile(folder, "subscriptions.csv", "external_id", "account_external_id", "plan", "mrr", "currency", "start_date", "end_date", "renewal_date", "cancellation_reason");
        using var invoices = new CsvFile(folder, "invoices.csv", "number", "account_external_id", "issue_date", "due_date", "amount", "currency", "po_number", "status");
        using var payments = new CsvFile(folder, "payments.csv", "external_id", "account_external_id", "invoice_number", "amount", "currency", "paid_on", "method", "status", "failure_code");
        using var creditNotes = new CsvFile(folder, "credit_notes.csv", "number", "account_external_id", "invoice_number", "amount", "currency", "issued_on");
        using var usage = new CsvFile(folder, "usage.csv", "account_external_id", "date", "active_users", "events");
        using var tickets = new CsvFile(folder, "tickets.csv", "external_id", "account_external_id", "opened_on", "priority", "status", "solved_on", "subject");
        using var nps = new CsvFile(folder, "nps.csv", "account_external_id", "contact_email", "responded_on", "score", "comment");
        using var touchpoints = new CsvFile(folder, "touchpoints.csv", "account_external_id", "user_email", "occurred_on", "kind", "summary");

        foreach (var u in company.Staff.All)
            users.Field(u.Email).Field(u.Name).Field(Snake(u.Role)).Field(u.Capacity).End();

        var fates = new int[Enum.GetValues<AccountFate>().Length];
        foreach (var a in company.Accounts(ct))
        {
            observe?.Invoke(a);
            fates[(int)a.Profile.Fate]++;
            var id = a.ExternalId;
            accounts.Field(id).Field(a.Name).Field(a.Industry).Field(a.Employees).Field(a.Country).Field(a.Plan).Field(a.CsmEmail)
                .Field(a.Currency).Field(a.TimeZone).Field(a.ExplicitTier is { } tier ? Snake(tier) : null).End();
            foreach (var c in a.Contacts)
                contacts.Field(c.Email).Field(id).Field(c.Name).Field(Snake(c.Role)).End();
            foreach (var s in a.Subscriptions)
                subscriptions.Field(s.ExternalId).Field(id).Field(s.Plan).Field(s.Mrr).Field(s.Mrr.Currency).Field(s.StartDate)
                    .Field(s.EndDate).Field(s.RenewalDate).Field(s.CancellationReason is { } reason ? Snake(reason) : null).End();
            foreach (var i in a.Invoices)
                invoices.Field(i.Number).Field(id).Field(i.IssueDate).Field(i.DueDate).Field(i.Amount).Field(i.Amount.Currency)
                    .Field(i.PoNumber).Field(Snake(i.Status)).End();
            foreach (var p in a.Payments)
                payments.Field(p.ExternalId).Field(id).Field(p.InvoiceNumber).Field(p.Amount).Field(p.Amount.Currency).Field(p.PaidOn)
                    .Field(Snake(p.Method)).Field(Snake(p.Status)).Field(p.FailureCode).End();
            foreach (var n in a.CreditNotes)
                creditNotes.Field(n.Number).Field(id).Field(n.InvoiceNumber).Field(n.Amount).Field(n.Amount.Currency).Field(n.IssuedOn).End();
            foreach (var d in a.Usage)
                usage.Field(id).Field(d.Date).Field(d.ActiveUsers).Field(d.Events).End();
            foreach (var t in a.Tickets)
                tickets.Field(t.ExternalId).Field(id).Field(t.OpenedOn).Field(Snake(t.Priority)).Field(Snake(t.Status)).Field(t.SolvedOn).Field(t.Subject).End();
            foreach (var r in a.NpsResponses)
                nps.Field(id).Field(r.ContactEmail).Field(r.RespondedOn).Field(r.Score).Field(r.Comment).End();
            foreach (var t in a.Touchpoints)
                touchpoints.Field(id).Field(t.UserEmail).Field(t.OccurredOn).Field(Snake(t.Kind)).Field(t.Summary).End();
        }

        return new DemoSummary(folder, (int)users.Rows, (int)accounts.Rows, contacts.Rows, subscriptions.Rows, invoices.Rows, payments.Rows,
            creditNotes.Rows, usage.Rows, tickets.Rows, nps.Rows, touchpoints.Rows,
            Enum.GetValues<AccountFate>().Select(f => (f, fates[(int)f])).ToArray());
    }

    /// <summary>The file's spelling of an enum value: <c>CsLead</c> → <c>cs_lead</c>.</summary>
    internal static string Snake<T>(T value) where T : struct, Enum
    {
        var name = value.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) builder.Append('_');
            builder.Append(char.ToLowerInvariant(name[i]));
        }
        return builder.ToString();
    }

    private sealed class CsvFile : IDisposable
    {
        private static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { NewLine = "\n" };

        private readonly CsvWriter _csv;

        public CsvFile(string folder, string name, params string[] header)
        {
            _csv = CsvWriter.ToFile(Path.Combine(folder, name), Options);
            _csv.WriteHeader(header);
        }

        public long Rows { get; private set; }

        public CsvFile Field(string? value)
        {
            _csv.WriteField(value);
            return this;
        }

        public CsvFile Field(int? value)
        {
            if (value is { } number) _csv.WriteField(number, "");
            else _csv.WriteField((string?)null);
            return this;
        }

        public CsvFile Field(int value)
        {
            _csv.WriteField(value, "");
            return this;
        }

        public CsvFile Field(long value)
        {
            _csv.WriteField(value, "");
            return this;
        }

        public CsvFile Field(DateOnly? value)
        {
            if (value is { } date) _csv.WriteField(date, "yyyy-MM-dd");
            else _csv.WriteField((string?)null);
            return this;
        }

        /// <summary>Always the currency's minor digits, so 1200 USD is written 1200.00 and 120000 JPY is written 120000.</summary>
        public CsvFile Field(Money value)
        {
            _csv.WriteField(value.Amount, Currencies.MinorDigits(value.Currency) switch { 0 => "F0", 3 => "F3", _ => "F2" });
            return this;
        }

        public void End()
        {
            _csv.EndRecord();
            Rows++;
        }

        public void Dispose() => _csv.Dispose();
    }
}
