using CsmPayments.Accounts;
using CsmPayments.Collections;
using CsmPayments.Segments;

namespace CsmPayments.Tests.Collections;

public sealed class PlaybookFileTests
{
    [Fact]
    public void Shipped_playbook_follows_the_seeds_for_every_tier()
    {
        var playbook = CollectionsWorld.ShippedPlaybook();

        foreach (var tier in Enum.GetValues<RiskTier>())
        {
            var steps = playbook.StepsFor(tier);
            var ladder = steps.Where(s => s.Id.StartsWith("ladder-", StringComparison.Ordinal)).Select(s => (s.Offset, s.Action, s.Role)).ToList();
            Assert.Equal([(30, StepAction.Task, UserRole.Csm), (30, StepAction.Email, UserRole.Csm), (60, StepAction.Email, UserRole.Controller), (90, StepAction.Email, UserRole.Cfo)], ladder);
            Assert.Contains(steps, s => s is { Anchor: StepAnchor.Issue, Offset: 0, Action: StepAction.Email, Template: "invoice" });
            Assert.Contains(steps, s => s is { Offset: < 0, Action: StepAction.Email, MinAmount: > 0m });
        }
        var beforeLadder = (RiskTier t) => playbook.StepsFor(t).Where(s => s is { Anchor: StepAnchor.Due, Offset: > 0 and < 30 }).ToList();
        Assert.Equal([StepAction.Email], beforeLadder(RiskTier.Low).Select(s => s.Action));
        Assert.Equal([UserRole.Collector, UserRole.Collector, UserRole.Collector], beforeLadder(RiskTier.Medium).Select(s => s.Role));
        Assert.Equal([(StepAction.Email, UserRole.Collector), (StepAction.Email, UserRole.Collector), (StepAction.Call, UserRole.Csm)],
            beforeLadder(RiskTier.High).Select(s => (s.Action, s.Role)));
        Assert.Equal(90, playbook.Settings.RenewalReviewDays);
    }

    [Fact]
    public void Every_mistake_is_reported_with_line_and_field()
    {
        const string yaml = """
            settings:
              promise_grace_days: soon
            every_tier:
              - id: reminder
                offset: 3
                action: emial
                role: collector
                template: gentle
              - id: reminder
                offset: 5
                action: email
                role: intern
                template: nowhere
            tiers:
              low: []
              medium: []
              urgent: []
            """;

        var e = Assert.Throws<PlaybookException>(() => PlaybookFile.Parse(yaml, "playbooks.yaml", CollectionsWorld.ShippedTemplates().Has));

        var lines = e.Message.Split(Environment.NewLine);
        Assert.Contains("playbooks.yaml:2: settings.promise_grace_days: 'soon' is not a whole number from 0 to 3650", lines);
        Assert.Contains("playbooks.yaml:6: every_tier.reminder.action: 'emial' is not one of email, task, call", lines);
        Assert.Contains("playbooks.yaml:9: every_tier[1].id: 'reminder' is used by another step: step ids must be unique", lines);
        Assert.Contains("playbooks.yaml:12: every_tier.reminder.role: 'intern' is not one of csm, collector, controller, cfo, cs_lead, admin", lines);
        Assert.Contains("playbooks.yaml:13: every_tier.reminder.template: there is no template 'nowhere'", lines);
        Assert.Contains("playbooks.yaml:17: tiers.urgent: is not a risk tier: use low, medium or high", lines);
        Assert.Contains(lines, l => l.EndsWith("tiers: has no playbook for the high tier", StringComparison.Ordinal));
    }

    [Fact]
    public void Broken_yaml_names_its_line()
    {
        var e = Assert.Throws<PlaybookException>(() => PlaybookFile.Parse("tiers:\n  low: [\n", "p.yaml"));
        Assert.StartsWith("p.yaml:", e.Message);
        Assert.Contains("not valid YAML", e.Message);
    }

    [Fact]
    public void Reminders_skip_every_pause_unless_told_otherwise()
    {
        var playbook = CollectionsWorld.ShippedPlaybook();
        Assert.Equal(new HashSet<PauseKind> { PauseKind.Disputed, PauseKind.Promised, PauseKind.OnPlan }, playbook.Find("low-gentle")!.SkipWhen);
        Assert.Empty(playbook.Find("invoice-delivery")!.SkipWhen);
    }
}
