/*
 * hub_store_pg.h - what the files of the PostgreSQL store share:
 * hub_store_pg.c (connections, the schema, the hub's commands),
 * hub_store_pg_push.c (pushes), hub_store_pg_pull.c (pulls, heads,
 * tokens, bundles' cursors), hub_store_pg_report.c (report) and
 * hub_store_pg_verify.c (verify) and hub_store_pg_relay.c (the hub as
 * a client of the hub above).  Private to them.
 */
#ifndef FB_HUB_STORE_PG_H
#define FB_HUB_STORE_PG_H

#include <pthread.h>
#include <libpq-fe.h>

#include "hub_store.h"

/* Now, as the hub's tables write moments: UTC ISO 8601 to the second,
 * the same text the SQLite store writes. */
#define PG_NOW "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* The units a scope covers: the unit and all below it ($1). */
#define PG_SUBTREE "WITH RECURSIVE sub(code) AS (SELECT $1::text UNION" \
	" SELECT unit.code FROM unit JOIN sub ON unit.parent = sub.code)"

/*
 * Advisory locks (docs/DECISIONS.md, "PostgreSQL store"): keys of the
 * one-bigint form, fixed numbers that name them; a device's lock is of
 * the two-int4 form (PG_DEVICE_LOCK_CLASS, hashtext(device)), which
 * never meets the others.
 */
#define PG_MIGRATE_LOCK "108516735134578"       /* migrations */
#define PG_COMMIT_LOCK  "108516735134579"       /* journal rows numbered */
#define PG_DEVICE_LOCK_CLASS "1717725805"       /* a device's pushes */

/* What the hub's connections are called in pg_stat_activity: a serving
 * hub's, and the commands'. */
#define PG_APP_SERVE "fieldbook-hub serve"
#define PG_APP       "fieldbook-hub"

/* A push that lost a race (a serialization failure, a deadlock, a new
 * record written by another push first) is run again this many times. */
#define PG_PUSH_TRIES 8

/* One connection of the pool. */
struct pg_conn {
	PGconn *conn;
	int busy;
	int stale;              /* another connection was lost: made again
				   before its next use */
	char state[6];          /* SQLSTATE of its last failure ("" none) */
};

struct pg_hub {
	struct hub_store base;
	pthread_mutex_t lock;   /* guards the pool */
	pthread_cond_t freed;
	int n;
	struct pg_conn *pool;
};

/* Take a free connection (waiting for one; one lost is made again),
 * and give it back. */
struct pg_conn *pg_get(struct pg_hub *h);
void pg_put(struct pg_hub *h, struct pg_conn *c);

/*
 * Run sql with text parameters (NULL: SQL NULL); the result when its
 * status is the one expected, else NULL with *rc and err set (and
 * c->state the SQLSTATE).  The caller PQclear()s it.  A connection
 * lost, a server shutting down or a transaction that lost a race is
 * FB_EBUSY (75, a push's 503).
 */
PGresult *pg_run(struct pg_conn *c, const char *sql, int n, const char *const *params,
		 const char *what, enum fb_code *rc, struct fb_error *err);
/* The same, its result not read. */
enum fb_code pg_do(struct pg_conn *c, const char *sql, int n, const char *const *params,
		   const char *what, struct fb_error *err);
/* Statements without parameters, several in one string. */
enum fb_code pg_exec(struct pg_conn *c, const char *sql, const char *what,
		     struct fb_error *err);
/* End a transaction that failed: nothing of it stays. */
void pg_rollback(struct pg_conn *c);
/* The number of rows a statement changed. */
long long pg_changed(PGresult *r);
/* A bytea column's value (hex text) into out[len]; 0 when it is not
 * that long. */
int pg_bytes(const PGresult *r, int row, int col, unsigned char *out, size_t len);
/* out: "\x" and the hex of len bytes (size 2 * len + 3). */
void pg_hex(const unsigned char *in, size_t len, char *out);

/*
 * COPY ... FROM STDIN with the rows in data (COPY's text format, each
 * field put with pg_copy_field).  Fails as pg_run does.
 */
enum fb_code pg_copy(struct pg_conn *c, const char *sql, const char *data, size_t len,
		     const char *what, struct fb_error *err);
/* A field of a COPY row: v escaped, then a tab, or (last) a newline. */
enum fb_code pg_copy_field(struct fb_buf *b, const char *v, int last);

