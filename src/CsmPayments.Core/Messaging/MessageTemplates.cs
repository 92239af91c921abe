using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;
using Fluid.Values;

namespace CsmPayments.Messaging;

/// <summary>A rendered email: subject, plain-text body and HTML body.</summary>
public sealed record RenderedMessage(string Subject, string Body, string Html);

/// <summary>
/// Liquid templates (Fluid). Every message has two parts, so every mail goes as multipart/alternative:
/// <list type="bullet">
/// <item><c>NAME.liquid</c>: first line <c>Subject: …</c>, a blank line, then the plain-text body;</item>
/// <item><c>NAME.html.liquid</c>: the HTML body, placed in <c>_layout.html.liquid</c> (as <c>content</c>);</item>
/// <item><c>_PART.html.liquid</c>: HTML pieces the bodies share (the invoice table, the payment button), rendered
/// first and given to the body as <c>PART</c> with dashes as underscores (<c>_invoice-table</c> → <c>invoice_table</c>).</item>
/// </list>
/// In the HTML parts every value is HTML-escaped. Parsed once at load; a template that does not parse, or a message
/// without its HTML part, is refused with the file and the reason.
/// </summary>
public sealed class MessageTemplates
{
    public const string LayoutName = "_layout.html";
    private const string HtmlSuffix = ".html";

    private static readonly FluidParser Parser = new();

    // Built once: the options carry the filter table and the member-access cache, and only are read while rendering.
    private static readonly TemplateOptions Options = new() { CultureInfo = CultureInfo.InvariantCulture };

    // Escapes markup characters but keeps letters of every script readable in the source of the mail.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly Dictionary<string, Template> _templates;
    private readonly IReadOnlyList<(string Variable, IFluidTemplate Template)> _parts;
    private readonly IFluidTemplate _layout;

    private sealed record Template(IFluidTemplate Subject, IFluidTemplate Text, IFluidTemplate Html);

    private MessageTemplates(Dictionary<string, Template> templates, IReadOnlyList<(string, IFluidTemplate)> parts, IFluidTemplate layout)
    {
        _templates = templates;
        _parts = parts;
        _layout = layout;
    }

    public IReadOnlyCollection<string> Names => _templates.Keys;

    public bool Has(string name) => _templates.ContainsKey(name);

    public static MessageTemplates LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory)) throw new TemplateException($"the template folder {directory} does not exist");
        var sources = Directory.GetFiles(directory, "*.liquid")
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => (File.ReadAllText(f), f), StringComparer.Ordinal);
        return Parse(sources);
    }

    /// <summary>Templates from text: name (the file name without <c>.liquid</c>) → (source, where it came from, for messages).</summary>
    public static MessageTemplates Parse(IReadOnlyDictionary<string, (string Source, string Origin)> sources)
    {
        if (!sources.TryGetValue(LayoutName, out var layoutSource))
            throw new TemplateException($"the HTML layout {LayoutName}.liquid is missing: every message is sent with an HTML part in that layout");
        var layout = Compile(layoutSource.Source, layoutSource.Origin, "layout");
        var parts = sources.Where(s => s.Key.StartsWith('_') && s.Key != LayoutName)
            .OrderBy(s => s.Key, StringComparer.Ordinal)
            .Select(s =>
            {
                if (!s.Key.EndsWith(HtmlSuffix, StringComparison.Ordinal))
                    throw new TemplateException($"{s.Value.Origin}: a shared part is HTML and is named _NAME.html.liquid");
                return (s.Key[1..^HtmlSuffix.Length].Replace('-', '_'), Compile(s.Value.Source, s.Value.Origin, "HTML part"));
            })
            .ToList();

        var templates = new Dictionary<string, Template>(StringComparer.Ordinal);
        foreach (var (name, (source, origin)) in sources)
        {
            if (name.StartsWith('_') || name.EndsWith(HtmlSuffix, StringComparison.Ordinal)) continue;
            var text = source.Replace("\r\n", "\n", StringComparison.Ordinal);
            var newline = text.IndexOf('\n');
            var first = newline < 0 ? text : text[..newline];
            if (!first.StartsWith("Subject:", StringComparison.Ordinal))
                throw new TemplateException($"{origin}:1: the first line must be 'Subject: …'");
            var body = newline < 0 ? "" : text[(newline + 1)..].TrimStart('\n');
            if (!sources.TryGetValue(name + HtmlSuffix, out var html))
                throw new TemplateException($"{origin}: its HTML part {name}{HtmlSuffix}.liquid is missing; every message has a plain-text and an HTML part");
            templates[name] = new Template(Compile(first["Subject:".Length..].Trim(), origin, "subject"), Compile(body, origin, "body"),
                Compile(html.Source, html.Origin, "HTML body"));
        }
        foreach (var name in sources.Keys.Where(n => !n.StartsWith('_') && n.EndsWith(HtmlSuffix, StringComparison.Ordinal)))
            if (!templates.ContainsKey(name[..^HtmlSuffix.Length]))
                throw new TemplateException($"{sources[name].Origin}: there is no plain-text template {name[..^HtmlSuffix.Length]}.liquid for this HTML part");
        return new MessageTemplates(templates, parts, layout);
    }

    private static IFluidTemplate Compile(string source, string origin, string part) =>
        Parser.TryParse(source, out var template, out var error)
            ? template
            : throw new TemplateException($"{origin}: the {part} is not valid Liquid: {error}");

    public RenderedMessage Render(string name, IReadOnlyDictionary<string, object?> model)
    {
        if (!_templates.TryGetValue(name, out var template))
            throw new TemplateException($"there is no template '{name}' (known: {string.Join(", ", _templates.Keys.Order(StringComparer.Ordinal))})");
        var context = new TemplateContext(Options);
        foreach (var (key, value) in model) context.SetValue(key, value);
        var subject = template.Subject.Render(context).Trim();
        var body = template.Text.Render(context);

        // The HTML: shared parts first, then the body, then the layout around it. Values are escaped as they are
        // rendered; the pieces already rendered go in as they are.
        context.SetValue("subject", subject);
        foreach (var (variable, part) in _parts) context.SetValue(variable, new StringValue(part.Render(context, Html), false));
        context.SetValue("content", new StringValue(template.Html.Render(context, Html), false));
        var html = _layout.Render(context, Html);
        return new RenderedMessage(subject, body.Trim() + "\n", html.Trim() + "\n");
    }
}

public sealed class TemplateException(string message) : Exception(message);
