// @support/core: Group, and every SuPPort package, so installing one is enough.
// Each package is re-exported as a namespace (`import { connmgr } from
// '@support/core'`), and the main classes at the top level.

export * as bufsock from '@support/bufsock';
export { BufferedSocket, NetstringSocket } from '@support/bufsock';
export * as connmgr from '@support/connmgr';
export { ConnectionManager } from '@support/connmgr';
export * as context from '@support/context';
export { Context, getContext, setContext } from '@support/context';
export * as faststat from '@support/faststat';
export { Duration, Interval, Markov, Stats, StreamSketch } from '@support/faststat';
export * as meta from '@support/meta';
export * as prefork from '@support/prefork';
export * as threadpool from '@support/threadpool';
export { cpuBound, cpuBoundIf, ioBound, ThreadPool } from '@support/threadpool';
export * as web from '@support/web';
export { Application, HTTPError, Response, route } from '@support/web';
export type { Address } from './address.js';
export { appErrorChannel, plainOnTlsChannel, stateChannel } from './diagnostics.js';
export { CoreError, type CoreErrorCode, codes } from './errors.js';
export { Group, type GroupState } from './group.js';
export { defaultRouteOf, type RouteOf } from './instrument.js';
export {
  type CustomEntry,
  type GroupOptions,
  groupDefaults,
  type HasHandler,
  type HttpEntry,
  type HttpLimits,
  limitDefaults,
  type TcpEntry,
  type TcpInfo,
} from './options.js';
export type { TlsConfig } from './tls-options.js';
