using System.Text;
using Microsoft.Extensions.Time.Testing;
using Shoal.Functions.Agent.Instances;
using Shoal.Functions.Agent.Protocol;

namespace Shoal.Functions.Tests.Agent;

/// <summary>One invocation at a time, answered once, ended by its deadlines: the slot alone, on a fake clock.</summary>
public sealed class InvocationSlotTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_initTimeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly List<string> _expired = [];
    private int _thaws;

    [Fact]
    public async Task Invoke_ThenNext_HandsTheEvent_AndTheAnswerEndsTheInvocation()
    {
        var slot = Slot();
        var invoke = slot.InvokeAsync("req-1", Bytes("{\"n\":1}"));
        var next = await slot.TakeNextAsync(CancellationToken.None);

        Assert.Equal(NextStatus.Handed, next.Status);
        Assert.Equal("req-1", next.Invocation!.RequestId);
        Assert.Equal("{\"n\":1}", Text(next.Invocation.Payload));
        Assert.StartsWith("Root=1-", next.Invocation.TraceId, StringComparison.Ordinal);
        slot.Hand(next.Invocation);
        Assert.False(invoke.IsCompleted);

        Assert.True(slot.TakeAnswer("req-1")!.TryComplete(Success("\"ok\"")));
        var result = await invoke;
        Assert.Equal(InvokeResultKind.Success, result.Kind);
        Assert.Equal("\"ok\"", Text(result.Payload));
        Assert.False(result.NotRun);
    }

    [Fact]
    public async Task Next_WaitingFirst_GetsTheEventWhenItArrives()
    {
        var slot = Slot();
        var next = slot.TakeNextAsync(CancellationToken.None);
        Assert.False(next.IsCompleted);

        var invoke = slot.InvokeAsync("req-1", Bytes("{}"));
        var handed = await next;

        Assert.Equal("req-1", handed.Invocation!.RequestId);
        Assert.False(invoke.IsCompleted);
    }

    [Fact]
    public async Task TakeAnswer_IsOnceAndOnlyForTheRequestIdHeld_AndAReplayedIdIsRefusedLater()
    {
        var slot = Slot();
        var first = slot.InvokeAsync("req-1", Bytes("{}"));
        Hand(slot, await slot.TakeNextAsync(CancellationToken.None));

        Assert.Null(slot.TakeAnswer("req-other"));
        var answer = slot.TakeAnswer("req-1");
        Assert.NotNull(answer);
        Assert.Null(slot.TakeAnswer("req-1"));
        answer.TryComplete(Success("\"one\""));
        Assert.Equal("\"one\"", Text((await first).Payload));

        var second = slot.InvokeAsync("req-2", Bytes("{}"));
        Assert.Null(slot.TakeAnswer("req-1"));
        Hand(slot, await slot.TakeNextAsync(CancellationToken.None));
        Assert.Null(slot.TakeAnswer("req-1"));
        Assert.False(second.IsCompleted);
        slot.TakeAnswer("req-2")!.TryComplete(Success("\"two\""));
        Assert.Equal("\"two\"", Text((await second).Payload));
    }

    [Fact]
    public async Task SecondNext_WhileOneWaits_IsAlreadyWaiting()
    {
        var slot = Slot();
        var waiting = slot.TakeNextAsync(CancellationToken.None);

        var second = await slot.TakeNextAsync(CancellationToken.None);

        Assert.Equal(NextStatus.AlreadyWaiting, second.Status);
        Assert.Null(second.Invocation);
        Assert.False(waiting.IsCompleted);
    }

    [Fact]
    public async Task Invoke_WhileOneIsHeld_IsABusyConflictThatDidNotRun()
    {
        var slot = Slot();
        _ = slot.InvokeAsync("req-1", Bytes("{}"));

        var busy = await slot.InvokeAsync("req-2", Bytes("{}"));

        Assert.Equal(InvokeResultKind.Crash, busy.Kind);
        Assert.Equal("ResourceConflictException", busy.ErrorType);
        Assert.True(busy.NotRun);
        Assert.False(busy.InstanceGone);
    }

    [Fact]
    public async Task Deadline_OnceHanded_IsTheTimeout_ThenTheInstanceIsToBeKilled()
    {
        var slot = Slot();
        var invoke = slot.InvokeAsync("req-1", Bytes("{}"));
        _time.Advance(TimeSpan.FromSeconds(5));
        Hand(slot, await slot.TakeNextAsync(CancellationToken.None));

        _time.Advance(s_timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(invoke.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var result = await invoke;
        Assert.Equal(InvokeResultKind.Timeout, result.Kind);
        Assert.Equal("RequestId: req-1 Error: Task timed out after 3.00 seconds", result.ErrorMessage);
        Assert.True(result.InstanceGone);
        Assert.False(result.NotRun);
        Assert.Equal(["req-1 handed"], _expired);
        Assert.Null(slot.TakeAnswer("req-1"));
    }

    [Fact]
    public async Task Deadline_NeverTaken_IsInitPlusTimeout_AndTheEventDidNotRun()
    {
        var slot = Slot();
        var invoke = slot.InvokeAsync("req-1", Bytes("{}"));

        _time.Advance(s_initTimeout + s_timeout - TimeSpan.FromMilliseconds(1));
        Assert.False(invoke.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        var result = await invoke;
        Assert.Equal(InvokeResultKind.Timeout, result.Kind);
        Assert.Equal("RequestId: req-1 Error: the runtime did not ask for the invocation in time", result.ErrorMessage);
        Assert.True(result.NotRun);
        Assert.Equal(["req-1 not handed"], _expired);
    }

    [Fact]
    public async Task Answer_BeforeTheDeadline_StopsIt()
    {
        var slot = Slot();
        var invoke = slot.InvokeAsync("req-1", Bytes("{}"));
        Hand(slot, await slot.TakeNextAsync(CancellationToken.None));
        slot.TakeAnswer("req-1")!.TryComplete(Success("\"ok\""));

        _time.Advance(s_initTimeout + s_timeout);

        Assert.Equal(InvokeResultKind.Success, (await invoke).Kind);
        Assert.Empty(_expired);
    }

    [Fact]
    public async Task Fail_EndsTheHeldInvocation_AndEveryLaterOne_WithoutRunningThem()
    {
        var slot = Slot();
        var waiting = slot.TakeNextAsync(CancellationToken.None);
        var gone = InvokeResult.Error(InvokeResultKind.Crash, "Runtime.ExitError", "exited", instanceGone: true);
        slot.Fail(gone);

        Assert.Equal(NextStatus.Abandoned, (await waiting).Status);
        Assert.Equal(NextStatus.Terminated, (await slot.TakeNextAsync(CancellationToken.None)).Status);
        var later = await slot.InvokeAsync("req-2", Bytes("{}"));
        Assert.Equal("Runtime.ExitError", later.ErrorType);
        Assert.True(later.NotRun);
        Assert.False(slot.AwaitingInit);
    }

    [Fact]
    public async Task Fail_ForOneRequestId_EndsOnlyThatInvocation_AndTheInstanceGoesOn()
    {
        var slot = Slot();
        var invoke = slot.InvokeAsync("req-1", Bytes("{}"));
        Hand(slot, await slot.TakeNextAsync(CancellationToken.None));

        slot.Fail(InvokeResult.Error(InvokeResultKind.HandlerError, "Function.ResponseSizeTooLarge", "too large", instanceGone: false), "req-other");
        Assert.False(invoke.IsCompleted);
        slot.Fail(InvokeResult.Error(InvokeResultKind.HandlerError, "Function.ResponseSizeTooLarge", "too large", instanceGone: false), "req-1");

        Assert.Equal("Function.ResponseSizeTooLarge", (await invoke).ErrorType);
        var next = slot.InvokeAsync("req-2", Bytes("{}"));
        Assert.Equal("req-2", (await slot.TakeNextAsync(CancellationToken.None)).Invocation!.RequestId);
        Assert.False(next.IsCompleted);
    }

    [Fact]
    public async Task Next_WhenTheRuntimeHangsUp_IsAbandoned_AndAnotherNextMayWait()
    {
        var slot = Slot();
        using var hangUp = new CancellationTokenSource();
        var waiting = slot.TakeNextAsync(hangUp.Token);
        await hangUp.CancelAsync();

        Assert.Equal(NextStatus.Abandoned, (await waiting).Status);
        var again = slot.TakeNextAsync(CancellationToken.None);
        _ = slot.InvokeAsync("req-1", Bytes("{}"));
        Assert.Equal(NextStatus.Handed, (await again).Status);
    }

    [Fact]
    public async Task Invoke_WhilePaused_ThawsFirst_Once()
    {
        var slot = Slot();
        slot.Pause(() => true);
        slot.Pause(() => throw new InvalidOperationException("paused twice"));
        Assert.True(slot.Snapshot().Paused);

        _ = slot.InvokeAsync("req-1", Bytes("{}"));

        Assert.Equal(1, _thaws);
        Assert.False(slot.Snapshot().Paused);
        Assert.Equal(NextStatus.Handed, (await slot.TakeNextAsync(CancellationToken.None)).Status);
        Assert.True(slot.Snapshot().Initialized);
    }

    [Fact]
    public void Pause_ThatDidNotHappen_LeavesTheSlotRunning_AndResumeWithoutPauseDoesNothing()
    {
        var slot = Slot();
        slot.Pause(() => false);
        slot.Resume(() => throw new InvalidOperationException("not paused"));

        Assert.False(slot.Snapshot().Paused);
        Assert.True(slot.AwaitingInit);
    }

    private InvocationSlot Slot() =>
        new(s_timeout, s_initTimeout, _time, () => _thaws++, invocation => _expired.Add(invocation.RequestId + (invocation.WasHanded ? " handed" : " not handed")));

    private static void Hand(InvocationSlot slot, NextResult next)
    {
        Assert.Equal(NextStatus.Handed, next.Status);
        slot.Hand(next.Invocation!);
    }

    private static InvokeResult Success(string body) => new(InvokeResultKind.Success, Bytes(body), InstanceGone: false);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);
}
