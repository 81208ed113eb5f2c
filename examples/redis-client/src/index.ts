export { type CommandOptions, RedisClient, type RedisClientOptions } from './client.js';
export { RedisProtocolError, RedisReplyError } from './errors.js';
export { bufferCommand, type RedisArg, type RedisReply, readReply } from './resp.js';
