using System.Text;
using System.Text.Json;
using CsmPayments.Hosting;
using CsmPayments.Integrations.Stripe;
using CsmPayments.Organisation;
using CsmPayments.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stripe;

namespace CsmPayments.Api;

/// <summary>
/// <c>POST /api/integrations/stripe/webhook</c>: Stripe's events, authenticated by their signature rather than an API key.
/// A bad or expired signature is refused (400) and nothing is stored; every signed event is acknowledged (200), with
/// what became of it, so Stripe does not send it again.
/// </summary>
public static class StripeWebhookApi
{
    public sealed record WebhookReceipt(string EventId, string Type, string Outcome, bool Duplicate, IReadOnlyList<string> Notes);

    public static IEndpointRouteBuilder MapStripeWebhookApi(this IEndpointRouteBuilder api)
    {
        var stripe = api.MapGroup("/integrations/stripe").WithTags("Stripe").AllowAnonymous();
        stripe.MapPost("/webhook", ReceiveAsync)
            .Accepts<StripeEventBody>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Receive a Stripe event (signed with the Stripe-Signature header)");
        return api;
    }

    public static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> ReceiveAsync(HttpRequest request, IOptions<StripeOptions> stripe,
        IOptions<OrganisationOptions> organisation, IOptions<ApiOptions> api, CsmDbContext db, TimeProvider clock, AccountChanges changes,
        ILogger<WebhookReceipt> log, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(stripe.Value.WebhookSecret))
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Stripe is not configured",
                detail: "set Stripe:WebhookSecret to the endpoint's signing secret (whsec_…)");
        var (body, tooLarge) = await ApiBody.ReadAsync(request, api.Value.MaxBodyBytes, ct);
        if (tooLarge is not null) return tooLarge;
        var json = Encoding.UTF8.GetString(body!);
        try
        {
            // Verifies the signature over the exact bytes received, within the tolerance, against the injected clock.
            EventUtility.ConstructEvent(json, request.Headers["Stripe-Signature"].ToString(), stripe.Value.WebhookSecret,
                stripe.Value.ToleranceSeconds, clock.GetUtcNow().ToUnixTimeSeconds(), throwOnApiVersionMismatch: false);
        }
        catch (StripeException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The Stripe signature does not verify", detail: e.Message);
        }
        catch (Newtonsoft.Json.JsonException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The event is not JSON", detail: "the signed body is not valid JSON");
        }

        using var document = ParseOrNull(json);
        if (document is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The event is not JSON", detail: "the signed body is not valid JSON");
        var zone = TimeZoneInfo.FindSystemTimeZoneById(organisation.Value.TimeZone);
        StripeApplied applied;
        try
        {
            applied = await StripeLedger.ApplyAsync(db, StripeMapping.Map(document.RootElement, zone), clock.GetUtcNow(),
                new StripeNewAccounts(organisation.Value.BaseCurrency, stripe.Value.NewAccountCsmEmail), ct);
        }
        catch (StripePayloadException e) when (Identity(document.RootElement) is { } identity)
        {
            log.LogWarning("Stripe event {EventId} ({Type}) cannot be read: {Reason}", identity.Id, identity.Type, e.Message);
            applied = await StripeLedger.RecordUnreadableAsync(db, identity.Id, identity.Type, identity.Created, e.Message, clock.GetUtcNow(), ct);
        }
        catch (StripePayloadException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The event is not a Stripe event", detail: e.Message);
        }
        changes.Report(applied.ChangedAccounts);
        if (applied.Notes.Count > 0 && applied.Outcome != StripeOutcome.Applied)
            log.LogInformation("Stripe event {EventId} ({Type}) {Outcome}: {Notes}", applied.EventId, applied.Type, applied.Outcome, string.Join("; ", applied.Notes));
        return TypedResults.Ok(new WebhookReceipt(applied.EventId, applied.Type, applied.Outcome.ToString().ToLowerInvariant(), applied.Duplicate, applied.Notes));
    }

    private static JsonDocument? ParseOrNull(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static (string Id, string Type, long Created)? Identity(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
        && e.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
        && e.TryGetProperty("created", out var created) && created.TryGetInt64(out var seconds)
            ? (id.GetString()!, type.GetString()!, seconds)
            : null;
}
