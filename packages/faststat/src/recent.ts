/** A point with the clock time (ns) at which it was added. */
export interface TimedPoint {
  value: number;
  time: number;
}

/** Working arrays of RecentRing.mergeInOrder, reused (merges run one at a time). */
const scratchArrays = [new Float64Array(64), new Float64Array(64), new Float64Array(64)];

/** Scratch array `k` with room for `length` numbers. */
function scratch(k: number, length: number): Float64Array {
  if (scratchArrays[k]!.length < length) scratchArrays[k] = new Float64Array(length);
  return scratchArrays[k]!;
}

/** The last `size` points with their times, in a fixed ring. */
export class RecentRing {
  readonly size: number;
  private readonly values: Float64Array;
  private readonly times: Float64Array;
  private next = 0;
  private count = 0;

  constructor(size: number) {
    this.size = size;
    this.values = new Float64Array(size);
    this.times = new Float64Array(size);
  }

  push(value: number, time: number): void {
    const i = this.next;
    this.values[i] = value;
    this.times[i] = time;
    this.next = i + 1 === this.size ? 0 : i + 1;
    if (this.count < this.size) this.count++;
  }

  clear(): void {
    this.next = 0;
    this.count = 0;
  }

  /** Oldest first. */
  points(): TimedPoint[] {
    const out: TimedPoint[] = [];
    const start = (this.next - this.count + this.size) % this.size;
    for (let k = 0; k < this.count; k++) {
      const i = (start + k) % this.size;
      out.push({ value: this.values[i]!, time: this.times[i]! });
    }
    return out;
  }

  /**
   * Keeps the newest `size` of the ring's points and of `points` ([time,
   * value] pairs, oldest first, the ring's clock time of each being
   * `time(pair[0])`), as a stable sort of both by time would (the ring's
   * first on equal times), in one pass from the newest end. Returns false,
   * changing nothing, when `points` are not in time order.
   */
  mergeInOrder(
    points: ReadonlyArray<readonly [number, number]>,
    time: (t: number) => number,
  ): boolean {
    const m = points.length;
    const theirs = scratch(0, m);
    for (let k = 0; k < m; k++) {
      const t = time(points[k]![0]);
      if (Number.isNaN(t) || (k > 0 && !(t >= theirs[k - 1]!))) return false;
      theirs[k] = t;
    }
    const count = this.count;
    const start = (this.next - count + this.size) % this.size;
    const keep = Math.min(this.size, count + m);
    const outT = scratch(1, keep);
    const outV = scratch(2, keep);
    let i = count - 1;
    let j = m - 1;
    for (let k = keep - 1; k >= 0; k--) {
      const r = (start + Math.max(i, 0)) % this.size;
      if (j >= 0 && (i < 0 || theirs[j]! >= this.times[r]!)) {
        outT[k] = theirs[j]!;
        outV[k] = points[j]![1];
        j--;
      } else {
        outT[k] = this.times[r]!;
        outV[k] = this.values[r]!;
        i--;
      }
    }
    this.clear();
    for (let k = 0; k < keep; k++) this.push(outV[k]!, outT[k]!);
    return true;
  }

  /** The last `n` values, newest first. */
  lastValues(n: number): number[] {
    const out: number[] = [];
    for (let k = 1; k <= Math.min(n, this.count); k++) {
      out.push(this.values[(this.next - k + this.size) % this.size]!);
    }
    return out;
  }

  get length(): number {
    return this.count;
  }

  get byteLength(): number {
    return this.values.byteLength + this.times.byteLength;
  }
}

/** The `size` largest points with their times. */
export class TopN {
  readonly size: number;
  private readonly values: Float64Array;
  private readonly times: Float64Array;
  private count = 0;
  /** The smallest kept value once full; a new point must beat it. */
  threshold = Number.NEGATIVE_INFINITY;
  private minIndex = 0;

  constructor(size: number) {
    this.size = size;
    this.values = new Float64Array(size);
    this.times = new Float64Array(size);
  }

  /** Call only when value > threshold. */
  offer(value: number, time: number): void {
    if (this.count < this.size) {
      this.values[this.count] = value;
      this.times[this.count] = time;
      this.count++;
      if (this.count === this.size) this.findMin();
      return;
    }
    this.values[this.minIndex] = value;
    this.times[this.minIndex] = time;
    this.findMin();
  }

  /** Largest first. */
  points(): TimedPoint[] {
    const out: TimedPoint[] = [];
    for (let i = 0; i < this.count; i++) out.push({ value: this.values[i]!, time: this.times[i]! });
    return out.sort((a, b) => b.value - a.value || a.time - b.time);
  }

  get byteLength(): number {
    return this.values.byteLength + this.times.byteLength;
  }

  private findMin(): void {
    let min = 0;
    for (let i = 1; i < this.size; i++) if (this.values[i]! < this.values[min]!) min = i;
    this.minIndex = min;
    this.threshold = this.values[min]!;
  }
}
