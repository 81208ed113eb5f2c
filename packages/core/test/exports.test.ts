import { describe, expect, it } from 'vitest';
import * as core from '../src/index.js';
import {
  bufsock,
  connmgr,
  context,
  faststat,
  Group,
  meta,
  prefork,
  threadpool,
  web,
} from '../src/index.js';

describe('@support/core re-exports', () => {
  it('exposes every package as a namespace and the main classes at the top level', () => {
    expect(typeof Group).toBe('function');
    expect(typeof faststat.Stats).toBe('function');
    expect(typeof context.Context).toBe('function');
    expect(typeof bufsock.BufferedSocket).toBe('function');
    expect(typeof connmgr.ConnectionManager).toBe('function');
    expect(typeof threadpool.cpuBound).toBe('function');
    expect(typeof prefork.Arbiter).toBe('function');
    expect(typeof prefork.ConnectionGate).toBe('function');
    expect(typeof web.Application).toBe('function');
    expect(typeof meta.createMetaApp).toBe('function');
    expect(core.ConnectionManager).toBe(connmgr.ConnectionManager);
    expect(core.Application).toBe(web.Application);
    expect(core.Context).toBe(context.Context);
    expect(core.codes.INVALID_OPTION).toBe('SUP_ERR_CORE_INVALID_OPTION');
  });
});
