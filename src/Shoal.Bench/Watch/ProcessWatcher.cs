using System.Globalization;

namespace Shoal.Bench.Watch;

/// <summary>Samples CPU %, RSS and open file descriptors of processes from /proc while a run goes on.</summary>
internal sealed class ProcessWatcher(IReadOnlyList<int> pids, TimeSpan interval, TimeProvider time) : IAsyncDisposable
{
    private static readonly long s_ticksPerSecond = ClockTicks();
    private readonly List<Series> _series = pids.Select(p => new Series(p)).ToList();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start()
    {
        if (_series.Count > 0)
        {
            Sample();
            _loop = LoopAsync();
        }
    }

    public async Task<IReadOnlyList<ProcessWatchResult>> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
            Sample();
        }

        return _series.Select(s => s.Result()).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(interval, time, _stop.Token).ConfigureAwait(false);
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Sample()
    {
        var now = time.GetTimestamp();
        foreach (var series in _series)
        {
            series.Add(now, time.TimestampFrequency);
        }
    }

    private static long ClockTicks() => 100; // USER_HZ is 100 on every Linux this runs on.

    private sealed class Series(int pid)
    {
        private readonly List<double> _cpu = [];
        private readonly List<long> _rss = [];
        private readonly List<int> _fds = [];
        private long _lastTicks = -1;
        private long _lastStamp;
        private bool _exited;

        public void Add(long stamp, long frequency)
        {
            if (_exited)
            {
                return;
            }

            try
            {
                var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                var rssPages = long.Parse(fields[21], CultureInfo.InvariantCulture);
                if (_lastTicks >= 0 && stamp > _lastStamp)
                {
                    var seconds = (double)(stamp - _lastStamp) / frequency;
                    _cpu.Add((ticks - _lastTicks) / (double)s_ticksPerSecond / seconds * 100);
                }

                _lastTicks = ticks;
                _lastStamp = stamp;
                _rss.Add(rssPages * Environment.SystemPageSize);
                _fds.Add(Directory.GetFiles($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd").Length);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                _exited = true;
            }
        }

        public ProcessWatchResult Result() => new(
            pid,
            _exited,
            Figures(_cpu),
            Figures(_rss.Select(r => (double)r).ToList()),
            Figures(_fds.Select(f => (double)f).ToList()));

        private static WatchFigures Figures(List<double> values) =>
            values.Count == 0 ? new WatchFigures(0, 0, 0, 0) : new WatchFigures(values[0], values.Max(), values[^1], values.Average());
    }
}
