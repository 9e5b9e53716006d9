/**
 * \file policy_watch.h
 * Loading the policy, and applying committed changes while Unbound runs:
 * a thread of the module polls the database's revision counter, builds a new
 * table off the query path, swaps it in, invalidates the cached data the
 * change affects and records what it did in table module_status.
 */
#ifndef RRPOLICY_POLICY_WATCH_H
#define RRPOLICY_POLICY_WATCH_H
struct rrpolicy_env;
struct module_env;
struct policy_watch;

/**
 * Load the policy into pe->snap, in the calling thread (Unbound's init).
 * A database that cannot be used leaves an empty policy and is logged.
 * @param pe: the module's state; pe->db_path set, pe->snap NULL.
 * @param env: the module environment (caches).
 * @return the watcher, or NULL on allocation failure.
 */
struct policy_watch* policy_watch_start(struct rrpolicy_env* pe,
	struct module_env* env);

/**
 * Start the thread that applies committed changes (setting poll_interval_ms)
 * and retries a database that could not be used.
 */
void policy_watch_run(struct policy_watch* w);

/** Stop and join the watcher thread, and the hit log's writer (its last
 * hits written), write the final status, close the database, free the hit
 * log (pe->hits is then NULL), and remove the -wal and -shm of a file moved
 * away or deleted since the last poll. NULL is fine. */
void policy_watch_stop(struct policy_watch* w);

#endif /* RRPOLICY_POLICY_WATCH_H */
