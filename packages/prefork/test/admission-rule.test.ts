import { describe, expect, it } from 'vitest';
import { AdmissionRule } from '../src/admission/rule.js';

const options = { target: 50, interval: 100, budget: 5, memory: 1000 };

/** Runs one turn starting at `start`: `n` requests each costing `cost` ms; returns how many were shed. */
function turn(
  rule: AdmissionRule,
  start: number,
  n: number,
  cost: number,
): { shed: number; end: number } {
  let t = start;
  let shed = 0;
  for (let i = 0; i < n; i++) {
    if (rule.decide(t) === 'shed') {
      shed++;
      t += 0.03;
    } else t += cost;
  }
  rule.endTurn(t);
  return { shed, end: t };
}

describe('AdmissionRule', () => {
  it('never sheds a bounded closed loop whose turns stay under target (20 clients × 2 ms)', () => {
    const rule = new AdmissionRule(options);
    let t = 0;
    for (let i = 0; i < 500; i++) t = turn(rule, t, 20, 2).end;
    expect(rule.episodes).toBe(0);
    expect(rule.state).toBe('open');
  });

  it('serves a single slow burst (one long turn, then light turns) without shedding', () => {
    const rule = new AdmissionRule(options);
    let t = turn(rule, 0, 1, 140).end; // one 140 ms request: long turn, but one turn only
    for (let i = 0; i < 20; i++) t = turn(rule, t + 5, 3, 2).end;
    expect(rule.episodes).toBe(0);
  });

  it('sheds once the delay stays above target for interval, serving about budget ms per turn', () => {
    const rule = new AdmissionRule(options);
    // Open-loop 3× overload: each turn brings 3× its predecessor's length in work.
    let t = 0;
    let work = 1;
    let shedTotal = 0;
    let lastServedPerTurn = 0;
    for (let i = 0; i < 40; i++) {
      const start = t;
      const n = Math.max(1, Math.round((work * 3) / 2));
      const before = rule.turnAdmitted;
      const r = turn(rule, start, n, 2);
      lastServedPerTurn = n - r.shed + before;
      shedTotal += r.shed;
      work = r.end - start;
      t = r.end;
    }
    expect(rule.state).toBe('dropping');
    expect(rule.episodes).toBe(1);
    expect(shedTotal).toBeGreaterThan(0);
    // Serves up to the budget (plus the one request that crosses it).
    expect(lastServedPerTurn).toBeLessThanOrEqual(Math.ceil(options.budget / 2) + 1);
  });

  it('stops as soon as a turn ends with nothing shed, and resumes at once within memory', () => {
    const rule = new AdmissionRule(options);
    let t = 0;
    // Drive into dropping with long turns.
    for (let i = 0; i < 4 && rule.state === 'open'; i++) t = turn(rule, t, 40, 2).end;
    expect(rule.state).toBe('dropping');
    t = turn(rule, t, 2, 2).end; // fits in the budget: nothing shed
    expect(rule.state).toBe('open');
    // The queue comes back 200 ms later: no new interval to wait for.
    const r = turn(rule, t + 200, 40, 2);
    expect(r.shed).toBeGreaterThan(0);
    expect(rule.episodes).toBe(2);
    // Long after memory, a single long turn is tolerated again.
    t = turn(rule, r.end, 1, 1).end;
    expect(rule.state).toBe('open');
    const later = turn(rule, t + 5000, 30, 2);
    expect(later.shed).toBe(0);
  });
});
