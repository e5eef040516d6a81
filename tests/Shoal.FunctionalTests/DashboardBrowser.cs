using Microsoft.Playwright;

namespace Shoal.FunctionalTests;

/// <summary>
/// Debian's chromium driven by Playwright through <c>ExecutablePath</c> (Playwright's own browser download is not
/// reachable here). A missing browser fails the test with the fix, never skips it.
/// </summary>
internal static class DashboardBrowser
{
    /// <summary>The browser to drive: <c>SHOAL_CHROMIUM</c>, else Debian's.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("SHOAL_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var executable = ExecutablePath;
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"The dashboard tests need Chromium at {executable} (Debian: 'apt-get install -y chromium'; .ci/run installs it), or SHOAL_CHROMIUM=<path to a Chromium binary>.");
        }

        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = executable,
                Headless = true,
                // Chromium's sandbox refuses to start as root (CI runs as root); the page is our own, on loopback.
                Args = ["--no-sandbox"],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Where screenshots go: beside the test assembly, and also into <c>SHOAL_DASHBOARD_SCREENSHOTS</c> when set.</summary>
    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "dashboard-screenshots");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        if (Environment.GetEnvironmentVariable("SHOAL_DASHBOARD_SCREENSHOTS") is { Length: > 0 } copyTo)
        {
            Directory.CreateDirectory(copyTo);
            File.Copy(path, Path.Combine(copyTo, name), overwrite: true);
        }

        return path;
    }
}
