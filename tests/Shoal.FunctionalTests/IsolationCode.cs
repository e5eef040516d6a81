using System.Text.Json;
using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>Function code for the isolation tests, each in a fresh 0700 temp directory, and a probe that reports what the function can reach.</summary>
internal static class IsolationCode
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A bash handler that tries things and reports them as <c>key=value</c> lines; the stack's <c>.shoal</c> comes in
    /// the query (<c>?shoal=DIR</c>), since the code runs from a copy and cannot know where the stack is.
    /// </summary>
    public const string Probe = """
        function check () { if "$@" >/dev/null 2>&1; then echo ok; else echo denied; fi; }
        function arg () { printf '%s' "$EVENT" | sed -n "s/.*\"rawQueryString\":\"[^\"]*$1=\([^\"&]*\).*/\1/p"; }
        function handler () {
          EVENT=$1
          local shoal other otherpid daemon
          shoal=$(arg shoal); other=$(arg other); otherpid=$(arg otherpid); daemon=$(arg daemon)
          echo "user=$(id -un)"
          echo "uid=$(id -u)"
          echo "home=$HOME"
          echo "task_root=$LAMBDA_TASK_ROOT"
          echo "shadow=$(check cat /etc/shadow | sed 's/ok/readable/')"
          echo "shoal=$(check ls "$shoal" | sed 's/ok/readable/')"
          echo "agent_state=$(check cat "$shoal/agent/instances.json" | sed 's/ok/readable/')"
          echo "own_log=$(check ls "$shoal/agent/logs" | sed 's/ok/readable/')"
          echo "code_write=$(check touch "$LAMBDA_TASK_ROOT/written" | sed 's/ok/writable/')"
          echo "code_read=$(check cat "$LAMBDA_TASK_ROOT/function.sh")"
          echo "tmp_write=$(check touch /tmp/shoal-probe-$$)"
          rm -f /tmp/shoal-probe-$$
          if [ -e "/tmp/$(arg marker)" ]; then echo "tmp=shared"; else echo "tmp=private"; fi
          if [ -n "$other" ]; then echo "other_code=$(check cat "$other/function.sh" | sed 's/ok/readable/')"; fi
          if [ -n "$otherpid" ]; then if [ -e "/proc/$otherpid" ]; then echo "other_process=visible"; else echo "other_process=hidden"; fi; fi
          if [ -n "$daemon" ]; then
            if [ -e "/proc/$daemon" ]; then echo "daemon_process=visible"; else echo "daemon_process=hidden"; fi
            echo "daemon_environ=$(check cat /proc/$daemon/environ | sed 's/ok/readable/')"
            echo "daemon_signal=$(check kill -0 "$daemon" | sed 's/ok/allowed/')"
          fi
        }
        """;

    /// <summary>The bash sample's bootstrap with <paramref name="function"/> as <c>function.sh</c>.</summary>
    public static string Bash(string function)
    {
        var directory = Directory.CreateTempSubdirectory("shoal-fn-").FullName;
        File.Copy(Path.Combine(RepoPaths.Root, "samples", "functions", "bash", "bootstrap"), Path.Combine(directory, "bootstrap"));
        File.WriteAllText(Path.Combine(directory, "function.sh"), function);
        return directory;
    }

    /// <summary>The Node.js sample's bootstrap with <paramref name="handler"/> as <c>hog.js</c>.</summary>
    public static string Node(string handler)
    {
        var directory = Directory.CreateTempSubdirectory("shoal-fn-").FullName;
        File.Copy(Path.Combine(RepoPaths.Root, "samples", "functions", "node", "bootstrap.js"), Path.Combine(directory, "bootstrap.js"));
        File.WriteAllText(Path.Combine(directory, "hog.js"), handler);
        return directory;
    }

    /// <summary>Runs the probe at <paramref name="path"/> (with <paramref name="query"/> after the stack's <c>.shoal</c> and the daemon's pid): its report.</summary>
    public static async Task<Dictionary<string, string>> ProbeAsync(TestStack stack, string path, string query = "")
    {
        using var state = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(stack.Directory, ".shoal", "state.json")));
        var daemon = state.RootElement.GetProperty("daemon").GetProperty("pid").GetInt32();
        // A file the host puts in /tmp: the function sees it only when /tmp is shared.
        var marker = $"shoal-host-marker-{Guid.NewGuid():N}";
        await File.WriteAllTextAsync(Path.Combine("/tmp", marker), "host");
        using var response = await stack.Client.GetAsync($"{path}?shoal={Path.Combine(stack.Directory, ".shoal")}&daemon={daemon}&marker={marker}{query}");
        File.Delete(Path.Combine("/tmp", marker));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }

    /// <summary>Waits until the function's one instance is in <paramref name="state"/> as the agent reports it (<c>/v1/functions</c>, snake_case); returns it.</summary>
    public static async Task<JsonElement> InstanceAsync(TestStack stack, string function, string state)
    {
        JsonElement found = default;
        await Poll.UntilAsync(async () =>
        {
            var pools = await stack.AdminJsonAsync("/v1/functions");
            var pool = pools.EnumerateArray().First(p => p.GetProperty("function").GetString() == function);
            var details = pool.GetProperty("details").EnumerateArray().ToList();
            if (details.Count == 1 && string.Equals(StateOf(details[0]), state, StringComparison.OrdinalIgnoreCase))
            {
                found = details[0];
                return true;
            }

            return false;
        }, s_wait, $"the {function} instance to be {state}");
        return found;
    }

    private static string StateOf(JsonElement instance) =>
        instance.GetProperty("state") is { ValueKind: JsonValueKind.String } s ? s.GetString()! : ((Shoal.Functions.Pool.AgentInstanceState)instance.GetProperty("state").GetInt32()).ToString();
}
