/*
 * book_rewrite.c - re-issuing this laptop's own journal rows from a
 * sequence on (struct book_rewrite, book_internal.h): the one piece of
 * machinery behind the three cases where entries the hub never took
 * are written again:
 *
 *   - book_fork (book_fork.c): a restored or copied book goes on under
 *     a new device id; the rows keep their HLCs and take new numbers;
 *   - book_restamp (book_restamp.c): entries stamped while the clock
 *     ran fast are dated again; the rows keep their numbers and take
 *     new HLCs;
 *   - book_set_branch (book_branch.c): a branch code typed wrong at
 *     init is corrected before anything was sent; the rows keep both
 *     and take the new code.
 *
 * Each row is rewritten where it lies (its cseq, its place in the
 * commit order, is kept) and chained anew.  The stamps of the writes
 * re-issued are renamed wherever this book names them: in the bases
 * and seen vectors of the rows themselves, in the record state and in
 * the conflict log, so that the book reads afterwards exactly as if
 * the entries had been written so in the first place.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_internal.h"
#include "i18n.h"
#include "seen.h"

/* The temporary table the conflict log is renamed through. */
#define REWRITE_MAP_TABLE "temp.fb_rewrite_map"

void book_rewrite_init(struct book_rewrite *rw, struct book *b, const char *from,
		       const char *to)
{
	memset(rw, 0, sizeof(*rw));
	rw->b = b;
	snprintf(rw->from, sizeof(rw->from), "%s", from);
	snprintf(rw->to, sizeof(rw->to), "%s", to);
	rw->next_seq = 1;
	memcpy(rw->chain, zero_hash, sizeof(rw->chain));
}

void book_rewrite_release(struct book_rewrite *rw)
{
	free(rw->map);
	rw->map = NULL;
	rw->n = rw->cap = 0;
}

/*
 * The sequence the scans start from: start, or the device's next
 * sequence when start lies beyond it (nothing to move, and a uint64_t
 * above INT64_MAX must not be bound as a negative number).
 */
static sqlite3_int64 scan_from(const struct book_rewrite *rw)
{
	uint64_t end = rw->b->next_seq;

	return (sqlite3_int64)(rw->start < end ? rw->start : end);
}

enum fb_code book_rewrite_align(struct book_rewrite *rw, uint64_t from,
				struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	rw->start = from;
	if (from >= rw->b->next_seq)
		return FB_OK;
	rc = store_prepare(rw->b->st, "SELECT seq, n FROM journal WHERE device = ?1"
			   " AND seq <= ?2 ORDER BY seq DESC LIMIT 1", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, rw->from, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)from);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW) {
		uint64_t seq = (uint64_t)sqlite3_column_int64(q, 0),
			 n = (uint64_t)sqlite3_column_int64(q, 1);

		if (seq + n > from)
			rw->start = seq;
	} else if (s != SQLITE_DONE) {
		rc = store_fail(rw->b->st, s, _("reading journal"), err);
	}
	sqlite3_finalize(q);
	return rc;
}

static int map_cmp(const void *a, const void *b)
{
	fb_hlc x = ((const struct book_rewrite_hlc *)a)->old,
	       y = ((const struct book_rewrite_hlc *)b)->old;

	return x < y ? -1 : x > y;
}

enum fb_code book_rewrite_collect(struct book_rewrite *rw, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	rc = store_prepare(rw->b->st, "SELECT hlc FROM journal WHERE device = ?1"
			   " AND seq >= ?2", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, rw->from, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, scan_from(rw));
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		if (rw->n == rw->cap) {
			size_t cap = rw->cap ? 2 * rw->cap : 64;
			struct book_rewrite_hlc *v = cap < SIZE_MAX / sizeof(*v) ?
				realloc(rw->map, cap * sizeof(*v)) : NULL;

			if (!v) {
				rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
				break;
			}
			rw->map = v;
			rw->cap = cap;
		}
		rw->map[rw->n].old = rw->map[rw->n].new = (fb_hlc)sqlite3_column_int64(q, 0);
		rw->n++;
	}
	if (rc == FB_OK && s != SQLITE_DONE)
		rc = store_fail(rw->b->st, s, _("reading journal"), err);
	sqlite3_finalize(q);
	if (rc == FB_OK && rw->n)
		qsort(rw->map, rw->n, sizeof(*rw->map), map_cmp);
	return rc;
}

