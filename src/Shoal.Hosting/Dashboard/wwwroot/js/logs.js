// The log tail of one chosen instance: the last lines (GET /v1/logs?…&tail=N), then new lines as they come
// (follow=1, an event stream); without a stream, the tail is asked again every few seconds.
import { authHeaders, getResponse } from './api.js';
import { follow } from './sse.js';

const TAIL = 200;
const MAX_LINES = 1000;

// The lines of an answer: text, or JSON as an array of lines / of { line | text | message }, or { lines: [...] }.
export function linesOf(body, contentType) {
  if (!contentType.includes('json')) {
    return body.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
  }
  const parsed = JSON.parse(body);
  const list = Array.isArray(parsed) ? parsed : parsed.lines ?? parsed.entries ?? [];
  return list.map((entry) => (typeof entry === 'string' ? entry : entry.line ?? entry.text ?? entry.message ?? JSON.stringify(entry)));
}

export class LogTail {
  constructor(pre, wait) {
    this.pre = pre;
    this.wait = wait;
    this.controller = null;
  }

  async show(service, instance) {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    this.pre.textContent = '';
    this.pre.dataset.instance = instance ?? '';
    if (!instance) {
      return;
    }
    const query = `service=${encodeURIComponent(service)}&instance=${encodeURIComponent(instance)}`;
    try {
      const response = await getResponse(`/v1/logs?${query}&tail=${TAIL}`, 'text/plain, application/json', controller.signal);
      this.append(linesOf(await response.text(), response.headers.get('content-type') ?? ''));
    } catch (error) {
      if (!controller.signal.aborted) {
        this.pre.textContent = `The log is not available: ${error.message}`;
      }
      return;
    }
    let streamed = false;
    await follow(`/v1/logs?${query}&tail=0&follow=1`, {
      headers: authHeaders,
      signal: controller.signal,
      wait: this.wait,
      onState: (state) => {
        streamed ||= state === 'open';
        if (state === 'retrying' && !streamed) {
          controller.abort();
        }
      },
      onEvent: (event) => this.append(event.data.split('\n').map(tryLine)),
    });
    if (!streamed && this.controller === controller) {
      this.poll(query, controller);
    }
  }

  async poll(query, controller) {
    const again = new AbortController();
    this.controller = again;
    while (!again.signal.aborted) {
      await this.wait(3000);
      try {
        const response = await getResponse(`/v1/logs?${query}&tail=${TAIL}`, 'text/plain, application/json', again.signal);
        const lines = linesOf(await response.text(), response.headers.get('content-type') ?? '');
        this.pre.textContent = '';
        this.append(lines);
      } catch {
        // The instance may be gone; keep what is shown.
      }
    }
  }

  append(lines) {
    if (lines.length === 0) {
      return;
    }
    const atBottom = this.pre.scrollTop + this.pre.clientHeight >= this.pre.scrollHeight - 4;
    const text = (this.pre.textContent ? this.pre.textContent + '\n' : '') + lines.join('\n');
    const all = text.split('\n');
    this.pre.textContent = all.slice(-MAX_LINES).join('\n');
    if (atBottom) {
      this.pre.scrollTop = this.pre.scrollHeight;
    }
  }

  stop() {
    this.controller?.abort();
  }
}

function tryLine(data) {
  if (!data.startsWith('{')) {
    return data;
  }
  try {
    const entry = JSON.parse(data);
    return entry.line ?? entry.text ?? entry.message ?? data;
  } catch {
    return data;
  }
}
