using CsmPayments.Import;

namespace CsmPayments.Tests.Import;

public sealed class ImportKindsTests
{
    [Theory]
    [InlineData("users", ImportKind.Users)]
    [InlineData("credit_notes", ImportKind.CreditNotes)]
    [InlineData("credit-notes", ImportKind.CreditNotes)]
    [InlineData("Credit_Notes", ImportKind.CreditNotes)]
    [InlineData(" usage ", ImportKind.Usage)]
    [InlineData("nps", ImportKind.Nps)]
    [InlineData("touchpoints", ImportKind.Touchpoints)]
    public void A_kind_parses_from_its_file_name_in_any_case(string word, ImportKind expected) =>
        Assert.Equal(expected, ImportKinds.Parse(word));

    [Fact]
    public void An_unknown_kind_is_refused_with_the_names_that_exist()
    {
        var error = Assert.Throws<ArgumentException>(() => ImportKinds.Parse("invoice"));

        Assert.Equal("'invoice' is not something that can be imported; use one of: users, accounts, contacts, subscriptions, " +
                     "invoices, payments, credit_notes, usage, tickets, nps, touchpoints", error.Message);
    }

    [Fact]
    public void Every_kind_has_the_file_name_of_the_design() =>
        Assert.Equal(
            ["users.csv", "accounts.csv", "contacts.csv", "subscriptions.csv", "invoices.csv", "payments.csv", "credit_notes.csv", "usage.csv",
                "tickets.csv", "nps.csv", "touchpoints.csv"],
            Enum.GetValues<ImportKind>().Select(ImportKinds.FileName));
}
