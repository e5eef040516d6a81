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

    public async Task InitializeAsync() => _stack = await TestStack.StartAsync(Stacks.Example("quickstart"));

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}
