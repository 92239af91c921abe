namespace CsmPayments.Import;

/// <summary>The CSV files of DESIGN §4, one per entity.</summary>
public enum ImportKind { Users, Accounts, Contacts, Subscriptions, Invoices, Payments, CreditNotes, Usage, Tickets, Nps, Touchpoints }

/// <summary>The words people use for each <see cref="ImportKind"/>: the file names of DESIGN §4 without <c>.csv</c>.</summary>
public static class ImportKinds
{
    private static readonly Dictionary<string, ImportKind> ByWord = new(StringComparer.OrdinalIgnoreCase)
    {
        ["users"] = ImportKind.Users,
        ["accounts"] = ImportKind.Accounts,
        ["contacts"] = ImportKind.Contacts,
        ["subscriptions"] = ImportKind.Subscriptions,
        ["invoices"] = ImportKind.Invoices,
        ["payments"] = ImportKind.Payments,
        ["credit_notes"] = ImportKind.CreditNotes,
        ["credit-notes"] = ImportKind.CreditNotes,
        ["usage"] = ImportKind.Usage,
        ["tickets"] = ImportKind.Tickets,
        ["nps"] = ImportKind.Nps,
        ["touchpoints"] = ImportKind.Touchpoints,
    };

    /// <summary>The name of each kind, in the order its files are best imported (later files refer to earlier ones).</summary>
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<ImportKind>().Select(Name).ToArray();

    /// <summary>The kind's name as DESIGN §4 spells its file: <c>credit_notes</c> for <see cref="ImportKind.CreditNotes"/>.</summary>
    public static string Name(ImportKind kind) => kind == ImportKind.CreditNotes ? "credit_notes" : kind.ToString().ToLowerInvariant();

    /// <summary>The file name DESIGN §4 gives the kind, such as <c>credit_notes.csv</c>.</summary>
    public static string FileName(ImportKind kind) => Name(kind) + ".csv";

    public static bool TryParse(string? word, out ImportKind kind) => ByWord.TryGetValue(word?.Trim() ?? "", out kind);

    /// <summary>Reads a kind from a command-line word; <c>credit-notes</c> is accepted for <c>credit_notes</c>.</summary>
    /// <exception cref="ArgumentException">The word names no kind; the message lists those that exist.</exception>
    public static ImportKind Parse(string? word) =>
        TryParse(word, out var kind)
            ? kind
            : throw new ArgumentException($"'{word}' is not something that can be imported; use one of: {string.Join(", ", Names)}");
}
