// The admission rule, apart from HTTP and timers so it can be tested with
// fake clocks. Times are milliseconds from any monotonic origin.
//
// A "turn" is the run of requests Node delivers between two check phases of
// the event loop: everything parsed from the sockets one poll phase found
// readable. The first request opens the turn; the caller ends it from
// setImmediate. A request's lateness is how far (wall clock) into its turn
// it arrives: the time the loop spent on the requests before it. Requests
// that arrive while a turn runs wait in the kernel for the next one, so a
// turn's length is also the delay the next turn's requests already had.
//
// 1. Detect a standing queue (CoDel): a turn's delay is its length in CPU
//    time (capped by its wall length), i.e. the work that was queued in it.
//    Time the process spent descheduled by its neighbours is not a queue of
//    its own and is not counted, so a closed loop of clients, whose queue is
//    bounded by their own count (20 clients × 2 ms = 40 ms of work a turn),
//    is never taken for overload however loaded the machine is. Shedding
//    starts when the delay has stayed above `target` for `interval`: a
//    burst or one slow request passes.
// 1b. Detect a growing queue sooner. Under open-loop overload each turn holds
//    what arrived during the one before, ρ × its work: turns grow
//    geometrically (at 3×: 6, 18, 54 ms…) and would pass target + interval
//    before the rule above fires, keeping every request of the onset waiting
//    that long. A closed loop's turns stop growing at its clients' work. So
//    after a turn longer than `target` / 2 that grew `growth`× over the one
//    before, a turn that runs past `growth` × the last one's length starts
//    shedding at once. A closed loop can look like that only while ramping
//    up to more than `growth` × `target` / 2 of work a turn (45 ms at the
//    defaults: 22 clients × 2 ms in one process).
// 2. While dropping, serve each turn's requests for `budget` ms (of CPU
//    time, capped by the wall clock) and answer the rest with a cheap 503.
//    Served requests then wait about two short turns, 503s come as fast as
//    the 503 path allows, and the CPU goes to served requests.
// 3. Stop once the queue has stayed gone for `target` ms: turns that end
//    with nothing shed. One such turn is not enough: under a steady overload
//    a turn often holds less than `budget` by chance (the clients' sends come
//    in bursts), and stopping there would let the next turns grow to
//    `target` before shedding resumed (rule 5), delaying all their requests.
// 4. Probe every `interval` whether the overload is still there: serve one
//    whole turn (up to `target`), then count the requests that arrive during
//    it. Open-loop demand brings ρ × as many requests as that turn held
//    (ρ = offered load / capacity); a closed loop brings the same count
//    back. More than `growth` × as many: still overloaded, keep dropping.
//    Otherwise stop. Without this, clients that retry at once after a 503
//    would keep every turn full and the rule would never stop.
// 5. A standing queue that returns within `memory` of stopping is the same
//    overload: drop at once, without waiting another interval (CoDel keeps
//    its drop count for the same reason).

/** Tunables of {@link AdmissionRule}; see HttpAdmissionOptions for their meaning. */
export interface RuleOptions {
  target: number;
  interval: number;
  budget: number;
  memory: number;
  /** Probe: arrivals per served request above which the overload is still there. */
  growth: number;
}

export type RuleState = 'open' | 'dropping';

/** What the rule says about one request. */
export type Verdict = 'admit' | 'shed';

/** Phase of the probe while dropping: none, serving a whole turn, counting the next. */
type Probe = 0 | 1 | 2;

export class AdmissionRule {
  state: RuleState = 'open';
  /** Wall time the current turn started, or -1 between turns. */
  turnStart = -1;
  /** When the delay went above target and stayed there, or -1. */
  firstAbove = -1;
  /** When dropping last stopped. */
  lastExit = Number.NEGATIVE_INFINITY;
  /** Requests admitted and shed in the current turn. */
  turnAdmitted = 0;
  turnShed = 0;
  /** Length of the last finished turn: min(wall, CPU) ms. */
  lastTurn = 0;
  /** Times the rule started dropping. */
  episodes = 0;
  /** Probes run, and those that found the overload gone. */
  probes = 0;
  /** Set by a state change, read (and cleared) by the caller to publish it. */
  changed = false;
  /** Finished turns in a row longer than target / 2 that grew `growth`× (rule 1b). */
  private growing = 0;
  /** When a turn last shed (or shedding started): rule 3 waits `target` past it. */
  private lastShed = 0;
  private probe: Probe = 0;
  private nextProbe = 0;
  private probeServed = 0;

