namespace Shoal.Cli.Commands;

/// <summary>
/// An exception nothing expected: one line on stderr naming a log file, the whole trace in that file, exit code 70
/// (EX_SOFTWARE from sysexits.h) — never a stack trace on the terminal, and never the exit code of a refusal (1).
/// </summary>
internal static class InternalError
{
    /// <summary>The exit code of an internal error.</summary>
    public const int ExitCode = 70;

    /// <summary>Set to a message, makes every command fail with it as an internal error (internal for tests).</summary>
    public const string TestVariable = "SHOAL_TEST_INTERNAL_ERROR";

    /// <summary>Writes <paramref name="exception"/> to the log and its one line to stderr; returns <see cref="ExitCode"/>.</summary>
    public static int Report(Exception exception)
    {
        var log = Write(exception);
        var message = exception.Message.ReplaceLineEndings(" ");
        Console.Error.WriteLine(log is null
            ? $"error: internal error: {message} (no log could be written)"
            : $"error: internal error: {message} (details in {log})");
        return ExitCode;
    }

    // The stack's own log (.shoal/shoal.log) when the command runs in a stack's directory, otherwise a new private file
    // in the temp directory: a fresh random name opened with CreateNew, so no one can plant a link there beforehand.
    private static string? Write(Exception exception)
    {
        var text = $"{TimeProvider.System.GetLocalNow():O} shoal {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}: internal error{Environment.NewLine}{exception}{Environment.NewLine}";
        try
        {
            if (Directory.Exists(".shoal"))
            {
                var path = Path.GetFullPath(Path.Combine(".shoal", "shoal.log"));
                File.AppendAllText(path, text);
                return path;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Fall through to a file of its own.
        }

        try
        {
            var path = Path.Combine(Path.GetTempPath(), $"shoal-error-{Guid.NewGuid():N}.log");
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                // The trace may name paths and settings: readable by its owner only.
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var file = new FileStream(path, options);
            using var writer = new StreamWriter(file);
            writer.Write(text);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
