import type { Context } from '@support/context';
import { ConnectionGate, HttpAdmission, type HttpAdmissionOptions } from '@support/prefork';

// Single-process admission is prefork's code (ConnectionGate per connection,
// HttpAdmission per request), so the figures and the 503s are the same as
// under the arbiter.

export type Admission = HttpAdmission;
export type Gate = ConnectionGate;

export function createAdmission(
  options: Record<string, unknown>,
  context: Context,
  maxInFlight: number,
): HttpAdmission {
  return new HttpAdmission({ maxInFlight, context, ...(options as HttpAdmissionOptions) });
}

export function createGate(
  options: { maxClients: number; queueMax: number; protocol: 'http' | 'tcp' },
  context: Context,
): ConnectionGate {
  return new ConnectionGate({ ...options, context });
}
