/* book_journal.c - reading the journal back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_internal.h"
#include "i18n.h"

/* --- reading the journal --------------------------------------------- */

enum fb_code journal_row_fill(struct jchange *c, const struct journal_row *row,
			      struct fb_error *err)
{
	const struct type_def *t = model_type_named(row->type ? row->type : "");

	jchange_init(c);
	snprintf(c->device, sizeof(c->device), "%s", row->device ? row->device : "");
	c->seq = row->seq;
	c->hlc = row->hlc;
	snprintf(c->record_id, sizeof(c->record_id), "%s", row->record_id ? row->record_id : "");
	snprintf(c->branch, sizeof(c->branch), "%s", row->branch ? row->branch : "");
	if (!t || !row->hash)
		return fb_fail(err, FB_ECORRUPT, _("journal: device %s entry %llu is damaged"),
			       c->device, (unsigned long long)c->seq);
	c->type = t->type;
	memcpy(c->hash, row->hash, JOURNAL_HASH_LEN);
	if (!row->body || journal_body_parse(row->body, c, NULL) != FB_OK || c->n != row->n)
		return fb_fail(err, FB_ECORRUPT,
			       _("journal: device %s entry %llu was altered (its entries do not read)"),
			       c->device, (unsigned long long)c->seq);
	return FB_OK;
}

void book_journal_row_read(sqlite3_stmt *q, int col, struct journal_row *row)
{
	row->device = (const char *)sqlite3_column_text(q, col);
	row->seq = (uint64_t)sqlite3_column_int64(q, col + 1);
	row->n = (uint64_t)sqlite3_column_int64(q, col + 2);
	row->hlc = (fb_hlc)sqlite3_column_int64(q, col + 3);
	row->record_id = (const char *)sqlite3_column_text(q, col + 4);
	row->type = (const char *)sqlite3_column_text(q, col + 5);
	row->branch = (const char *)sqlite3_column_text(q, col + 6);
	row->body = (const char *)sqlite3_column_text(q, col + 7);
	row->hash = sqlite3_column_bytes(q, col + 8) == JOURNAL_HASH_LEN
		    ? sqlite3_column_blob(q, col + 8) : NULL;
}

enum fb_code book_journal_row(sqlite3_stmt *q, int col, struct jchange *c,
			      struct fb_error *err)
{
	struct journal_row row;

	book_journal_row_read(q, col, &row);
	return journal_row_fill(c, &row, err);
}

enum fb_code book_chain_at(struct book *b, const char *device, uint64_t seq,
			   unsigned char hash[JOURNAL_HASH_LEN], int *found,
			   struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	*found = 0;
	/* The row at or before seq; it ends at seq or the chain has no
	 * boundary there.  (A condition on seq + n would scan back.) */
	rc = store_prepare(b->st, "SELECT seq + n - 1, hash FROM journal"
			   " WHERE device = ?1 AND seq <= ?2 ORDER BY seq DESC LIMIT 1",
			   &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)seq);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW && (uint64_t)sqlite3_column_int64(q, 0) == seq) {
		if (sqlite3_column_bytes(q, 1) != JOURNAL_HASH_LEN) {
			rc = fb_fail(err, FB_ECORRUPT, _("journal: device %s entry %llu is damaged"),
				     device, (unsigned long long)seq);
		} else {
			memcpy(hash, sqlite3_column_blob(q, 1), JOURNAL_HASH_LEN);
			*found = 1;
		}
	} else if (s != SQLITE_ROW && s != SQLITE_DONE) {
		rc = store_fail(b->st, s, _("reading journal"), err);
	}
	sqlite3_finalize(q);
	return rc;
}

enum fb_code book_hub_holds(struct book *b, uint64_t held,
			    const unsigned char held_hash[JOURNAL_HASH_LEN],
			    uint64_t *fork_at, uint64_t *resend, struct fb_error *err)
{
	unsigned char mine[JOURNAL_HASH_LEN];
	uint64_t last = b->next_seq - 1, to;
	long long acked = 0;
	enum fb_code rc;
	int found = 0;

	*fork_at = *resend = 0;
	if (held > last) {
		*fork_at = last + 1;
		return FB_OK;
	}
	if ((rc = store_meta_int(b->st, "acked_seq", 0, &acked, err)) != FB_OK)
		return rc;
	if (held && (rc = book_chain_at(b, b->device, held, mine, &found, err)) != FB_OK)
		return rc;
	if (held && (!found || memcmp(mine, held_hash, sizeof(mine))))
		to = 0;
	else if (held < (uint64_t)acked)
		to = held;
	else
		return FB_OK;
	*resend = (uint64_t)acked - to;
	if ((rc = book_begin(b, err)) != FB_OK)
		return rc;
	if ((rc = store_meta_set_int(b->st, "acked_seq", (long long)to, err)) != FB_OK) {
		book_rollback(b);
		return rc;
	}
	return book_commit(b, err);
}

/*
 * device's changes after sequence `after`, those committed here before
 * commit `below` only (0: all), in order; as book_own_changes.
 */
