// Server-Sent Events over fetch: EventSource cannot send an Authorization header, so the stream is read with a
// reader and parsed here (id, event, multi-line data, comments), and resumed with Last-Event-ID after a drop.

// A parser for the event-stream format: push() text chunks as they arrive; onEvent({ id, type, data }) per event.
export function createParser(onEvent) {
  let buffer = '';
  let data = [];
  let type = '';
  let id = null;
  let lastId = null;

  function line(text) {
    if (text === '') {
      if (id !== null) {
        lastId = id;
      }
      if (data.length > 0) {
        onEvent({ id: lastId, type: type || 'message', data: data.join('\n') });
      }
      data = [];
      type = '';
      id = null;
      return;
    }
    if (text.startsWith(':')) {
      return;
    }
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'data') {
      data.push(value);
    } else if (field === 'event') {
      type = value;
    } else if (field === 'id' && !value.includes('\0')) {
      id = value;
    }
  }

  return {
    push(chunk) {
      buffer += chunk;
      for (;;) {
        const match = /\r\n|\r|\n/.exec(buffer);
        // A lone CR at the end may be the first half of CRLF: wait for the next chunk.
        if (!match || (match[0] === '\r' && match.index === buffer.length - 1)) {
          return;
        }
        line(buffer.slice(0, match.index));
        buffer = buffer.slice(match.index + match[0].length);
      }
    },
    get lastEventId() {
      return lastId;
    },
  };
}

// Reads path as an event stream until signal aborts, reconnecting with Last-Event-ID (1 s, doubling to 10 s).
// headers() gives the request's headers each time (the token may change); onState('open'|'retrying'|'unauthorized').
export async function follow(path, { headers, onEvent, onState, signal, wait }) {
  let lastId = null;
  let backoff = 1000;
  while (!signal.aborted) {
    try {
      const requestHeaders = headers({ Accept: 'text/event-stream' });
      if (lastId !== null) {
        requestHeaders['Last-Event-ID'] = lastId;
      }
      const response = await fetch(path, { headers: requestHeaders, cache: 'no-store', signal });
      if (response.status === 401) {
        onState('unauthorized');
        return;
      }
      if (!response.ok || !response.body) {
        throw new Error(`HTTP ${response.status}`);
      }
      onState('open');
      backoff = 1000;
      const parser = createParser((event) => {
        lastId = event.id ?? lastId;
        onEvent(event);
      });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        parser.push(value);
      }
    } catch (error) {
      if (signal.aborted) {
        return;
      }
    }
    onState('retrying');
    await wait(backoff);
    backoff = Math.min(backoff * 2, 10000);
  }
}
