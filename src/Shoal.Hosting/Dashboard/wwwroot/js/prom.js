// Prometheus text exposition format (0.0.4) parsing, and the arithmetic Prometheus itself applies to it:
// rate() over two scrapes (with counter resets) and histogram_quantile() over bucket deltas.

// Parses the text into samples { name, labels, value }; comments, HELP and TYPE lines are skipped.
export function parse(text) {
  const samples = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) {
      continue;
    }
    const sample = parseLine(line);
    if (sample) {
      samples.push(sample);
    }
  }
  return samples;
}

function parseLine(line) {
  let i = 0;
  while (i < line.length && line[i] !== '{' && line[i] !== ' ' && line[i] !== '\t') {
    i++;
  }
  const name = line.slice(0, i);
  const labels = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === ',') {
        i++;
      }
      if (line[i] === '}') {
        i++;
        break;
      }
      const eq = line.indexOf('=', i);
      if (eq < 0 || line[eq + 1] !== '"') {
        return null;
      }
      const key = line.slice(i, eq).trim();
      let value = '';
      let j = eq + 2;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length) {
          j++;
          value += line[j] === 'n' ? '\n' : line[j];
        } else {
          value += line[j];
        }
      }
      if (j >= line.length) {
        return null;
      }
      labels[key] = value;
      i = j + 1;
    }
  }
  const rest = line.slice(i).trim().split(/\s+/);
  const value = parseValue(rest[0]);
  return name && !Number.isNaN(value) ? { name, labels, value } : null;
}

function parseValue(text) {
  switch (text) {
    case '+Inf': return Infinity;
    case '-Inf': return -Infinity;
    case 'NaN': return NaN;
    default: return text === undefined || text === '' ? NaN : Number(text);
  }
}

// The increase of a counter between two readings; a smaller reading means the counter restarted from zero.
export function increase(previous, current) {
  if (previous === undefined) {
    return 0;
  }
  return current >= previous ? current - previous : current;
}

// histogram_quantile(q, …) as Prometheus computes it: buckets are [{ le, count }] with cumulative counts (here:
// increases over the interval), +Inf included. Linear interpolation inside the bucket that holds the rank; a rank in
// the +Inf bucket answers the highest finite bound; the first bucket starts at 0. NaN when there were no observations.
export function histogramQuantile(q, buckets) {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted[sorted.length - 1].le !== Infinity) {
    return NaN;
  }
  if (q < 0) {
    return -Infinity;
  }
  if (q > 1) {
    return Infinity;
  }
  // Counts must not fall as le grows (a scrape can tear between buckets): enforce monotony as Prometheus does.
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k].count < sorted[k - 1].count) {
      sorted[k] = { le: sorted[k].le, count: sorted[k - 1].count };
    }
  }
  const total = sorted[sorted.length - 1].count;
  if (total === 0) {
    return NaN;
  }
  const rank = q * total;
  let b = sorted.findIndex((bucket) => bucket.count >= rank);
  if (b === sorted.length - 1) {
    return sorted[sorted.length - 2].le;
  }
  if (b === 0 && sorted[0].le <= 0) {
    return sorted[0].le;
  }
  const start = b === 0 ? 0 : sorted[b - 1].le;
  const below = b === 0 ? 0 : sorted[b - 1].count;
  const inBucket = sorted[b].count - below;
  return inBucket === 0 ? start : start + (sorted[b].le - start) * ((rank - below) / inBucket);
}
