using System.CommandLine;
using System.Globalization;
using CsmPayments.Messaging;

namespace CsmPayments.Cli;

/// <summary>
/// <c>outbox list [--state S]</c>, <c>outbox resend --id N --user U</c>, <c>outbox mark-sent --id N --user U</c>: the
/// outbox as a person sees it, and the decisions only a person can make about a message the server may have received.
/// </summary>
public static class OutboxCommand
{
    private static readonly Dictionary<string, OutboxStatus> States = Enum.GetValues<OutboxStatus>()
        .ToDictionary(s => s.ToString().ToLowerInvariant(), s => s, StringComparer.Ordinal);

    public static Command Create(CliContext context)
    {
        var state = new Option<string?>("--state") { Description = $"Only messages in this state: {string.Join(", ", States.Keys)}", HelpName = "state" };
        var list = new Command("list", "Outbox messages, oldest first: id, state, recipient, subject, attempts, last error") { state };
        list.SetAction(async (parse, ct) =>
        {
            OutboxStatus? only = parse.GetValue(state) is { } text
                ? States.TryGetValue(text.Trim().ToLowerInvariant(), out var s) ? s : throw new UserErrorException($"--state '{text}' is not one of {string.Join(", ", States.Keys)}")
                : null;
            var messages = await new OutboxResolution(await context.DatabaseAsync(ct), context.Clock).ListAsync(only, ct);
            foreach (var m in messages)
                await context.Output.WriteLineAsync(string.Join('\t', m.Id.ToString(CultureInfo.InvariantCulture), m.Status.ToString().ToLowerInvariant(), m.ToAddress,
                    m.Subject, m.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), $"{m.Attempts} attempt(s)", m.ResolvedBy ?? m.LastError ?? ""));
            if (messages.Count == 0) await context.Output.WriteLineAsync(only is null ? "The outbox is empty." : $"No message is {only.Value.ToString().ToLowerInvariant()}.");
            return 0;
        });

        var outbox = new Command("outbox", "Outbox messages: list them; resend or mark sent a message the SMTP server may have received (uncertain)");
        outbox.Subcommands.Add(list);
        outbox.Subcommands.Add(Decide(context, "resend", "Resend an uncertain or failed message (same Message-ID), after checking the recipient does not have it",
            (r, id, user, ct) => r.ResendAsync(id, user, ct), m => $"Message {m.Id} to {m.ToAddress} goes out again on the next delivery."));
        outbox.Subcommands.Add(Decide(context, "mark-sent", "Record an uncertain message as sent, after checking the recipient has it; it is never sent again",
            (r, id, user, ct) => r.MarkSentAsync(id, user, ct), m => $"Message {m.Id} to {m.ToAddress} is recorded as sent."));
        return outbox;
    }

    private static Command Decide(CliContext context, string name, string description, Func<OutboxResolution, long, string, CancellationToken, Task<OutboxMessage>> decide,
        Func<OutboxMessage, string> done)
    {
        var id = new Option<string>("--id") { Description = "The outbox message id (see outbox list)", Required = true };
        var user = new Option<string>("--user") { Description = "Email of the person deciding", Required = true, HelpName = "email" };
        var command = new Command(name, description) { id, user };
        command.SetAction(async (parse, ct) =>
        {
            var text = parse.GetValue(id)!;
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var messageId)) throw new UserErrorException($"--id '{text}' is not an id");
            var resolution = new OutboxResolution(await context.DatabaseAsync(ct), context.Clock);
            try
            {
                await context.Output.WriteLineAsync(done(await decide(resolution, messageId, parse.GetValue(user)!, ct)));
            }
            catch (OutboxStateException e)
            {
                throw new UserErrorException(e.Message);
            }
            return 0;
        });
        return command;
    }
}
