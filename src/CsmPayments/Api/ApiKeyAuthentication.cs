using System.Security.Claims;
using System.Text.Encodings.Web;
using CsmPayments.Access;
using CsmPayments.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CsmPayments.Api;

/// <summary>
/// Authenticates a request by the API key in <c>Authorization: Bearer KEY</c> (or <c>X-Api-Key: KEY</c>). No key, an
/// unknown or revoked key: 401. A key without the scope an endpoint needs: 403. Both answer with problem details.
/// </summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string ScopeClaim = "scope";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Presented(Request);
        if (presented is null) return AuthenticateResult.NoResult();
        var prefix = ApiKey.PrefixOf(presented);
        if (prefix is null) return AuthenticateResult.Fail("the API key is not one this server issued");
        var db = Context.RequestServices.GetRequiredService<CsmDbContext>();
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Prefix == prefix, Context.RequestAborted);
        if (key is null || !key.Accepts(presented))
            return AuthenticateResult.Fail(key is { IsRevoked: true } ? "the API key was revoked" : "the API key is not valid");
        var claims = new List<Claim> { new(ClaimTypes.Name, key.Name), new("key_prefix", key.Prefix) };
        claims.AddRange(key.ScopeList.Select(s => new Claim(ScopeClaim, s)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problem(StatusCodes.Status401Unauthorized, "Unauthorized",
            failure ?? "this endpoint needs an API key: send 'Authorization: Bearer KEY' (create one with 'csm-payments apikey create')");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var needed = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToArray() ?? [];
        return Problem(StatusCodes.Status403Forbidden, "Forbidden",
            needed.Length == 0 ? "the API key may not do this" : $"the API key lacks the scope this endpoint needs: {string.Join(", ", needed)}");
    }

    private Task Problem(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        var key = request.Headers["X-Api-Key"].ToString();
        return key.Length > 0 ? key.Trim() : null;
    }

    /// <summary>A policy per scope, named after it; an admin key holds every scope.</summary>
    public static void AddScopePolicies(AuthorizationOptions options)
    {
        foreach (var scope in ApiScopes.All)
            options.AddPolicy(scope, p => p.AddAuthenticationSchemes(SchemeName).RequireAuthenticatedUser()
                .RequireAssertion(c => c.User.HasClaim(ScopeClaim, scope) || c.User.HasClaim(ScopeClaim, ApiScopes.Admin)));
    }
}
