using System.Text;
using CsmPayments.Accounts;
using CsmPayments.Import;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Import;

/// <summary>The shape of a file: its header, its CSV quoting, its encoding; problems reported where they are.</summary>
public sealed class FileShapeTests
{
    [Theory, Providers]
    public async Task A_header_with_unknown_duplicate_or_missing_columns_is_reported_once_on_line_1(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);

        var result = await new Importer(test.Database).ImportAsync(ImportKind.Users,
            "email,name,nickname,EMAIL",
            "casey@example.com,Casey,Cas,casey@example.com",
            "dee@example.com,Dee,D,dee@example.com");

        Assert.Equal(
        [
            "users.csv:1: nickname: unknown column; the columns are email, name, role, capacity (optional)",
            "users.csv:1: EMAIL: appears twice in the header",
            "users.csv:1: role: required column is missing from the header",
        ], result.Messages());
        Assert.Equal((false, 0L, 1), (result.Succeeded, result.RowsRead, result.BadRows));
        await using var db = test.Open();
        Assert.Equal(0, await db.Users.CountAsync());
    }

    [Theory, Providers]
    public async Task Optional_columns_may_be_left_out_and_columns_may_come_in_any_order(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);

        var result = await new Importer(test.Database).ImportAsync(ImportKind.Users, "Role,email,name", "cs_lead,lee@example.com,Lee");

        Assert.Equal((true, 1L), (result.Succeeded, result.RowsChanged));
        await using var db = test.Open();
        var lee = await db.Users.SingleAsync();
        Assert.Equal(("lee@example.com", "Lee", UserRole.CsLead, (int?)null), (lee.Email, lee.Name, lee.Role, lee.Capacity));
    }

    [Theory, Providers]
    public async Task An_empty_file_is_rejected_with_the_columns_it_needs(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);

        var result = await new Importer(test.Database).ImportAsync(ImportKind.Usage, new StringReader(""), "usage.csv");

        Assert.Equal(["usage.csv:1: header: the file is empty; the first line must name the columns: account_external_id, date, active_users, events"],
            result.Messages());
    }

    [Theory, Providers]
    public async Task A_semicolon_separated_file_is_told_to_use_commas(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);

        var result = await new Importer(test.Database).ImportAsync(ImportKind.Nps,
            "account_external_id;contact_email;responded_on;score", "A-1;ap@acme.example;2026-01-12;9");

        Assert.Equal(
            "nps.csv:1: account_external_id;contact_email;responded_on;score: unknown column; the file must be comma separated, " +
            "with the columns account_external_id, contact_email, responded_on, score, comment (optional)",
            result.Errors[0].ToString());
        Assert.Equal(5, result.ErrorCount); // and the four required columns are missing
    }

    [Theory, Providers]
    public async Task A_row_with_more_or_fewer_values_than_the_header_is_reported(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Usage);

        var result = await importer.ImportAsync(ImportKind.Usage,
            "account_external_id,date,active_users,events",
            "A-1,2026-01-01,12,340",
            "A-1,2026-01-02,12,340,7",
            "A-1,2026-01-03,12");

        Assert.Equal(
        [
            "usage.csv:3: row: has 5 values, but the header has 4 columns",
            "usage.csv:4: row: has 3 values, but the header has 4 columns",
        ], result.Messages());
        await using var db = test.Open();
        Assert.Equal(0, await db.UsageDays.CountAsync());
    }

    [Theory, Providers]
    public async Task Broken_quoting_is_reported_on_the_physical_line_where_its_row_starts(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Tickets);

        var result = await importer.ImportAsync(ImportKind.Tickets,
            "external_id,account_external_id,opened_on,priority,status,solved_on,subject",
            "T-1,A-1,2026-01-05,high,open,,\"Two",
            "lines, one value\"",
            "T-2,A-1,2026-01-05,high,open,,Say \"hi\"",
            "T-3,A-1,2026-01-05,high,open,,\"Quoted\"tail",
            "",
            "T-4,A-1,2026-01-0X,high,open,,fine",
            "T-5,A-1,2026-01-05,high,open,,\"never closed",
            "T-6,A-1,2026-01-05,high,open,,swallowed");

        Assert.Equal(
        [
            "tickets.csv:4: row: has a quote inside a value that does not start with one; put the whole value in quotes and write each quote inside it twice",
            "tickets.csv:5: row: has text after the closing quote of a value; put the whole value in quotes and write each quote inside it twice",
            "tickets.csv:7: opened_on: '2026-01-0X' is not a date (expected yyyy-MM-dd)",
            "tickets.csv:8: row: opens a quote that is never closed; the rest of the file could not be read",
        ], result.Messages());
        Assert.Equal(5L, result.RowsRead);
    }

    [Theory, Providers]
    public async Task A_quote_left_open_early_in_a_large_file_stops_the_read_at_its_line(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var importer = new Importer(test.Database);
        await importer.ImportReferencesAsync(ImportKind.Tickets);
        var lines = new List<string>
        {
            "external_id,account_external_id,opened_on,priority,status,solved_on,subject",
            "T-1,A-1,2026-01-05,high,open,,Fine",
            "T-2,A-1,2026-01-05,high,open,,\"Left open",
        };
        lines.AddRange(Enumerable.Range(3, 40_000).Select(i => $"T-{i},A-1,2026-01-05,high,open,,Swallowed by the open quote"));

        var result = await importer.ImportAsync(ImportKind.Tickets, lines.ToArray());

        Assert.Equal(["tickets.csv:3: row: runs on for more than 1 MiB without ending, so the rest of the file could not be read; is a quote left open?"],
            result.Messages());
        await using var db = test.Open();
        Assert.Equal(0, await db.Tickets.CountAsync());
    }

    [Theory, Providers]
    public async Task Bytes_that_are_not_UTF_8_are_reported_where_they_are(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var file = Path.Combine(Path.GetTempPath(), $"users-{Guid.NewGuid():N}.csv");
        var latin1Name = new byte[] { (byte)'R', 0xE9, (byte)'m', (byte)'i' }; // "Rémi" saved as Latin-1
        await File.WriteAllBytesAsync(file,
        [
            .. "email,name,role\ncasey@example.com,Casey,csm\nremi@example.com,"u8, .. latin1Name, .. ",csm\n"u8,
        ]);
        try
        {
            var result = await new Importer(test.Database).ImportAsync(ImportKind.Users, file);

            Assert.Equal([$"{Path.GetFileName(file)}:3: name: is not UTF-8 text; save the file as UTF-8"], result.Messages());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory, Providers]
    public async Task A_byte_order_mark_blank_lines_and_spaces_around_values_are_accepted(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var file = Path.Combine(Path.GetTempPath(), $"users-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, "email , name,role\r\n casey@example.com , \" Casey \" , csm\r\n\r\ndee@example.com,Dee,cfo\r\n",
            new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        try
        {
            var result = await new Importer(test.Database).ImportAsync(ImportKind.Users, file);

            Assert.Equal((true, 2L, 2L), (result.Succeeded, result.RowsRead, result.RowsChanged));
            await using var db = test.Open();
            Assert.Equal([("casey@example.com", "Casey", UserRole.Csm), ("dee@example.com", "Dee", UserRole.Cfo)],
                (await db.Users.OrderBy(u => u.Email).ToListAsync()).Select(u => (u.Email, u.Name, u.Role)));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory, Providers]
    public async Task A_NUL_character_is_reported_rather_than_left_to_the_database(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);

        var result = await new Importer(test.Database).ImportAsync(ImportKind.Users, "email,name,role", "casey@example.com,Ca\0sey,csm");

        Assert.Equal(["users.csv:2: name: contains a NUL character; the file may be damaged or not a text file"], result.Messages());
    }

    [Theory, Providers]
    public async Task A_value_longer_than_its_column_is_reported(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);

        var result = await new Importer(test.Database).ImportAsync(ImportKind.Users, "email,name,role", $"casey@example.com,{new string('C', 321)},csm");

        Assert.Equal(["users.csv:2: name: is 321 characters long; at most 320 fit"], result.Messages());
    }
}
