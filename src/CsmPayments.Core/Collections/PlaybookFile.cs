using System.Globalization;
using CsmPayments.Accounts;
using CsmPayments.Segments;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CsmPayments.Collections;

/// <summary>A playbook file that cannot be used; the message names the file, line and field.</summary>
public sealed class PlaybookException(string message) : Exception(message);

/// <summary>
/// Reads the playbook file (YAML): <c>settings</c>, <c>every_tier</c> (steps for all tiers, such as the escalation
/// ladder) and <c>tiers</c> (<c>low</c>, <c>medium</c>, <c>high</c>: each a list of steps). Every mistake is reported as
/// <c>file:line: field: reason</c>, all of them at once.
/// </summary>
public static class PlaybookFile
{
    public const string DefaultFileName = "playbooks.yaml";

    public static Playbook Load(string path, Func<string, bool>? templateExists = null)
    {
        if (!File.Exists(path)) throw new PlaybookException($"the playbook file {path} does not exist");
        return Parse(File.ReadAllText(path), path, templateExists);
    }

    public static Playbook Parse(string text, string origin, Func<string, bool>? templateExists = null)
    {
        var errors = new List<string>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new PlaybookException($"{origin}:{e.Start.Line}: not valid YAML: {e.InnerException?.Message ?? e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new PlaybookException($"{origin}:1: the file must be a mapping with settings, every_tier and tiers");

        void Error(YamlNode node, string field, string reason) => errors.Add($"{origin}:{node.Start.Line}: {field}: {reason}");

        Known(root, "", ["settings", "every_tier", "tiers"], Error);
        var settings = ReadSettings(Child(root, "settings"), Error);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var everyTier = ReadSteps(Child(root, "every_tier"), "every_tier", ids, templateExists, Error);
        var tiers = new Dictionary<RiskTier, IReadOnlyList<PlaybookStep>>();
        if (Child(root, "tiers") is { } tiersNode)
        {
            if (tiersNode is not YamlMappingNode tierMap) Error(tiersNode, "tiers", "must map low, medium and high to lists of steps");
            else
                foreach (var (key, value) in tierMap.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? "";
                    if (!Enum.TryParse<RiskTier>(name, ignoreCase: true, out var tier) || int.TryParse(name, out _))
                    {
                        Error(key, $"tiers.{name}", "is not a risk tier: use low, medium or high");
                        continue;
                    }
                    tiers[tier] = ReadSteps(value, $"tiers.{name}", ids, templateExists, Error);
                }
            foreach (var tier in Enum.GetValues<RiskTier>())
                if (!tiers.ContainsKey(tier)) Error(tiersNode, "tiers", $"has no playbook for the {tier.ToString().ToLowerInvariant()} tier");
        }
        else Error(root, "tiers", "is missing: give each risk tier (low, medium, high) its steps");

        if (errors.Count > 0) throw new PlaybookException(string.Join(Environment.NewLine, errors));
        return new Playbook(settings, everyTier, tiers);
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static void Known(YamlMappingNode map, string prefix, string[] keys, Action<YamlNode, string, string> error)
    {
        foreach (var key in map.Children.Keys)
            if (key is YamlScalarNode { Value: { } k } && !keys.Contains(k))
                error(key, prefix + k, $"is not a known field (known: {string.Join(", ", keys)})");
    }

    private static CollectionSettings ReadSettings(YamlNode? node, Action<YamlNode, string, string> error)
    {
        var d = CollectionSettings.Defaults;
        if (node is null) return d;
        if (node is not YamlMappingNode map)
        {
            error(node, "settings", "must be a mapping");
            return d;
        }
        Known(map, "settings.", ["promise_grace_days", "plan_grace_days", "plan_reminder_days", "save_call_days", "renewal_review_days",
            "billing_contact_lead_days", "payment_link_days", "csm_limits", "renewal_invoice"], error);
        int Days(string key, int fallback, int min) => Int(map, "settings." + key, key, fallback, min, 3650, error);
        var limits = d.CsmLimits;
        if (Child(map, "csm_limits") is { } l)
        {
            if (l is not YamlMappingNode lm) error(l, "settings.csm_limits", "must be a mapping with amount, instalments and discount_percent");
            else
            {
                Known(lm, "settings.csm_limits.", ["amount", "instalments", "discount_percent"], error);
                limits = new PlanLimits(
                    Decimal(lm, "settings.csm_limits.amount", "amount", limits.Amount, 0m, error),
                    Int(lm, "settings.csm_limits.instalments", "instalments", limits.Instalments, 1, 120, error),
                    Decimal(lm, "settings.csm_limits.discount_percent", "discount_percent", limits.DiscountPercent, 0m, error, max: 100m));
            }
        }
        var renewal = d.RenewalInvoice;
        if (Child(map, "renewal_invoice") is { } r)
        {
            if (r is not YamlMappingNode rm) error(r, "settings.renewal_invoice", "must be a mapping with issue_days_before, term_months and payment_terms_days");
            else
            {
                Known(rm, "settings.renewal_invoice.", ["issue_days_before", "term_months", "payment_terms_days"], error);
                renewal = new Workflows.RenewalInvoiceSettings(
                    Int(rm, "settings.renewal_invoice.issue_days_before", "issue_days_before", renewal.IssueDaysBefore, 0, 3650, error),
                    Int(rm, "settings.renewal_invoice.term_months", "term_months", renewal.TermMonths, 1, 120, error),
                    Int(rm, "settings.renewal_invoice.payment_terms_days", "payment_terms_days", renewal.PaymentTermsDays, 0, 3650, error));
            }
        }
        return new CollectionSettings(Days("promise_grace_days", d.PromiseGraceDays, 0), Days("plan_grace_days", d.PlanGraceDays, 0),
            Days("plan_reminder_days", d.PlanReminderDays, 0), Days("save_call_days", d.SaveCallDays, 0),
            Days("renewal_review_days", d.RenewalReviewDays, 1), Days("billing_contact_lead_days", d.BillingContactLeadDays, 0),
            Days("payment_link_days", d.PaymentLinkDays, 1), limits, renewal);
    }

    private static readonly string[] StepFields = ["id", "offset", "from", "action", "role", "template", "title", "min_amount", "skip_when"];

    private static List<PlaybookStep> ReadSteps(YamlNode? node, string field, HashSet<string> ids, Func<string, bool>? templateExists,
        Action<YamlNode, string, string> error)
    {
        var steps = new List<PlaybookStep>();
        if (node is null) return steps;
        if (node is not YamlSequenceNode list)
        {
            error(node, field, "must be a list of steps");
            return steps;
        }
        for (var i = 0; i < list.Children.Count; i++)
        {
            var at = $"{field}[{i}]";
            if (list.Children[i] is not YamlMappingNode map)
            {
                error(list.Children[i], at, "must be a step with id, offset, action and role");
                continue;
            }
            Known(map, at + ".", StepFields, error);
            var id = Scalar(map, "id");
            if (string.IsNullOrWhiteSpace(id)) error(map, at + ".id", "is required");
            else if (!ids.Add(id)) error(Child(map, "id")!, at + ".id", $"'{id}' is used by another step: step ids must be unique");
            at = id is null ? at : $"{field}.{id}";

            var offset = Int(map, at + ".offset", "offset", int.MinValue, -3650, 3650, error);
            if (offset == int.MinValue && Child(map, "offset") is null) error(map, at + ".offset", "is required (days from the due date; negative = before it)");
            var anchor = Choice<StepAnchor>(map, at + ".from", "from", StepAnchor.Due, error);
            var action = Choice<StepAction>(map, at + ".action", "action", null, error);
            var role = Choice<UserRole>(map, at + ".role", "role", null, error);
            var template = Scalar(map, "template");
            if (action == StepAction.Email)
            {
                if (string.IsNullOrWhiteSpace(template)) error(map, at + ".template", "is required for an email step");
                else if (templateExists is not null && !templateExists(template))
                    error(Child(map, "template")!, at + ".template", $"there is no template '{template}'");
            }
            var minAmount = Decimal(map, at + ".min_amount", "min_amount", 0m, 0m, error);
            var skip = new HashSet<PauseKind>();
            if (Child(map, "skip_when") is { } skipNode)
            {
                if (skipNode is not YamlSequenceNode skipList) error(skipNode, at + ".skip_when", "must be a list: disputed, promised, on_plan");
                else
                    foreach (var item in skipList.Children)
                    {
                        var value = (item as YamlScalarNode)?.Value?.Replace("_", "", StringComparison.Ordinal) ?? "";
                        if (Enum.TryParse<PauseKind>(value, ignoreCase: true, out var kind) && !int.TryParse(value, out _)) skip.Add(kind);
                        else error(item, at + ".skip_when", $"'{(item as YamlScalarNode)?.Value}' is not a pause: use disputed, promised or on_plan");
                    }
            }
            else if (anchor == StepAnchor.Due) skip = [PauseKind.Disputed, PauseKind.Promised, PauseKind.OnPlan];

            if (id is null || action is null || role is null || offset == int.MinValue) continue;
            var title = Scalar(map, "title") ?? id;
            steps.Add(new PlaybookStep(id, offset, anchor ?? StepAnchor.Due, action.Value, role.Value,
                action == StepAction.Email ? template : null, title, minAmount, skip));
        }
        return steps;
    }

    private static string? Scalar(YamlMappingNode map, string key) => (Child(map, key) as YamlScalarNode)?.Value;

    private static int Int(YamlMappingNode map, string field, string key, int fallback, int min, int max, Action<YamlNode, string, string> error)
    {
        if (Child(map, key) is not { } node) return fallback;
        var text = (node as YamlScalarNode)?.Value;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        error(node, field, $"'{text}' is not a whole number from {min} to {max}");
        return fallback;
    }

    private static decimal Decimal(YamlMappingNode map, string field, string key, decimal fallback, decimal min, Action<YamlNode, string, string> error,
        decimal max = decimal.MaxValue)
    {
        if (Child(map, key) is not { } node) return fallback;
        var text = (node as YamlScalarNode)?.Value;
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        error(node, field, $"'{text}' is not an amount of at least {min}" + (max < decimal.MaxValue ? $" and at most {max}" : ""));
        return fallback;
    }

    private static T? Choice<T>(YamlMappingNode map, string field, string key, T? fallback, Action<YamlNode, string, string> error) where T : struct, Enum
    {
        if (Child(map, key) is not { } node)
        {
            if (fallback is null) error(map, field, $"is required: one of {Names<T>()}");
            return fallback;
        }
        var text = (node as YamlScalarNode)?.Value ?? "";
        if (Enum.TryParse<T>(text.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var value) && !int.TryParse(text, out _)) return value;
        error(node, field, $"'{text}' is not one of {Names<T>()}");
        return null;
    }

    private static string Names<T>() where T : struct, Enum =>
        string.Join(", ", Enum.GetNames<T>().Select(n => string.Concat(n.Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()))));
}
