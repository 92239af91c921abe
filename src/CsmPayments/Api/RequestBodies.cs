using System.Text.Json.Serialization;

namespace CsmPayments.Api;

// The request bodies as the OpenAPI document shows them. The endpoints read their bodies field by field with the CSV
// import's rules (or the workflow's), so that every bad field is listed at once; these types say which fields there are.
// Dates are yyyy-MM-dd; amounts are numbers (or strings with "." decimals); choices are the words of DESIGN §4.

/// <summary>A user (users.csv); a body is one or a list.</summary>
public sealed record UserRecord(
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("capacity")] int? Capacity);

/// <summary>An account (accounts.csv); a body is one or a list.</summary>
public sealed record AccountRecord(
    [property: JsonPropertyName("external_id")] string ExternalId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("industry")] string Industry,
    [property: JsonPropertyName("employees")] int Employees,
    [property: JsonPropertyName("country")] string Country,
    [property: JsonPropertyName("plan")] string Plan,
    [property: JsonPropertyName("csm_email")] string CsmEmail,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("timezone")] string? Timezone,
    [property: JsonPropertyName("tier")] string? Tier);

/// <summary>A contact (contacts.csv); a body is one or a list.</summary>
public sealed record ContactRecord(
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("account_external_id")] string AccountExternalId,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("role")] string Role);

/// <summary>A subscription (subscriptions.csv); a body is one or a list.</summary>
public sealed record SubscriptionRecord(
    [property: JsonPropertyName("external_id")] string ExternalId,
    [property: JsonPropertyName("account_external_id")] string AccountExternalId,
    [property: JsonPropertyName("plan")] string Plan,
    [property: JsonPropertyName("mrr")] decimal Mrr,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("start_date")] DateOnly StartDate,
    [property: JsonPropertyName("end_date")] DateOnly? EndDate,
    [property: JsonPropertyName("renewal_date")] DateOnly? RenewalDate,
    [property: JsonPropertyName("cancellation_reason")] string? CancellationReason);

/// <summary>An invoice (invoices.csv); a body is one or a list.</summary>
public sealed record InvoiceRecord(
    [property: JsonPropertyName("number")] string Number,
    [property: JsonPropertyName("account_external_id")] string AccountExternalId,
    [property: JsonPropertyName("issue_date")] DateOnly IssueDate,
    [property: JsonPropertyName("due_date")] DateOnly DueDate,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("po_number")] string? PoNumber,
    [property: JsonPropertyName("status")] string? Status);

/// <summary>A payment or failed attempt (payments.csv); a body is one or a list.</summary>
public sealed record PaymentRecord(
    [property: JsonPropertyName("external_id")] string ExternalId,
    [property: JsonPropertyName("account_external_id")] string AccountExternalId,
    [property: JsonPropertyName("invoice_number")] string? InvoiceNumber,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("paid_on")] DateOnly PaidOn,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("failure_code")] string? FailureCode);

/// <summary>A credit note (credit_notes.csv); a body is one or a list.</summary>
public sealed record CreditNoteRecord(
    [property: JsonPropertyName("number")] string Number,
    [property: JsonPropertyName("account_external_id")] string AccountExternalId,
    [property: JsonPropertyName("invoice_number")] string InvoiceNumber,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("currency")] string Currency,
    [property: JsonPropertyName("issued_on")] DateOnly IssuedOn);

/// <summary>A support ticket (tickets.csv); a body is one or a list.</summary>
public sealed record TicketRecord(
    [property: JsonPropertyName("external_id")] string ExternalId,
    [property: JsonPropertyName("account_external_id")] string AccountExternalId,
    [property: JsonPropertyName("opened_on")] DateOnly OpenedOn,
    [property: JsonPropertyName("priority")] string Priority,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("solved_on")] DateOnly? SolvedOn,
    [property: JsonPropertyName("subject")] string Subject);

/// <summary>An NPS response (nps.csv); a body is one or a list.</summary>
public sealed record NpsRecord(
    [property: JsonPropertyName("account_external_id")] string AccountExternalId,
    [property: JsonPropertyName("contact_email")] string ContactEmail,
    [property: JsonPropertyName("responded_on")] DateOnly RespondedOn,
    [property: JsonPropertyName("score")] int Score,
    [property: JsonPropertyName("comment")] string? Comment);

