const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Minutes kept by {@link WindowCounts}. */
export const WINDOW_MINUTES = 64;
/** Hours kept by {@link WindowCounts}. */
export const WINDOW_HOURS = 32;

/** JSON form of {@link WindowCounts}; index 0 is the oldest slot. */
export interface WindowCountsSnapshot {
  /** Epoch minute (ms / 60 000) of the last slot of `perMinute`. */
  minute: number;
  perMinute: number[];
  /** Epoch hour (ms / 3 600 000) of the last slot of `perHour`. */
  hour: number;
  perHour: number[];
}

/**
 * Points per wall-clock minute for the last 64 minutes and per hour for the
 * last 32 hours, in two rings. Slots are aligned to the epoch so the counts
 * of several processes add up slot by slot. Adds take clock times (ns); the
 * hot path is one range check against the current minute.
 */
export class WindowCounts {
  private readonly minutes = new Float64Array(WINDOW_MINUTES);
  private readonly hours = new Float64Array(WINDOW_HOURS);
  /** Epoch minute/hour of the current slots; -1 before the first point. */
  private minute = -1;
  private hour = -1;
  private minuteSlot = 0;
  private hourSlot = 0;
  /** Clock times (ns) bounding the current minute: [start, end). */
  private minuteStart = 0;
  private minuteEnd = 0;
  private readonly epochOriginMs: number;

  constructor(epochOriginMs: number) {
    this.epochOriginMs = epochOriginMs;
  }

  /** Counts one point at clock time `t` (ns). */
  add(t: number): void {
    if (t >= this.minuteEnd || t < this.minuteStart) this.moveTo(t);
    this.minutes[this.minuteSlot]!++;
    this.hours[this.hourSlot]!++;
  }

  /** The rings as of clock time `t` (slots that passed without points read 0). */
  snapshot(t: number): WindowCountsSnapshot {
    const epochMs = this.epochOriginMs + t / 1e6;
    const minute = Math.floor(epochMs / MINUTE_MS);
    const hour = Math.floor(epochMs / HOUR_MS);
    return {
      minute,
      perMinute: readRing(this.minutes, this.minute, minute),
      hour,
      perHour: readRing(this.hours, this.hour, hour),
    };
  }

  /** Adds another window's counts slot by slot (epoch-aligned). */
  merge(other: WindowCountsSnapshot): void {
    other.perMinute.forEach((count, i) => {
      const minute = other.minute - (other.perMinute.length - 1 - i);
      if (count <= 0) return;
      if (minute > this.minute) this.advanceMinute(minute);
      if (this.minute - minute < WINDOW_MINUTES)
        this.minutes[slot(minute, WINDOW_MINUTES)]! += count;
    });
    other.perHour.forEach((count, i) => {
      const hour = other.hour - (other.perHour.length - 1 - i);
      if (count <= 0) return;
      if (hour > this.hour) this.advanceHour(hour);
      if (this.hour - hour < WINDOW_HOURS) this.hours[slot(hour, WINDOW_HOURS)]! += count;
    });
  }

  private moveTo(t: number): void {
    const minute = Math.floor((this.epochOriginMs + t / 1e6) / MINUTE_MS);
    // A clock that went back to an earlier minute keeps counting in the current slot.
    if (minute > this.minute) this.advanceMinute(minute);
    this.minuteStart = (this.minute * MINUTE_MS - this.epochOriginMs) * 1e6;
    this.minuteEnd = this.minuteStart + MINUTE_MS * 1e6;
    if (minute < this.minute) this.minuteStart = Number.NEGATIVE_INFINITY;
  }

  private advanceMinute(minute: number): void {
    clearBetween(this.minutes, this.minute, minute);
    this.minute = minute;
    this.minuteSlot = slot(minute, WINDOW_MINUTES);
    const hour = Math.floor((minute * MINUTE_MS) / HOUR_MS);
    if (hour > this.hour) this.advanceHour(hour);
  }

  private advanceHour(hour: number): void {
    clearBetween(this.hours, this.hour, hour);
    this.hour = hour;
    this.hourSlot = slot(hour, WINDOW_HOURS);
  }
}

/** Zeroes the slots after `from` up to and including `to`. */
function clearBetween(ring: Float64Array, from: number, to: number): void {
  if (from < 0 || to - from >= ring.length) {
    ring.fill(0);
    return;
  }
  for (let t = from + 1; t <= to; t++) ring[slot(t, ring.length)] = 0;
}

/** The ring's slots ending at `now`, oldest first, given its current slot `at`. */
function readRing(ring: Float64Array, at: number, now: number): number[] {
  const out = new Array<number>(ring.length).fill(0);
  if (at < 0) return out;
  for (let k = 0; k < ring.length; k++) {
    const t = now - (ring.length - 1 - k);
    if (t <= at && at - t < ring.length) out[k] = ring[slot(t, ring.length)]!;
  }
  return out;
}

/** Ring index of time unit t (t may be negative for clocks before the epoch). */
function slot(t: number, length: number): number {
  return ((t % length) + length) % length;
}
