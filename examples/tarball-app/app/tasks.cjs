// The task module of the CommonJS app: every pool thread loads it.
const { createHash } = require('node:crypto');
const { cpuBound } = require('@support/threadpool');

exports.hash = cpuBound(__filename, 'hash', (text) => createHash('sha256').update(text).digest());
