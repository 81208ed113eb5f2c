#!/usr/bin/env node
// Runs the load generator in its own process (so it does not share an event
// loop with the server it measures) and prints its result as one JSON line.
// Usage: node loadgen-cli.mjs '{"mode":"open","port":8080,"rate":1000,"duration":2000}'
import { closedLoop, openLoop } from './loadgen.mjs';

const { mode, ...options } = JSON.parse(process.argv[2] ?? '{}');
const result = mode === 'closed' ? await closedLoop(options) : await openLoop(options);
process.stdout.write(`${JSON.stringify(result)}\n`);