/* 1 when the rewrite changes any stamp (a device or an HLC). */
static int renames(const struct book_rewrite *rw)
{
	size_t i;

	if (strcmp(rw->from, rw->to))
		return 1;
	for (i = 0; i < rw->n; i++)
		if (rw->map[i].old != rw->map[i].new)
			return 1;
	return 0;
}

/*
 * Rename s if it names a re-issued write: rw->from and the HLC of a
 * re-issued row (a device writes each HLC once).  1 when renamed.
 */
static int rename_stamp(const struct book_rewrite *rw, struct fb_stamp *s)
{
	const struct book_rewrite_hlc key = { s->hlc, 0 }, *hit;

	if (!s->hlc || strcmp(s->device, rw->from))
		return 0;
	hit = bsearch(&key, rw->map, rw->n, sizeof(*rw->map), map_cmp);
	if (!hit)
		return 0;
	snprintf(s->device, sizeof(s->device), "%s", rw->to);
	s->hlc = hit->new;
	return 1;
}

/* seen_stamp_fn over rename_stamp(). */
static void rename_seen_stamp(struct fb_stamp *s, void *ctx)
{
	rename_stamp(ctx, s);
}

/*
 * A delete's seen vector in *value names the stamps it saw; those of
 * re-issued writes are renamed with them, or a receiver would take the
 * renamed write for one the delete never saw.  *value is replaced.
 */
static enum fb_code rename_seen(const struct book_rewrite *rw, enum rec_type type,
				char **value, int *renamed, struct fb_error *err)
{
	char *again = NULL;
	enum fb_code rc;

	rc = seen_rewrite(model_type(type), *value, rename_seen_stamp,
			  (void *)rw, &again, err);
	if (rc != FB_OK)
		return rc;
	if (strcmp(again, *value)) {
		free(*value);
		*value = again;
		*renamed = 1;
	} else {
		free(again);
	}
	return FB_OK;
}

