// Unit tests of the viewer-request API-key function (cloudfront_functions/api_key.js), run with `node --test`.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { describe, it } from 'node:test';

import { FUNCTION_PATH, SOURCE, loadFunction, plain, sha256Hex, viewerEvent } from './harness.mjs';

const KEY = 'ak_Zq3v9W1xR8mN2pL5tY7uB4cD6eF0gH1jK3';
const HASH = sha256Hex(KEY);
const ACTIVE = { [HASH]: JSON.stringify({ client: 'acme', status: 'active', created: '2026-01-01T00:00:00Z' }) };

async function run(event, store = ACTIVE, failure = null) {
  const { handler, calls } = loadFunction(store, failure);
  return { result: plain(await handler(event)), calls };
}

function assertProblem(result, status) {
  assert.equal(result.statusCode, status);
  assert.equal(result.headers['content-type'].value, 'application/problem+json');
  assert.equal(result.headers['cache-control'].value, 'no-store');
  assert.equal(result.body.encoding, 'text');
  const body = JSON.parse(result.body.data);
  assert.equal(body.status, status);
  for (const field of ['type', 'title', 'detail']) {
    assert.equal(typeof body[field], 'string', field);
    assert.ok(body[field].length > 0, field);
  }
  assert.match(body.type, /^https:\/\//);
  assert.equal(body.request_id, 'req-4f2a');
  assert.ok(!result.body.data.includes(KEY), 'a problem body never echoes the key');
  return body;
}

describe('accepted key', () => {
  it('forwards the request with x-client-id = sha256 prefix and without the raw key', async () => {
    const event = viewerEvent({ headers: { 'x-api-key': KEY, 'x-client-id': 'spoofed', accept: 'application/json' } });
    const { result, calls } = await run(event);
    assert.equal(result.statusCode, undefined, 'a request, not a response');
    assert.equal(result.uri, '/orders');
    assert.equal(result.headers['x-client-id'].value, HASH.slice(0, 12));
    assert.equal(result.headers['x-api-key'], undefined);
    assert.equal(result.headers.accept.value, 'application/json');
    assert.deepEqual(calls, [['kvs', undefined], ['get', HASH]]);
  });

  it('accepts the shortest and longest well-formed keys', async () => {
    for (const key of ['a'.repeat(32), `${'Z9_-'.repeat(32)}`]) {
      const store = { [sha256Hex(key)]: JSON.stringify({ client: 'edge', status: 'active' }) };
      const { result } = await run(viewerEvent({ headers: { 'x-api-key': key } }), store);
      assert.equal(result.headers['x-client-id'].value, sha256Hex(key).slice(0, 12));
    }
  });
});

describe('refused key', () => {
  it('missing key -> 401 with www-authenticate', async () => {
    const { result, calls } = await run(viewerEvent({ headers: { 'x-client-id': 'spoofed' } }));
    assertProblem(result, 401);
    assert.equal(result.headers['www-authenticate'].value, 'ApiKey header="x-api-key"');
    assert.deepEqual(calls, [['kvs', undefined]], 'no key store read');
  });

  it('empty key -> 401', async () => {
    const { result } = await run(viewerEvent({ headers: { 'x-api-key': '' } }));
    assertProblem(result, 401);
  });

  it('malformed keys -> 401 without a key store read', async () => {
    const malformed = ['a'.repeat(31), 'a'.repeat(129), `${'a'.repeat(40)} `, `${'a'.repeat(40)}.x`,
      `Bearer ${'a'.repeat(40)}`, `${'a'.repeat(40)}é`, `${'a'.repeat(40)}\n`];
    for (const key of malformed) {
      const { result, calls } = await run(viewerEvent({ headers: { 'x-api-key': key } }));
      const body = assertProblem(result, 401);
      assert.match(body.detail, /well-formed/, JSON.stringify(key));
      assert.equal(result.headers['www-authenticate'].value, 'ApiKey header="x-api-key"');
      assert.deepEqual(calls, [['kvs', undefined]]);
    }
  });

  it('two x-api-key headers -> 401, even when the first is valid', async () => {
    const { result } = await run(viewerEvent({ headers: { 'x-api-key': [KEY, 'b'.repeat(40)] } }));
    assertProblem(result, 401);
  });

  it('unknown key (KVS get throws, key absent) -> 403', async () => {
    const other = 'u'.repeat(48);
    const { result, calls } = await run(viewerEvent({ headers: { 'x-api-key': other } }));
    const body = assertProblem(result, 403);
    assert.equal(body.detail, 'Unknown API key');
    assert.equal(result.headers['www-authenticate'], undefined);
    assert.deepEqual(calls.slice(1), [['get', sha256Hex(other)], ['exists', sha256Hex(other)]]);
  });

  it('revoked key -> 403', async () => {
    const store = { [HASH]: JSON.stringify({ client: 'acme', status: 'revoked' }) };
    const { result } = await run(viewerEvent({ headers: { 'x-api-key': KEY } }), store);
    assert.equal(assertProblem(result, 403).detail, 'API key revoked');
  });

  it('entry without an active status, or not JSON -> 403 (only "active" is accepted)', async () => {
    for (const value of ['{"client":"acme"}', '{"client":"acme","status":"Active"}', 'active', 'null', '"x"']) {
      const { result } = await run(viewerEvent({ headers: { 'x-api-key': KEY } }), { [HASH]: value });
      assert.equal(assertProblem(result, 403).detail, 'API key not active', value);
    }
  });
});

describe('key store failure fails closed', () => {
  it('store unreachable -> 503 with retry-after', async () => {
    const { result } = await run(viewerEvent({ headers: { 'x-api-key': KEY } }), ACTIVE, 'all');
    assertProblem(result, 503);
    assert.equal(result.headers['retry-after'].value, '5');
  });

  it('key present but its value unreadable -> 503', async () => {
    const { result } = await run(viewerEvent({ headers: { 'x-api-key': KEY } }), ACTIVE, 'get');
    assertProblem(result, 503);
  });
});

describe('exemptions', () => {
  for (const method of ['GET', 'HEAD']) {
    it(`${method} /health needs no key, and a spoofed x-client-id is removed`, async () => {
      const event = viewerEvent({ method, uri: '/health', headers: { 'x-client-id': 'spoofed' } });
      const { result, calls } = await run(event);
      assert.equal(result.uri, '/health');
      assert.equal(result.headers['x-client-id'], undefined);
      assert.deepEqual(calls, [['kvs', undefined]]);
    });
  }

  it('other methods and near-miss paths are not exempt', async () => {
    for (const [method, uri] of [['POST', '/health'], ['DELETE', '/health'], ['GET', '/health/'],
      ['GET', '/healthz'], ['GET', '/HEALTH'], ['GET', '/orders/health']]) {
      const { result } = await run(viewerEvent({ method, uri }));
      assertProblem(result, 401);
    }
  });

  it('a CORS preflight passes without a key; a bare OPTIONS does not', async () => {
    const preflight = viewerEvent({ method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } });
    assert.equal((await run(preflight)).result.method, 'OPTIONS');
    assertProblem((await run(viewerEvent({ method: 'OPTIONS' }))).result, 401);
  });

  it('an exempt request never forwards a raw key', async () => {
    const event = viewerEvent({ uri: '/health', headers: { 'x-api-key': KEY } });
    assert.equal((await run(event)).result.headers['x-api-key'], undefined);
  });
});

describe('runtime limits (cloudfront-js-2.0)', () => {
  it('the function is under the 10 KB code size quota', () => {
    assert.ok(statSync(FUNCTION_PATH).size < 10 * 1024, `${statSync(FUNCTION_PATH).size} bytes`);
  });

  it('uses nothing the runtime lacks: no require/exports, eval, timers, network, promise chains', () => {
    const code = SOURCE.replace(/^\s*\/\/.*$/gm, '');
    for (const banned of [/\brequire\(/, /\bmodule\.exports\b/, /\bexport\s/, /\beval\(/, /new Function\(/,
      /\bsetTimeout\b/, /\bfetch\(/, /\.then\(/, /Promise\.all/, /async\s*\(/, /async\s+\w+\s*=>/]) {
      assert.doesNotMatch(code, banned);
    }
  });
});
