export { type Address, addressKey, parseAddress } from './address.js';
export {
  AddressGroup,
  type AddressGroupOptions,
  type Tier,
  type WeightedAddress,
} from './address-group.js';
export {
  ConnectionManager,
  type ConnectionManagerStatus,
  type ConnectionTarget,
  type GetConnectionOptions,
} from './connection-manager.js';
export {
  connectChannel,
  connectErrorChannel,
  dnsChannel,
  hedgeChannel,
  markdownChannel,
  poolChannel,
} from './diagnostics.js';
export {
  DnsCache,
  type DnsCacheOptions,
  type DnsCounters,
  type DnsEntryStatus,
  dnsDefaults,
  type ResolvedAddress,
  type Resolver,
} from './dns-cache.js';
export {
  AllAttemptsFailedError,
  ClosedError,
  type ConnectFailure,
  type ConnectPhase,
  ConnectTimeoutError,
  ConnmgrError,
  DnsLookupError,
  InvalidOptionError,
  MarkedDownError,
  MultiConnectFailureError,
  NameNotFoundError,
  OutOfSocketsError,
  ReadTimeoutError,
  SupersededError,
} from './errors.js';
export { MonitoredSocket, type SocketState } from './monitored-socket.js';
export {
  type ConnectionManagerOptions,
  connectionManagerDefaults,
  type MarkdownOptions,
  type PoolOptions,
} from './options.js';
export type { PoolStatus } from './pool.js';
export type { ServerStatus } from './server-model.js';
export { type StaggeredRetriesOptions, staggeredDefaults, staggeredRetries } from './staggered.js';
