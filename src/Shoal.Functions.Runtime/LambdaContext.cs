namespace Shoal.Functions.Runtime;

/// <summary>The context of one invocation: the function's settings plus the headers of its <c>next</c> response.</summary>
internal sealed class LambdaContext(LambdaEnvironment environment, Invocation invocation, TimeProvider timeProvider, ILambdaLogger logger)
    : ILambdaContext
{
    public string AwsRequestId => invocation.RequestId;

    public string FunctionName => environment.FunctionName;

    public string FunctionVersion => environment.FunctionVersion;

    public int MemoryLimitInMB => environment.MemoryLimitInMB;

    public string InvokedFunctionArn => invocation.InvokedFunctionArn;

    public string? TraceId => invocation.TraceId;

    public DateTimeOffset Deadline => invocation.Deadline;

    public TimeSpan RemainingTime
    {
        get
        {
            if (invocation.Deadline == DateTimeOffset.MaxValue)
            {
                return TimeSpan.MaxValue;
            }

            var left = invocation.Deadline - timeProvider.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    public ILambdaLogger Logger => logger;
}
