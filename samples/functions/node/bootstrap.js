#!/usr/bin/env node
// A Lambda custom runtime for Node.js with no dependencies: loads the handler named by _HANDLER
// ("index.handler" = export "handler" of LAMBDA_TASK_ROOT/index.js), then loops over the Runtime API:
// GET next -> handler(event, context) -> POST response, or POST error when it throws.
// A handler that cannot be loaded is reported to POST init/error, and the process exits 1.
'use strict';

const http = require('node:http');
const path = require('node:path');

// AWS_LAMBDA_RUNTIME_API is host:port, optionally followed by a path prefix (Shoal puts a per-instance secret
// there): parse it as a URL rather than splitting at the colon, and keep the prefix in front of every path.
let api = null;
try {
  api = new URL(`http://${process.env.AWS_LAMBDA_RUNTIME_API || ''}`);
} catch {
  api = null;
}
const host = api && api.hostname;
const port = api && api.port;
const RUNTIME_PATH = (api ? api.pathname.replace(/\/+$/, '') : '') + '/2018-06-01/runtime';
if (!process.env.AWS_LAMBDA_RUNTIME_API || !host || !port) {
  console.error('AWS_LAMBDA_RUNTIME_API is not set: this process must be started by a Lambda runtime host.');
  process.exit(1);
}

// One kept-alive connection to the Runtime API; `next` may wait arbitrarily long, so no timeout.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port: Number(port), method, path: RUNTIME_PATH + urlPath, agent, headers },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
    req.on('error', reject);
    req.end(body);
  });
}

function describe(error) {
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    errorType: err.name || 'Error',
    errorMessage: err.message,
    stackTrace: (err.stack || '').split('\n').map((line) => line.trim()).filter((line) => line.startsWith('at ')),
  };
}

function postError(urlPath, error) {
  const payload = describe(error);
  const body = Buffer.from(JSON.stringify(payload));
  return call('POST', urlPath, body, {
    'Content-Type': 'application/json',
    'Content-Length': body.length,
    'Lambda-Runtime-Function-Error-Type': payload.errorType,
  });
}

function loadHandler() {
  const spec = process.env._HANDLER || 'index.handler';
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) {
    throw Object.assign(new Error(`Bad handler "${spec}": expected module.export`), { name: 'Runtime.MalformedHandlerName' });
  }
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const mod = require(path.resolve(root, spec.slice(0, dot)));
  const fn = mod[spec.slice(dot + 1)];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${spec} is not a function`), { name: 'Runtime.HandlerNotFound' });
  }
  return fn;
}

// Async handlers return (or throw); callback-style ones (three parameters) call back.
function invoke(handler, event, context) {
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const result = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)));
      if (result && typeof result.then === 'function') result.then(resolve, reject);
    });
  }
  return Promise.resolve().then(() => handler(event, context));
}

function contextFor(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']) || Number.MAX_SAFE_INTEGER;
  return {
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'] || '',
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME || '',
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION || '$LATEST',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || '',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    callbackWaitsForEmptyEventLoop: false,
  };
}

async function main() {
  let handler;
  try {
    handler = loadHandler();
  } catch (error) {
    console.error('Init error:', error);
    try {
      await postError('/init/error', error);
    } catch (postError) {
      console.error('Runtime API lost:', postError.message);
    }
    process.exit(1);
  }

  for (;;) {
    const next = await call('GET', '/invocation/next');
    if (next.status !== 200) {
      throw new Error(`GET invocation/next answered ${next.status}`);
    }
    const context = contextFor(next.headers);
    const id = encodeURIComponent(context.awsRequestId);
    if (next.headers['lambda-runtime-trace-id']) {
      process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    }
    let result;
    try {
      const event = JSON.parse(next.body.toString('utf8'));
      result = await invoke(handler, event, context);
    } catch (error) {
      console.error(`${context.awsRequestId}\tInvoke error:`, error);
      await postError(`/invocation/${id}/error`, error);
      continue;
    }
    const body = Buffer.from(JSON.stringify(result === undefined ? null : result));
    const posted = await call('POST', `/invocation/${id}/response`, body, {
      'Content-Type': 'application/json',
      'Content-Length': body.length,
    });
    if (posted.status < 200 || posted.status > 299) {
      console.error(`The Runtime API refused the response of ${context.awsRequestId}: ${posted.status}`);
    }
  }
}

main().catch((error) => {
  // The Runtime API is gone (or answered nonsense): exit so that the agent replaces this instance.
  console.error('Runtime API lost:', error.message);
  process.exit(1);
});
