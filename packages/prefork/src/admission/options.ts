import type { Context } from '@support/context';
import {
  fn,
  invalid,
  ms,
  nonNegativeInt,
  plainObject,
  positiveInt,
  rejectUnknown,
} from '../validate.js';

/** Options of {@link HttpAdmission}. */
export interface HttpAdmissionOptions {
  /**
   * Requests admitted and not yet answered, at most; one more gets a 503.
   * @default context config maxConcurrentClients
   */
  maxInFlight?: number;
  /**
   * Queueing delay (ms of work queued in one event-loop turn) that counts as
   * a standing queue once it lasts `interval`. Keep it above the work a
   * bounded closed loop of clients queues (clients × CPU per request ÷
   * workers), which is busy, not overloaded.
   * @default 60
   */
  target?: number;
  /**
   * How long (ms) the delay must stay above `target` before shedding starts.
   * @default 100
   */
  interval?: number;
  /**
   * While shedding: ms of each event-loop turn spent on admitted requests;
   * requests arriving later in the turn get a 503.
   * @default 5
   */
  budget?: number;
  /**
   * While shedding, every `interval` the rule serves one whole turn and counts
   * the requests that arrive during it; more than `growth` × as many as it
   * served means the overload is still there.
   * @default 1.5
   */
  growth?: number;
  /**
   * After shedding stops, a standing queue that returns within this many ms
   * restarts shedding at once, without waiting another `interval`.
   * @default 1000
   */
  memory?: number;
  /**
   * Seconds sent in the 503's `Retry-After`.
   * @default 1
   */
  retryAfter?: number;
  /**
   * Where the admission records its counts and delays.
   * @default getContext() at construction
   */
  context?: Context;
  /**
   * Monotonic clock in milliseconds (injectable for tests).
   * @default performance.now
   */
  clock?: () => number;
  /**
   * CPU time of the process in milliseconds (injectable for tests).
   * @default process.cpuUsage() user + system
   */
  cpuClock?: () => number;
}

/** Defaults of {@link HttpAdmissionOptions} (maxInFlight and context come from the Context). */
export const httpAdmissionDefaults = {
  target: 60,
  interval: 100,
  budget: 5,
  memory: 1000,
  growth: 1.5,
  retryAfter: 1,
} as const;

const known = { ...httpAdmissionDefaults, maxInFlight: 0, context: 0, clock: 0, cpuClock: 0 };

export interface ResolvedAdmissionOptions {
  maxInFlight: number | undefined;
  target: number;
  interval: number;
  budget: number;
  memory: number;
  growth: number;
  retryAfter: number;
  context: Context | undefined;
  clock: () => number;
  cpuClock: () => number;
}

export function resolveAdmissionOptions(
  options: HttpAdmissionOptions = {},
  name = 'options',
): ResolvedAdmissionOptions {
  plainObject(options, name);
  rejectUnknown(options, known, name);
  const o = { ...httpAdmissionDefaults, ...options };
  if (o.maxInFlight !== undefined) positiveInt(o.maxInFlight, `${name}.maxInFlight`);
  ms(o.target, `${name}.target`);
  ms(o.interval, `${name}.interval`);
  ms(o.budget, `${name}.budget`);
  if (o.budget >= o.target) throw invalid(`${name}.budget`, 'must be less than options.target');
  if (o.memory !== 0) ms(o.memory, `${name}.memory`);
  if (typeof o.growth !== 'number' || !(o.growth >= 1) || !Number.isFinite(o.growth)) {
    throw invalid(`${name}.growth`, 'must be a finite number of at least 1');
  }
  nonNegativeInt(o.retryAfter, `${name}.retryAfter`);
  if (o.clock !== undefined) fn(o.clock, `${name}.clock`);
  if (o.cpuClock !== undefined) fn(o.cpuClock, `${name}.cpuClock`);
  if (o.context !== undefined && (o.context === null || typeof o.context !== 'object')) {
    throw invalid(`${name}.context`, 'must be a Context');
  }
  return {
    maxInFlight: o.maxInFlight,
    target: o.target,
    interval: o.interval,
    budget: o.budget,
    memory: o.memory,
    growth: o.growth,
    retryAfter: o.retryAfter,
    context: o.context,
    clock: o.clock ?? (() => performance.now()),
    cpuClock: o.cpuClock ?? cpuMs,
  };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
