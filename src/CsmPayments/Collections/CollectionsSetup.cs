using CsmPayments.Collections;
using CsmPayments.Messaging;
using CsmPayments.Organisation;
using CsmPayments.Storage;
using CsmPayments.Workflows;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CsmPayments.Collections;

/// <summary>What the payment page needs besides the links: the database, who we are, the clock, how to pay.</summary>
public sealed record PaymentPageContext(Database Database, OrganisationOptions Organisation, CollectionsOptions Collections, TimeProvider Clock);

/// <summary>
/// Set-up of collections in one place: Data Protection with its keys in the database (every process that shares the
/// database validates every other's payment links), the payment links, and the cycle, dispatcher and workflows built
/// from configuration.
/// </summary>
public static class CollectionsSetup
{
    public const string ApplicationName = "CsmPayments";

    /// <summary>
    /// Registers Data Protection with keys persisted through EF Core into the <c>data_protection_keys</c> table —
    /// encrypted with the configured certificate (<see cref="DataProtectionKeyOptions"/>), or unencrypted with one
    /// warning at start-up — and <see cref="PaymentLinks"/> and <see cref="PaymentPageContext"/> for <see cref="PaymentLinkPage"/>.
    /// </summary>
    public static IServiceCollection AddPaymentLinks(this IServiceCollection services, Database database, OrganisationOptions organisation,
        CollectionsOptions collections, TimeProvider? clock = null, DataProtectionKeyOptions? keys = null)
    {
        services.TryAddScoped<CsmDbContext>(_ => database.Open());
        var dataProtection = services.AddDataProtection().SetApplicationName(ApplicationName).PersistKeysToDbContext<CsmDbContext>();
        // The certificate both encrypts new keys and decrypts stored ones, so it need not be in a certificate store.
        if (keys is { HasCertificate: true }) dataProtection.ProtectKeysWithCertificate(keys.LoadCertificate());
        else services.AddHostedService<UnprotectedKeysWarning>();
        services.TryAddSingleton(clock ?? TimeProvider.System);
        services.AddSingleton(sp => new PaymentLinks(sp.GetRequiredService<IDataProtectionProvider>(), collections.PublicBaseUrl));
        services.AddSingleton(sp => new PaymentPageContext(database, organisation, collections, sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>The same Data Protection set-up outside a web host, for the command line.</summary>
    public static PaymentLinks PaymentLinksFor(Database database, CollectionsOptions collections, DataProtectionKeyOptions? keys = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPaymentLinks(database, new OrganisationOptions(), collections, keys: keys);
        return services.BuildServiceProvider().GetRequiredService<PaymentLinks>();
    }

    public static CollectionsOptions Options(IConfiguration configuration) =>
        configuration.GetSection(CollectionsOptions.Section).Get<CollectionsOptions>() ?? new CollectionsOptions();

    public static DataProtectionKeyOptions Keys(IConfiguration configuration) =>
        configuration.GetSection(DataProtectionKeyOptions.Section).Get<DataProtectionKeyOptions>() ?? new DataProtectionKeyOptions();

    public static SmtpOptions Smtp(IConfiguration configuration) =>
        configuration.GetSection(SmtpOptions.Section).Get<SmtpOptions>() ?? new SmtpOptions();

    /// <summary>The shipped or configured templates and playbook, checked against each other.</summary>
    public static (Playbook Playbook, MessageTemplates Templates) LoadPlaybook(CollectionsOptions collections)
    {
        var templates = MessageTemplates.LoadDirectory(collections.TemplatesPath);
        return (PlaybookFile.Load(collections.PlaybookPath, templates.Has), templates);
    }

    public static CollectionCycle Cycle(IConfiguration configuration, Database database, OrganisationOptions organisation, TimeProvider clock)
    {
        var collections = Options(configuration);
        var (playbook, templates) = LoadPlaybook(collections);
        return new CollectionCycle(database, playbook, templates, organisation, PaymentLinksFor(database, collections, Keys(configuration)), clock);
    }

    public static OutboxDispatcher Dispatcher(IConfiguration configuration, Database database, TimeProvider clock) =>
        new(database, Smtp(configuration), clock);

    public static CollectionWorkflows Workflows(IConfiguration configuration, Database database, OrganisationOptions organisation, TimeProvider clock)
    {
        var (playbook, _) = LoadPlaybook(Options(configuration));
        return new CollectionWorkflows(database, playbook.Settings, organisation.Rates(), clock);
    }
}
