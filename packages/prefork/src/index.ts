export {};
export * from './admission/index.js';
export { type DaemonInfo, type DaemonizeOptions, daemonize, livePid } from './daemonize.js';
export { type ConnectionGateOptions, ConnectionGate, GATE_STATS } from './gate.js';
export { type ShedOptions, shedConnection, shedDefaults } from './shed.js';
