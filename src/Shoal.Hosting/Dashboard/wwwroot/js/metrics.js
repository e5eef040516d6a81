// Turns successive /metrics scrapes into per-instance and per-function rates: req/s, 5xx share, p50/p99, cold
// starts, throttles. Each scrape is reduced to totals; a point is the difference of two totals over their interval.
import { histogramQuantile, increase } from './prom.js';

const REQUESTS = 'shoal_gateway_requests_total';
const DURATION = 'shoal_gateway_request_duration_seconds_bucket';
const INVOCATIONS = 'shoal_function_invocations_total';
const COLD_STARTS = 'shoal_function_cold_starts_total';
const THROTTLES = 'shoal_function_throttles_total';

export const instanceKey = (service, instance) => `${service}/${instance}`;

// Totals of one scrape: instances by "service/instance" and functions by name.
export function reduce(samples) {
  const instances = new Map();
  const functions = new Map();
  const instanceOf = (labels) => {
    const key = instanceKey(labels.service ?? '', labels.instance ?? '');
    let entry = instances.get(key);
    if (!entry) {
      entry = { service: labels.service ?? '', instance: labels.instance ?? '', version: labels.version ?? '', requests: 0, errors: 0, buckets: new Map() };
      instances.set(key, entry);
    }
    if (labels.version) {
      entry.version = labels.version;
    }
    return entry;
  };
  const functionOf = (name) => {
    let entry = functions.get(name);
    if (!entry) {
      entry = { invocations: 0, coldStarts: 0, throttles: 0 };
      functions.set(name, entry);
    }
    return entry;
  };
  for (const { name, labels, value } of samples) {
    if (name === REQUESTS && labels.instance !== undefined) {
      const entry = instanceOf(labels);
      entry.requests += value;
      if (labels.status_class === '5xx') {
        entry.errors += value;
      }
    } else if (name === DURATION && labels.instance !== undefined && labels.le !== undefined) {
      const buckets = instanceOf(labels).buckets;
      const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
      buckets.set(le, (buckets.get(le) ?? 0) + value);
    } else if (name === INVOCATIONS && labels.function !== undefined) {
      functionOf(labels.function).invocations += value;
    } else if (name === COLD_STARTS && labels.function !== undefined) {
      functionOf(labels.function).coldStarts += value;
    } else if (name === THROTTLES && labels.function !== undefined) {
      functionOf(labels.function).throttles += value;
    }
  }
  return { instances, functions };
}

// One point per instance between two reduced scrapes `seconds` apart: { rps, errorRate, p50, p99 } (latencies in ms,
// NaN where no request finished in the interval).
export function instancePoints(previous, current, seconds) {
  const points = new Map();
  for (const [key, now] of current.instances) {
    const before = previous?.instances.get(key);
    const requests = increase(before?.requests, now.requests);
    const errors = increase(before?.errors, now.errors);
    const buckets = [...now.buckets].map(([le, count]) => ({ le, count: increase(before?.buckets.get(le), count) }));
    points.set(key, {
      service: now.service,
      instance: now.instance,
      version: now.version,
      rps: before && seconds > 0 ? requests / seconds : 0,
      errorRate: requests > 0 ? errors / requests : 0,
      p50: before ? histogramQuantile(0.5, buckets) * 1000 : NaN,
      p99: before ? histogramQuantile(0.99, buckets) * 1000 : NaN,
      total: now.requests,
    });
  }
  return points;
}

// Per function: totals and the invocation rate between two scrapes.
export function functionPoints(previous, current, seconds) {
  const points = new Map();
  for (const [name, now] of current.functions) {
    const before = previous?.functions.get(name);
    points.set(name, {
      coldStarts: now.coldStarts,
      throttles: now.throttles,
      rate: before && seconds > 0 ? increase(before.invocations, now.invocations) / seconds : 0,
    });
  }
  return points;
}
