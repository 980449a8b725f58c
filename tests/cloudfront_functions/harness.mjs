// Runs cloudfront_functions/api_key.js exactly as deployed: the file text is evaluated in a fresh vm context where
// its two import lines are bound to Node's crypto (same createHash/update/digest API as the
// cloudfront-js-2.0 crypto module) and to a stub of the 'cloudfront' module whose KeyValueStore
// behaves like the real one (get() throws on a missing key).
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

export const FUNCTION_PATH = new URL('../../cloudfront_functions/api_key.js', import.meta.url);
export const SOURCE = readFileSync(FUNCTION_PATH, 'utf8');
export const IMPORTS = ["import crypto from 'crypto';", "import cf from 'cloudfront';"];

// Each import line becomes an empty line so stack traces keep the file's line numbers.
function scriptBody() {
  const lines = SOURCE.split('\n');
  const found = lines.filter((line) => line.startsWith('import '));
  if (JSON.stringify(found) !== JSON.stringify(IMPORTS)) {
    throw new Error(`cloudfront_functions/api_key.js imports changed: ${JSON.stringify(found)}`);
  }
  return lines.map((line) => (IMPORTS.includes(line) ? '' : line)).join('\n');
}

/**
 * Load the function against a key value store.
 * store: {kvsKey: stringValue}; failure: null | 'get' (get throws for every key, exists works)
 * | 'all' (get and exists throw: the store is unreachable).
 * Returns {handler, calls} where calls records every KVS call as [method, key].
 */
export function loadFunction(store = {}, failure = null) {
  const calls = [];
  const kvsHandle = {
    async get(key, options) {
      calls.push(['get', key]);
      if (failure) throw new Error('KVS read failed');
      if (!Object.prototype.hasOwnProperty.call(store, key)) throw new Error('Key not found');
      if (options && options.format && options.format !== 'string') throw new Error('format not stubbed');
      return store[key];
    },
    async exists(key) {
      calls.push(['exists', key]);
      if (failure === 'all') throw new Error('KVS read failed');
      return Object.prototype.hasOwnProperty.call(store, key);
    },
  };
  const cf = {
    kvs(id) {
      calls.push(['kvs', id]);
      return kvsHandle;
    },
  };
  const context = vm.createContext({ crypto, cf });
  const handler = vm.runInContext(`${scriptBody()}\n;handler`, context, { filename: FUNCTION_PATH.pathname });
  return { handler, calls };
}

export function sha256Hex(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

export function viewerEvent({ method = 'GET', uri = '/orders', headers = {} } = {}) {
  const wrapped = {};
  for (const [name, value] of Object.entries(headers)) {
    wrapped[name] = Array.isArray(value)
      ? { value: value[0], multiValue: value.map((v) => ({ value: v })) }
      : { value };
  }
  return {
    version: '1.0',
    context: { eventType: 'viewer-request', requestId: 'req-4f2a', distributionId: 'EDFDVBD6EXAMPLE' },
    viewer: { ip: '198.51.100.7' },
    request: { method, uri, querystring: {}, headers: wrapped, cookies: {} },
  };
}

// Results cross the vm realm boundary: a JSON round trip gives plain objects for assertions.
export function plain(value) {
  return JSON.parse(JSON.stringify(value));
}
