using System.Globalization;
using Shoal.Processes;

namespace Shoal.Orchestration.Lifecycle;

/// <summary>
/// The usage of a process that has no cgroup of its own (the <c>process</c> runtime without limits), read from
/// <c>/proc</c>: its own CPU time and that of the children it waited for, its resident set and its threads. What its
/// children use while they run is not counted.
/// </summary>
internal static class ProcessUsage
{
    // USER_HZ, which /proc/PID/stat counts CPU time in, is 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100;

    /// <summary>The usage of <paramref name="pid"/>, or null when it is gone (or is another process by now) or this is not Linux.</summary>
    public static ResourceUsage? Read(int pid, long startTime)
    {
        if (!OperatingSystem.IsLinux() || !ProcessIdentity.IsAlive(pid, startTime))
        {
            return null;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

            // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = Field(fields, 14) + Field(fields, 15) + Field(fields, 16) + Field(fields, 17);
            var threads = (int)Field(fields, 20);
            var rssPages = Field(fields, 24);
            return new ResourceUsage(TimeSpan.FromSeconds(ticks / TicksPerSecond), rssPages * Environment.SystemPageSize, threads, 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    // Fields are numbered as in proc(5), where field 3 (state) is the first after the command name.
    private static long Field(string[] fields, int number) => long.Parse(fields[number - 3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
