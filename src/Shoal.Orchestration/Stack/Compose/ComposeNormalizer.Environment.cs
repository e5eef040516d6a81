using Shoal.Configuration;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Shoal.Orchestration.Stack.Compose;

/// <summary><c>env_file</c> and <c>environment</c> as Shoal's <c>env</c>: environment wins, a later env_file over an earlier one.</summary>
internal sealed partial class ComposeNormalizer
{
    /// <summary>The largest env_file read: a file of settings, not data (and never a device that does not end).</summary>
    public const long MaxEnvFileBytes = 1 << 20;

    private void Environment(YamlMappingNode result, YamlMappingNode service, string path)
    {
        var env = Made(new YamlMappingNode(), service);
        if (Get(service, "env_file") is { } files)
        {
            foreach (var (name, value, at) in EnvFiles(files, $"{path}.env_file"))
            {
                Put(env, Text(name, at), Made(new YamlScalarNode(value) { Style = ScalarStyle.DoubleQuoted }, at));
            }
        }

        if (Get(service, "environment") is { } environment)
        {
            if (ComposeMerge.AsMap(environment, _errors) is not { } map)
            {
                _errors.Add(environment, $"{path}.environment", $"expected a mapping of NAME: value or a list of NAME=value, got {YamlFields.Describe(environment)}");
            }
            else
            {
                foreach (var (key, value) in map.Children)
                {
                    // NAME alone (or NAME: with no value) takes the host's value, and is left out when the host has none.
                    if (YamlFields.IsNull(value))
                    {
                        if (key is YamlScalarNode { Value: { } name } && _variables[name] is { } host)
                        {
                            Put(env, key, Made(new YamlScalarNode(host) { Style = ScalarStyle.DoubleQuoted }, value));
                        }

                        continue;
                    }

                    Put(env, key, value);
                }
            }
        }

        if (env.Children.Count > 0)
        {
            Put(result, "env", env, KeyOf(service, "environment") ?? KeyOf(service, "env_file")!);
        }
    }

    private IEnumerable<(string Name, string Value, YamlNode At)> EnvFiles(YamlNode files, string field)
    {
        var entries = files is YamlSequenceNode list ? list.Children.ToList() : [files];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var at = files is YamlSequenceNode ? $"{field}[{i}]" : field;
            YamlNode? pathNode = entry;
            var required = true;
            if (entry is YamlMappingNode map)
            {
                var f = new YamlFields(map, at, _errors, "path", "required", "format");
                pathNode = f.Get("path");
                required = f.GetBool("required") ?? true;
                if (pathNode is null)
                {
                    _errors.Add(map, at, "an env_file entry needs 'path'");
                    continue;
                }
            }

            if (pathNode is not YamlScalarNode { Value: { Length: > 0 } relative })
            {
                _errors.Add(pathNode, at, $"expected a file name, got {YamlFields.Describe(pathNode)}");
                continue;
            }

            var full = Path.GetFullPath(Path.Combine(_directories.GetValueOrDefault(pathNode, _stackDirectory), relative));
            if (ReadEnvFile(full, relative, required, pathNode, at) is { } values)
            {
                foreach (var (name, value) in values)
                {
                    yield return (name, value, pathNode);
                }
            }
        }
    }

    private Dictionary<string, string>? ReadEnvFile(string full, string relative, bool required, YamlNode at, string field)
    {
        var shown = YamlFields.Printable(relative);
        if (Directory.Exists(full))
        {
            _errors.Add(at, field, $"'{shown}' is a directory, not an env file");
            return null;
        }

        if (!File.Exists(full))
        {
            if (required)
            {
                _errors.Add(at, field, $"no env file '{shown}' (resolved to {full}); write 'required: false' if it may be missing");
            }

            return null;
        }

        try
        {
            // Read with a bound, not by its length: /dev/zero or a /proc file says 0 and never ends or lies.
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.None);
            var buffer = new byte[MaxEnvFileBytes + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = stream.Read(buffer, read, buffer.Length - read)) > 0)
            {
                read += n;
            }

            if (read > MaxEnvFileBytes)
            {
                _errors.Add(at, field, $"'{shown}' is larger than {MaxEnvFileBytes} bytes: not an env file");
                return null;
            }

            return EnvFile.Parse(System.Text.Encoding.UTF8.GetString(buffer, 0, read), shown, name => _variables[name]);
        }
        catch (ConfigFileException ex)
        {
            var first = ex.Errors.Count > 0 ? ex.Errors[0].ToString() : ex.Message;
            _errors.Add(at, field, $"'{shown}' cannot be read: {first}");
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _errors.Add(at, field, $"'{shown}' cannot be read: {ex.Message}");
            return null;
        }
    }
}
