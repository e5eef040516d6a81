// The Node.js sample function: echoes an API Gateway event (HTTP API 2.0 or REST 1.0) as JSON,
// with the same fields as the C# sample plus "runtime": "node". No npm dependencies.
// The same query hooks as the C# sample: sleep_ms=N waits first, crash=1 exits (code 3) mid-invocation,
// fail=1 throws (a handler error), echo=raw answers the request body itself (base64, its content-type).
'use strict';

function cookiesOf(event) {
  if (Array.isArray(event.cookies)) return event.cookies;
  const headers = event.headers || {};
  const name = Object.keys(headers).find((key) => key.toLowerCase() === 'cookie');
  return name ? headers[name].split(';').map((c) => c.trim()).filter(Boolean) : [];
}

function bodyBase64(event) {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('base64') : Buffer.from(event.body, 'utf8').toString('base64');
}

function queryValue(event, name) {
  const multi = event.multiValueQueryStringParameters;
  if (multi && multi[name] && multi[name].length > 0) return multi[name][0];
  const single = event.queryStringParameters;
  return single && single[name] !== undefined ? String(single[name]).split(',')[0] : undefined;
}

function header(event, name) {
  const headers = event.headers || {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

exports.handler = async (event, context) => {
  const sleepMs = Number(queryValue(event, 'sleep_ms'));
  if (sleepMs > 0) await new Promise((resolve) => setTimeout(resolve, sleepMs));
  if (queryValue(event, 'crash') === '1') process.exit(3);
  if (queryValue(event, 'fail') === '1') throw new Error('boom');
  if (queryValue(event, 'echo') === 'raw') {
    return {
      statusCode: 200,
      headers: { 'content-type': header(event, 'content-type') || 'application/octet-stream' },
      body: bodyBase64(event),
      isBase64Encoded: true,
    };
  }

  const v2 = event.version === '2.0';
  const rc = event.requestContext || {};
  const authorizer = rc.authorizer || {};
  const echo = {
    function: context.functionName,
    runtime: 'node',
    version: v2 ? '2.0' : '1.0',
    method: v2 ? rc.http && rc.http.method : event.httpMethod,
    path: v2 ? event.rawPath : event.path,
    pathParameters: event.pathParameters || {},
    query: (v2 ? event.queryStringParameters : event.multiValueQueryStringParameters || event.queryStringParameters) || {},
    cookies: cookiesOf(event),
    authorizer: {
      claims: (v2 ? authorizer.jwt && authorizer.jwt.claims : authorizer.claims) || null,
      apiKeyId: (v2 ? authorizer.lambda && authorizer.lambda.apiKeyId : rc.identity && rc.identity.apiKeyId) || null,
    },
    requestId: rc.requestId || null,
    stage: rc.stage || null,
    sourceIp: (v2 ? rc.http && rc.http.sourceIp : rc.identity && rc.identity.sourceIp) || null,
    bodyBase64: bodyBase64(event),
  };
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(echo),
  };
};
