// CLI for the Python tests: reads {"store": {...}, "event": {...}} on stdin, runs the edge function
// on it, prints the result (a request or a response) as JSON.
import { loadFunction, plain } from './harness.mjs';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const { store, event } = JSON.parse(input);
const { handler } = loadFunction(store);
process.stdout.write(JSON.stringify(plain(await handler(event))));
