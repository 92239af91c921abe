using System.CommandLine;
using System.Text.Json;
using CsmPayments.Access;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace CsmPayments.Cli;

/// <summary><c>apikey create|list|revoke</c>: the keys programs present to the API. A key is shown once, when created.</summary>
public static class ApiKeyCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("apikey", "API keys: create, list, revoke");
        command.Subcommands.Add(CreateKey(context));
        command.Subcommands.Add(List(context));
        command.Subcommands.Add(Revoke(context));
        return command;
    }

    private static Command CreateKey(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "A name for the key, such as the program that uses it", Required = true };
        var scopes = new Option<string[]>("--scope")
        {
            Description = $"What the key may do, one or more of: {string.Join(", ", ApiScopes.All)} (repeat, or separate with commas)",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("create", "Create a key; it is shown once and stored only as a hash");
        command.Options.Add(name);
        command.Options.Add(scopes);
        command.SetAction(async (parse, ct) =>
        {
            var wanted = parse.GetValue(scopes)!.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            (ApiKey Key, string Text) issued;
            try
            {
                issued = ApiKey.Issue(parse.GetValue(name)!, wanted, context.Clock.GetUtcNow());
            }
            catch (ArgumentException e)
            {
                throw new UserErrorException(e.Message.Split(" (Parameter")[0]);
            }
            var database = await context.DatabaseAsync(ct);
            await using var db = database.Open();
            if (await db.ApiKeys.AnyAsync(k => k.Name == issued.Key.Name, ct))
                throw new UserErrorException($"a key named {issued.Key.Name} already exists; choose another name");
            db.ApiKeys.Add(issued.Key);
            await db.SaveChangesAsync(ct);
            await context.Output.WriteLineAsync(issued.Text);
            await context.Error.WriteLineAsync(
                $"Created key {issued.Key.Name} ({issued.Key.Prefix}) with scopes {issued.Key.Scopes}. Keep it now: it cannot be shown again.");
            return 0;
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var format = new Option<string>("--format") { Description = "table or json", DefaultValueFactory = _ => "table" };
        var command = new Command("list", "List the keys (never the keys themselves)");
        command.Options.Add(format);
        command.SetAction(async (parse, ct) =>
        {
            var json = parse.GetValue(format) switch
            {
                "table" => false,
                "json" => true,
                var other => throw new UserErrorException($"--format '{other}' is not supported: use table or json"),
            };
            var database = await context.DatabaseAsync(ct);
            await using var db = database.Open();
            var keys = (await db.ApiKeys.AsNoTracking().ToListAsync(ct)).OrderBy(k => k.Name, StringComparer.Ordinal).ToList();
            if (json)
            {
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(keys.Select(k => new
                {
                    name = k.Name,
                    prefix = k.Prefix,
                    scopes = k.ScopeList,
                    created_at = k.CreatedAt,
                    revoked_at = k.RevokedAt,
                })));
                return 0;
            }
            var table = new Table().AddColumns("name", "prefix", "scopes", "created", "revoked");
            foreach (var k in keys)
                table.AddRow(Markup.Escape(k.Name), k.Prefix, k.Scopes, k.CreatedAt.ToString("yyyy-MM-dd HH:mm"), k.RevokedAt?.ToString("yyyy-MM-dd HH:mm") ?? "");
            context.Console.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var name = new Argument<string>("name") { Description = "The key's name (or its prefix)" };
        var command = new Command("revoke", "Revoke a key: requests with it are refused from now on");
        command.Arguments.Add(name);
        command.SetAction(async (parse, ct) =>
        {
            var which = parse.GetValue(name)!.Trim();
            var database = await context.DatabaseAsync(ct);
            await using var db = database.Open();
            var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Name == which || k.Prefix == which, ct)
                      ?? throw new UserErrorException($"no key is named {which}; 'csm-payments apikey list' shows them");
            try
            {
                key.Revoke(context.Clock.GetUtcNow());
            }
            catch (InvalidOperationException e)
            {
                throw new UserErrorException(e.Message);
            }
            await db.SaveChangesAsync(ct);
            await context.Output.WriteLineAsync($"Revoked key {key.Name} ({key.Prefix}).");
            return 0;
        });
        return command;
    }
}
