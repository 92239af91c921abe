using System.Globalization;
using System.Text.RegularExpressions;
using CsmPayments.Demo;
using CsvHelper;

namespace CsmPayments.Tests.Demo;

public sealed partial class DemoFilesTests : IDisposable
{
    private static readonly DateOnly AsOf = new(2026, 6, 30);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "csm-payments-demo-test-" + Guid.NewGuid().ToString("N")[..12]);

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private DemoSummary Write(string name, int accounts, int seed) =>
        DemoFiles.Write(new DemoCompany(new DemoSettings(accounts, seed, AsOf)), Path.Combine(_root, name));

    [Fact]
    public void The_same_seed_writes_byte_identical_files_and_another_seed_a_different_company()
    {
        Write("first", 120, 42);
        Write("again", 120, 42);
        Write("other", 120, 43);

        foreach (var file in DemoFiles.InImportOrder)
            Assert.Equal(File.ReadAllBytes(Path.Combine(_root, "first", file)), File.ReadAllBytes(Path.Combine(_root, "again", file)));
        foreach (var file in DemoFiles.InImportOrder.Except(["users.csv"]))
            Assert.NotEqual(File.ReadAllBytes(Path.Combine(_root, "first", file)), File.ReadAllBytes(Path.Combine(_root, "other", file)));
    }

    [Fact]
    public void A_larger_company_with_the_same_seed_starts_with_the_smaller_one()
    {
        Write("small", 30, 7);
        Write("large", 90, 7);
        foreach (var file in DemoFiles.InImportOrder.Except(["users.csv"]))
        {
            var small = File.ReadAllLines(Path.Combine(_root, "small", file));
            var large = File.ReadAllLines(Path.Combine(_root, "large", file));
            Assert.Equal(small, large.Take(small.Length));
            Assert.True(large.Length > small.Length, file);
        }
    }

    private static readonly Dictionary<string, string[]> Columns = new()
    {
        ["users.csv"] = ["email", "name", "role", "capacity"],
        ["accounts.csv"] = ["external_id", "name", "industry", "employees", "country", "plan", "csm_email", "currency", "timezone", "tier"],
        ["contacts.csv"] = ["email", "account_external_id", "name", "role"],
        ["subscriptions.csv"] = ["external_id", "account_external_id", "plan", "mrr", "currency", "start_date", "end_date", "renewal_date", "cancellation_reason"],
        ["invoices.csv"] = ["number", "account_external_id", "issue_date", "due_date", "amount", "currency", "po_number", "status"],
        ["payments.csv"] = ["external_id", "account_external_id", "invoice_number", "amount", "currency", "paid_on", "method", "status", "failure_code"],
        ["credit_notes.csv"] = ["number", "account_external_id", "invoice_number", "amount", "currency", "issued_on"],
        ["usage.csv"] = ["account_external_id", "date", "active_users", "events"],
        ["tickets.csv"] = ["external_id", "account_external_id", "opened_on", "priority", "status", "solved_on", "subject"],
        ["nps.csv"] = ["account_external_id", "contact_email", "responded_on", "score", "comment"],
        ["touchpoints.csv"] = ["account_external_id", "user_email", "occurred_on", "kind", "summary"],
    };

    /// <summary>What each column may hold: DESIGN §4's formats and value lists; empty only where the column is optional.</summary>
    private static readonly Dictionary<string, Regex> Formats = new()
    {
        ["email"] = new(@"^[a-z0-9.]+@[a-z0-9.-]+\.example$"),
        ["role"] = new("^(csm|collector|controller|cfo|cs_lead|admin|billing|champion|executive|user)$"),
        ["capacity"] = new(@"^(\d+)?$"),
        ["employees"] = new(@"^\d+$"),
        ["country"] = new("^[A-Z]{2}$"),
        ["currency"] = new("^(USD|EUR|GBP|CAD|AUD|NZD|SGD|JPY)$"),
        ["tier"] = new("^(high|medium|low)?$"),
        ["mrr"] = new(@"^\d+(\.\d{2})?$"),
        ["amount"] = new(@"^\d+(\.\d{2})?$"),
        ["date"] = new(@"^\d{4}-\d{2}-\d{2}$"),
        ["optional_date"] = new(@"^(\d{4}-\d{2}-\d{2})?$"),
        ["cancellation_reason"] = new("^(voluntary|delinquent)?$"),
        ["invoice_status"] = new("^(open|void|uncollectible)$"),
        ["method"] = new("^(card|ach|wire|check)$"),
        ["payment_status"] = new("^(succeeded|failed)$"),
        ["failure_code"] = new("^[a-z_]*$"),
        ["priority"] = new("^(low|normal|high|urgent)$"),
        ["ticket_status"] = new("^(open|pending|solved)$"),
        ["score"] = new(@"^(10|\d)$"),
        ["kind"] = new("^(call|email|meeting|qbr|note)$"),
        ["count"] = new(@"^\d+$"),
        ["text"] = new(@"^\S(.*\S)?$"),
        ["optional_text"] = new(@"^(\S(.*\S)?)?$"),
    };

    private static string FormatOf(string file, string column) => (file, column) switch
    {
        (_, "email" or "csm_email" or "contact_email" or "user_email") => "email",
        (_, "issue_date" or "due_date" or "paid_on" or "issued_on" or "date" or "opened_on" or "responded_on" or "occurred_on" or "start_date") => "date",
        (_, "end_date" or "renewal_date" or "solved_on") => "optional_date",
        ("invoices.csv", "status") => "invoice_status",
        ("payments.csv", "status") => "payment_status",
        ("tickets.csv", "status") => "ticket_status",
        (_, "active_users" or "events") => "count",
        (_, "timezone" or "po_number" or "invoice_number" or "comment") => "optional_text",
        _ when Formats.ContainsKey(column) => column,
        _ => "text",
    };

    [Fact]
    public void Every_file_has_the_columns_of_the_design_and_every_value_its_format()
    {
        var summary = Write("formats", 60, 42);
        var rows = new Dictionary<string, long>();
        foreach (var (file, columns) in Columns)
        {
            var path = Path.Combine(_root, "formats", file);
            var bytes = File.ReadAllBytes(path);
            Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }), $"{file} starts with a byte-order mark");
            Assert.Equal(columns, File.ReadLines(path).First().Split(','));

            using var reader = CsvReader.FromFile(path);
            var count = 0L;
            while (reader.Read())
            {
                count++;
                Assert.Equal(columns.Length, reader.FieldCount);
                for (var i = 0; i < columns.Length; i++)
                {
                    var value = reader.GetString(i) ?? "";
                    var format = FormatOf(file, columns[i]);
                    Assert.True(Formats[format].IsMatch(value), $"{file}:{count + 1}: {columns[i]}: '{value}' is not {format}");
                    if (format.EndsWith("date", StringComparison.Ordinal) && value.Length > 0)
                        Assert.True(DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), value);
                }
            }
            rows[file] = count;
        }

        Assert.Equal(
            [summary.Users, summary.Accounts, summary.Contacts, summary.Subscriptions, summary.Invoices, summary.Payments, summary.CreditNotes,
                summary.UsageDays, summary.Tickets, summary.NpsResponses, summary.Touchpoints],
            DemoFiles.InImportOrder.Select(f => rows[f]));
        Assert.Equal(60, summary.Accounts);
        Assert.Equal(60, summary.Fates.Sum(f => f.Accounts));
    }

    [Fact]
    public void Amounts_carry_the_minor_digits_of_their_currency()
    {
        Write("money", 300, 42);
        var invoices = File.ReadLines(Path.Combine(_root, "money", "invoices.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Contains(invoices, f => f[5] == "JPY");
        Assert.All(invoices.Where(f => f[5] == "JPY"), f => Assert.Matches(@"^\d+000$", f[4]));
        Assert.All(invoices.Where(f => f[5] != "JPY"), f => Assert.Matches(@"^\d+\.\d{2}$", f[4]));
    }
}
