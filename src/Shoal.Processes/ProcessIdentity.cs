using System.Globalization;

namespace Shoal.Processes;

/// <summary>Reads /proc to tell whether a pid still names the process Shoal started.</summary>
public static class ProcessIdentity
{
    /// <summary>The start time (clock ticks since boot) of a live process, or null when there is none.</summary>
    public static long? StartTimeOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

            // The command name may contain spaces and parentheses: fields start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

            // fields[0] is field 3 (state); starttime is field 22.
            if (fields[0] == "Z")
            {
                return null;
            }

            return long.Parse(fields[19], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>True when <paramref name="pid"/> is alive and started at <paramref name="startTime"/>.</summary>
    public static bool IsAlive(int pid, long startTime) => pid > 0 && StartTimeOf(pid) == startTime;
}
