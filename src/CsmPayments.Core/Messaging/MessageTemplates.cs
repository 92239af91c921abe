using System.Globalization;
using Fluid;

namespace CsmPayments.Messaging;

/// <summary>A rendered email: subject and plain-text body.</summary>
public sealed record RenderedMessage(string Subject, string Body);

/// <summary>
/// Liquid templates (Fluid), one file per template: <c>NAME.liquid</c> whose first line is <c>Subject: …</c>, then
/// a blank line, then the body. Both parts are Liquid. Parsed once at load; a template that does not parse is refused
/// with its file and the parser's message.
/// </summary>
public sealed class MessageTemplates
{
    private static readonly FluidParser Parser = new();
    private readonly Dictionary<string, (IFluidTemplate Subject, IFluidTemplate Body)> _templates;

    private MessageTemplates(Dictionary<string, (IFluidTemplate, IFluidTemplate)> templates) => _templates = templates;

    public IReadOnlyCollection<string> Names => _templates.Keys;

    public bool Has(string name) => _templates.ContainsKey(name);

    public static MessageTemplates LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory)) throw new TemplateException($"the template folder {directory} does not exist");
        var sources = Directory.GetFiles(directory, "*.liquid")
            .ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => (File.ReadAllText(f), f), StringComparer.Ordinal);
        return Parse(sources);
    }

    /// <summary>Templates from text: name → (source, where it came from, for messages).</summary>
    public static MessageTemplates Parse(IReadOnlyDictionary<string, (string Source, string Origin)> sources)
    {
        var templates = new Dictionary<string, (IFluidTemplate, IFluidTemplate)>(StringComparer.Ordinal);
        foreach (var (name, (source, origin)) in sources)
        {
            var text = source.Replace("\r\n", "\n", StringComparison.Ordinal);
            var newline = text.IndexOf('\n');
            var first = newline < 0 ? text : text[..newline];
            if (!first.StartsWith("Subject:", StringComparison.Ordinal))
                throw new TemplateException($"{origin}:1: the first line must be 'Subject: …'");
            var body = newline < 0 ? "" : text[(newline + 1)..].TrimStart('\n');
            templates[name] = (Compile(first["Subject:".Length..].Trim(), origin, "subject"), Compile(body, origin, "body"));
        }
        return new MessageTemplates(templates);
    }

    private static IFluidTemplate Compile(string source, string origin, string part) =>
        Parser.TryParse(source, out var template, out var error)
            ? template
            : throw new TemplateException($"{origin}: the {part} is not valid Liquid: {error}");

    public RenderedMessage Render(string name, IReadOnlyDictionary<string, object?> model)
    {
        if (!_templates.TryGetValue(name, out var template))
            throw new TemplateException($"there is no template '{name}' (known: {string.Join(", ", _templates.Keys.Order(StringComparer.Ordinal))})");
        var options = new TemplateOptions { CultureInfo = CultureInfo.InvariantCulture };
        var context = new TemplateContext(options);
        foreach (var (key, value) in model) context.SetValue(key, value);
        var subject = template.Subject.Render(context).Trim();
        var body = template.Body.Render(context);
        return new RenderedMessage(subject, body.Trim() + "\n");
    }
}

public sealed class TemplateException(string message) : Exception(message);
