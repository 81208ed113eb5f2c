export type { Cloned } from './cloned.js';
export { cpuBound, cpuBoundIf, ioBound } from './decorators.js';
export { doneChannel, dropChannel, workerErrorChannel } from './diagnostics.js';
export {
  PoolClosedError,
  QueueFullError,
  TaskAbortedError,
  TaskNotFoundError,
  TaskTimeoutError,
  ThreadPoolError,
  type ThreadPoolErrorCode,
  ThreadPoolOptionError,
  WorkerExitedError,
} from './errors.js';
export { type CallOptions, poolDefaults, type ThreadPoolOptions } from './options.js';
export { type CloseOptions, type TaskRef, ThreadPool, type ThreadPoolStatus } from './pool.js';
export {
  closePools,
  configurePools,
  getPool,
  type PoolKind,
  poolStatus,
  sharedPoolDefaults,
} from './pools.js';
export { inPoolThread, setThreadDispatch, type Task, threadDispatch } from './task.js';
