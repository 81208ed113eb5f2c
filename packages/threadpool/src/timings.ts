// Where a pool thread leaves a call's start and run time: two Float64 per
// slot in memory the threads share (the buffer goes to every thread in
// workerData). A call takes a free slot when it is dispatched and gives it
// back when it settles, so a successful call's reply is its bare value: a
// reply array cost more on every call (serialized on the thread, rebuilt
// here) than the two numbers it carried.
//
// A slot is written by the one thread that runs the call, before its reply
// is posted, and read here after the reply arrives.

/** Most slots a pool keeps; calls pending beyond that carry their times in the reply. */
export const MAX_TIMING_SLOTS = 4096;

export class TimingSlots {
  readonly buffer: SharedArrayBuffer;
  private readonly times: Float64Array;
  private readonly free: number[] = [];

  constructor(count: number) {
    const n = Math.min(count, MAX_TIMING_SLOTS);
    this.buffer = new SharedArrayBuffer(n * 16);
    this.times = new Float64Array(this.buffer);
    for (let slot = n - 1; slot >= 0; slot--) this.free.push(slot);
  }

  /** A free slot, or -1 when every one is taken. */
  acquire(): number {
    return this.free.pop() ?? -1;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  /** When the thread started the call, as epoch ms. */
  start(slot: number): number {
    return this.times[2 * slot] as number;
  }

  /** How long the call ran in the thread, in ms. */
  duration(slot: number): number {
    return this.times[2 * slot + 1] as number;
  }
}
