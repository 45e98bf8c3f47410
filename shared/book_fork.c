/*
 * book_fork.c - continuing a laptop's book under a new device id after
 * a restore from an old copy or a copy to a second laptop (book_fork in
 * book.h; docs/DECISIONS.md, "A laptop restored from a copy, or
 * copied"), and reading back when that happened (book_each_fork).
 *
 * The one place a journal row is moved: each of the device's rows from
 * the fork point on is renumbered under the new id where it lies (its
 * cseq, its place in the commit order, is kept) and chained anew.  Then
 * the stamps those rows wrote are renamed in the record state and the
 * conflict log, and what sync kept about the hub under the old id
 * starts over.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_internal.h"
#include "book_view.h"
#include "seen.h"

/* meta: one note "<old>:<from>:<moved>:<new>" per fork, space apart. */
#define FORK_KEY "forked_from"
#define FORK_NOTE_PARTS 4

/* One fork under way. */
struct fork {
	struct book *b;
	char old[FB_DEVICE_ID_MAX + 1];
	char fresh[FB_DEVICE_ID_LEN + 1];
	uint64_t start;         /* the old id's first sequence to move */
	fb_hlc *hlcs;           /* the HLCs of the rows moved, sorted */
	size_t n_hlcs, cap_hlcs;
	size_t moved;           /* rows re-issued so far */
	uint64_t next_seq;      /* the new id's next sequence */
	unsigned char chain[JOURNAL_HASH_LEN]; /* and its chain head */
};

/*
 * The sequence the scans start from: start, or the own next sequence
 * when start lies beyond it (nothing to move, and a uint64_t above
 * INT64_MAX must not be bound as a negative number).
 */
static sqlite3_int64 scan_from(const struct fork *f)
{
	return (sqlite3_int64)(f->start < f->b->next_seq ? f->start : f->b->next_seq);
}

/*
 * The fork point, moved back to the first sequence of the row that
 * holds `from`: a change travels, and is hashed by the hub, whole.
 */
static enum fb_code fork_start(struct fork *f, uint64_t from, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	f->start = from;
	if (from >= f->b->next_seq)
		return FB_OK;
	rc = store_prepare(f->b->st, "SELECT seq, n FROM journal WHERE device = ?1"
			   " AND seq <= ?2 ORDER BY seq DESC LIMIT 1", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, f->old, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)from);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW) {
		uint64_t seq = (uint64_t)sqlite3_column_int64(q, 0),
			 n = (uint64_t)sqlite3_column_int64(q, 1);

		if (seq + n > from)
			f->start = seq;
	} else if (s != SQLITE_DONE) {
		rc = store_fail(f->b->st, s, "reading journal", err);
	}
	sqlite3_finalize(q);
	return rc;
}

static int hlc_cmp(const void *a, const void *b)
{
	fb_hlc x = *(const fb_hlc *)a, y = *(const fb_hlc *)b;

	return x < y ? -1 : x > y;
}

/* The HLCs of the rows to move, sorted for moved_write(). */
static enum fb_code collect_hlcs(struct fork *f, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	rc = store_prepare(f->b->st, "SELECT hlc FROM journal WHERE device = ?1"
			   " AND seq >= ?2", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, f->old, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, scan_from(f));
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		if (f->n_hlcs == f->cap_hlcs) {
			size_t cap = f->cap_hlcs ? 2 * f->cap_hlcs : 64;
			fb_hlc *v = cap < SIZE_MAX / sizeof(*v) ?
				    realloc(f->hlcs, cap * sizeof(*v)) : NULL;

			if (!v) {
				rc = fb_fail(err, FB_ENOMEM, "out of memory");
				break;
			}
			f->hlcs = v;
			f->cap_hlcs = cap;
		}
		f->hlcs[f->n_hlcs++] = (fb_hlc)sqlite3_column_int64(q, 0);
	}
	if (rc == FB_OK && s != SQLITE_DONE)
		rc = store_fail(f->b->st, s, "reading journal", err);
	sqlite3_finalize(q);
	if (rc == FB_OK && f->n_hlcs)
		qsort(f->hlcs, f->n_hlcs, sizeof(*f->hlcs), hlc_cmp);
	return rc;
}

/*
 * Rename s to the new id if it names a moved write: the old id and the
 * HLC of a moved row (the old id wrote each HLC once, in order).
 * 1 when renamed.
 */
static int rename_stamp(const struct fork *f, struct fb_stamp *s)
{
	if (strcmp(s->device, f->old) ||
	    !bsearch(&s->hlc, f->hlcs, f->n_hlcs, sizeof(*f->hlcs), hlc_cmp))
		return 0;
	snprintf(s->device, sizeof(s->device), "%s", f->fresh);
	return 1;
}

