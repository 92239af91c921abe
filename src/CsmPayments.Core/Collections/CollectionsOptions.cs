namespace CsmPayments.Collections;

/// <summary>Bound from the <c>Collections</c> configuration section.</summary>
public sealed class CollectionsOptions
{
    public const string Section = "Collections";

    /// <summary>The address customers reach this server on; payment links start with it.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:5000";

    /// <summary>The playbook file; relative paths are taken from the executable's folder.</summary>
    public string PlaybookFile { get; set; } = "playbooks.yaml";

    /// <summary>The folder of message templates; relative paths are taken from the executable's folder.</summary>
    public string TemplatesDirectory { get; set; } = "templates";

    /// <summary>How to pay, shown on the payment page: bank details, reference to quote.</summary>
    public string HowToPay { get; set; } = "Pay by bank transfer to the account shown on the invoice, quoting the invoice number as the reference.";

    public string PlaybookPath => Path.IsPathRooted(PlaybookFile) ? PlaybookFile : Path.Combine(AppContext.BaseDirectory, PlaybookFile);

    public string TemplatesPath => Path.IsPathRooted(TemplatesDirectory) ? TemplatesDirectory : Path.Combine(AppContext.BaseDirectory, TemplatesDirectory);
}