/* Write c, read from the row cseq, back as its re-issued self. */
static enum fb_code reissue(struct book_rewrite *rw, sqlite3_stmt *put,
			    sqlite3_int64 cseq, struct jchange *c, struct fb_error *err)
{
	struct fb_stamp self = { c->hlc, "" };
	char *body = NULL;
	enum fb_code rc;
	size_t i;
	int s, changed = 0;

	/* The change's own stamp, renamed as its writes are. */
	snprintf(self.device, sizeof(self.device), "%s", c->device);
	rename_stamp(rw, &self);
	snprintf(c->device, sizeof(c->device), "%s", rw->to);
	c->seq = rw->next_seq;
	c->hlc = self.hlc;
	if (rw->branch && (!rw->branch_from || !strcmp(c->branch, rw->branch_from)))
		snprintf(c->branch, sizeof(c->branch), "%s", rw->branch);
	for (i = 0; i < c->n; i++) {
		rename_stamp(rw, &c->e[i].base);
		if (!strcmp(c->e[i].field, FIELD_SEEN) &&
		    (rc = rename_seen(rw, c->type, &c->e[i].value, &changed, err)) != FB_OK)
			return rc;
	}
	if ((rc = journal_hash(rw->chain, c)) != FB_OK ||
	    (rc = journal_body_format(c, &body)) != FB_OK)
		return fb_fail(err, rc, _("re-issuing journal entry %llu: %s"),
			       (unsigned long long)c->seq, fb_strerror(rc));
	sqlite3_bind_text(put, 1, c->device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(put, 2, (sqlite3_int64)c->seq);
	sqlite3_bind_int64(put, 3, (sqlite3_int64)c->hlc);
	sqlite3_bind_text(put, 4, c->branch, -1, SQLITE_STATIC);
	sqlite3_bind_text(put, 5, body, -1, SQLITE_STATIC);
	sqlite3_bind_blob(put, 6, c->hash, JOURNAL_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(put, 7, cseq);
	s = sqlite3_step(put);
	if (s != SQLITE_DONE)
		rc = store_fail(rw->b->st, s, _("rewriting journal entry"), err);
	else if (sqlite3_changes(rw->b->st->db) != 1)
		rc = fb_fail(err, FB_EINTERNAL, _("journal row %lld was not rewritten"), cseq);
	sqlite3_reset(put);
	sqlite3_clear_bindings(put);
	free(body);
	if (rc == FB_OK) {
		memcpy(rw->chain, c->hash, sizeof(rw->chain));
		rw->next_seq += c->n;
		rw->moved++;
	}
	return rc;
}

/*
 * Re-issue the rows from the start on, in sequence order.  The scan
 * moves past each row it rewrote by the row's old numbers, whether the
 * row left the device (a fork) or stayed under it.
 */
static enum fb_code move_rows(struct book_rewrite *rw, struct fb_error *err)
{
	sqlite3_stmt *next = NULL, *put = NULL;
	sqlite3_int64 from = scan_from(rw);
	struct jchange c;
	enum fb_code rc;
	int s = SQLITE_DONE;

	if ((rc = store_prepare(rw->b->st, "SELECT cseq, " BOOK_JOURNAL_COLUMNS
				" FROM journal WHERE device = ?1 AND seq >= ?2"
				" ORDER BY seq LIMIT 1", &next, err)) != FB_OK ||
	    (rc = store_prepare(rw->b->st, "UPDATE journal SET device = ?1, seq = ?2,"
				" hlc = ?3, branch = ?4, body = ?5, hash = ?6"
				" WHERE cseq = ?7", &put, err)) != FB_OK)
		goto out;
	for (;;) {
		sqlite3_int64 cseq;
		uint64_t old_end;

		sqlite3_bind_text(next, 1, rw->from, -1, SQLITE_STATIC);
		sqlite3_bind_int64(next, 2, from);
		if ((s = sqlite3_step(next)) != SQLITE_ROW)
			break;
		cseq = sqlite3_column_int64(next, 0);
		rc = book_journal_row(next, 1, &c, err);
		sqlite3_reset(next);
		/* Each turn must move the scan on: a row of no entries would
		 * be found again. */
		if (rc == FB_OK && c.n == 0)
			rc = fb_fail(err, FB_ECORRUPT, _("journal: device %s entry %llu holds no"
				       " entries"), c.device, (unsigned long long)c.seq);
		old_end = c.seq + c.n;
		if (rc == FB_OK)
			rc = reissue(rw, put, cseq, &c, err);
		jchange_release(&c);
		if (rc != FB_OK)
			goto out;
		if (old_end > (uint64_t)INT64_MAX) {
			s = SQLITE_DONE;
			break;
		}
		from = (sqlite3_int64)old_end;
	}
	if (s != SQLITE_DONE)
		rc = store_fail(rw->b->st, s, _("reading journal"), err);
out:
	sqlite3_finalize(next);
	sqlite3_finalize(put);
	return rc;
}

/* The stamps the re-issued rows wrote into their records are renamed. */
static enum fb_code rename_records(struct book_rewrite *rw, uint64_t first,
				   struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	rc = store_prepare(rw->b->st, "SELECT DISTINCT record_id FROM journal"
			   " WHERE device = ?1 AND seq >= ?2", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, rw->to, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)first);
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		struct record *r = NULL;
		int i, renamed = 0, seen = -1;

		rc = record_load(rw->b, (const char *)sqlite3_column_text(q, 0), &r, err);
		for (i = 0; rc == FB_OK && r && i < RECORD_FIELDS_MAX; i++) {
			if (!r->val[i])
				continue;
			if (rename_stamp(rw, &r->stamp[i]))
				renamed = 1;
			if (seen < 0)
				seen = model_field_index(model_type(r->type), FIELD_SEEN);
			if (i == seen)
				rc = rename_seen(rw, r->type, &r->val[i], &renamed, err);
		}
		if (rc == FB_OK && renamed)
			rc = record_save(rw->b, r, err);
		record_free(r);
		if (rc != FB_OK)
			break;
	}
	if (rc == FB_OK && s != SQLITE_DONE)
		rc = store_fail(rw->b->st, s, _("reading journal"), err);
	sqlite3_finalize(q);
	return rc;
}