/// <summary>A touchpoint (touchpoints.csv); a body is one or a list.</summary>
public sealed record TouchpointRecord(
    [property: JsonPropertyName("account_external_id")] string AccountExternalId,
    [property: JsonPropertyName("user_email")] string UserEmail,
    [property: JsonPropertyName("occurred_on")] DateOnly OccurredOn,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("summary")] string Summary);

/// <summary>A promise to pay: who records it, how much, by when.</summary>
public sealed record PromiseBody(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("amount")] decimal Amount,
    [property: JsonPropertyName("promised_for")] DateOnly PromisedFor,
    [property: JsonPropertyName("note")] string? Note,
    [property: JsonPropertyName("on")] DateOnly? On);

/// <summary>A step that needs a reason: opening a dispute, rejecting a plan, holding a renewal.</summary>
public sealed record ReasonBody(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("on")] DateOnly? On);

/// <summary>A dispute's resolution, with the credit that reduces the invoice when there is one.</summary>
public sealed record ResolutionBody(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("resolution")] string Resolution,
    [property: JsonPropertyName("credit")] decimal? Credit,
    [property: JsonPropertyName("on")] DateOnly? On);

/// <summary>A proposed payment plan.</summary>
public sealed record PaymentPlanBody(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("instalments")] int Instalments,
    [property: JsonPropertyName("first_due")] DateOnly FirstDue,
    [property: JsonPropertyName("every_days")] int? EveryDays,
    [property: JsonPropertyName("invoices")] IReadOnlyList<string>? Invoices,
    [property: JsonPropertyName("discount_percent")] decimal? DiscountPercent,
    [property: JsonPropertyName("on")] DateOnly? On);

/// <summary>A decision that needs only who makes it (and may carry a note): approving, carrying out, marking done.</summary>
public sealed record DecisionBody(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("note")] string? Note,
    [property: JsonPropertyName("on")] DateOnly? On);

/// <summary>A renewal review's approval: who approves, an optional note, and the renewal invoice's amount when it is not
/// the subscription's MRR × term (in the subscription's currency).</summary>
public sealed record RenewalApprovalBody(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("note")] string? Note,
    [property: JsonPropertyName("amount")] decimal? Amount,
    [property: JsonPropertyName("on")] DateOnly? On);

/// <summary>A cancellation request.</summary>
public sealed record CancellationRequestBody(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("non_payment")] bool? NonPayment,
    [property: JsonPropertyName("on")] DateOnly? On);

/// <summary>The outcome of a save call.</summary>
public sealed record CancellationOutcomeBody(
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("outcome")] string Outcome,
    [property: JsonPropertyName("new_mrr")] decimal? NewMrr,
    [property: JsonPropertyName("effective_on")] DateOnly? EffectiveOn,
    [property: JsonPropertyName("note")] string? Note,
    [property: JsonPropertyName("on")] DateOnly? On);

/// <summary>Stripe's event envelope; <c>data.object</c> is the Stripe object the event is about (a customer, an invoice…).</summary>
public sealed record StripeEventBody(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("api_version")] string? ApiVersion,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("livemode")] bool Livemode,
    [property: JsonPropertyName("data")] StripeEventData Data);

/// <summary>The object of a Stripe event, and the attributes an update changed.</summary>
public sealed record StripeEventData(
    [property: JsonPropertyName("object")] StripeObjectBody Object,
    [property: JsonPropertyName("previous_attributes")] Dictionary<string, object?>? PreviousAttributes);

/// <summary>The fields every Stripe object has; the rest follow its type in Stripe's API reference.</summary>
public sealed record StripeObjectBody(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("customer")] string? Customer);

/// <summary>The problems an API answers with, as problem details (RFC 7807).</summary>
internal static class DocumentedProblems
{
    /// <summary>401 without a valid key, 403 without the scope; on writes 400 (every bad field) and 413 (too large).</summary>
    public static TBuilder WithKeyProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);

    public static RouteHandlerBuilder WithWriteProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge);

    public static RouteHandlerBuilder WithNotFoundProblem(this RouteHandlerBuilder builder) => builder.ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>A create-or-update body: one <typeparamref name="T"/>, or a list of them.</summary>
    public static RouteHandlerBuilder AcceptsOneOrList<T>(this RouteHandlerBuilder builder) where T : notnull =>
        builder.Accepts<T>("application/json").WithMetadata(new Hosting.OneOrListBody());
}
