using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Shoal.Configuration;

/// <summary>Reads the YAML of a configuration file into nodes, turning whatever is wrong with it into located errors.</summary>
public static class YamlDocuments
{
    /// <summary>The deepest nesting of mappings and lists a configuration file may have.</summary>
    /// <remarks>Reading nodes recurses once per level: an unbounded depth overflows the stack, which ends the process.</remarks>
    public const int MaxDepth = 64;

    /// <summary>
    /// The first document's root mapping, or null when the text is not YAML, nests deeper than <see cref="MaxDepth"/>,
    /// or is not a mapping; each of those adds one located error (<paramref name="shape"/> says what the root must be).
    /// </summary>
    /// <remarks>
    /// With <paramref name="variables"/>, every text value (not keys) has its <c>${…}</c> replaced (see
    /// <see cref="Interpolation"/>); an unset variable without a default is a warning, a <c>${NAME:?}</c> one an error.
    /// </remarks>
    public static YamlMappingNode? LoadMapping(string text, YamlErrors errors, string shape, FileVariables? variables = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(errors);
        var stream = new YamlStream();
        var parser = new DepthLimitedParser(new Parser(new StringReader(text)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            errors.Add(ex.Start, string.Empty, parser.TooDeep ? Reason(ex) : $"not valid YAML: {Reason(ex)}");
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException)
        {
            // YamlDotNet's scanner fails this way on some malformed text (an unclosed flow mapping before a non-ASCII
            // plain scalar): the text is still not YAML, and the last event read is the nearest place to point at.
            errors.Add(parser.LastMark, string.Empty, "not valid YAML: cannot read past this point");
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            errors.Add(stream.Documents.Count == 0 ? new Mark(0, 1, 1) : stream.Documents[0].RootNode.Start, string.Empty, shape);
            return null;
        }

        if (variables is not null)
        {
            Interpolate(root, string.Empty, variables, Deferred(root), errors, new HashSet<YamlNode>(ReferenceEqualityComparer.Instance));
        }

        return root;
    }

    // ${API_URL} names a replica's own variable when the file has a service api (service discovery), as ${PORT} does.
    private static IReadOnlySet<string> Deferred(YamlMappingNode root) =>
        root.Children.TryGetValue(new YamlScalarNode("services"), out var services) && services is YamlMappingNode mapping
            ? FileVariables.PerReplicaIn(mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).OfType<string>())
            : FileVariables.PerReplica;

    // An alias refers to the node of its anchor: each node is replaced once, or a '$$' would become '$' and then be read again.
    private static void Interpolate(YamlNode node, string path, FileVariables variables, IReadOnlySet<string> deferred, YamlErrors errors, HashSet<YamlNode> done)
    {
        if (!done.Add(node))
        {
            return;
        }

        switch (node)
        {
            case YamlScalarNode { Value: { } value } scalar when value.Contains('$', StringComparison.Ordinal):
                var result = Interpolation.Apply(value, name => variables[name], deferred);
                if (result.Error is { } error)
                {
                    errors.Add(scalar, path, error);
                    break;
                }

                foreach (var unset in result.Unset)
                {
                    errors.Warn(scalar, path, $"the variable {unset} is not set: it reads as empty text (give a default with ${{{unset}:-value}})");
                }

                scalar.Value = result.Value;
                break;
            case YamlMappingNode mapping:
                foreach (var (key, child) in mapping.Children)
                {
                    var name = key is YamlScalarNode { Value: { } k } ? k : "?";
                    Interpolate(child, YamlFields.Join(path, name), variables, deferred, errors, done);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    Interpolate(sequence.Children[i], $"{path}[{i}]", variables, deferred, errors, done);
                }

                break;
        }
    }

    // YamlDotNet's messages start with the position "(Line: 3, Col: 5, Idx: 20) - (Line: …): ", which the error already carries.
    private static string Reason(YamlException ex)
    {
        var message = ex.InnerException?.Message ?? ex.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0 ? message[(cut + 3)..] : message;
    }

    /// <summary>Passes a parser's events through, failing at the first mapping or list deeper than <see cref="MaxDepth"/>.</summary>
    private sealed class DepthLimitedParser(IParser inner) : IParser
    {
        private int _depth;

        public bool TooDeep { get; private set; }

        public Mark LastMark { get; private set; } = new(0, 1, 1);

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }

            LastMark = inner.Current?.End ?? LastMark;

            switch (inner.Current)
            {
                case MappingStart or SequenceStart when ++_depth > MaxDepth:
                    TooDeep = true;
                    throw new YamlException(inner.Current.Start, inner.Current.End, $"nested more than {MaxDepth} levels deep");
                case MappingEnd or SequenceEnd:
                    _depth--;
                    break;
            }

            return true;
        }
    }
}
