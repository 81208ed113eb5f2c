// Small helpers for AbortSignal plumbing; every listener added is removed.

/** Settles like `promise`, or rejects with `signal.reason` as soon as it aborts. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The controllers following one signal, and the one listener that serves them all. */
interface Fanout {
  readonly controllers: Set<AbortController>;
  readonly onAbort: () => void;
}

const fanouts = new WeakMap<AbortSignal, Fanout>();

/**
 * Aborts `controller` when `signal` does; returns the function that stops
 * following. However many controllers follow one signal (a manager's close
 * signal, or one signal a caller passes to many calls), the signal carries
 * a single listener, so no MaxListenersExceededWarning can appear.
 */
export function follow(signal: AbortSignal | undefined, controller: AbortController): () => void {
  if (signal === undefined) return noop;
  if (signal.aborted) {
    controller.abort(signal.reason);
    return noop;
  }
  let fanout = fanouts.get(signal);
  if (fanout === undefined) {
    const controllers = new Set<AbortController>();
    const onAbort = () => {
      fanouts.delete(signal);
      for (const c of controllers) c.abort(signal.reason);
      controllers.clear();
    };
    fanout = { controllers, onAbort };
    fanouts.set(signal, fanout);
    signal.addEventListener('abort', onAbort, { once: true });
  }
  const { controllers, onAbort } = fanout;
  controllers.add(controller);
  return () => {
    if (!controllers.delete(controller) || controllers.size > 0) return;
    signal.removeEventListener('abort', onAbort);
    if (fanouts.get(signal) === fanout) fanouts.delete(signal);
  };
}

function noop(): void {}
