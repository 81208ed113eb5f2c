import { availableParallelism } from 'node:os';
import { didYouMean } from '@support/faststat';
import { ContextOptionError } from './errors.js';
import { plainObject, positiveInteger, positiveNumber } from './validate.js';

/**
 * Service configuration that the other SuPPort packages read from the
 * context. Every value is validated when it is set.
 */
export interface ContextConfig {
  /**
   * Number of worker processes a preforked server starts.
   * @default max(2, cpus - 1)
   */
  numWorkers: number;
  /**
   * Resident memory (bytes) past which a worker retires itself and is replaced.
   * @default 1073741824 (1 GiB)
   */
  workerMemLimit: number;
  /**
   * Connections served at once before the server stops accepting.
   * @default 1000
   */
  maxConcurrentClients: number;
  /**
   * Connections allowed to wait for a free slot before new ones are shed.
   * @default 128
   */
  acceptQueueMaxlen: number;
  /**
   * Milliseconds allowed for an outbound connection to an ordinary address.
   * @default 5000
   */
  connectTimeout: number;
  /**
   * Milliseconds allowed for an outbound connection inside the data center;
   * a connection manager uses the smaller of this and `connectTimeout`.
   * @default 50
   */
  datacenterConnectTimeout: number;
  /**
   * Milliseconds between two samples of the loop and process monitor.
   * @default 100
   */
  monitorInterval: number;
  /**
   * Milliseconds the event loop may be blocked before the watchdog reports a
   * `LONG_BLOCK` with the main thread's stack.
   * @default 150
   */
  longBlockThreshold: number;
}

export type ConfigKey = keyof ContextConfig;

/** The defaults, computed for this machine. */
export function defaultConfig(): ContextConfig {
  return {
    numWorkers: Math.max(2, availableParallelism() - 1),
    workerMemLimit: 1024 ** 3,
    maxConcurrentClients: 1000,
    acceptQueueMaxlen: 128,
    connectTimeout: 5000,
    datacenterConnectTimeout: 50,
    monitorInterval: 100,
    longBlockThreshold: 150,
  };
}

const validators: { [K in ConfigKey]: (option: string, value: unknown) => ContextConfig[K] } = {
  numWorkers: positiveInteger,
  workerMemLimit: positiveInteger,
  maxConcurrentClients: positiveInteger,
  acceptQueueMaxlen: positiveInteger,
  connectTimeout: positiveNumber,
  datacenterConnectTimeout: positiveNumber,
  monitorInterval: (option, value) => {
    const ms = positiveNumber(option, value);
    if (ms < 1) throw new ContextOptionError(option, `must be at least 1 ms, got ${ms}`);
    return ms;
  },
  longBlockThreshold: (option, value) => {
    const ms = positiveNumber(option, value);
    if (ms < 10) throw new ContextOptionError(option, `must be at least 10 ms, got ${ms}`);
    return ms;
  },
};

export const CONFIG_KEYS = Object.keys(validators) as ConfigKey[];

/** Validates one value for `key`; throws a TypeError naming `config.<key>`. */
export function validateConfigValue<K extends ConfigKey>(key: K, value: unknown): ContextConfig[K] {
  return validators[key](`config.${key}`, value) as ContextConfig[K];
}

/**
 * A live config object: reading gives the current value, assigning validates
 * first and then notifies `onChange`. Assigning an unknown key throws so typos
 * surface at once.
 */
export function createConfig(
  initial: unknown,
  onChange: (key: ConfigKey, value: number) => void,
): ContextConfig {
  const values = defaultConfig();
  if (initial !== undefined) {
    const given = plainObject('config', initial);
    for (const [key, value] of Object.entries(given)) {
      if (value === undefined) continue;
      values[checkKey(key)] = validateConfigValue(checkKey(key), value);
    }
  }
  return new Proxy(values, {
    set(target, key, value) {
      if (typeof key === 'symbol') throw new ContextOptionError('config', 'has no symbol keys');
      const name = checkKey(key);
      target[name] = validateConfigValue(name, value);
      onChange(name, target[name]);
      return true;
    },
    deleteProperty(_target, key) {
      throw new ContextOptionError(`config.${String(key)}`, 'cannot be deleted');
    },
    defineProperty(_target, key) {
      throw new ContextOptionError(`config.${String(key)}`, 'must be set by assignment');
    },
  });
}

function checkKey(key: string): ConfigKey {
  if (!(CONFIG_KEYS as string[]).includes(key)) {
    throw new ContextOptionError(
      `config.${key}`,
      `is not a known option${didYouMean(key, CONFIG_KEYS)} (known: ${CONFIG_KEYS.join(', ')})`,
    );
  }
  return key as ConfigKey;
}
