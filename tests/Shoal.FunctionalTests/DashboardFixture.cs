using Shoal.Testing;

namespace Shoal.FunctionalTests;

/// <summary>
/// The README's quickstart (<c>examples/quickstart/shoal.yml</c>) run with the real <c>./shoal up -d</c>, once for the
/// dashboard tests: only its listen addresses are moved to free ports and its project path made absolute, so the
/// test runs beside anything else on 8080/9901.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    private TestStack? _stack;

    public TestStack Stack => _stack ?? throw new InvalidOperationException("The quickstart did not start.");

    public static string QuickstartTemplate()
    {
        var yaml = File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "quickstart", "shoal.yml"));
        string Replace(string text, string from, string to) =>
            text.Contains(from, StringComparison.Ordinal)
                ? text.Replace(from, to, StringComparison.Ordinal)
                : throw new InvalidOperationException($"examples/quickstart/shoal.yml no longer contains '{from}': update {nameof(DashboardFixture)}.");
        yaml = Replace(yaml, "listen: http://127.0.0.1:8080", "listen: %gateway%");
        yaml = Replace(yaml, "admin: http://127.0.0.1:9901", "admin: %admin%");
        return Replace(yaml, "project: ../../", "project: %root%/");
    }

    public async Task InitializeAsync() => _stack = await TestStack.StartAsync(QuickstartTemplate());

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}
