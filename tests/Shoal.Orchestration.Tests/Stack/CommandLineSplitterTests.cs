using Shoal.Text;

namespace Shoal.Orchestration.Tests.Stack;

public sealed class CommandLineSplitterTests
{
    [Theory]
    [InlineData("dotnet app.dll", new[] { "dotnet", "app.dll" })]
    [InlineData("  sh -c 'echo a  b'  ", new[] { "sh", "-c", "echo a  b" })]
    [InlineData("say \"he said \\\"hi\\\"\" x", new[] { "say", "he said \"hi\"", "x" })]
    [InlineData("a\\ b c", new[] { "a b", "c" })]
    [InlineData("empty ''", new[] { "empty", "" })]
    public void Split_QuotesAndEscapes_AsAShellWould(string text, string[] expected)
    {
        Assert.Equal(expected, CommandLineSplitter.Split(text));
    }
}
