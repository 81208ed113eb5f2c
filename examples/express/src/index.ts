import { Group, type GroupOptions } from '@support/core';
import { createExpressApp } from './app.js';

export { createExpressApp } from './app.js';

/** A Group serving the Express app (one process unless `prefork` is set in `options`). */
export function createExpressGroup(port = 8080, options: Partial<GroupOptions> = {}): Group {
  return new Group({
    http: [{ app: createExpressApp(), address: { host: '127.0.0.1', port } }],
    ...options,
  });
}
