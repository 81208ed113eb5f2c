import { channel } from 'node:diagnostics_channel';

// Payloads are built only when someone subscribes (check `hasSubscribers` first).

/** `{ reason, delayMs, inFlight }` for every request HttpAdmission answers with a 503 (reason `'delay'` or `'in-flight'`). */
export const admissionShedChannel = channel('support:prefork:admission-shed');
/** `{ state, delayMs }` when HttpAdmission's rule starts (`'dropping'`) or stops (`'open'`) shedding. */
export const admissionStateChannel = channel('support:prefork:admission-state');
/** `{ protocol, remoteAddress, reason }` for every connection shedConnection answers (reason from the caller, e.g. `'gate-full'`). */
export const shedConnectionChannel = channel('support:prefork:shed-connection');