static enum fb_code changes_of(struct book *b, const char *device, uint64_t after,
			       uint64_t below, struct jchange *out, size_t max,
			       size_t max_bytes, size_t *n, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	size_t bytes = 0;
	enum fb_code rc;
	int r = SQLITE_DONE;

	*n = 0;
	rc = store_prepare(b->st, "SELECT " BOOK_JOURNAL_COLUMNS
			   " FROM journal WHERE device = ?1 AND seq > ?2"
			   " AND (?4 = 0 OR cseq < ?4) ORDER BY seq LIMIT ?3", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)after);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)max);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)below);
	while (bytes < max_bytes && (r = sqlite3_step(q)) == SQLITE_ROW) {
		bytes += (size_t)sqlite3_column_bytes(q, 7);
		/* Counted first, so that the caller releases it either way. */
		if ((rc = book_journal_row(q, 0, &out[(*n)++], err)) != FB_OK)
			break;
	}
	if (rc == FB_OK && r != SQLITE_ROW && r != SQLITE_DONE)
		rc = store_fail(b->st, r, _("reading journal"), err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code book_own_changes(struct book *b, uint64_t after,
			      struct jchange *out, size_t max, size_t max_bytes,
			      size_t *n, struct fb_error *err)
{
	return changes_of(b, b->device, after, 0, out, max, max_bytes, n, err);
}

enum fb_code book_relay_first(struct book *b, const char *device, uint64_t held,
			      uint64_t *cseq, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	*cseq = 0;
	rc = store_prepare(b->st, "SELECT cseq FROM journal WHERE device = ?1 AND seq > ?2"
			   " ORDER BY seq LIMIT 1", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)held);
	if ((r = sqlite3_step(q)) == SQLITE_ROW)
		*cseq = (uint64_t)sqlite3_column_int64(q, 0);
	else if (r != SQLITE_DONE)
		rc = store_fail(b->st, r, _("reading journal"), err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code book_relay_changes(struct book *b, const char *device, uint64_t held,
				uint64_t below, struct jchange *out, size_t max,
				size_t max_bytes, size_t *n, struct fb_error *err)
{
	uint64_t next = held + 1;
	size_t got = 0, run, i;
	enum fb_code rc;

	*n = 0;
	rc = changes_of(b, device, held, below, out, max, max_bytes, &got, err);
	for (run = 0; rc == FB_OK && run < got && out[run].seq == next; run++)
		next += out[run].n;
	for (i = rc == FB_OK ? run : 0; i < got; i++)
		jchange_release(&out[i]);
	if (rc == FB_OK)
		*n = run;
	return rc;
}

enum fb_code book_relay_known(struct book *b, const char *device, uint64_t seq,
			      struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	rc = store_prepare(b->st, "INSERT INTO relay_head(device, seq) VALUES(?1, ?2)"
			   " ON CONFLICT(device) DO UPDATE SET seq = max(seq, excluded.seq)",
			   &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)seq);
	if ((r = sqlite3_step(q)) != SQLITE_DONE)
		rc = store_fail(b->st, r, _("noting what the hub holds"), err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code book_relay_known_of(struct book *b, const char *device, uint64_t *seq,
				 struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	*seq = 0;
	rc = store_prepare(b->st, "SELECT seq FROM relay_head WHERE device = ?1", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(q)) == SQLITE_ROW)
		*seq = (uint64_t)sqlite3_column_int64(q, 0);
	else if (r != SQLITE_DONE)
		rc = store_fail(b->st, r, _("reading relay_head"), err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code book_relay_forget(struct book *b, struct fb_error *err)
{
	return store_exec(b->st, "DELETE FROM relay_head", err);
}

/* Walk `sql` (?1 this book's device): rows of device and last sequence. */
static enum fb_code each_head(struct book *b, const char *sql, book_head_fn fn,
			      void *ctx, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r = SQLITE_DONE;

	rc = store_prepare(b->st, sql, &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, b->device, -1, SQLITE_STATIC);
	while (rc == FB_OK && (r = sqlite3_step(q)) == SQLITE_ROW)
		rc = fn((const char *)sqlite3_column_text(q, 0),
			(uint64_t)sqlite3_column_int64(q, 1), ctx);
	if (rc == FB_OK && r != SQLITE_DONE)
		rc = store_fail(b->st, r, _("reading journal"), err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code book_each_relay_candidate(struct book *b, book_head_fn fn, void *ctx,
				       struct fb_error *err)
{
	return each_head(b, "SELECT j.device, max(j.seq + j.n - 1) AS last FROM journal j"
			 " LEFT JOIN relay_head r ON r.device = j.device"
			 " WHERE j.device <> ?1 GROUP BY j.device"
			 " HAVING last > coalesce(max(r.seq), 0) ORDER BY j.device",
			 fn, ctx, err);
}

/* book_head_fn: add up what the hub is not known to hold. */
static enum fb_code add_waiting(const char *device, uint64_t ahead, void *ctx)
{
	uint64_t *sum = ctx;

	(void)device;
	sum[0] += ahead;
	sum[1]++;
	return FB_OK;
}

enum fb_code book_relay_waiting(struct book *b, uint64_t *entries, uint64_t *devices,
				struct fb_error *err)
{
	uint64_t sum[2] = { 0, 0 };
	enum fb_code rc;

	rc = each_head(b, "SELECT j.device, max(j.seq + j.n - 1) - coalesce(max(r.seq), 0)"
		       " AS ahead FROM journal j LEFT JOIN relay_head r ON r.device = j.device"
		       " WHERE j.device <> ?1 AND j.quarantined = 0 GROUP BY j.device"
		       " HAVING ahead > 0", add_waiting, sum, err);
	*entries = sum[0];
	*devices = sum[1];
	return rc;
}

enum fb_code book_each_other_device(struct book *b, book_head_fn fn, void *ctx,
				    struct fb_error *err)
{
	return each_head(b, "SELECT device, max(seq + n - 1) FROM journal"
			 " WHERE device <> ?1 GROUP BY device ORDER BY device",
			 fn, ctx, err);
}
