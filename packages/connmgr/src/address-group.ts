import { type Address, addressKey, toAddress } from './address.js';
import { InvalidOptionError } from './errors.js';

/** One member of a tier: `[weight, address]`; heavier addresses come first more often. */
export type WeightedAddress = readonly [weight: number, address: Address | string];

/** A tier: addresses tried (in weighted random order) before any of the next tier. */
export type Tier = readonly WeightedAddress[];

/** Options of {@link AddressGroup}. */
export interface AddressGroupOptions {
  /**
   * Every address of the group is in the same datacenter (see `Address.internal`).
   * @default false
   */
  internal?: boolean;
}

interface Member {
  weight: number;
  address: Address;
}

/**
 * The addresses behind one logical name, in tiers: every address of a tier
 * is tried before the next tier (the fallback). Within a tier the order is
 * random, weighted: an address of weight w comes first with probability
 * w / (sum of the tier's weights), and so on for the rest (sampling without
 * replacement). Weight 0 means "only after every weighted one".
 */
export class AddressGroup {
  readonly tiers: readonly (readonly Member[])[];

  constructor(tiers: readonly Tier[], options: AddressGroupOptions = {}) {
    if (!Array.isArray(tiers) || tiers.length === 0) {
      throw new InvalidOptionError('AddressGroup tiers must be a non-empty array of tiers');
    }
    if (options.internal !== undefined && typeof options.internal !== 'boolean') {
      throw new InvalidOptionError('AddressGroup options.internal must be a boolean');
    }
    this.tiers = tiers.map((tier, t) => {
      if (!Array.isArray(tier) || tier.length === 0) {
        throw new InvalidOptionError(
          `AddressGroup tier ${t} must be a non-empty array of [weight, address]`,
        );
      }
      return tier.map((entry, i): Member => {
        const where = `AddressGroup tier ${t} entry ${i}`;
        if (!Array.isArray(entry) || entry.length !== 2) {
          throw new InvalidOptionError(`${where} must be [weight, address]`);
        }
        const [weight, raw] = entry as unknown as WeightedAddress;
        if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
          throw new InvalidOptionError(`${where}: weight must be a finite number >= 0`);
        }
        const address = toAddress(raw, `${where} address`);
        return { weight, address: options.internal ? { ...address, internal: true } : address };
      });
    });
  }

  /** A group of one address. */
  static of(address: Address | string): AddressGroup {
    return new AddressGroup([[[1, address]]]);
  }

  /** Number of addresses over all tiers. */
  get size(): number {
    let n = 0;
    for (const tier of this.tiers) n += tier.length;
    return n;
  }

  /** Every address in configuration order (tier by tier). */
  addresses(): Address[] {
    return this.tiers.flatMap((tier) => tier.map((m) => m.address));
  }

  /** Every address in the order to try them: tiers in order, weighted random order within each. */
  order(random: () => number = Math.random): Address[] {
    const out: Address[] = [];
    for (const tier of this.tiers) {
      if (tier.length === 1) {
        out.push(tier[0]!.address);
        continue;
      }
      // Efraimidis–Spirakis: key = ln(u) / w, largest first, is exactly
      // weighted sampling without replacement. u is in (0, 1] so ln(u) is finite.
      const keyed = tier.map((m) => ({
        key: m.weight > 0 ? Math.log(1 - random()) / m.weight : Number.NEGATIVE_INFINITY,
        address: m.address,
      }));
      keyed.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
      for (const k of keyed) out.push(k.address);
    }
    return out;
  }

  /** JSON view: tiers of `{ weight, address: "host:port" }`. */
  toJSON(): Array<Array<{ weight: number; address: string }>> {
    return this.tiers.map((tier) =>
      tier.map((m) => ({ weight: m.weight, address: addressKey(m.address) })),
    );
  }
}
