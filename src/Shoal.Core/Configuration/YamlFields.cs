using System.Globalization;
using Shoal.Text;
using YamlDotNet.RepresentationModel;

namespace Shoal.Configuration;

/// <summary>Typed, located access to the fields of one YAML mapping; unknown keys are reported once.</summary>
public sealed partial class YamlFields
{
    private readonly YamlMappingNode _node;
    private readonly YamlErrors _errors;

    /// <summary>Reads <paramref name="node"/> at <paramref name="path"/>; keys outside <paramref name="knownKeys"/> are reported.</summary>
    public YamlFields(YamlMappingNode node, string path, YamlErrors errors, params string[] knownKeys)
    {
        _node = node;
        _errors = errors;
        Path = path;
        foreach (var (key, _) in node.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!knownKeys.Contains(name, StringComparer.Ordinal))
            {
                var hint = Suggest(name, knownKeys);
                _errors.Add(key, Join(path, name), hint is null
                    ? $"unknown field '{Printable(name)}'; allowed here: {string.Join(", ", knownKeys)}"
                    : $"unknown field '{Printable(name)}' (did you mean '{hint}'?)");
            }
        }
    }

    /// <summary>The field path of this mapping.</summary>
    public string Path { get; }

    /// <summary>The mapping node.</summary>
    public YamlNode Node => _node;

    /// <summary>Where errors are collected.</summary>
    public YamlErrors Errors => _errors;

    /// <summary>The field path of a key of this mapping.</summary>
    public string FieldPath(string key) => Join(Path, key);

    /// <summary>The value of a key, or null when absent or null.</summary>
    public YamlNode? Get(string key)
    {
        foreach (var (k, v) in _node.Children)
        {
            if (k is YamlScalarNode { Value: { } name } && string.Equals(name, key, StringComparison.Ordinal))
            {
                return IsNull(v) ? null : v;
            }
        }

        return null;
    }

    /// <summary>The key node itself, for errors about the key.</summary>
    public YamlNode? KeyNode(string key) =>
        _node.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: { } name } && name == key);

    /// <summary>A text value, or null.</summary>
    public string? GetString(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode scalar)
        {
            return scalar.Value;
        }

        _errors.Add(node, FieldPath(key), $"expected a text value, got {Describe(node)}");
        return null;
    }

    /// <summary>
    /// A file or directory path, or null: text without control characters (a NUL would cut the path short where the
    /// operating system reads it, and .NET refuses it).
    /// </summary>
    public string? GetPath(string key)
    {
        var text = GetString(key);
        if (text is null)
        {
            return null;
        }

        if (ControlCharacter(text) is { } c)
        {
            _errors.Add(Get(key)!, FieldPath(key), $"a path cannot hold the control character U+{(int)c:X4}");
            return null;
        }

        return text;
    }

    /// <summary>A whole number within a range, or null.</summary>
    public int? GetInt(string key, int min, int max)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            if (value < min || value > max)
            {
                _errors.Add(node, FieldPath(key), $"{value} is out of range; allowed {min} to {max}");
                return null;
            }

            return value;
        }

        _errors.Add(node, FieldPath(key), $"expected a whole number from {min} to {max}, got {Describe(node)}");
        return null;
    }

    /// <summary>A number within a range, or null.</summary>
    public double? GetDouble(string key, double min, double max)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        // NaN, Infinity and 1e400 parse as doubles but are no number a setting can hold; NaN would pass any range check.
        if (node is YamlScalarNode { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            if (value < min || value > max)
            {
                _errors.Add(node, FieldPath(key), $"{text} is out of range; allowed {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
                return null;
            }

            return value;
        }

        _errors.Add(node, FieldPath(key), $"expected a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got {Describe(node)}");
        return null;
    }

    /// <summary>A share from 0 to 1, written as a fraction (0.2) or a percentage (20%), or null.</summary>
    public double? GetFraction(string key)
    {
        var node = Get(key);
        if (node is YamlScalarNode { Value: { } text } && text.EndsWith('%')
            && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var percent)
            && double.IsFinite(percent))
        {
            if (percent is < 0 or > 100)
            {
                _errors.Add(node, FieldPath(key), $"{text} is out of range; allowed 0% to 100%");
                return null;
            }

            return percent / 100;
        }

        return GetDouble(key, 0, 1);
    }

    /// <summary>true or false, or null.</summary>
    public bool? GetBool(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var value))
        {
            return value;
        }

        _errors.Add(node, FieldPath(key), $"expected true or false, got {Describe(node)}");
        return null;
    }

    /// <summary>A duration within a range, or null.</summary>
    public TimeSpan? GetDuration(string key, TimeSpan min, TimeSpan max)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && Durations.TryParse(text, out var value))
        {
            if (value < min || value > max)
            {
                _errors.Add(node, FieldPath(key), $"{text} is out of range; allowed {Durations.Format(min)} to {Durations.Format(max)}");
                return null;
            }

            return value;
        }

        _errors.Add(node, FieldPath(key), $"expected a duration such as 500ms, 5s or 1m, got {Describe(node)}");
        return null;
    }

    /// <summary>One of the named values, or null.</summary>
    public T? GetEnum<T>(string key, IReadOnlyDictionary<string, T> names)
        where T : struct
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && names.TryGetValue(text, out var value))
        {
            return value;
        }

        _errors.Add(node, FieldPath(key), $"expected one of {string.Join(", ", names.Keys)}, got {Describe(node)}");
        return null;
    }

    /// <summary>A nested mapping, or null.</summary>
    public YamlFields? GetMap(string key, params string[] knownKeys)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlMappingNode map)
        {
            return new YamlFields(map, FieldPath(key), _errors, knownKeys);
        }

        _errors.Add(node, FieldPath(key), $"expected a mapping of fields, got {Describe(node)}");
        return null;
    }

    /// <summary>A list of text values, or null.</summary>
    public List<(YamlScalarNode Node, string Value)>? GetStringList(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlSequenceNode sequence)
        {
            _errors.Add(node, FieldPath(key), $"expected a list, got {Describe(node)}");
            return null;
        }

        var items = new List<(YamlScalarNode, string)>();
        var index = 0;
        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { } text } scalar && !IsNull(item))
            {
                items.Add((scalar, text));
            }
            else
            {
                _errors.Add(item, $"{FieldPath(key)}[{index}]", $"expected a text value, got {Describe(item)}");
            }

            index++;
        }

        return items;
    }

    /// <summary>A mapping of names to text values, or null.</summary>
    public Dictionary<string, string>? GetStringMap(string key)
    {
        var node = Get(key);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlMappingNode map)
        {
            _errors.Add(node, FieldPath(key), $"expected a mapping of NAME: value, got {Describe(node)}");
            return null;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            var name = (k as YamlScalarNode)?.Value ?? string.Empty;
            if (v is YamlScalarNode scalar)
            {
                result[name] = IsNull(v) ? string.Empty : scalar.Value ?? string.Empty;
            }
            else
            {
                _errors.Add(v, Join(FieldPath(key), name), $"expected a text value, got {Describe(v)}");
            }
        }

        return result;
    }
}
