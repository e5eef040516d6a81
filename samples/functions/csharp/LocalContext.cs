using System.Globalization;
using Shoal.Functions.Runtime;

namespace Shoal.Samples.Function;

/// <summary>The context of a request served in plain-HTTP mode, where there is no Runtime API to supply one.</summary>
internal sealed class LocalContext(string requestId) : ILambdaContext, ILambdaLogger
{
    public string AwsRequestId => requestId;

    public string FunctionName { get; } = Environment.GetEnvironmentVariable("AWS_LAMBDA_FUNCTION_NAME") ?? "Shoal.Samples.Function";

    public string FunctionVersion => "$LATEST";

    public int MemoryLimitInMB => 0;

    public string InvokedFunctionArn => string.Empty;

    public string? TraceId => null;

    public DateTimeOffset Deadline => DateTimeOffset.MaxValue;

    public TimeSpan RemainingTime => TimeSpan.MaxValue;

    public ILambdaLogger Logger => this;

    public void Log(string message) => Console.Error.Write(message);

    public void LogLine(string message) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{requestId}\t{message}"));
}
