export { type Clock, nanotime, nanotimeToEpochMs } from './nanotime.js';
