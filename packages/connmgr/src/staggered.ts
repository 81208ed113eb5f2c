import { hedgeChannel } from './diagnostics.js';
import {
  AllAttemptsFailedError,
  ConnmgrError,
  InvalidOptionError,
  SupersededError,
} from './errors.js';

/** Options of {@link staggeredRetries}. */
export interface StaggeredRetriesOptions<T> {
  /**
   * Wait (ms) after starting attempt i before starting attempt i + 1 if none
   * has succeeded yet; there are `delays.length + 1` attempts at most.
   * @default [50, 100, 150, 200]
   */
  delays?: readonly number[];
  /** Aborts every running attempt and rejects with `signal.reason`. */
  signal?: AbortSignal;
  /**
   * Called with the value of an attempt that succeeded after another had
   * already won (e.g. to release a connection nobody will use).
   * @default undefined (the value is dropped)
   */
  discard?: (value: T) => void;
}

export const staggeredDefaults = { delays: [50, 100, 150, 200] } as const;

/**
 * Hedged requests: starts `fn`, and if it has not succeeded by the next
 * delay starts another attempt (at once when one fails fast). The first
 * success wins; the others are aborted through their signal (with a
 * SupersededError). If every attempt fails, rejects with
 * AllAttemptsFailedError listing each cause in attempt order.
 */
export function staggeredRetries<T>(
  fn: (signal: AbortSignal, attempt: number) => T | PromiseLike<T>,
  options: StaggeredRetriesOptions<T> = {},
): Promise<T> {
  if (typeof fn !== 'function') {
    return Promise.reject(new InvalidOptionError('staggeredRetries(fn): fn must be a function'));
  }
  const delays = options.delays ?? staggeredDefaults.delays;
  if (
    !Array.isArray(delays) ||
    !delays.every((d) => typeof d === 'number' && d >= 0 && d <= 2 ** 31 - 1)
  ) {
    return Promise.reject(
      new InvalidOptionError('options.delays must be an array of milliseconds from 0 to 2^31-1'),
    );
  }
  const { signal, discard } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);

  return new Promise<T>((resolve, reject) => {
    const maxAttempts = delays.length + 1;
    const controllers: AbortController[] = [];
    const errors: unknown[] = [];
    let started = 0;
    let failed = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;

    const finish = () => {
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      if (done) return;
      finish();
      for (const c of controllers) c.abort(signal!.reason);
      reject(signal!.reason);
    };
    const startNext = () => {
      if (done || started >= maxAttempts) return;
      const attempt = started++;
      clearTimeout(timer);
      timer = started < maxAttempts ? setTimeout(startNext, delays[attempt]) : undefined;
      const controller = new AbortController();
      controllers.push(controller);
      if (hedgeChannel.hasSubscribers) hedgeChannel.publish({ attempt, event: 'start' });
      let result: PromiseLike<T> | T;
      try {
        result = fn(controller.signal, attempt);
      } catch (error) {
        result = Promise.reject(error);
      }
      Promise.resolve(result).then(
        (value) => {
          if (done) {
            discard?.(value);
            return;
          }
          finish();
          if (hedgeChannel.hasSubscribers) hedgeChannel.publish({ attempt, event: 'win' });
          const reason = new SupersededError(attempt);
          for (const c of controllers) if (c !== controller) c.abort(reason);
          resolve(value);
        },
        (error: unknown) => {
          if (done) return;
          const cause =
            error === undefined || error === null
              ? new ConnmgrError(`attempt ${attempt} rejected with ${String(error)}`)
              : error;
          errors[attempt] = cause;
          failed++;
          if (hedgeChannel.hasSubscribers)
            hedgeChannel.publish({ attempt, event: 'fail', error: cause });
          if (started < maxAttempts) startNext();
          else if (failed === started) {
            finish();
            reject(new AllAttemptsFailedError(errors));
          }
        },
      );
    };

    signal?.addEventListener('abort', onAbort, { once: true });
    startNext();
  });
}
