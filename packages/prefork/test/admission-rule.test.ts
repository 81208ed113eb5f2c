import { describe, expect, it } from 'vitest';
import { AdmissionRule } from '../src/admission/rule.js';

const options = { target: 60, interval: 100, budget: 5, memory: 1000, growth: 1.5 };
const SHED_COST = 0.03;

/**
 * Runs one turn starting at wall time `start`: `n` requests of `cost` ms of
 * CPU each; `stretch` > 1 makes the wall clock run that much faster than
 * the CPU (the process is descheduled by its neighbours).
 */
function turn(rule: AdmissionRule, start: number, n: number, cost: number, stretch = 1) {
  let cpu = 0;
  let shed = 0;
  for (let i = 0; i < n; i++) {
    if (rule.decide(start + cpu * stretch, () => cpu) === 'shed') {
      shed++;
      cpu += SHED_COST;
    } else cpu += cost;
  }
  const end = start + cpu * stretch;
  rule.endTurn(end, cpu);
  return { shed, served: n - shed, end };
}

/** Open-loop load at `rho` × capacity (requests of `cost` ms) for `ms`: each turn brings what arrived during the last. */
function openLoop(rule: AdmissionRule, rho: number, cost: number, ms: number, t = 0) {
  let shed = 0;
  let served = 0;
  let carry = 0;
  let previous = cost;
  const stop = t + ms;
  while (t < stop) {
    const exact = (previous * rho) / cost + carry;
    const n = Math.max(1, Math.floor(exact));
    carry = exact - n;
    const r = turn(rule, t, n, cost);
    shed += r.shed;
    served += r.served;
    previous = r.end - t;
    t = r.end;
  }
  return { shed, served, t };
}

describe('AdmissionRule', () => {
  it('never sheds a bounded closed loop (20 clients × 2 ms), even when descheduled 3× by neighbours', () => {
    const rule = new AdmissionRule(options);
    let t = 0;
    for (let i = 0; i < 300; i++) t = turn(rule, t, 20, 2, 3).end;
    expect(rule.episodes).toBe(0);
  });

  it('serves one slow request (a long turn, then light turns) without shedding', () => {
    const rule = new AdmissionRule(options);
    let t = turn(rule, 0, 1, 150).end;
    for (let i = 0; i < 20; i++) t = turn(rule, t + 5, 3, 2).end;
    expect(rule.episodes).toBe(0);
  });

  it('under a 3× open-loop overload, serves about budget ms a turn at full capacity and keeps shedding', () => {
    const rule = new AdmissionRule(options);
    const r = openLoop(rule, 3, 2, 3000);
    expect(rule.state).toBe('dropping');
    expect(rule.episodes).toBe(1);
    expect(rule.probes).toBeGreaterThan(10);
    // Served work / elapsed time: close to capacity (the rest went to cheap 503s).
    expect((r.served * 2) / r.t).toBeGreaterThan(0.9);
    expect(r.shed).toBeGreaterThan(r.served);
  });

  it('cuts the onset of a 3× overload short: shedding starts before a turn grows past growth × the one before (rule 1b)', () => {
    const rule = new AdmissionRule(options);
    let t = 0;
    let previous = 2;
    let longest = 0;
    // Each turn brings 3× the work of the last, from one request up.
    for (let i = 0; i < 20 && rule.episodes === 0; i++) {
      const r = turn(rule, t, Math.max(1, Math.round((previous * 3) / 2)), 2);
      previous = r.end - t;
      longest = Math.max(longest, previous);
      t = r.end;
    }
    expect(rule.episodes).toBe(1);
    // Turns of 6, 18, 54 ms: the next one is cut at 1.5 × 54 = 81 ms, not at
    // target + interval = 160 ms.
    expect(longest).toBeLessThan(options.growth * 60);
  });

  it('keeps shedding through a short turn that sheds nothing under a steady overload (rule 3)', () => {
    const rule = new AdmissionRule(options);
    let t = openLoop(rule, 3, 2, 500).t;
    expect(rule.state).toBe('dropping');
    // The clients' sends came in a burst: one turn holds a single request.
    t = turn(rule, t, 1, 2).end;
    expect(rule.state).toBe('dropping');
    openLoop(rule, 3, 2, 300, t);
    expect(rule.episodes).toBe(1);
  });

  it('stops once the load falls below capacity', () => {
    const rule = new AdmissionRule(options);
    const a = openLoop(rule, 3, 2, 1000);
    expect(rule.state).toBe('dropping');
    openLoop(rule, 0.7, 2, 300, a.t);
    expect(rule.state).toBe('open');
  });

  it('stops when a closed loop of clients retrying at once after 503s keeps every turn full (probe)', () => {
    const rule = new AdmissionRule(options);
    const a = openLoop(rule, 3, 2, 500);
    expect(rule.state).toBe('dropping');
    // 20 clients: each turn holds all 20 (a 503 comes back at once, a 200 after its 2 ms).
    let t = a.t;
    for (let i = 0; i < 100 && rule.state === 'dropping'; i++) t = turn(rule, t, 20, 2).end;
    expect(rule.state).toBe('open');
    expect(t - a.t).toBeLessThan(3 * options.interval);
  });

  it('resumes at once when the overload returns within memory, and waits an interval after it', () => {
    const rule = new AdmissionRule(options);
    let t = openLoop(rule, 3, 2, 500).t;
    t = openLoop(rule, 0.5, 2, 200, t).t;
    expect(rule.state).toBe('open');
    const before = rule.episodes;
    const r = turn(rule, t + 10, 40, 2); // 80 ms of work in one turn
    expect(r.shed).toBeGreaterThan(0);
    expect(rule.episodes).toBe(before + 1);
    t = openLoop(rule, 0.5, 2, 200, r.end).t;
    expect(rule.state).toBe('open');
    const later = turn(rule, t + 5000, 40, 2);
    expect(later.shed).toBe(0);
  });
});
