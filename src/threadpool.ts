// Imported first by main.ts: libuv's thread pool is sized when first used, so this must run before anything else.
// The pool runs every query of the embedded engine (chDB's async calls, the service's and the analysts'), gzip and
// file I/O. With Node's default of 4 threads, an analyst's query holds one for up to its 60 s limit and two large
// answers two more, leaving the service's refresh and lookups a single thread. Idle threads cost only their stacks.
// (bench:analyst, one run each on 2 cores: the difference in list age was within the run-to-run spread.)
const THREADS = 16;

process.env.UV_THREADPOOL_SIZE ??= String(THREADS);
