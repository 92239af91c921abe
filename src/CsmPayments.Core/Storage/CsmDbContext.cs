using CsmPayments.Access;
using CsmPayments.Accounts;
using CsmPayments.Audit;
using CsmPayments.Billing;
using CsmPayments.Collections;
using CsmPayments.Engagement;
using CsmPayments.Health;
using CsmPayments.Integrations.Stripe;
using CsmPayments.Messaging;
using CsmPayments.Segments;
using CsmPayments.Usage;
using CsmPayments.Work;
using CsmPayments.Workflows;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CsmPayments.Storage;

/// <summary>
/// The unit of work over the ledger and customer data. One subclass per provider carries that provider's
/// migrations; the model is the same. Every account-owned table keeps <c>account_id</c> so it can be sharded by account.
/// </summary>
public abstract class CsmDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<User> Users => Set<User>();
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Contact> Contacts => Set<Contact>();
    public DbSet<Subscription> Subscriptions => Set<Subscription>();
    public DbSet<Invoice> Invoices => Set<Invoice>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<CreditNote> CreditNotes => Set<CreditNote>();
    public DbSet<UsageDay> UsageDays => Set<UsageDay>();
    public DbSet<UsageDayUser> UsageDayUsers => Set<UsageDayUser>();
    public DbSet<UsageChange> UsageChanges => Set<UsageChange>();
    public DbSet<LedgerChange> LedgerChanges => Set<LedgerChange>();

    /// <summary>The shadow property of <see cref="Invoice.SettledOnColumn"/>.</summary>
    public const string SettledOnProperty = "SettledOn";

    /// <summary>Marks a column that only its owner writes: <see cref="BulkUpsert{T}"/> and bulk loads leave it out.</summary>
    public const string OwnerWritesOnly = "CsmPayments:OwnerWritesOnly";
    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<NpsResponse> NpsResponses => Set<NpsResponse>();
    public DbSet<Touchpoint> Touchpoints => Set<Touchpoint>();
    public DbSet<HealthSnapshot> HealthSnapshots => Set<HealthSnapshot>();
    public DbSet<SegmentAssignment> SegmentAssignments => Set<SegmentAssignment>();
    public DbSet<Alert> Alerts => Set<Alert>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<StripeEventRecord> StripeEvents => Set<StripeEventRecord>();
    public DbSet<StripeObjectVersion> StripeObjects => Set<StripeObjectVersion>();
    public DbSet<ChargeDispute> ChargeDisputes => Set<ChargeDispute>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<WorkTask> WorkTasks => Set<WorkTask>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<CollectionStepDone> CollectionStepsDone => Set<CollectionStepDone>();
    public DbSet<PromiseToPay> PromisesToPay => Set<PromiseToPay>();
    public DbSet<Dispute> Disputes => Set<Dispute>();
    public DbSet<PaymentPlan> PaymentPlans => Set<PaymentPlan>();
    public DbSet<RenewalReview> RenewalReviews => Set<RenewalReview>();
    public DbSet<CancellationRequest> CancellationRequests => Set<CancellationRequest>();

    /// <summary>Data Protection keys (payment links), shared by every process that uses this database.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public abstract StorageProvider Provider { get; }

    /// <summary>Renamed and deleted accounts are reported to the caches of account ids (<see cref="AccountKeyWatch"/>).</summary>
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) => optionsBuilder.AddInterceptors(AccountKeyWatch.Instance);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<decimal>().HavePrecision(19, 4);
        configurationBuilder.Properties<Enum>().HaveConversion<string>().HaveMaxLength(24);
        configurationBuilder.Properties<string>().HaveMaxLength(320);
        configurationBuilder.Conventions.Replace<ForeignKeyIndexConvention>(services =>
            new NoAccountIndexOnSnapshots(services.GetRequiredService<ProviderConventionSetBuilderDependencies>()));
    }

    /// <summary>EF's index on every foreign key, except the snapshots' key to their account (see the snapshots' model).</summary>
    private sealed class NoAccountIndexOnSnapshots(ProviderConventionSetBuilderDependencies dependencies) : ForeignKeyIndexConvention(dependencies)
    {
        protected override IConventionIndex? CreateIndex(IReadOnlyList<IConventionProperty> properties, bool unique, IConventionEntityTypeBuilder entityTypeBuilder) =>
            entityTypeBuilder.Metadata.ClrType == typeof(HealthSnapshot) ? null : base.CreateIndex(properties, unique, entityTypeBuilder);
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<User>(e =>
        {
            e.HasIndex(x => x.Email).IsUnique();
        });

        b.Entity<Account>(e =>
        {
            e.HasIndex(x => x.ExternalId).IsUnique();
            e.HasIndex(x => x.CsmId);
            e.HasIndex(x => x.StripeCustomerId).IsUnique();
            e.Property(x => x.Currency).HasMaxLength(3);
            e.HasOne<User>().WithMany().HasForeignKey(x => x.CsmId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<Contact>(e =>
        {
            e.HasIndex(x => x.Email).IsUnique();
            e.HasIndex(x => x.AccountId);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Subscription>(e =>
        {
            e.HasIndex(x => x.ExternalId).IsUnique();
            e.HasIndex(x => x.AccountId);
            e.Property(x => x.MrrAmount).HasColumnName("mrr");
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Ignore(x => x.Mrr);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Invoice>(e =>
        {
            e.HasIndex(x => x.Number).IsUnique();
            // A range of accounts' invoices, which the cycle reads every day. Invoices are stored in the order they arrive, so
            // one account's lie on as many pages as it has invoices; on PostgreSQL the index carries every column, and a
            // range's invoices are read from consecutive index pages alone (an index-only scan) instead of a page each.
            var byAccount = e.HasIndex(x => new { x.AccountId, x.IssueDate });
            if (Provider == StorageProvider.Postgres)
                byAccount.IncludeProperties(nameof(Invoice.Id), nameof(Invoice.DueDate), nameof(Invoice.AmountValue), nameof(Invoice.Currency),
                    nameof(Invoice.Status), SettledOnProperty, nameof(Invoice.Number), nameof(Invoice.PoNumber));
            e.HasIndex(x => new { x.Status, x.DueDate }); // open invoices by due date
            // The cycle's own record of when each invoice was settled (see Invoice.SettledOnColumn): no writer of the
            // ledger sets it: a new invoice has none, and a bulk upsert leaves it as stored.
            e.Property<DateOnly?>(SettledOnProperty).HasColumnName(Invoice.SettledOnColumn).HasAnnotation(OwnerWritesOnly, true);
            e.Property(x => x.AmountValue).HasColumnName("amount");
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Ignore(x => x.Amount);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Payment>(e =>
        {
            e.HasIndex(x => x.ExternalId).IsUnique();
            e.HasIndex(x => new { x.AccountId, x.PaidOn });
            // The payments of given invoices (those still owed), which the cycle reads every day, and the failed attempts of a
            // range of accounts over recent days, read without the payments that settled invoices.
            var byInvoice = e.HasIndex(x => x.InvoiceId);
            var failed = e.HasIndex(x => new { x.AccountId, x.PaidOn }, "failed_by_account").HasDatabaseName("ix_payments_failed").HasFilter("status <> 'Succeeded'");
            // Payments are stored in the order they arrive, so each of those rows lies on a page of its own. PostgreSQL reads
            // them from the index alone; an owed invoice has more failed attempts than payments, and each was a page read only
            // to be left out.
            if (Provider == StorageProvider.Postgres)
            {
                byInvoice.IncludeProperties(nameof(Payment.AccountId), nameof(Payment.AmountValue), nameof(Payment.Currency), nameof(Payment.PaidOn),
                    nameof(Payment.Status), nameof(Payment.FailureCode));
                failed.IncludeProperties(nameof(Payment.InvoiceId), nameof(Payment.AmountValue), nameof(Payment.Status), nameof(Payment.FailureCode));
            }
            e.Property(x => x.AmountValue).HasColumnName("amount");
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Ignore(x => x.Amount);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Invoice>().WithMany().HasForeignKey(x => x.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<LedgerChange>(e =>
        {
            e.HasIndex(x => x.AccountId);
        });

        b.Entity<CreditNote>(e =>
        {
            e.HasIndex(x => x.Number).IsUnique();
            e.HasIndex(x => x.AccountId);
            e.HasIndex(x => x.InvoiceId);
            e.Property(x => x.AmountValue).HasColumnName("amount");
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Ignore(x => x.Amount);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Invoice>().WithMany().HasForeignKey(x => x.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<UsageDay>(e =>
        {
            e.HasKey(x => new { x.AccountId, x.Date }); // usage by account and date
            // Covers the cycle's sums of active users over each account's recent windows, read from the index alone.
            e.HasIndex(x => new { x.AccountId, x.Date, x.ActiveUsers });
            // Covers the cycle's reads of a few days of a range of accounts when it rolls yesterday's sums forward: one
            // short scan per day, each bounded by the range, instead of every day of every account in the range.
            e.HasIndex(x => new { x.Date, x.AccountId, x.ActiveUsers });
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<UsageChange>(e =>
        {
            e.HasIndex(x => x.FirstAccountId);
        });

        b.Entity<UsageDayUser>(e =>
        {
            e.HasKey(x => new { x.AccountId, x.Date, x.UserKey }); // the distinct users of an account's day
            e.Property(x => x.UserKey).HasMaxLength(UsageDayUser.MaxUserKeyLength);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Ticket>(e =>
        {
            e.HasIndex(x => x.ExternalId).IsUnique();
            e.HasIndex(x => new { x.AccountId, x.OpenedOn });
            e.Property(x => x.Subject).HasMaxLength(1000);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<NpsResponse>(e =>
        {
            e.HasIndex(x => new { x.AccountId, x.ContactEmail, x.RespondedOn }).IsUnique();
            e.Property(x => x.Comment).HasMaxLength(4000);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Touchpoint>(e =>
        {
            e.HasIndex(x => new { x.AccountId, x.UserId, x.OccurredOn, x.Kind }).IsUnique();
            e.HasIndex(x => new { x.UserId, x.OccurredOn });
            e.Property(x => x.Summary).HasMaxLength(4000);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<User>().WithMany().HasForeignKey(x => x.UserId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<HealthSnapshot>(e =>
        {
            // One per account per day, keyed by the day first: a day's snapshots are inserted as one run of keys at the end
            // of the index, where a key led by the account would put one entry into every leaf page of an index that
            // grows by a day each day. Everything that reads snapshots reads days (a day's range of accounts, a list of
            // days for a range); nothing reads an account's whole history.
            e.HasKey(x => new { x.AsOf, x.AccountId });
            e.Property(x => x.Explanation).HasMaxLength(1000);
            e.Ignore(x => x.SignalSet);
            e.Ignore(x => x.CarriedUsage);
            // The product never deletes an account (its ledger is kept), so the cascade serves only a deletion by hand.
            // PostgreSQL finds the rows to delete through a block-range index, which costs next to nothing to keep
            // because each day's rows are stored in account order; SQLite has no such index, so it would scan the table,
            // and keeps no index by account, whose every day's entries would again be spread over all of it.
            // (EF's convention would add an index on every foreign key: see NoAccountIndexOnSnapshots.)
            // On SQLite a foreign key guards the snapshots. On PostgreSQL its check of every inserted row (a query that
            // also locks the account's row) cost about as much as the day's insert itself, so a trigger on accounts does the
            // cascade instead, and an account is deleted only while no cycle writes snapshots (HealthSnapshot.WriteLock).
            if (Provider == StorageProvider.Postgres) e.HasIndex(x => x.AccountId).HasMethod("brin");
            else e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<SegmentAssignment>(e =>
        {
            e.HasIndex(x => new { x.AccountId, x.EffectiveOn }).IsUnique();
            e.HasIndex(x => x.EffectiveOn);
            e.Property(x => x.Cohort).HasMaxLength(100);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Alert>(e =>
        {
            // At most one open alert per account and kind; the same partial index on SQLite and PostgreSQL.
            e.HasIndex(x => new { x.AccountId, x.Kind }).IsUnique().HasFilter("closed_on IS NULL");
            e.HasIndex(x => new { x.OwnerId, x.OpenedOn });
            e.Property(x => x.Detail).HasMaxLength(1000);
            e.Ignore(x => x.IsOpen);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<User>().WithMany().HasForeignKey(x => x.OwnerId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<ApiKey>(e =>
        {
            e.HasIndex(x => x.Prefix).IsUnique();
            e.HasIndex(x => x.Name).IsUnique();
            e.Property(x => x.Prefix).HasMaxLength(32);
            e.Property(x => x.SecretHash).HasMaxLength(64);
            e.Property(x => x.Name).HasMaxLength(100);
            e.Ignore(x => x.ScopeList);
        });

        b.Entity<StripeEventRecord>(e =>
        {
            e.ToTable("stripe_events");
            e.HasKey(x => x.EventId);
            e.Property(x => x.EventId).HasMaxLength(255);
            e.Property(x => x.Type).HasMaxLength(100);
            e.Property(x => x.Outcome).HasMaxLength(24);
            e.Property(x => x.Note).HasMaxLength(1000);
        });

        b.Entity<StripeObjectVersion>(e =>
        {
            e.ToTable("stripe_objects");
            e.HasKey(x => x.ObjectId);
            e.Property(x => x.ObjectId).HasMaxLength(255);
        });

        b.Entity<ChargeDispute>(e =>
        {
            e.HasIndex(x => x.DisputeId).IsUnique();
            e.HasIndex(x => x.AccountId);
            e.Property(x => x.AmountValue).HasColumnName("amount");
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Ignore(x => x.Amount);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });
        ConfigureCollections(b);
    }

    private void ConfigureCollections(ModelBuilder b)
    {
        b.Entity<OutboxMessage>(e =>
        {
            e.HasIndex(x => x.IdempotencyKey).IsUnique();
            e.HasIndex(x => new { x.Status, x.NextAttemptAt }); // what is due for delivery
            e.HasIndex(x => x.AccountId);
            e.Property(x => x.Body).HasMaxLength(20000);
            e.Property(x => x.HtmlBody).HasMaxLength(100000);
            e.Property(x => x.LastError).HasMaxLength(1000);
            e.Property(x => x.ResolvedBy).HasMaxLength(400);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<WorkTask>(e =>
        {
            e.HasIndex(x => x.IdempotencyKey).IsUnique();
            e.HasIndex(x => new { x.OwnerUserId, x.State, x.DueOn });
            // A range of accounts' open tasks of one kind, found in the index without reading every task of the range.
            e.HasIndex(x => new { x.AccountId, x.Kind, x.State });
            e.Property(x => x.Detail).HasMaxLength(4000);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<AuditEntry>(e =>
        {
            e.HasIndex(x => new { x.AccountId, x.At });
            e.Property(x => x.Detail).HasMaxLength(4000);
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.AmountValue).HasColumnName("amount");
            e.Ignore(x => x.Amount);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<CollectionStepDone>(e =>
        {
            e.HasKey(x => new { x.InvoiceId, x.StepId });
            // The steps done of a range of accounts, which the collection stage reads every day; on PostgreSQL from the
            // index alone, since a day's steps are stored together and one account's lie on as many pages as it has steps.
            var byAccount = e.HasIndex(x => x.AccountId);
            if (Provider == StorageProvider.Postgres)
                byAccount.IncludeProperties(nameof(CollectionStepDone.InvoiceId), nameof(CollectionStepDone.StepId), nameof(CollectionStepDone.ActedOn),
                    nameof(CollectionStepDone.ActionKey));
            e.Property(x => x.StepId).HasMaxLength(100);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Invoice>().WithMany().HasForeignKey(x => x.InvoiceId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<PromiseToPay>(e =>
        {
            e.HasIndex(x => new { x.AccountId, x.State });
            e.Property(x => x.AmountValue).HasColumnName("amount");
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.Note).HasMaxLength(2000);
            e.Ignore(x => x.Amount);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Dispute>(e =>
        {
            e.HasIndex(x => new { x.AccountId, x.State });
            e.HasIndex(x => x.InvoiceId);
            e.Property(x => x.Reason).HasMaxLength(2000);
            e.Property(x => x.Resolution).HasMaxLength(2000);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Invoice>().WithMany().HasForeignKey(x => x.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<PaymentPlan>(e =>
        {
            e.HasIndex(x => new { x.AccountId, x.State });
            e.Property(x => x.OwedValue).HasColumnName("owed");
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Property(x => x.CloseReason).HasMaxLength(2000);
            e.Ignore(x => x.Owed);
            e.Ignore(x => x.Discount);
            e.Ignore(x => x.Total);
            e.HasMany(x => x.Instalments).WithOne().HasForeignKey(x => x.PaymentPlanId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(x => x.Invoices).WithOne().HasForeignKey(x => x.PaymentPlanId).OnDelete(DeleteBehavior.Cascade);
            e.Navigation(x => x.Instalments).HasField("_instalments").UsePropertyAccessMode(PropertyAccessMode.Field);
            e.Navigation(x => x.Invoices).HasField("_invoices").UsePropertyAccessMode(PropertyAccessMode.Field);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<PlanInstalment>(e =>
        {
            e.HasIndex(x => new { x.PaymentPlanId, x.Number }).IsUnique();
            e.Property(x => x.AmountValue).HasColumnName("amount");
            e.Property(x => x.Currency).HasMaxLength(3);
            e.Ignore(x => x.Amount);
        });

        b.Entity<PlanInvoice>(e =>
        {
            e.HasKey(x => new { x.PaymentPlanId, x.InvoiceId });
            e.HasIndex(x => x.InvoiceId);
            e.HasOne<Invoice>().WithMany().HasForeignKey(x => x.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<RenewalReview>(e =>
        {
            e.HasIndex(x => new { x.SubscriptionId, x.RenewalDate }).IsUnique();
            e.HasIndex(x => new { x.AccountId, x.State });
            e.Property(x => x.Reason).HasMaxLength(2000);
            e.Property(x => x.ApprovedAmountValue).HasColumnName("approved_amount");
            e.Property(x => x.ApprovedCurrency).HasMaxLength(3);
            e.Ignore(x => x.ApprovedAmount);
            e.HasOne<Invoice>().WithMany().HasForeignKey(x => x.InvoiceId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Subscription>().WithMany().HasForeignKey(x => x.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<CancellationRequest>(e =>
        {
            e.HasIndex(x => new { x.AccountId, x.State });
            e.Property(x => x.Reason).HasMaxLength(2000);
            e.Property(x => x.OutcomeNote).HasMaxLength(2000);
            e.HasOne<Account>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<Subscription>().WithMany().HasForeignKey(x => x.SubscriptionId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<DataProtectionKey>(e =>
        {
            e.Property(x => x.FriendlyName).HasMaxLength(320);
            e.Property(x => x.Xml).HasMaxLength(20000);
        });
    }
}

public enum StorageProvider { Sqlite, Postgres }

public sealed class SqliteCsmDbContext(DbContextOptions<SqliteCsmDbContext> options) : CsmDbContext(options)
{
    public override StorageProvider Provider => StorageProvider.Sqlite;
}

public sealed class PostgresCsmDbContext(DbContextOptions<PostgresCsmDbContext> options) : CsmDbContext(options)
{
    public override StorageProvider Provider => StorageProvider.Postgres;
}
