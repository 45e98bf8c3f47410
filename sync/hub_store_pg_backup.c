/*
 * hub_store_pg_backup.c - `backup` and `restore` on the PostgreSQL store.
 *
 * A backup of a hub on PostgreSQL is what a backup of an SQLite hub is:
 * an SQLite hub file, every table of the store copied into it from one
 * snapshot (a REPEATABLE READ READ ONLY transaction, while the hub
 * serves), then checked as `verify` checks a hub and renamed into place
 * (hub_copy_begin, hub_copy_end).  So the command prints the same line
 * on both stores, the copy can be verified, read or even served by an
 * SQLite hub anywhere, and `restore` takes a copy of either store: a
 * province moves its hub from SQLite to PostgreSQL by restoring its last
 * backup into an empty database.  The cluster's own tools (pg_dump,
 * base backups and WAL archiving for point-in-time recovery) stay the
 * administrators' (docs/SCALING.md).
 *
 * The two stores have the same tables and columns (hub_store_pg.c, step
 * 1); the list below is them, in an order their references allow.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "hub_store_pg.h"
#include "store.h"
#include "wire.h"

struct hub_table {
	const char *name, *cols;
	int ncols;
	int bytea;              /* the column that is bytea / BLOB, or -1 */
};

static const struct hub_table tables[] = {
	{ "meta", "key, value", 2, -1 },
	{ "unit", "code, parent, level, name", 4, -1 },
	{ "record", "id, type, branch, deleted, vals, clk", 6, -1 },
	{ "journal", "cseq, device, seq, n, hlc, record_id, type, branch, body, hash,"
	  " quarantined", 11, 9 },
	{ "conflict", "id, record_id, type, branch, field, kind, winner_value, winner_hlc,"
	  " winner_device, loser_value, loser_hlc, loser_device, resolved", 13, -1 },
	{ "relay_head", "device, seq", 2, -1 },
	{ "device", "id, name, unit, token_hash, device, created, revoked, last_seen,"
	  " last_push, last_pull", 10, 3 },
	{ "rejected", "id, device, seq, record_id, type, branch, reason, at", 8, -1 },
	{ "epoch", "first_cseq, id, started", 3, -1 },
	{ "device_fork", "device, owner, forked_from, at", 4, -1 },
	{ "device_handover", "id, device, from_owner, to_owner, at", 5, -1 },
	{ "hub_token", "id", 1, -1 },
	{ "relayed", "cseq, token", 2, -1 },
	{ "hub_pull", "token, pulled_to", 2, -1 },
	{ "bundle_cursor", "device, token, after, epoch", 4, -1 },
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* The tables whose id PostgreSQL numbers (GENERATED ... AS IDENTITY). */
static const char *const numbered[] = { "conflict", "device", "rejected",
					"device_handover" };

/* The SQLite book's own meta keys, not the hub's: a restore leaves them. */
#define BOOK_OWN_META "('schema_version', 'hlc')"

#define COPY_FLUSH_BYTES ((size_t)4 << 20)

/* --- backup: PostgreSQL into an SQLite hub file ---------------------- */

/* A bytea's text ("\x" and hex) as a blob bound to q's parameter i. */
static enum fb_code bind_bytea(sqlite3_stmt *q, int i, const char *text,
			       struct fb_error *err)
{
	size_t n = strlen(text);
	unsigned char *b;
	enum fb_code rc = FB_OK;

	if (n < 2 || text[0] != '\\' || text[1] != 'x' || n % 2)
		return fb_fail(err, FB_ECORRUPT, "a bytea value that does not read: %.16s", text);
	n = (n - 2) / 2;
	if (!(b = malloc(n + 1)))
		return fb_fail(err, FB_ENOMEM, "out of memory");
	if (wire_unhex(text + 2, b, n) != FB_OK)
		rc = fb_fail(err, FB_ECORRUPT, "a bytea value that does not read: %.16s", text);
	else
		sqlite3_bind_blob(q, i, b, (int)n, SQLITE_TRANSIENT);
	free(b);
	return rc;
}

/* Every row of table t, from c's open transaction into out's. */
static enum fb_code table_out(struct pg_conn *c, sqlite3 *out, const struct hub_table *t,
			      struct fb_error *err)
{
	char sel[512], ins[640];
	struct pg_cursor k;
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int row = 0, i, n;

	snprintf(sel, sizeof(sel), "SELECT %s FROM %s", t->cols, t->name);
	n = snprintf(ins, sizeof(ins), "INSERT OR REPLACE INTO %s(%s) VALUES(?", t->name,
		     t->cols);
	for (i = 1; i < t->ncols; i++)
		n += snprintf(ins + n, sizeof(ins) - (size_t)n, ", ?");
	snprintf(ins + n, sizeof(ins) - (size_t)n, ")");
	if (sqlite3_prepare_v2(out, ins, -1, &q, NULL) != SQLITE_OK)
		return fb_fail(err, FB_EIO, "writing the copy: %s", sqlite3_errmsg(out));
	rc = pg_cursor_open(&k, c, "fb_copy", sel, 0, NULL, "reading the store", err);
	while (rc == FB_OK && (rc = pg_cursor_next(&k, &row, err)) == FB_OK && row >= 0) {
		for (i = 0; rc == FB_OK && i < t->ncols; i++) {
			if (PQgetisnull(k.r, row, i))
				sqlite3_bind_null(q, i + 1);
			else if (i == t->bytea)
				rc = bind_bytea(q, i + 1, PQgetvalue(k.r, row, i), err);
			else
				sqlite3_bind_text(q, i + 1, PQgetvalue(k.r, row, i), -1,
						  SQLITE_STATIC);
		}
		if (rc == FB_OK && sqlite3_step(q) != SQLITE_DONE)
			rc = fb_fail(err, FB_EIO, "writing the copy: %s", sqlite3_errmsg(out));
		sqlite3_reset(q);
		sqlite3_clear_bindings(q);
	}
	pg_cursor_close(&k);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code pg_backup(struct hub_store *s, const char *dest, uint64_t *entries,
		       struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	char part[HUB_COPY_PATH_MAX];
	struct fb_store *st = NULL;
	sqlite3 *out = NULL;
	struct pg_conn *c;
	enum fb_code rc;
	size_t i;

	*entries = 0;
	if ((rc = hub_copy_begin(dest, part, err)) != FB_OK)
		return rc;
	/* The SQLite hub's schema, empty, then every row in one transaction. */
	if ((rc = store_open(part, 0, hub_schema, &st, err)) == FB_OK)
		store_close(st);
	if (rc == FB_OK && (sqlite3_open_v2(part, &out, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
			    sqlite3_exec(out, "BEGIN", NULL, NULL, NULL) != SQLITE_OK))
		rc = fb_fail(err, FB_EIO, "cannot write %s: %s", part,
			     out ? sqlite3_errmsg(out) : "out of memory");
	if (rc == FB_OK) {
		c = pg_get(h);
		rc = pg_do(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL,
			   "reading the store", err);
		for (i = 0; rc == FB_OK && i < NTABLES; i++)
			rc = table_out(c, out, &tables[i], err);
		if (rc == FB_OK)
			rc = pg_do(c, "COMMIT", 0, NULL, "reading the store", err);
		else
			pg_rollback(c);
		pg_put(h, c);
	}
	if (rc == FB_OK && sqlite3_exec(out, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = fb_fail(err, FB_EIO, "cannot write %s: %s", part, sqlite3_errmsg(out));
	sqlite3_close(out);
	if (rc != FB_OK) {
		unlink(part);
		return rc;
	}
	return hub_copy_end(part, dest, entries, err);
}

/* --- restore: an SQLite hub file into PostgreSQL --------------------- */

/* One field of a COPY row from column i of q. */
static enum fb_code copy_value(struct fb_buf *b, sqlite3_stmt *q, int i, int last)
{
	enum fb_code rc;

	switch (sqlite3_column_type(q, i)) {
	case SQLITE_NULL:
		rc = buf_adds(b, "\\N");
		return rc == FB_OK ? buf_addc(b, last ? '\n' : '\t') : rc;
	case SQLITE_BLOB: {
		size_t n = (size_t)sqlite3_column_bytes(q, i);
		char *hex = malloc(2 * n + 3);

		if (!hex)
			return FB_ENOMEM;
		memcpy(hex, "\\x", 2);
		wire_hex(sqlite3_column_blob(q, i), n, hex + 2);
		rc = pg_copy_field(b, hex, last);
		free(hex);
		return rc;
	}
	default:
		return pg_copy_field(b, (const char *)sqlite3_column_text(q, i), last);
	}
}

/* Every row of table t, from in into c's open transaction, by COPY. */
static enum fb_code table_in(sqlite3 *in, struct pg_conn *c, const struct hub_table *t,
			     struct fb_error *err)
{
	char sel[600], copy[600];
	struct fb_buf rows = FB_BUF_INIT(0);
	sqlite3_stmt *q = NULL;
	enum fb_code rc = FB_OK;
	int r = SQLITE_DONE, i;

	snprintf(sel, sizeof(sel), "SELECT %s FROM %s%s", t->cols, t->name,
		 strcmp(t->name, "meta") ? "" : " WHERE key NOT IN " BOOK_OWN_META);
	snprintf(copy, sizeof(copy), "COPY %s(%s) FROM STDIN", t->name, t->cols);
	if (sqlite3_prepare_v2(in, sel, -1, &q, NULL) != SQLITE_OK)
		return fb_fail(err, FB_EINVAL, "reading the copy: %s", sqlite3_errmsg(in));
	while (rc == FB_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
		for (i = 0; rc == FB_OK && i < t->ncols; i++)
			if (copy_value(&rows, q, i, i == t->ncols - 1) != FB_OK)
				rc = fb_fail(err, FB_ENOMEM, "out of memory");
		if (rc == FB_OK && rows.len >= COPY_FLUSH_BYTES) {
			rc = pg_copy(c, copy, rows.data, rows.len, "restoring", err);
			buf_reset(&rows);
		}
	}
	if (rc == FB_OK && r != SQLITE_DONE)
		rc = fb_fail(err, FB_EINVAL, "reading the copy: %s", sqlite3_errmsg(in));
	if (rc == FB_OK && rows.len)
		rc = pg_copy(c, copy, rows.data, rows.len, "restoring", err);
	sqlite3_finalize(q);
	buf_release(&rows);
	return rc;
}

/* FB_EBUSY when a hub serves the database c is connected to. */
static enum fb_code nobody_serves(struct pg_conn *c, const char *shown, struct fb_error *err)
{
	const char *v[1] = { PG_APP_SERVE };
	enum fb_code rc;
	PGresult *r = pg_run(c, "SELECT count(*) FROM pg_stat_activity WHERE"
			     " datname = current_database() AND application_name = $1"
			     " AND pid <> pg_backend_pid()", 1, v, "restoring", &rc, err);

	if (r && strcmp(PQgetvalue(r, 0, 0), "0"))
		rc = fb_fail(err, FB_EBUSY, "%s is being served by a hub: stop the hub first,"
			     " then restore", shown);
	PQclear(r);
	return rc;
}

/* The copy's rows in place of the store's, in one transaction. */
static enum fb_code put_back(sqlite3 *in, struct pg_conn *c, const char *shown,
			     struct fb_error *err)
{
	char sql[256];
	enum fb_code rc;
	size_t i;

	if ((rc = nobody_serves(c, shown, err)) != FB_OK ||
	    (rc = pg_exec(c, "BEGIN; SET CONSTRAINTS ALL DEFERRED; TRUNCATE meta, unit, record,"
			  " journal, conflict, relay_head, device, rejected, epoch, device_fork,"
			  " device_handover, hub_token, relayed, hub_pull, bundle_cursor",
			  "restoring", err)) != FB_OK)
		return rc;
	for (i = 0; rc == FB_OK && i < NTABLES; i++)
		rc = table_in(in, c, &tables[i], err);
	/* The ids PostgreSQL gives next follow the copy's. */
	for (i = 0; rc == FB_OK && i < sizeof(numbered) / sizeof(numbered[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_sequence('%s', 'id'),"
			 " coalesce((SELECT max(id) FROM %s), 0) + 1, false)", numbered[i],
			 numbered[i]);
		rc = pg_exec(c, sql, "restoring", err);
	}
	if (rc == FB_OK)
		rc = pg_do(c, "COMMIT", 0, NULL, "restoring", err);
	else
		pg_rollback(c);
	return rc;
}

/* The copy's top unit (malloc'd texts in top). */
static enum fb_code top_of_copy(sqlite3 *in, struct hub_unit *top, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = FB_OK;

	memset(top, 0, sizeof(*top));
	if (sqlite3_prepare_v2(in, "SELECT code, level, name FROM unit WHERE parent IS NULL",
			       -1, &q, NULL) != SQLITE_OK)
		return fb_fail(err, FB_EINVAL, "reading the copy: %s", sqlite3_errmsg(in));
	if (sqlite3_step(q) != SQLITE_ROW)
		rc = fb_fail(err, FB_EINVAL, "the copy has no top unit");
	else if (!(top->code = strdup((const char *)sqlite3_column_text(q, 0))) ||
		 !(top->level = strdup((const char *)sqlite3_column_text(q, 1))) ||
		 !(top->name = strdup((const char *)sqlite3_column_text(q, 2))))
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
	sqlite3_finalize(q);
	return rc;
}

enum fb_code hub_store_pg_restore(const char *copy, const char *uri, uint64_t *entries,
				  struct fb_error *err)
{
	char shown[HUB_PG_SHOWN_MAX];
	struct hub_store *s = NULL;
	struct hub_unit top;
	struct pg_conn *c;
	sqlite3 *in = NULL;
	enum fb_code rc;

	*entries = 0;
	memset(&top, 0, sizeof(top));
	hub_store_pg_shown(uri, shown, sizeof(shown));
	if (access(copy, R_OK))
		return fb_fail(err, FB_ENOINPUT, "cannot read %s: %s", copy, strerror(errno));
	if ((rc = hub_copy_check(copy, entries, err)) != FB_OK)
		return rc;
	if (sqlite3_open_v2(copy, &in, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = fb_fail(err, FB_EIO, "cannot read %s: %s", copy,
			     in ? sqlite3_errmsg(in) : "out of memory");
		goto out;
	}
	if ((rc = top_of_copy(in, &top, err)) != FB_OK)
		goto out;
	/* A database without a hub (a province moving its hub from SQLite
	 * to PostgreSQL) gets the schema first. */
	rc = hub_store_pg_admin(uri, &s, err);
	if (rc == FB_ENOINPUT) {
		fb_error_clear(err);
		if ((rc = hub_store_pg_create(uri, &top, err)) == FB_OK)
			rc = hub_store_pg_admin(uri, &s, err);
	}
	if (rc != FB_OK)
		goto out;
	c = pg_get((struct pg_hub *)s);
	/* A read of the copy in one snapshot of its own. */
	if (sqlite3_exec(in, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		rc = fb_fail(err, FB_EIO, "cannot read %s: %s", copy, sqlite3_errmsg(in));
	if (rc == FB_OK)
		rc = put_back(in, c, shown, err);
	sqlite3_exec(in, "COMMIT", NULL, NULL, NULL);
	pg_put((struct pg_hub *)s, c);
	s->ops->close(s);
out:
	sqlite3_close(in);
	free((char *)top.code);
	free((char *)top.level);
	free((char *)top.name);
	return rc;
}