/* seen_stamp_fn over rename_stamp(). */
static void rename_seen_stamp(struct fb_stamp *s, void *ctx)
{
	rename_stamp(ctx, s);
}

/*
 * A delete's seen vector in *value names the stamps it saw; those of
 * moved writes take the new id with them, or a receiver would take the
 * renamed write for one the delete never saw.  *value is replaced.
 */
static enum fb_code rename_seen(const struct fork *f, enum rec_type type,
				char **value, int *renamed, struct fb_error *err)
{
	char *again = NULL;
	enum fb_code rc;

	rc = seen_rewrite(model_type(type), *value, rename_seen_stamp,
			  (void *)f, &again, err);
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

/* Write c, read from the row cseq, back as the new id's next change. */
static enum fb_code reissue(struct fork *f, sqlite3_stmt *put, sqlite3_int64 cseq,
			    struct jchange *c, struct fb_error *err)
{
	char *body = NULL;
	enum fb_code rc;
	size_t i;
	int s, changed = 0;

	snprintf(c->device, sizeof(c->device), "%s", f->fresh);
	c->seq = f->next_seq;
	for (i = 0; i < c->n; i++) {
		rename_stamp(f, &c->e[i].base);
		if (!strcmp(c->e[i].field, FIELD_SEEN) &&
		    (rc = rename_seen(f, c->type, &c->e[i].value, &changed, err)) != FB_OK)
			return rc;
	}
	if ((rc = journal_hash(f->chain, c)) != FB_OK ||
	    (rc = journal_body_format(c, &body)) != FB_OK)
		return fb_fail(err, rc, "re-issuing journal entry %llu: %s",
			       (unsigned long long)c->seq, fb_strerror(rc));
	sqlite3_bind_text(put, 1, c->device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(put, 2, (sqlite3_int64)c->seq);
	sqlite3_bind_text(put, 3, body, -1, SQLITE_STATIC);
	sqlite3_bind_blob(put, 4, c->hash, JOURNAL_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(put, 5, cseq);
	s = sqlite3_step(put);
	if (s != SQLITE_DONE)
		rc = store_fail(f->b->st, s, "moving journal entry", err);
	else if (sqlite3_changes(f->b->st->db) != 1)
		rc = fb_fail(err, FB_EINTERNAL, "journal row %lld was not moved", cseq);
	sqlite3_reset(put);
	sqlite3_clear_bindings(put);
	free(body);
	if (rc == FB_OK) {
		memcpy(f->chain, c->hash, sizeof(f->chain));
		f->next_seq += c->n;
		f->moved++;
	}
	return rc;
}

/*
 * Re-issue the old id's rows from the fork point on, in sequence order.
 * A row, once moved, is no longer the old id's: the first row the query
 * finds is always the next one, and every turn moves one (or fails).
 */
static enum fb_code move_rows(struct fork *f, struct fb_error *err)
{
	sqlite3_stmt *next = NULL, *put = NULL;
	struct jchange c;
	enum fb_code rc;
	int s = SQLITE_DONE;

	f->next_seq = 1;
	memcpy(f->chain, zero_hash, sizeof(f->chain));
	if ((rc = store_prepare(f->b->st, "SELECT cseq, " BOOK_JOURNAL_COLUMNS
				" FROM journal WHERE device = ?1 AND seq >= ?2"
				" ORDER BY seq LIMIT 1", &next, err)) != FB_OK ||
	    (rc = store_prepare(f->b->st, "UPDATE journal SET device = ?1, seq = ?2,"
				" body = ?3, hash = ?4 WHERE cseq = ?5", &put, err)) != FB_OK)
		goto out;
	sqlite3_bind_text(next, 1, f->old, -1, SQLITE_STATIC);
	sqlite3_bind_int64(next, 2, scan_from(f));
	while ((s = sqlite3_step(next)) == SQLITE_ROW) {
		sqlite3_int64 cseq = sqlite3_column_int64(next, 0);

		rc = book_journal_row(next, 1, &c, err);
		sqlite3_reset(next);
		if (rc == FB_OK)
			rc = reissue(f, put, cseq, &c, err);
		jchange_release(&c);
		if (rc != FB_OK)
			goto out;
	}
	if (s != SQLITE_DONE)
		rc = store_fail(f->b->st, s, "reading journal", err);
out:
	sqlite3_finalize(next);
	sqlite3_finalize(put);
	return rc;
}

/* The stamps the moved rows wrote into their records take the new id. */
static enum fb_code rename_records(struct fork *f, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	rc = store_prepare(f->b->st, "SELECT DISTINCT record_id FROM journal"
			   " WHERE device = ?1", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, f->fresh, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		struct record *r = NULL;
		int i, renamed = 0, seen = -1;

		rc = record_load(f->b, (const char *)sqlite3_column_text(q, 0), &r, err);
		for (i = 0; rc == FB_OK && r && i < RECORD_FIELDS_MAX; i++) {
			if (!r->val[i])
				continue;
			if (rename_stamp(f, &r->stamp[i]))
				renamed = 1;
			if (seen < 0)
				seen = model_field_index(model_type(r->type), FIELD_SEEN);
			if (i == seen)
				rc = rename_seen(f, r->type, &r->val[i], &renamed, err);
		}
		if (rc == FB_OK && renamed)
			rc = record_save(f->b, r, err);
		record_free(r);
		if (rc != FB_OK)
			break;
	}
	if (rc == FB_OK && s != SQLITE_DONE)
		rc = store_fail(f->b->st, s, "reading journal", err);
	sqlite3_finalize(q);
	return rc;
}

/* Run sql with ?1 the old id and ?2 the new one. */
static enum fb_code run_renaming(struct fork *f, const char *sql, const char *what,
				 struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(f->b->st, sql, &q, err);
	int s;

	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, f->old, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, f->fresh, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s != SQLITE_DONE)
		rc = store_fail(f->b->st, s, what, err);
	sqlite3_finalize(q);
	return rc;
}

/*
 * The conflict log's stamps of moved writes take the new id, so that
 * the record state and the log still agree on who won (settling
 * compares them).  The new id's rows are now exactly the moved ones.
 */
static enum fb_code rename_conflicts(struct fork *f, struct fb_error *err)
{
	enum fb_code rc;

	rc = run_renaming(f, "UPDATE conflict SET winner_device = ?2"
			  " WHERE winner_device = ?1 AND winner_hlc IN"
			  " (SELECT hlc FROM journal WHERE device = ?2)",
			  "renaming conflicts", err);
	if (rc == FB_OK)
		rc = run_renaming(f, "UPDATE conflict SET loser_device = ?2"
				  " WHERE loser_device = ?1 AND loser_hlc IN"
				  " (SELECT hlc FROM journal WHERE device = ?2)",
				  "renaming conflicts", err);
	return rc;
}

/*
 * The new id in meta, the fork noted, and sync's state about the hub
 * under the old id started over: nothing of the new id is acknowledged,
 * the pull starts again (bringing the old id's entries past the fork
 * point), and the hub's reasons name sequences of the old id.  The
 * remote itself and last_sync stay: they are the laptop's, not the id's.
 */
static enum fb_code rehome_meta(struct fork *f, struct fb_error *err)
{
	struct fb_store *st = f->b->st;
	char *was = NULL, *notes = NULL;
	enum fb_code rc;

	if ((rc = store_meta_get(st, FORK_KEY, &was, err)) != FB_OK)
		return rc;
	if (asprintf(&notes, "%s%s%s:%" PRIu64 ":%zu:%s", was ? was : "",
		     was && *was ? " " : "", f->old, f->start, f->moved, f->fresh) < 0) {
		free(was);
		return fb_fail(err, FB_ENOMEM, "out of memory");
	}
	if ((rc = store_meta_set(st, "device", f->fresh, err)) == FB_OK &&
	    (rc = store_meta_set(st, FORK_KEY, notes, err)) == FB_OK &&
	    (rc = store_meta_set_int(st, "acked_seq", 0, err)) == FB_OK &&
	    (rc = store_meta_set_int(st, "pull_cursor", 0, err)) == FB_OK)
		rc = store_exec(st, "DROP TABLE IF EXISTS sync_rejected", err);
	free(was);
	free(notes);
	return rc;
}

enum fb_code book_fork(struct book *b, uint64_t from,
		       char old_device[FB_DEVICE_ID_MAX + 1],
		       size_t *moved, struct fb_error *err)
{
	unsigned char head[JOURNAL_HASH_LEN];
	struct fork f;
	int own_tx = !b->st->in_tx;
	uint64_t taken = 0;
	enum fb_code rc;

	if (moved)
		*moved = 0;
	if (old_device)
		old_device[0] = '\0';
	if (!b->branch[0] || !b->device[0])
		return fb_fail(err, FB_EINVAL,
			       "only a branch's book continues under a new device id, not a hub's");
	if (from == 0)
		return fb_fail(err, FB_EINVAL, "the fork point is a sequence: 1 or more");
	memset(&f, 0, sizeof(f));
	f.b = b;
	if (book_new_device_id(f.fresh) != FB_OK)
		return fb_fail(err, FB_EINTERNAL, "no random bytes for a device id");
	if (own_tx && (rc = book_begin(b, err)) != FB_OK)
		return rc;
	/* book_begin read the id and the head from disk, under the lock. */
	snprintf(f.old, sizeof(f.old), "%s", b->device);
	if ((rc = book_device_head(b, f.fresh, &taken, head, err)) != FB_OK)
		goto out;
	if (taken) {
		rc = fb_fail(err, FB_EINTERNAL, "the new device id %s is already in the journal",
			     f.fresh);
		goto out;
	}
	if ((rc = fork_start(&f, from, err)) != FB_OK ||
	    (rc = collect_hlcs(&f, err)) != FB_OK ||
	    (rc = move_rows(&f, err)) != FB_OK ||
	    (rc = rename_records(&f, err)) != FB_OK ||
	    (rc = rename_conflicts(&f, err)) != FB_OK ||
	    (rc = rehome_meta(&f, err)) != FB_OK)
		goto out;
	snprintf(b->device, sizeof(b->device), "%s", f.fresh);
	b->next_seq = f.next_seq;
	memcpy(b->chain, f.chain, sizeof(b->chain));
	/* The old id is another device now; nothing cached speaks for it. */
	memset(&b->peer, 0, sizeof(b->peer));
	if (own_tx) {
		own_tx = 0;
		/* On failure it rolls back and reloads the id and head. */
		rc = book_commit(b, err);
	}
out:
	if (own_tx && rc != FB_OK)
		book_rollback(b);
	if (rc == FB_OK) {
		if (moved)
			*moved = f.moved;
		if (old_device)
			snprintf(old_device, FB_DEVICE_ID_MAX + 1, "%s", f.old);
	}
	free(f.hlcs);
	return rc;
}

/* --- reading back --------------------------------------------------- */

/* Decimal digits only, no sign, no overflow. */
static int parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	*out = v;
	return 1;
}

static int parse_device(const char *s, size_t len, char out[FB_DEVICE_ID_MAX + 1])
{
	if (len == 0 || len > FB_DEVICE_ID_MAX)
		return 0;
	memcpy(out, s, len);
	out[len] = '\0';
	return journal_valid_device(out);
}

/* One note "<old>:<from>:<moved>:<new>" of the given length. */
static int parse_note(const char *s, size_t len, struct book_fork_note *n)
{
	const char *part[FORK_NOTE_PARTS], *end = s + len;
	size_t plen[FORK_NOTE_PARTS];
	int i;

	for (i = 0; i < FORK_NOTE_PARTS; i++) {
		const char *colon = memchr(s, ':', (size_t)(end - s));

		if ((colon != NULL) != (i < FORK_NOTE_PARTS - 1))
			return 0;
		part[i] = s;
		plen[i] = (size_t)((colon ? colon : end) - s);
		s = colon ? colon + 1 : end;
	}
	return parse_device(part[0], plen[0], n->old_device) &&
	       parse_u64(part[1], plen[1], &n->from) &&
	       parse_u64(part[2], plen[2], &n->moved) &&
	       parse_device(part[3], plen[3], n->new_device);
}

enum fb_code book_each_fork(struct book *b, book_fork_fn fn, void *ctx,
			    struct fb_error *err)
{
	char *notes = NULL;
	const char *p;
	enum fb_code rc;

	rc = store_meta_get(b->st, FORK_KEY, &notes, err);
	if (rc != FB_OK || !notes)
		return rc;
	for (p = notes; rc == FB_OK && *p; ) {
		size_t len = strcspn(p, " ");
		struct book_fork_note n;

		memset(&n, 0, sizeof(n));
		if (!parse_note(p, len, &n))
			rc = fb_fail(err, FB_ECORRUPT, "setting %s is damaged: '%.*s'",
				     FORK_KEY, (int)(len < FB_ERRMSG_MAX ? len : FB_ERRMSG_MAX),
				     p);
		else
			rc = fn(&n, ctx);
		p += len;
		if (*p)
			p++;
	}
	free(notes);
	return rc;
}

/* book_fork_fn: remember the id the book's present device forked from. */
static enum fb_code note_parent(const struct book_fork_note *f, void *ctx)
{
	struct { const char *device; char *parent; } *want = ctx;

	if (!strcmp(f->new_device, want->device))
		snprintf(want->parent, FB_DEVICE_ID_MAX + 1, "%s", f->old_device);
	return FB_OK;
}

enum fb_code book_forked_from(struct book *b, char parent[FB_DEVICE_ID_MAX + 1],
			      struct fb_error *err)
{
	struct { const char *device; char *parent; } want = { b->device, parent };

	parent[0] = '\0';
	return book_each_fork(b, note_parent, &want, err);
}
