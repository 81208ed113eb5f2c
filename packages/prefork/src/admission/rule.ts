// The admission rule, apart from HTTP and timers so it can be tested with a
// fake clock. Time is in milliseconds from any monotonic origin.
//
// A "turn" is the run of requests Node delivers between two check phases of
// the event loop: everything parsed from the sockets one poll phase found
// readable. The first request of a turn opens it (`turnStart`); the caller
// ends it from setImmediate. A request's lateness is how far into its turn
// it arrives: the time the loop spent on the requests before it, i.e. its
// queueing delay inside the process. Requests that arrive while a turn runs
// wait in the kernel for the next turn, so a turn's length is also the
// delay the next turn's requests have already had.
//
// CoDel's idea, translated: a queue is "standing" when its delay stays above
// `target` for `interval`. Until then nothing is shed, so a burst, a slow
// request or a closed loop of clients whose queue is bounded by their own
// count (20 clients × 2 ms = 40 ms) is served. Once standing, the rule
// drops: each turn serves requests for at most `budget` ms and answers the
// rest of the turn with a cheap 503, so the served requests wait about two
// short turns. It stops as soon as a turn ends with nothing shed (everything
// that arrived fit in the budget: the backlog is gone). A queue that comes
// back within `memory` of that is known to be the same overload, so the rule
// resumes dropping at once instead of waiting another interval (CoDel keeps
// its drop count for the same reason).

/** Tunables of {@link AdmissionRule}; see HttpAdmissionOptions for their meaning. */
export interface RuleOptions {
  target: number;
  interval: number;
  budget: number;
  memory: number;
}

export type RuleState = 'open' | 'dropping';

/** What the rule says about one request. */
export type Verdict = 'admit' | 'shed';

export class AdmissionRule {
  state: RuleState = 'open';
  /** Start of the current turn, or -1 between turns. */
  turnStart = -1;
  /** When the delay went above target and stayed there, or -1. */
  firstAbove = -1;
  /** When dropping last stopped. */
  lastExit = Number.NEGATIVE_INFINITY;
  /** Requests admitted and shed in the current turn. */
  turnAdmitted = 0;
  turnShed = 0;
  /** Length of the last finished turn (ms). */
  lastTurn = 0;
  /** Times the rule started dropping. */
  episodes = 0;
  /** Set by a state change, read (and cleared) by the caller to publish it. */
  changed = false;

  constructor(readonly options: RuleOptions) {}

  /** True when this request opens a new turn (the caller must then schedule endTurn). */
  opensTurn(): boolean {
    return this.turnStart < 0;
  }

  /** Decides one request arriving at `now`. */
  decide(now: number): Verdict {
    if (this.turnStart < 0) this.turnStart = now;
    const late = now - this.turnStart;
    const o = this.options;
    if (this.state === 'open' && late > o.target) {
      // Above target inside this turn since turnStart + target (or earlier).
      const since = this.firstAbove >= 0 ? this.firstAbove : this.turnStart + o.target;
      if (this.firstAbove < 0) this.firstAbove = since;
      if (now - since >= o.interval || now - this.lastExit < o.memory) this.enter();
    }
    if (this.state === 'dropping' && late > o.budget) {
      this.turnShed++;
      return 'shed';
    }
    this.turnAdmitted++;
    return 'admit';
  }

  /** Ends the current turn at `now` (from setImmediate: the poll phase is over). */
  endTurn(now: number): void {
    if (this.turnStart < 0) return;
    const length = now - this.turnStart;
    const o = this.options;
    this.lastTurn = length;
    if (this.state === 'open') {
      if (length <= o.target) this.firstAbove = -1;
      else {
        if (this.firstAbove < 0) this.firstAbove = this.turnStart + o.target;
        if (now - this.firstAbove >= o.interval || now - this.lastExit < o.memory) this.enter();
      }
    } else if (this.turnShed === 0) {
      this.state = 'open';
      this.firstAbove = -1;
      this.lastExit = now;
      this.changed = true;
    }
    this.turnStart = -1;
    this.turnAdmitted = 0;
    this.turnShed = 0;
  }

  private enter(): void {
    this.state = 'dropping';
    this.firstAbove = -1;
    this.episodes++;
    this.changed = true;
  }
}
