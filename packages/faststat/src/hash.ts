/**
 * Two 32-bit hashes of a string or number in one pass: the sketches need 64
 * well-mixed bits, and strings are hashed per UTF-16 code unit with two
 * independent multiply-xor lanes finished by murmur3's avalanche (fmix32).
 * The pair is written to `out` to avoid allocating.
 */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export function hash64(item: string | number, out: Uint32Array): void {
  let h1: number;
  let h2: number;
  if (typeof item === 'string') {
    h1 = 0x811c9dc5 ^ item.length;
    h2 = 0x9747b28c;
    for (let i = 0; i < item.length; i++) {
      const c = item.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
  } else {
    f64[0] = item;
    h1 = fmix32(u32[0]! ^ 0x2545f491) ^ u32[1]!;
    h2 = fmix32(u32[1]! ^ 0x6c078965) ^ u32[0]!;
  }
  out[0] = fmix32(h1);
  out[1] = fmix32(h2 ^ h1);
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
