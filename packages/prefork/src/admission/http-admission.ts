import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Context, getContext } from '@support/context';
import type { Stats } from '@support/faststat';
import { admissionShedChannel, admissionStateChannel } from './diagnostics.js';
import {
  type HttpAdmissionOptions,
  type ResolvedAdmissionOptions,
  resolveAdmissionOptions,
} from './options.js';
import { AdmissionRule } from './rule.js';

/** Stat names HttpAdmission records into its Context. */
export const ADMISSION_STATS = {
  /** `stats`: requests admitted per event-loop turn (one point per turn that had requests). */
  admitted: 'prefork.admission.admitted',
  /** `stats`: requests shed per turn (one point per turn that shed). */
  shed: 'prefork.admission.shed',
  /** `stats`: requests in flight, sampled at the end of each turn. */
  inFlight: 'prefork.admission.inFlight',
  /** `durations`: each turn's length in ms, the queueing delay the rule acts on. */
  queueDelay: 'prefork.admission.queueDelay',
} as const;

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const BODY = 'Service Unavailable\n';

/**
 * Per-request admission for an HTTP server, run before the app: at most
 * `maxInFlight` requests in flight, and a cheap 503 instead of the app while
 * the event loop has a standing queue (see rule.ts for the rule and why).
 *
 * ```ts
 * const admission = new HttpAdmission();
 * http.createServer(admission.wrap(app));
 * ```
 */
export class HttpAdmission {
  private readonly o: ResolvedAdmissionOptions;
  private readonly context: Context;
  private readonly rule: AdmissionRule;
  private readonly maxInFlight: number;
  private readonly headers: string[];
  private readonly stats: {
    admitted: Stats;
    shed: Stats;
    inFlight: Stats;
    queueDelay: Stats;
  };
  private immediate: NodeJS.Immediate | undefined;
  private inflight = 0;
  private totals = { admitted: 0, shed: 0, shedDelay: 0, shedInFlight: 0 };
  private closed = false;
  private cpuStart = Number.NaN;
  private readonly endTurn = () => this.finishTurn();
  // An unmeasured turn starts being measured the first time it matters
  // (what ran before that point is not counted: an underestimate).
  private readonly cpuLate = () => {
    if (Number.isNaN(this.cpuStart)) {
      this.cpuStart = this.o.cpuClock();
      return 0;
    }
    return this.o.cpuClock() - this.cpuStart;
  };
  private readonly release = () => {
    this.inflight--;
  };

  constructor(options: HttpAdmissionOptions = {}) {
    this.o = resolveAdmissionOptions(options);
    this.context = this.o.context ?? getContext();
    this.maxInFlight = this.o.maxInFlight ?? this.context.config.maxConcurrentClients;
    this.rule = new AdmissionRule(this.o);
    this.headers = [
      'Retry-After',
      String(this.o.retryAfter),
      'Content-Type',
      'text/plain',
      'Content-Length',
      String(BODY.length),
    ];
    this.stats = {
      admitted: this.context.stats.get(ADMISSION_STATS.admitted),
      shed: this.context.stats.get(ADMISSION_STATS.shed),
      inFlight: this.context.stats.get(ADMISSION_STATS.inFlight),
      queueDelay: this.context.durations.get(ADMISSION_STATS.queueDelay),
    };
  }

  /** Requests admitted whose response has not finished or closed yet. */
  get inFlight(): number {
    return this.inflight;
  }

