import { Group, type GroupOptions } from '@support/core';
import { type LineOptions, lineHandler } from './server.js';

export { type LineOptions, lineHandler } from './server.js';

/** A Group serving the line protocol on 127.0.0.1:`port`. */
export function createLineGroup(
  port = 9000,
  options: Partial<GroupOptions> = {},
  line: LineOptions = {},
): Group {
  return new Group({
    tcp: [{ handler: lineHandler(line), address: { host: '127.0.0.1', port }, name: 'line' }],
    ...options,
  });
}
