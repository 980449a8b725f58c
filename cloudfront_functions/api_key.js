// API-key check at the edge: CloudFront Function, runtime cloudfront-js-2.0, viewer-request event.
//
// Contract (README "API keys"; keys are managed with scripts/api_keys.py):
// - Key format: 32-128 chars of [A-Za-z0-9_-], sent in `x-api-key` (exactly one value).
// - The associated KeyValueStore maps sha256(key) as 64 lowercase hex -> JSON
//   {"client": "...", "status": "active" | "revoked", ...}. Raw keys are never stored.
// - Exempt: GET/HEAD /health (exact path) and CORS preflights (OPTIONS with
//   access-control-request-method; browsers never send custom headers on a preflight).
// - 401 missing or malformed key (www-authenticate: ApiKey header="x-api-key"), 403 unknown,
//   revoked or unreadable entry, 503 key store read error (fail closed). Bodies are RFC 9457
//   application/problem+json with cache-control: no-store.
// - Accepted: `x-client-id` = first 12 hex chars of sha256(key) (non-secret; the origin logs it
//   as client_id); `x-api-key` is removed so the raw key never reaches the origin. A viewer-sent
//   `x-client-id` is always removed or overwritten.
// Tests (tests/cloudfront_functions/) run this very file; keep the two import lines as they are.
import crypto from 'crypto';
import cf from 'cloudfront';

const kvs = cf.kvs();
const KEY_RE = /^[A-Za-z0-9_-]{32,128}$/;
const PROBLEM_BASE = 'https://errors.orders-api.example/';

function problem(event, status, slug, title, detail, extraHeaders) {
  const headers = {
    'content-type': { value: 'application/problem+json' },
    'cache-control': { value: 'no-store' },
  };
  for (const name in extraHeaders) headers[name] = { value: extraHeaders[name] };
  const body = {
    type: PROBLEM_BASE + slug,
    title: title,
    status: status,
    detail: detail,
    request_id: event.context.requestId,
  };
  return {
    statusCode: status,
    statusDescription: title,
    headers: headers,
    body: { encoding: 'text', data: JSON.stringify(body) },
  };
}

function unauthorized(event, detail) {
  return problem(event, 401, 'api-key-missing', 'Unauthorized', detail, {
    'www-authenticate': 'ApiKey header="x-api-key"',
  });
}

function forbidden(event, detail) {
  return problem(event, 403, 'api-key-rejected', 'Forbidden', detail);
}

async function handler(event) {
  const request = event.request;
  const headers = request.headers;
  const presented = headers['x-api-key'];
  // Never forward a viewer-chosen client id, nor the raw key.
  delete headers['x-client-id'];
  delete headers['x-api-key'];

  const method = request.method;
  if (request.uri === '/health' && (method === 'GET' || method === 'HEAD')) return request;
  if (method === 'OPTIONS' && headers['access-control-request-method']) return request;

  if (!presented || presented.value === '') {
    return unauthorized(event, 'Send your API key in the x-api-key header');
  }
  // Repeated headers arrive as multiValue; WAF and this check must see the same single key.
  if (presented.multiValue && presented.multiValue.length > 1) {
    return unauthorized(event, 'Send exactly one x-api-key header');
  }
  if (!KEY_RE.test(presented.value)) {
    return unauthorized(event, 'x-api-key is not a well-formed API key (32-128 characters of A-Z a-z 0-9 _ -)');
  }

  const digest = crypto.createHash('sha256').update(presented.value).digest('hex');
  let raw;
  try {
    raw = await kvs.get(digest);
  } catch (err) {
    // get() throws on a missing key and on a store error alike: exists() tells them apart.
    let present;
    try {
      present = await kvs.exists(digest);
    } catch (err2) {
      present = null;
    }
    if (present === false) return forbidden(event, 'Unknown API key');
    return problem(event, 503, 'api-key-store-unavailable', 'Service Unavailable',
      'The API key could not be checked; retry later', { 'retry-after': '5' });
  }

  let entry = null;
  try {
    entry = JSON.parse(raw);
  } catch (err) {
    entry = null;
  }
  if (!entry || entry.status !== 'active') {
    return forbidden(event, entry && entry.status === 'revoked' ? 'API key revoked' : 'API key not active');
  }

  headers['x-client-id'] = { value: digest.substring(0, 12) };
  return request;
}