/* Run sql with ?1 the old device and ?2 the new one. */
static enum fb_code run_renaming(struct book_rewrite *rw, const char *sql,
				 struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(rw->b->st, sql, &q, err);
	int s;

	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, rw->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, rw->to, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s != SQLITE_DONE)
		rc = store_fail(rw->b->st, s, _("renaming conflicts"), err);
	sqlite3_finalize(q);
	return rc;
}

/* The HLC map into its temporary table, for the conflict log's update. */
static enum fb_code fill_map_table(struct book_rewrite *rw, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	size_t i;
	int s;

	rc = store_exec(rw->b->st, "DROP TABLE IF EXISTS " REWRITE_MAP_TABLE ";"
			"CREATE TABLE " REWRITE_MAP_TABLE "(old INTEGER PRIMARY KEY,"
			" new INTEGER NOT NULL)", err);
	if (rc == FB_OK)
		rc = store_prepare(rw->b->st, "INSERT OR IGNORE INTO " REWRITE_MAP_TABLE
				   "(old, new) VALUES(?1, ?2)", &q, err);
	for (i = 0; rc == FB_OK && i < rw->n; i++) {
		sqlite3_bind_int64(q, 1, (sqlite3_int64)rw->map[i].old);
		sqlite3_bind_int64(q, 2, (sqlite3_int64)rw->map[i].new);
		s = sqlite3_step(q);
		sqlite3_reset(q);
		if (s != SQLITE_DONE)
			rc = store_fail(rw->b->st, s, _("renaming conflicts"), err);
	}
	sqlite3_finalize(q);
	return rc;
}

/*
 * The conflict log's stamps of re-issued writes are renamed, so that
 * the record state and the log still agree on who won (settling
 * compares them).  No renamed stamp can meet a row's other stamp under
 * the log's unique key: a fork's device is new, and book_restamp's new
 * HLCs lie below every old one it renames.
 */
static enum fb_code rename_conflicts(struct book_rewrite *rw, struct fb_error *err)
{
	enum fb_code rc = fill_map_table(rw, err);

	if (rc == FB_OK)
		rc = run_renaming(rw, "UPDATE conflict SET winner_device = ?2, winner_hlc ="
				  " (SELECT new FROM " REWRITE_MAP_TABLE " WHERE old = winner_hlc)"
				  " WHERE winner_device = ?1 AND winner_hlc IN"
				  " (SELECT old FROM " REWRITE_MAP_TABLE ")", err);
	if (rc == FB_OK)
		rc = run_renaming(rw, "UPDATE conflict SET loser_device = ?2, loser_hlc ="
				  " (SELECT new FROM " REWRITE_MAP_TABLE " WHERE old = loser_hlc)"
				  " WHERE loser_device = ?1 AND loser_hlc IN"
				  " (SELECT old FROM " REWRITE_MAP_TABLE ")", err);
	if (rc == FB_OK)
		rc = store_exec(rw->b->st, "DROP TABLE " REWRITE_MAP_TABLE, err);
	return rc;
}

enum fb_code book_rewrite_apply(struct book_rewrite *rw, struct fb_error *err)
{
	uint64_t first = rw->next_seq;
	enum fb_code rc;

	if ((rc = move_rows(rw, err)) != FB_OK || !renames(rw))
		return rc;
	if ((rc = rename_records(rw, first, err)) != FB_OK)
		return rc;
	return rename_conflicts(rw, err);
}