  constructor(readonly options: RuleOptions) {}

  /** True when this request opens a new turn (the caller must then schedule endTurn). */
  opensTurn(): boolean {
    return this.turnStart < 0;
  }

  /**
   * Decides one request arriving at wall time `now`. `cpuLate()` gives the
   * CPU ms spent since the turn started (or since the caller began
   * measuring it); it is called only when the wall clock says the turn is
   * already past a limit, so a process descheduled by its neighbours is
   * not taken for a queue.
   */
  decide(now: number, cpuLate: () => number): Verdict {
    if (this.turnStart < 0) this.turnStart = now;
    const late = now - this.turnStart;
    const o = this.options;
    if (this.state === 'open') {
      // One turn can hold a standing queue by itself (a flood read at once).
      let limit = now - this.lastExit < o.memory ? o.target : o.target + o.interval;
      if (this.growing > 0) limit = Math.min(limit, o.growth * this.lastTurn);
      if (late > limit && Math.min(late, cpuLate()) > limit) this.enter(now);
    }
    if (this.state === 'dropping') {
      const cut = this.probe === 1 ? o.target : o.budget;
      if (late > cut && Math.min(late, cpuLate()) > cut) {
        this.turnShed++;
        return 'shed';
      }
    }
    this.turnAdmitted++;
    return 'admit';
  }

  /**
   * Ends the current turn at wall time `now`, after `cpu` ms of CPU time in
   * it (NaN when it was not measured: the caller measures only turns that
   * follow a long one, or while dropping, to keep short turns cheap).
   */
  endTurn(now: number, cpu: number): void {
    if (this.turnStart < 0) return;
    const wall = now - this.turnStart;
    const delay = Number.isNaN(cpu) ? wall : Math.min(wall, cpu);
    const o = this.options;
    if (this.turnShed > 0) this.lastShed = now;
    this.growing = delay > o.target / 2 && delay >= o.growth * this.lastTurn ? this.growing + 1 : 0;
    this.lastTurn = delay;
    if (this.state === 'open') {
      if (delay <= o.target) this.firstAbove = -1;
      else if (Number.isNaN(cpu)) {
        // Long on the wall clock, CPU unknown: neither evidence nor its absence.
      } else {
        if (this.firstAbove < 0) this.firstAbove = this.turnStart + o.target;
        if (now - this.firstAbove >= o.interval || now - this.lastExit < o.memory) this.enter(now);
      }
    } else if (this.probe === 1) {
      // The whole turn was served (or the probe failed: it had to shed).
      if (this.turnShed === 0 && this.turnAdmitted > 0) {
        this.probe = 2;
        this.probeServed = this.turnAdmitted;
      } else this.endProbe(now);
    } else if (this.probe === 2) {
      const arrived = this.turnAdmitted + this.turnShed;
      this.probes++;
      if (arrived <= this.probeServed * o.growth) this.exit(now);
      else this.endProbe(now);
    } else if (this.turnShed === 0) {
      if (now - this.lastShed >= o.target) this.exit(now);
    } else if (now >= this.nextProbe) {
      this.probe = 1;
    }
    this.turnStart = -1;
    this.turnAdmitted = 0;
    this.turnShed = 0;
  }

  private endProbe(now: number): void {
    this.probe = 0;
    this.nextProbe = now + this.options.interval;
  }

  private enter(now: number): void {
    this.state = 'dropping';
    this.lastShed = now;
    this.firstAbove = -1;
    this.probe = 0;
    this.nextProbe = now + this.options.interval;
    this.episodes++;
    this.changed = true;
  }

  private exit(now: number): void {
    this.state = 'open';
    this.firstAbove = -1;
    this.probe = 0;
    this.lastExit = now;
    this.changed = true;
  }
}