/* A PostgreSQL array of text, built element by element (NULL-free). */
struct pg_array {
	char *text;
	size_t len, cap;
	int n;
	int failed;             /* out of memory */
};
void pg_array_add(struct pg_array *a, const char *value);
void pg_array_addf(struct pg_array *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The literal ("{...}"), or NULL when memory ran out. */
const char *pg_array_text(struct pg_array *a);
void pg_array_release(struct pg_array *a);

/*
 * A query read through a cursor of the transaction open on c, a batch
 * of PG_CURSOR_ROWS rows at a time, so that a table of any size is read
 * in the memory of one batch (verify, report).  A cursor writes nothing:
 * it runs on a read-only connection and on a hot standby.
 */
#define PG_CURSOR_ROWS 2000

struct pg_cursor {
	struct pg_conn *c;
	const char *name;       /* an SQL identifier, the caller's */
	const char *what;       /* for messages */
	PGresult *r;            /* the batch being read */
	int row, nrows;
	int open, done;
};

/* DECLARE name for sql (its parameters as pg_run's). */
enum fb_code pg_cursor_open(struct pg_cursor *k, struct pg_conn *c, const char *name,
			    const char *sql, int n, const char *const *params,
			    const char *what, struct fb_error *err);
/* The next row: *row its number in k->r, or -1 after the last. */
enum fb_code pg_cursor_next(struct pg_cursor *k, int *row, struct fb_error *err);
/* CLOSE it (when the transaction still stands) and free its batch. */
void pg_cursor_close(struct pg_cursor *k);

/* The journal row in row i of r, its columns device, seq, n, hlc,
 * record_id, type, branch, body and hash from column col on; hash is
 * the room for its hash (row->hash NULL when the column is damaged). */
struct journal_row;
void pg_journal_row(const PGresult *r, int i, int col,
		    unsigned char hash[JOURNAL_HASH_LEN], struct journal_row *out);

/* The hub's top unit, malloc'd. */
enum fb_code pg_top_of(struct pg_conn *c, char **top, struct fb_error *err);

/* hub_store_pg_report.c, hub_store_pg_verify.c: the read-only commands,
 * each in one REPEATABLE READ READ ONLY transaction. */
enum fb_code pg_report_data(struct hub_store *s, int year, int names,
			    struct hub_report_data *d, struct fb_error *err);
enum fb_code pg_verify(struct hub_store *s, uint64_t *rows, uint64_t *entries,
		       uint64_t *records, struct fb_error *err);

/* hub_store_pg_pull.c */
enum fb_code pg_auth(struct hub_store *s, const unsigned char hash[TOKEN_HASH_LEN],
		     struct hub_device *dev, struct fb_error *err);
enum fb_code pg_pull(struct hub_store *s, const struct hub_device *dev,
		     const struct hub_pull *req, fb_hlc hub_time,
		     struct fb_buf *out, struct fb_error *err);
enum fb_code pg_heads(struct hub_store *s, const struct hub_device *dev,
		      struct wire_heads *h, struct fb_error *err);
enum fb_code pg_find_device(struct hub_store *s, const char *device,
			    struct hub_device *dev, struct fb_error *err);
enum fb_code pg_bundle_cursor(struct hub_store *s, const char *device, uint64_t *after,
			      char epoch[WIRE_EPOCH_LEN + 1], struct fb_error *err);
enum fb_code pg_bundle_mark(struct hub_store *s, const char *device, long long token,
			    uint64_t after, const char *epoch, struct fb_error *err);
/* Begin a new epoch (serve's start), its first commit sequence read
 * under the commit lock. */
enum fb_code pg_new_epoch(struct pg_conn *c, struct fb_error *err);
/* device's last sequence and chain hash held (0 and zeros: none). */
enum fb_code pg_device_head(struct pg_conn *c, const char *device, uint64_t *last,
			    unsigned char hash[JOURNAL_HASH_LEN], struct fb_error *err);
/* The chain hash after device's entry seq; *found 0 when none ends there. */
enum fb_code pg_chain_at(struct pg_conn *c, const char *device, uint64_t seq,
			 unsigned char hash[JOURNAL_HASH_LEN], int *found,
			 struct fb_error *err);
/* May dev's token push as `device` (binding it in the push's
 * transaction), and pull as it. */
enum fb_code pg_bind(struct pg_conn *c, struct hub_device *dev, const char *device,
		     const char *forked_from, struct fb_error *err);
enum fb_code pg_may_ask(struct pg_conn *c, const struct hub_device *dev,
			const char *device, struct fb_error *err);

/* hub_store_pg_backup.c: the store as an SQLite hub file (backup). */
enum fb_code pg_backup(struct hub_store *s, const char *dest, uint64_t *entries,
		       struct fb_error *err);

/* hub_store_pg_push.c */
enum fb_code pg_push(struct hub_store *s, struct hub_device *dev, struct wire_batch *b,
		     struct hub_push_result *res, struct fb_error *err);
/* Changes pulled from the hub above, merged in c's open transaction as
 * a push merges its batch (self: the hub's relay id). */
enum fb_code pg_merge_pulled(struct pg_conn *c, struct jchange *changes, size_t n,
			     const char *self, struct fb_error *err);

#endif
