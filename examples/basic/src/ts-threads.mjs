// Preloaded in every pool thread when the example runs from its TypeScript
// sources: Node 20 cannot load .ts files by itself, and `--import tsx` does
// not reach worker threads there, so each thread registers tsx first.
import { register as registerCjs } from 'tsx/cjs/api';
import { register as registerEsm } from 'tsx/esm/api';

registerEsm();
registerCjs();
