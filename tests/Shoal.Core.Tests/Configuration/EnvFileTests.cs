using Shoal.Configuration;
using Xunit;

namespace Shoal.Core.Tests.Configuration;

public sealed class EnvFileTests
{
    private static Dictionary<string, string> Parse(string text, Dictionary<string, string>? environment = null) =>
        EnvFile.Parse(text, ".env", n => environment?.GetValueOrDefault(n));

    [Fact]
    public void ReadsComposeForms()
    {
        var values = Parse("""
            # a comment
            PLAIN=value
            export EXPORTED=yes
            SPACED = around  
            COMMENTED=abc # not part of it
            HASH=abc#def
            SINGLE='literal ${PLAIN} # kept'
            DOUBLE="line1\nline2 \"q\" ${PLAIN}"
            EMPTY=
            DERIVED=${PLAIN}-2
            """);

        Assert.Equal("value", values["PLAIN"]);
        Assert.Equal("yes", values["EXPORTED"]);
        Assert.Equal("around", values["SPACED"]);
        Assert.Equal("abc", values["COMMENTED"]);
        Assert.Equal("abc#def", values["HASH"]);
        Assert.Equal("literal ${PLAIN} # kept", values["SINGLE"]);
        Assert.Equal("line1\nline2 \"q\" value", values["DOUBLE"]);
        Assert.Equal("", values["EMPTY"]);
        Assert.Equal("value-2", values["DERIVED"]);
    }

    [Fact]
    public void TheEnvironment_WinsInsideTheFileToo()
    {
        var values = Parse("A=file\nB=${A}", new() { ["A"] = "shell" });

        Assert.Equal("shell", values["B"]);
    }

    [Fact]
    public void BadLines_AreErrors_WithTheirLine()
    {
        var ex = Assert.Throws<ConfigFileException>(() => Parse("OK=1\nno equals sign\n1BAD=x\nQ=\"open\n"));

        Assert.Equal([2, 3, 4], ex.Errors.Select(e => e.Line));
        Assert.All(ex.Errors, e => Assert.Equal(".env", e.File));
    }
}
