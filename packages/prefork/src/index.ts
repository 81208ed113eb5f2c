export * from './admission/index.js';
export {
  workerExitChannel,
  workerKillChannel,
  workerReadyChannel,
} from './arbiter/diagnostics.js';
export { DISPATCH_STATS } from './arbiter/dispatcher.js';
export type { ExitCause } from './arbiter/exit-cause.js';
export {
  ARBITER_STATS,
  Arbiter,
  type ArbiterStatus,
  type ReloadResult,
  type WorkerSnapshot,
  type WorkerStatus,
} from './arbiter.js';
export { type DaemonInfo, type DaemonizeOptions, daemonize, livePid } from './daemonize.js';
export { isWorker, workerId } from './env.js';
export { codes, PreforkError, type PreforkErrorCode } from './errors.js';
export { ConnectionGate, type ConnectionGateOptions, GATE_STATS } from './gate.js';
export {
  type ArbiterOptions,
  arbiterDefaults,
  type ListenSpec,
  type WorkerApi,
} from './options.js';
export { type ShedOptions, shedConnection, shedDefaults } from './shed.js';
export { startHttpTimeouts, stopHttpTimeouts } from './worker/http-timeouts.js';
