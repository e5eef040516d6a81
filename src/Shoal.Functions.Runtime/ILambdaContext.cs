namespace Shoal.Functions.Runtime;

/// <summary>What the runtime knows about the function and the invocation being handled.</summary>
public interface ILambdaContext
{
    /// <summary>The invocation's id (<c>Lambda-Runtime-Aws-Request-Id</c>).</summary>
    string AwsRequestId { get; }

    /// <summary>The function's name (<c>AWS_LAMBDA_FUNCTION_NAME</c>).</summary>
    string FunctionName { get; }

    /// <summary>The function's version (<c>AWS_LAMBDA_FUNCTION_VERSION</c>).</summary>
    string FunctionVersion { get; }

    /// <summary>The memory given to the instance, in MB (<c>AWS_LAMBDA_FUNCTION_MEMORY_SIZE</c>; 0 when unset).</summary>
    int MemoryLimitInMB { get; }

    /// <summary>The ARN the caller invoked (<c>Lambda-Runtime-Invoked-Function-Arn</c>; empty when not sent).</summary>
    string InvokedFunctionArn { get; }

    /// <summary>The trace header (<c>Lambda-Runtime-Trace-Id</c>), or null when not sent.</summary>
    string? TraceId { get; }

    /// <summary>When the invocation times out (<c>Lambda-Runtime-Deadline-Ms</c>; <see cref="DateTimeOffset.MaxValue"/> when not sent).</summary>
    DateTimeOffset Deadline { get; }

    /// <summary>The time left until <see cref="Deadline"/>, never negative.</summary>
    TimeSpan RemainingTime { get; }

    /// <summary>Writes to standard error, each line tagged with <see cref="AwsRequestId"/>.</summary>
    ILambdaLogger Logger { get; }
}