  /**
   * Decides one request. True: the app should handle it (it counts as in
   * flight until the response finishes or closes). False: it has already
   * been answered with a 503 and `Retry-After`; the app must not touch it.
   */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.closed) return this.accept(res);
    const rule = this.rule;
    if (rule.opensTurn()) {
      this.immediate = setImmediate(this.endTurn);
      // CPU is read (2 µs) only for turns that may matter: after a long one, or while dropping.
      this.cpuStart =
        rule.state === 'dropping' || rule.lastTurn > this.o.target / 2
          ? this.o.cpuClock()
          : Number.NaN;
    }
    const now = this.o.clock();
    if (rule.decide(now, this.cpuLate) === 'shed') {
      if (rule.changed) this.publishState(now);
      this.shed(req, res, 'delay', now);
      return false;
    }
    if (this.inflight >= this.maxInFlight) {
      rule.turnAdmitted--;
      rule.turnShed++;
      this.shed(req, res, 'in-flight', now);
      return false;
    }
    return this.accept(res);
  }

  /** `listener` behind admission: shed requests never reach it. */
  wrap<L extends Listener>(listener: L): L {
    const wrapped = (req: IncomingMessage, res: ServerResponse) => {
      if (this.admit(req, res)) listener(req, res);
    };
    return wrapped as L;
  }

  /** Plain JSON for meta and tests. */
  status(): {
    state: 'open' | 'dropping';
    inFlight: number;
    maxInFlight: number;
    admitted: number;
    shed: number;
    shedByReason: { delay: number; inFlight: number };
    episodes: number;
    probes: number;
    lastTurnMs: number;
    options: { target: number; interval: number; budget: number; memory: number; growth: number };
  } {
    return {
      state: this.rule.state,
      inFlight: this.inflight,
      maxInFlight: this.maxInFlight,
      admitted: this.totals.admitted,
      shed: this.totals.shed,
      shedByReason: { delay: this.totals.shedDelay, inFlight: this.totals.shedInFlight },
      episodes: this.rule.episodes,
      probes: this.rule.probes,
      lastTurnMs: this.rule.lastTurn,
      options: {
        target: this.o.target,
        interval: this.o.interval,
        budget: this.o.budget,
        memory: this.o.memory,
        growth: this.o.growth,
      },
    };
  }

  /** Stops deciding (every later request is admitted) and clears the pending turn. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  private accept(res: ServerResponse): true {
    this.inflight++;
    this.totals.admitted++;
    res.once('close', this.release);
    return true;
  }

  private shed(
    req: IncomingMessage,
    res: ServerResponse,
    reason: 'delay' | 'in-flight',
    now: number,
  ) {
    this.totals.shed++;
    if (reason === 'delay') this.totals.shedDelay++;
    else this.totals.shedInFlight++;
    if (admissionShedChannel.hasSubscribers) {
      const turnStart = this.rule.turnStart;
      admissionShedChannel.publish({
        reason,
        delayMs: turnStart >= 0 ? now - turnStart : 0,
        inFlight: this.inflight,
        method: req.method,
        url: req.url,
      });
    }
    res.writeHead(503, this.headers);
    res.end(BODY);
  }

  private finishTurn(): void {
    this.immediate = undefined;
    const rule = this.rule;
    const admitted = rule.turnAdmitted;
    const shed = rule.turnShed;
    const now = this.o.clock();
    rule.endTurn(now, Number.isNaN(this.cpuStart) ? Number.NaN : this.o.cpuClock() - this.cpuStart);
    if (rule.changed) this.publishState(now);
    if (admitted > 0) this.stats.admitted.add(admitted);
    if (shed > 0) this.stats.shed.add(shed);
    this.stats.inFlight.add(this.inflight);
    this.stats.queueDelay.add(rule.lastTurn);
  }

  private publishState(now: number): void {
    const rule = this.rule;
    rule.changed = false;
    const action = rule.state === 'dropping' ? 'SHED_START' : 'SHED_STOP';
    const delayMs = rule.turnStart >= 0 ? now - rule.turnStart : rule.lastTurn;
    this.context.log
      .get('prefork')
      .info(action, 'http-admission')
      .success(
        rule.state === 'dropping'
          ? 'queueing delay stayed above {target} ms: shedding'
          : 'backlog cleared: admitting everything again',
        { target: this.o.target, delayMs },
      );
    if (admissionStateChannel.hasSubscribers) {
      admissionStateChannel.publish({ state: rule.state, delayMs });
    }
  }
}
