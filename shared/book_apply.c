/*
 * book_apply.c - applying one change to the book (apply.h's rule over
 * the book's SQLite statements), on the laptop and on an SQLite hub:
 * record state, conflict log and journal row together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_internal.h"
#include "i18n.h"

/* --- the book as apply_change() sees it ------------------------------ */

static enum fb_code sq_load(void *ctx, const char *id, struct record **out,
			    struct fb_error *err)
{
	return record_load(ctx, id, out, err);
}

static enum fb_code sq_save(void *ctx, const struct record *r, struct fb_error *err)
{
	return record_save(ctx, r, err);
}

static enum fb_code sq_conflict(void *ctx, const struct record *r,
				 const char *field, const char *kind,
				 const struct fb_stamp *ws, const char *wv,
				 const struct fb_stamp *ls, const char *lv,
				 struct fb_error *err)
{
	struct book *b = ctx;
	sqlite3_stmt *q = b->q_conflict;
	int s;

	sqlite3_bind_text(q, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, model_type(r->type)->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, r->branch, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, field, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, wv ? wv : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 7, (sqlite3_int64)ws->hlc);
	sqlite3_bind_text(q, 8, ws->device, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 9, lv ? lv : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 10, (sqlite3_int64)ls->hlc);
	sqlite3_bind_text(q, 11, ls->device, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return s == SQLITE_DONE ? FB_OK : store_fail(b->st, s, _("saving conflict"), err);
}

static enum fb_code sq_journal(void *ctx, const struct jchange *c,
				   int quarantined, struct fb_error *err)
{
	struct book *b = ctx;
	sqlite3_stmt *q = b->q_journal;
	char *body = NULL;
	enum fb_code rc;
	int s;

	rc = journal_body_format(c, &body);
	if (rc != FB_OK)
		return fb_fail(err, rc, _("out of memory"));
	sqlite3_bind_text(q, 1, c->device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)c->seq);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)c->n);
	sqlite3_bind_int64(q, 4, (sqlite3_int64)c->hlc);
	sqlite3_bind_text(q, 5, c->record_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, model_type(c->type)->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, c->branch, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, body, -1, SQLITE_STATIC);
	sqlite3_bind_blob(q, 9, c->hash, JOURNAL_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int(q, 10, quarantined);
	s = sqlite3_step(q);
	if (s != SQLITE_DONE)
		rc = store_fail(b->st, s, _("saving journal"), err);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	free(body);
	return rc;
}

/*
 * Is c->seq already held as the start of a change of the same size?
 * Then *same = 1 and held[] is its hash.
 */
static enum fb_code sq_have(void *ctx, const struct jchange *c,
			      int *same, unsigned char held[JOURNAL_HASH_LEN],
			      struct fb_error *err)
{
	struct book *b = ctx;
	sqlite3_stmt *q = b->q_have;
	enum fb_code rc = FB_OK;
	int s;

	*same = 0;
	sqlite3_bind_text(q, 1, c->device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)c->seq);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW) {
		*same = sqlite3_column_bytes(q, 0) == JOURNAL_HASH_LEN &&
			(uint64_t)sqlite3_column_int64(q, 1) == c->n;
		if (*same)
			memcpy(held, sqlite3_column_blob(q, 0), JOURNAL_HASH_LEN);
	} else if (s != SQLITE_DONE) {
		rc = store_fail(b->st, s, _("reading journal"), err);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc;
}

/*
 * An entry written over a conflict's winner by a device that saw it
 * (its base is the winner) settles that conflict: `resolve` works this
 * way, and so does any later edit of the field.
 */
static enum fb_code sq_settle(void *ctx, const struct record *r,
			   const char *field, const struct fb_stamp *winner,
			   struct fb_error *err)
{
	struct book *b = ctx;
	sqlite3_stmt *q = b->q_settle;
	int s;

	sqlite3_bind_text(q, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, field, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)winner->hlc);
	sqlite3_bind_text(q, 4, winner->device, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return s == SQLITE_DONE ? FB_OK : store_fail(b->st, s, _("settling conflict"), err);
}

static enum fb_code sq_settle_deletes(void *ctx, const char *id, struct fb_error *err)
{
	struct book *b = ctx;
	sqlite3_stmt *q = b->q_settle_deletes;
	int s;

	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return s == SQLITE_DONE ? FB_OK : store_fail(b->st, s, _("settling conflicts"), err);
}

static enum fb_code sq_chain_at(void *ctx, const char *device, uint64_t seq,
				unsigned char hash[JOURNAL_HASH_LEN], int *found,
				struct fb_error *err)
{
	return book_chain_at(ctx, device, seq, hash, found, err);
}

/*
 * A device's chain head: this book's own from memory, another's from
 * this transaction's cache or disk.
 */
static enum fb_code sq_head(void *ctx, const char *device, uint64_t *last,
			    unsigned char hash[JOURNAL_HASH_LEN], struct fb_error *err)
{
	struct book *b = ctx;

	if (!strcmp(device, b->device)) {
		*last = b->next_seq - 1;
		memcpy(hash, b->chain, JOURNAL_HASH_LEN);
		return FB_OK;
	}
	if (b->st->in_tx && b->peer.tx == b->st->tx_count &&
	    !strcmp(b->peer.device, device)) {
		*last = b->peer.last;
		memcpy(hash, b->peer.hash, JOURNAL_HASH_LEN);
		return FB_OK;
	}
	return book_device_head(b, device, last, hash, err);
}

/* c, of another device, was written with its hash chained: cache it. */
static void peer_wrote(struct book *b, const struct jchange *c)
{
	snprintf(b->peer.device, sizeof(b->peer.device), "%s", c->device);
	b->peer.last = c->seq + c->n - 1;
	memcpy(b->peer.hash, c->hash, JOURNAL_HASH_LEN);
	b->peer.tx = b->st->tx_count;
}

/* c was written: the clock observes it; the chain head it continues moves on. */
static void sq_wrote(void *ctx, const struct jchange *c, int flags)
{
	struct book *b = ctx;

	if (!(flags & BOOK_QUARANTINE))
		b->clock = hlc_observe(b->clock, c->hlc);
	if (!strcmp(c->device, b->device)) {
		b->next_seq = c->seq + c->n;
		memcpy(b->chain, c->hash, sizeof(b->chain));
	} else if (!(flags & BOOK_FROM_HUB)) {
		peer_wrote(b, c);
	}
}

static const struct apply_ops book_ops = {
	.load = sq_load, .save = sq_save, .journal = sq_journal,
	.conflict = sq_conflict, .have = sq_have, .settle = sq_settle,
	.settle_deletes = sq_settle_deletes, .head = sq_head,
	.chain_at = sq_chain_at, .wrote = sq_wrote,
};

enum fb_code book_apply(struct book *b, struct jchange *c, int flags,
			int *applied, struct fb_error *err)
{
	struct applier a = { &book_ops, b, b->device };
	enum fb_code rc;

	if (b->st->in_tx)
		return apply_change(&a, c, flags, applied, err);
	if ((rc = store_begin(b->st, err)) != FB_OK)
		return rc;
	rc = apply_change(&a, c, flags, applied, err);
	if (rc == FB_OK)
		return book_commit(b, err);
	book_rollback(b);
	return rc;
}
