export { didYouMean } from '@support/faststat';
export {
  type Component,
  type ComponentInfo,
  Components,
  type ComponentsInfo,
  MAX_COMPONENTS,
} from './components.js';
export { CONFIG_KEYS, type ConfigKey, type ContextConfig, defaultConfig } from './config.js';
export { Context, LONG_BLOCK_STAT } from './context.js';
export { getContext, runWithContext, setContext } from './current.js';
export { logChannel, longBlockChannel, sinkErrorChannel } from './diagnostics.js';
export { ContextError, type ContextErrorCode, ContextOptionError } from './errors.js';
export type { CpuProfile, Hotspot } from './hotspots.js';
export { getLocal, hasLocal, localsSnapshot, setLocal, withLocals } from './locals.js';
export { Action } from './log/action.js';
export { formatMessage } from './log/format.js';
export { Log, type LogInfo, MAX_LOGGERS, OVERFLOW_LOGGER } from './log/log.js';
export { Logger } from './log/logger.js';
export {
  LEVELS,
  type Level,
  type LogRecord,
  type Outcome,
  type SerializedError,
  type Sink,
} from './log/record.js';
export { MAX_EVENT_BYTES, MAX_RECORD_BYTES, safeRecord, safeValue } from './log/safe.js';
export { type MergeOptions, mergeDefaults, mergeSnapshots } from './merge.js';
export { MONITOR_STATS, type MonitorTarget } from './monitor.js';
export { type ContextOptions, contextDefaults, recentDefaults } from './options.js';
export { processWide } from './process-wide.js';
export { Recent, type RecentInfo, type RecentOptions, type TrafficEvent } from './recent.js';
export { OVERFLOW_NAME, Registry, type RegistryInfo, VolatileRegistry } from './registry.js';
export { escapeControl, formatHuman, HumanSink } from './sinks/human.js';
export { JsonLinesSink, type JsonLinesSinkOptions } from './sinks/jsonl.js';
export { type PinoLike, PinoSink } from './sinks/pino.js';
export { RingSink, type RingSinkOptions } from './sinks/ring.js';
export type { TextWritable } from './sinks/stream.js';
export type { ContextSnapshot, MergedInfo } from './snapshot.js';
export { timed } from './timed-default.js';
export type { LongBlockReport, StackFrame } from './watchdog.js';
