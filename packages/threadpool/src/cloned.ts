/**
 * The type a value has after the structured clone that carries a result out
 * of a pool thread: a `Buffer` arrives as a plain `Uint8Array` (so
 * `toString('hex')` is not there), in arrays, tuples, `Map`s, `Set`s and
 * plain objects too. Functions, `any` and `unknown` are left as they are.
 */
export type Cloned<T> = 0 extends 1 & T
  ? T
  : T extends Buffer
    ? Uint8Array
    : T extends Map<infer K, infer V>
      ? Map<Cloned<K>, Cloned<V>>
      : T extends Set<infer V>
        ? Set<Cloned<V>>
        : T extends ArrayBufferView | ArrayBuffer | Date | RegExp | Error
          ? T
          : T extends readonly unknown[]
            ? { -readonly [I in keyof T]: Cloned<T[I]> }
            : T extends (...args: never[]) => unknown
              ? T
              : T extends object
                ? { [K in keyof T]: Cloned<T[K]> }
                : T;
