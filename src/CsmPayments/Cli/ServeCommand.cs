using System.CommandLine;
using CsmPayments.Hosting;

namespace CsmPayments.Cli;

/// <summary><c>serve [--urls URLS]</c>: the HTTP API (and everything else the web host carries) until stopped.</summary>
public static class ServeCommand
{
    public static Command Create(CliContext context)
    {
        var urls = new Option<string?>("--urls")
        {
            Description = "Where to listen, ';' between several (default: the 'urls' setting, else http://localhost:5000)",
            HelpName = "http://127.0.0.1:PORT",
        };
        var command = new Command("serve", "Serve the JSON API, the Stripe webhook and the OpenAPI reference");
        command.Options.Add(urls);
        command.SetAction(async (parse, ct) =>
        {
            var listen = parse.GetValue(urls)?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            foreach (var url in listen)
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    throw new UserErrorException($"--urls: '{url}' is not an http:// or https:// address such as http://127.0.0.1:5080");
            var database = await context.DatabaseAsync(ct);
            await using var app = CsmWebHost.Build(context.Configuration, context.Clock, listen);
            await app.StartAsync(ct);
            await context.Output.WriteLineAsync(
                $"Serving the {database.Options.Provider} database on {string.Join(", ", app.Urls)} (API reference at /scalar). Ctrl+C stops.");
            await app.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }
}
