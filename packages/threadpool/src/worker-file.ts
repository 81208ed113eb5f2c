// The pool-thread entry is plain JavaScript (see worker.mjs) that sits next
// to this module both in src/ and in dist/ (the build copies it), so one
// relative URL works from the sources (tests) and from the build. The CJS
// build gets `import.meta.url` from tsup's shim.

/** File URL of the module piscina loads in every pool thread. */
export const WORKER_FILE = new URL('./worker.mjs', import.meta.url).href;
