// The baseline of both framing benchmarks: a hand-written 'data' parser of
// 4-byte length-prefixed frames that keeps the leftover and concats it with
// the next chunk. Resolves with the number of frames once the stream ends.
export function handParser(stream, payload, onStart = () => {}) {
  let count = 0;
  return new Promise((resolve, reject) => {
    let pending = null;
    stream.on('data', (chunk) => {
      if (count === 0 && pending === null) onStart();
      const buf = pending === null ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      while (buf.length - at >= 4) {
        const length = buf.readUInt32BE(at);
        if (buf.length - at - 4 < length) break;
        if (buf.subarray(at + 4, at + 4 + length).length !== payload) {
          reject(new Error('bad frame'));
        }
        count++;
        at += 4 + length;
      }
      pending = at === buf.length ? null : buf.subarray(at);
    });
    stream.on('end', () => resolve(count));
  });
}
