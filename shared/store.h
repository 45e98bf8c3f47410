/*
 * store.h - the SQLite file under a collector or a hub.
 *
 * Opens a database in WAL mode with synchronous=FULL (a commit that
 * returned is on disk), foreign keys and a busy timeout, creates the
 * schema the first time, and converts SQLite's result codes into
 * fb_code once, here.  The file and the directory it creates are
 * owner-only (0600 / 0700).
 *
 * The schema common to both programs:
 *   meta(key, value)           settings and persisted state (device id,
 *                              branch, HLC, acknowledged sequence ...)
 *   record(id, type, branch, deleted, vals, clk)
 *                              current state: vals is a JSON object of
 *                              field -> text, clk of field -> stamp text
 *   journal(cseq, device, seq, n, hlc, record_id, type, branch, body, hash)
 *                              one row per edit of one record: entries
 *                              seq .. seq+n-1 of that device; cseq is the
 *                              local commit order (the hub's pull cursor)
 *   conflict(...)              values that lost to a concurrent one
 * A program adds its own tables through store_open()'s extra_schema.
 */
#ifndef FB_STORE_H
#define FB_STORE_H

#include <stdint.h>
#include <sqlite3.h>
#include "error.h"

struct fb_store {
	sqlite3 *db;
	char *path;
	int in_tx;
	unsigned long tx_count;   /* transactions begun: names the current one */
	uint64_t busy_ms;         /* waited so far for the lock now wanted */
};

/* What every connection of this process waited for others' write locks,
 * in ms (FIELDBOOK_TRACE_BUSY prints it when a command ends). */
uint64_t store_busy_waited_ms(void);

#define STORE_CREATE   1  /* create the file (and its directory) if absent */
#define STORE_READONLY 2  /* open for reading only */

/*
 * Open (or with STORE_CREATE, create) the database at path.  Without
 * STORE_CREATE a missing file is FB_ENOINPUT with a hint to run init.
 * extra_schema, if not NULL, is executed after the common schema (its
 * statements must use IF NOT EXISTS): the hub's tables.  NULL is a
 * collector's book, which also gets an index of the journal by record.
 * The file's kind is checked before anything is changed in it: a hub's
 * database (meta hub_unit) opened as a collector's, a laptop's (meta
 * branch) opened with extra_schema, or a SQLite file of another program
 * (tables but no meta) is FB_EINVAL, naming what it is, and left as it
 * was; so is one written by a newer Fieldbook (a higher schema_version).
 * On success *out is owned by the caller and released with store_close().
 */
enum fb_code store_open(const char *path, int flags, const char *extra_schema,
			struct fb_store **out, struct fb_error *err)
	FB_MUST_CHECK;

/* Close and free; NULL is fine.  An open transaction is rolled back. */
void store_close(struct fb_store *s);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
enum fb_code store_begin(struct fb_store *s, struct fb_error *err)
	FB_MUST_CHECK;
enum fb_code store_commit(struct fb_store *s, struct fb_error *err)
	FB_MUST_CHECK;
void store_rollback(struct fb_store *s);

/*
 * Convert a SQLite result code met while doing `what` into an fb_code
 * and message ("saving record: database or disk is full").
 */
enum fb_code store_fail(struct fb_store *s, int sqlite_rc, const char *what,
			struct fb_error *err)
	FB_MUST_CHECK;

/* Prepare a statement; on failure the message names it. */
enum fb_code store_prepare(struct fb_store *s, const char *sql,
			   sqlite3_stmt **out, struct fb_error *err)
	FB_MUST_CHECK;

/* Run SQL with no parameters and no rows (schema, pragmas). */
enum fb_code store_exec(struct fb_store *s, const char *sql,
			struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Meta values.  store_meta_get() gives a malloc'd copy or NULL when the
 * key is absent (rc FB_OK either way).  store_meta_int() parses an
 * integer, giving def when absent.
 */
enum fb_code store_meta_get(struct fb_store *s, const char *key, char **out,
			    struct fb_error *err)
	FB_MUST_CHECK;
enum fb_code store_meta_int(struct fb_store *s, const char *key, long long def,
			    long long *out, struct fb_error *err)
	FB_MUST_CHECK;
enum fb_code store_meta_set(struct fb_store *s, const char *key,
			    const char *value, struct fb_error *err)
	FB_MUST_CHECK;
enum fb_code store_meta_set_int(struct fb_store *s, const char *key,
				long long value, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * PRAGMA integrity_check: FB_OK when "ok", else FB_ECORRUPT with the
 * first problem SQLite names.
 */
enum fb_code store_integrity(struct fb_store *s, struct fb_error *err)
	FB_MUST_CHECK;

#endif
