// CLI for the Python tests: reads {"store": {...}, "event": {...}, "failure": null | "get" | "all"}
// on stdin (failure as in harness.mjs's loadFunction), runs the edge function on it, prints the
// result (a request or a response) as JSON.
import { loadFunction, plain } from './harness.mjs';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { store, event, failure } = JSON.parse(input);
const { handler } = loadFunction(store, failure ?? null);
process.stdout.write(JSON.stringify(plain(await handler(event))));
