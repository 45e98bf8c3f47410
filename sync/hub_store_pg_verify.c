/*
 * hub_store_pg_verify.c - verify on the PostgreSQL store: every
 * device's hash chain whole, then every record against what its journal
 * entries give, with the checks the SQLite store runs (shared/verify.c)
 * fed PostgreSQL's rows, in one REPEATABLE READ READ ONLY transaction.
 *
 * PostgreSQL has no PRAGMA integrity_check: its pages carry their own
 * checksums when the cluster was made with them, and amcheck and
 * pg_checksums are its administrators' tools.  The store's own check is
 * therefore the chains and the records (docs/DECISIONS.md).
 *
 * The rows come through cursors, a batch at a time: memory stays a
 * batch and one record, whatever the size of the hub.  They are ordered
 * by the bytes of device and record ids (COLLATE "C"), as SQLite orders
 * them: the two walks need it, and the first fault named is the same
 * on both stores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_pg.h"
#include "hub_store_rules.h"
#include "verify.h"

#define JOURNAL_COLUMNS "device, seq, n, hlc, record_id, type, branch, body, hash"

/* The cursors verify.c reads rows from. */
struct pg_rows {
	struct pg_cursor journal, record;
	unsigned char hash[JOURNAL_HASH_LEN];   /* the journal row's */
};

static enum fb_code next_journal(void *ctx, struct journal_row *row, int *more,
				 struct fb_error *err)
{
	struct pg_rows *x = ctx;
	const PGresult *r;
	enum fb_code rc;
	int i;

	if ((rc = pg_cursor_next(&x->journal, &i, err)) != FB_OK)
		return rc;
	*more = i >= 0;
	if (i < 0)
		return FB_OK;
	r = x->journal.r;
	row->device = PQgetvalue(r, i, 0);
	row->seq = strtoull(PQgetvalue(r, i, 1), NULL, 10);
	row->n = strtoull(PQgetvalue(r, i, 2), NULL, 10);
	row->hlc = (fb_hlc)strtoull(PQgetvalue(r, i, 3), NULL, 10);
	row->record_id = PQgetvalue(r, i, 4);
	row->type = PQgetvalue(r, i, 5);
	row->branch = PQgetvalue(r, i, 6);
	row->body = PQgetvalue(r, i, 7);
	row->hash = pg_bytes(r, i, 8, x->hash, sizeof(x->hash)) ? x->hash : NULL;
	return FB_OK;
}

static enum fb_code next_record(void *ctx, struct verify_record *row, int *more,
				struct fb_error *err)
{
	struct pg_rows *x = ctx;
	const PGresult *r;
	enum fb_code rc;
	int i;

	if ((rc = pg_cursor_next(&x->record, &i, err)) != FB_OK)
		return rc;
	*more = i >= 0;
	if (i < 0)
		return FB_OK;
	r = x->record.r;
	row->id = PQgetvalue(r, i, 0);
	row->type = PQgetvalue(r, i, 1);
	row->branch = PQgetvalue(r, i, 2);
	row->deleted = atoi(PQgetvalue(r, i, 3));
	row->vals = PQgetvalue(r, i, 4);
	row->clk = PQgetvalue(r, i, 5);
	return FB_OK;
}

/* Every device's chain: the whole journal by device and seq. */
static enum fb_code chains(struct pg_conn *c, struct pg_rows *x, uint64_t *rows,
			   uint64_t *entries, struct fb_error *err)
{
	struct verify_rows src = { next_journal, next_record, x };
	enum fb_code rc;

	rc = pg_cursor_open(&x->journal, c, "fb_verify_chain", "SELECT " JOURNAL_COLUMNS
			    " FROM journal ORDER BY device COLLATE \"C\", seq", 0, NULL,
			    "reading journal", err);
	if (rc == FB_OK)
		rc = verify_chains(&src, NULL, rows, entries, err);
	pg_cursor_close(&x->journal);
	return rc;
}

/* Every record against its entries (those not quarantined), side by side. */
static enum fb_code records(struct pg_conn *c, struct pg_rows *x, uint64_t *n,
			    struct fb_error *err)
{
	struct verify_rows src = { next_journal, next_record, x };
	char first[FB_ERRMSG_MAX] = "";
	uint64_t differences = 0;
	enum fb_code rc;

	if ((rc = pg_cursor_open(&x->journal, c, "fb_verify_journal", "SELECT "
				 JOURNAL_COLUMNS " FROM journal WHERE quarantined = 0"
				 " ORDER BY record_id COLLATE \"C\", cseq", 0, NULL,
				 "reading journal", err)) == FB_OK &&
	    (rc = pg_cursor_open(&x->record, c, "fb_verify_record", "SELECT id, type, branch,"
				 " deleted, vals, clk FROM record ORDER BY id COLLATE \"C\"", 0,
				 NULL, "reading records", err)) == FB_OK &&
	    (rc = verify_records(&src, hub_first_difference, first, n, &differences,
				 err)) == FB_OK)
		rc = hub_differences(first, differences, err);
	pg_cursor_close(&x->journal);
	pg_cursor_close(&x->record);
	return rc;
}

enum fb_code pg_verify(struct hub_store *s, uint64_t *rows, uint64_t *entries,
		       uint64_t *n, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *c = pg_get(h);
	struct pg_rows x;
	enum fb_code rc;

	*rows = *entries = *n = 0;
	memset(&x, 0, sizeof(x));
	/* One snapshot: the chains and the records checked are the same
	 * commits, whatever pushes run meanwhile. */
	if ((rc = pg_do(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL,
			"verify", err)) == FB_OK) {
		if ((rc = chains(c, &x, rows, entries, err)) == FB_OK)
			rc = records(c, &x, n, err);
		if (pg_do(c, "COMMIT", 0, NULL, "verify", NULL) != FB_OK && rc == FB_OK)
			rc = fb_fail(err, FB_EBUSY, "verify: cannot end its read");
	}
	pg_put(h, c);
	return rc;
}
