/*
 * book_restamp.c - dating again the entries a laptop stamped while its
 * clock ran fast (book_restamp in book.h; docs/DECISIONS.md, "A clock
 * that ran fast").
 *
 * A hub refuses a change stamped more than FB_HLC_MAX_DRIFT_MS ahead of
 * its clock, and a laptop's HLC never goes back: one entry saved while
 * the clock ran a day fast would hold back every later one until real
 * time caught up.  Entries no hub ever took are known only to this
 * book, like unpushed commits in git, so they may be dated again: new
 * HLCs, in the same order, just above everything else the book holds,
 * with the chain hashed anew and every stamp that names them renamed
 * (book_rewrite.c).  Because every new stamp stays above every stamp
 * the book holds and below none, each comparison the merge already made
 * here reads the same afterwards; and since no other replica ever saw
 * the old stamps, every replica merges the entries under the new ones
 * alike.
 */
#include <stdio.h>
#include <string.h>

#include "book_internal.h"
#include "i18n.h"

/* One integer column of the first row sql gives, with ?1 text, ?2 and
 * ?3 integers bound. */
static enum fb_code one_int64(struct book *b, const char *sql, const char *t1,
			      sqlite3_int64 n2, sqlite3_int64 n3, sqlite3_int64 *out,
			      struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(b->st, sql, &q, err);
	int s;

	*out = 0;
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, t1, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, n2);
	sqlite3_bind_int64(q, 3, n3);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	else
		rc = store_fail(b->st, s, _("reading journal"), err);
	sqlite3_finalize(q);
	return rc;
}

/*
 * Which of this device's rows to date again, and above what: *start is
 * the first sequence of the run of rows, after the last acknowledged
 * one, that are all stamped after `bound` and after every other
 * device's entry here (*start past the last row: none); *floor the
 * greatest HLC of every row outside that run, which the new stamps must
 * stay above.
 */
static enum fb_code find_run(struct book *b, fb_hlc bound, uint64_t *start,
			     fb_hlc *floor, struct fb_error *err)
{
	sqlite3_int64 acked = 0, others = 0, first = 0, below = 0;
	long long a = 0;
	fb_hlc threshold;
	enum fb_code rc;

	if ((rc = store_meta_int(b->st, "acked_seq", 0, &a, err)) != FB_OK)
		return rc;
	acked = a < 0 ? 0 : (sqlite3_int64)a;
	if ((rc = one_int64(b, "SELECT coalesce(max(hlc), 0) FROM journal WHERE device <> ?1",
			    b->device, 0, 0, &others, err)) != FB_OK)
		return rc;
	threshold = (fb_hlc)others > bound ? (fb_hlc)others : bound;
	/* After the last unacknowledged row at or below the threshold. */
	if ((rc = one_int64(b, "SELECT coalesce(max(seq + n), ?2 + 1) FROM journal"
			    " WHERE device = ?1 AND seq > ?2 AND hlc <= ?3",
			    b->device, acked, (sqlite3_int64)threshold, &first, err)) != FB_OK)
		return rc;
	*start = (uint64_t)first;
	if (*start >= b->next_seq)
		return FB_OK;
	if ((rc = one_int64(b, "SELECT coalesce(max(hlc), 0) FROM journal"
			    " WHERE device <> ?1 OR seq < ?2",
			    b->device, first, 0, &below, err)) != FB_OK)
		return rc;
	*floor = (fb_hlc)below;
	return FB_OK;
}

enum fb_code book_restamp(struct book *b, fb_hlc bound, size_t *moved,
			  struct fb_error *err)
{
	struct book_rewrite rw;
	uint64_t start = 0, now;
	fb_hlc floor = 0, prev;
	int own_tx = !b->st->in_tx, found = 1;
	enum fb_code rc;
	size_t i;

	*moved = 0;
	if (!b->branch[0] || !b->device[0])
		return fb_fail(err, FB_EINVAL, _("only a branch's book dates its own entries again"));
	if (own_tx && (rc = book_begin(b, err)) != FB_OK)
		return rc;
	book_rewrite_init(&rw, b, b->device, b->device);
	if ((rc = find_run(b, bound, &start, &floor, err)) != FB_OK ||
	    start >= b->next_seq)
		goto out;
	if ((rc = book_rewrite_align(&rw, start, err)) != FB_OK ||
	    (rc = book_rewrite_collect(&rw, err)) != FB_OK)
		goto out;
	/* Every old stamp must lie above every stamp outside the run, or a
	 * comparison the merge made could turn (a clock that went back and
	 * forth past acknowledged entries): then nothing is done. */
	if (!rw.n || rw.map[0].old <= floor || rw.start != start)
		goto out;
	now = b->wall_ms();
	prev = floor;
	for (i = 0; i < rw.n; i++)
		prev = rw.map[i].new = hlc_tick(prev, now);
	/* Dated again, they must be within the bound the hub takes. */
	if (prev > bound)
		goto out;
	rw.next_seq = start;
	if (start > 1 &&
	    (rc = book_chain_at(b, b->device, start - 1, rw.chain, &found, err)) != FB_OK)
		goto out;
	if (!found) {
		rc = fb_fail(err, FB_ECORRUPT, _("journal: device %s has no entry %llu"),
			     b->device, (unsigned long long)start - 1);
		goto out;
	}
	if ((rc = book_rewrite_apply(&rw, err)) != FB_OK)
		goto out;
	if (rw.next_seq != b->next_seq) {
		rc = fb_fail(err, FB_EINTERNAL, _("dating entries again: the journal ends at"
			       " %llu, not %llu"), (unsigned long long)rw.next_seq - 1,
			     (unsigned long long)b->next_seq - 1);
		goto out;
	}
	memcpy(b->chain, rw.chain, sizeof(b->chain));
	/* The clock comes back down with them: the next edit is stamped
	 * after what the book holds, not after the fast clock's time. */
	b->clock = prev > floor ? prev : floor;
	*moved = rw.moved;
out:
	if (own_tx) {
		if (rc == FB_OK)
			rc = book_commit(b, err);
		else
			book_rollback(b);
	}
	if (rc != FB_OK)
		*moved = 0;
	book_rewrite_release(&rw);
	return rc;
}
