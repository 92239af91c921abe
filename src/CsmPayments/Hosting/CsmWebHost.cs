using System.Text.Json;
using System.Text.Json.Serialization;
using CsmPayments.Api;
using CsmPayments.Collections;
using CsmPayments.Integrations.Stripe;
using CsmPayments.Organisation;
using CsmPayments.Scheduling;
using CsmPayments.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Scalar.AspNetCore;

namespace CsmPayments.Hosting;

/// <summary>
/// The one place the web host is built, so that <c>serve</c> and the tests run the same application: services in
/// <see cref="AddCsmPayments"/>, the request pipeline in <see cref="UseCsmPayments"/>, every endpoint in
/// <see cref="MapCsmEndpoints"/>.
/// </summary>
public static class CsmWebHost
{
    /// <summary>
    /// The application on <paramref name="configuration"/> (read as <see cref="Cli.CliContext.BuildConfiguration"/> reads it);
    /// <paramref name="extend"/> may replace services after the defaults are registered.
    /// </summary>
    public static WebApplication Build(IConfiguration configuration, TimeProvider clock, IReadOnlyList<string>? urls = null,
        Action<WebApplicationBuilder>? extend = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "csm-payments",
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.Configuration.AddConfiguration(configuration);
        if (urls is { Count: > 0 }) builder.WebHost.UseUrls([.. urls]);
        builder.AddCsmPayments(clock);
        builder.AddScheduling(clock);
        extend?.Invoke(builder);
        var app = builder.Build();
        app.UseCsmPayments();
        return app;
    }

    public static WebApplicationBuilder AddCsmPayments(this WebApplicationBuilder builder, TimeProvider clock)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddSingleton(clock);
        services.AddSingleton(_ => new Database(StorageOptions.From(configuration["Database:Provider"], configuration.GetConnectionString("CsmPayments"))));
        services.AddScoped(sp => sp.GetRequiredService<Database>().Open());
        services.Configure<OrganisationOptions>(configuration.GetSection(OrganisationOptions.Section));
        services.Configure<StripeOptions>(configuration.GetSection(StripeOptions.Section));
        services.Configure<ApiOptions>(configuration.GetSection(ApiOptions.Section));

        var api = configuration.GetSection(ApiOptions.Section).Get<ApiOptions>() ?? new ApiOptions();
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = Math.Max(api.MaxBodyBytes, api.MaxUsageBodyBytes));

        services.ConfigureHttpJsonOptions(o =>
        {
            // The API speaks as the CSV files do: snake_case fields, and the files' words for choices.
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });
        services.AddProblemDetails();
        services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        services.AddAuthorization(ApiKeyAuthentication.AddScopePolicies);
        services.AddOpenApi(o => o.AddDocumentTransformer<ApiKeySecurityScheme>().AddOperationTransformer<OneOrListBodies>());

        services.AddSingleton(sp => CollectionsSetup.Workflows(configuration, sp.GetRequiredService<Database>(),
            sp.GetRequiredService<IOptions<OrganisationOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CsmPayments.Usage.AccountIdCache>();
        services.AddSingleton<CsmPayments.Usage.UsageWriter>();
        services.AddSingleton<AccountChanges>();
        services.AddSingleton(sp => PacedRefresh.Pace(HealthRefreshHandler.Create(sp)));
        services.AddHostedService<AccountChangesConsumer>();

        // The payment page behind the signed links in reminders; Data Protection keys live in the database.
        var database = new Database(StorageOptions.From(configuration["Database:Provider"], configuration.GetConnectionString("CsmPayments")));
        var organisation = configuration.GetSection(OrganisationOptions.Section).Get<OrganisationOptions>() ?? new OrganisationOptions();
        services.AddPaymentLinks(database, organisation, CollectionsSetup.Options(configuration), clock, CollectionsSetup.Keys(configuration));
        return builder;
    }

    public static WebApplication UseCsmPayments(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapCsmEndpoints();
        return app;
    }

    /// <summary>Every endpoint of the application. The OpenAPI document and its reference page are public; <c>/api</c> needs a key.</summary>
    public static IEndpointRouteBuilder MapCsmEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(o => o.WithTitle("CsmPayments API"));
        var api = app.MapGroup("/api").RequireAuthorization();
        api.MapStripeWebhookApi();
        api.MapUsageApi();
        api.MapLedgerApi();
        api.MapEngagementApi();
        api.MapAccountStateApi();
        api.MapWorkflowsApi();
        app.MapPaymentLinkPage();
        return app;
    }
}
