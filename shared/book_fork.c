/*
 * book_fork.c - continuing a laptop's book under a new device id after
 * a restore from an old copy or a copy to a second laptop (book_fork in
 * book.h; docs/DECISIONS.md, "A laptop restored from a copy, or
 * copied"), and reading back when that happened (book_each_fork).
 *
 * Each of the device's rows from the fork point on is renumbered under
 * the new id where it lies and chained anew, and the stamps those rows
 * wrote are renamed wherever the book names them: book_rewrite.c does
 * both, as it does for book_restamp.  Then what sync kept about the hub
 * under the old id starts over.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_internal.h"
#include "book_view.h"
#include "i18n.h"

/* meta: one note "<old>:<from>:<moved>:<new>" per fork, space apart. */
#define FORK_KEY "forked_from"
#define FORK_NOTE_PARTS 4

/*
 * The new id in meta, the fork noted, and sync's state about the hub
 * under the old id started over: nothing of the new id is acknowledged,
 * the pull starts again (bringing the old id's entries past the fork
 * point), and the hub's reasons name sequences of the old id.  The
 * remote itself and last_sync stay: they are the laptop's, not the id's.
 */
static enum fb_code rehome_meta(const struct book_rewrite *rw, struct fb_error *err)
{
	struct fb_store *st = rw->b->st;
	char *was = NULL, *notes = NULL;
	enum fb_code rc;

	if ((rc = store_meta_get(st, FORK_KEY, &was, err)) != FB_OK)
		return rc;
	if (asprintf(&notes, "%s%s%s:%" PRIu64 ":%zu:%s", was ? was : "",
		     was && *was ? " " : "", rw->from, rw->start, rw->moved, rw->to) < 0) {
		free(was);
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	}
	if ((rc = store_meta_set(st, "device", rw->to, err)) == FB_OK &&
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
	char fresh[FB_DEVICE_ID_LEN + 1];
	struct book_rewrite rw;
	int own_tx = !b->st->in_tx;
	uint64_t taken = 0;
	enum fb_code rc;

	if (moved)
		*moved = 0;
	if (old_device)
		old_device[0] = '\0';
	if (!b->branch[0] || !b->device[0])
		return fb_fail(err, FB_EINVAL,
			       _("only a branch's book continues under a new device id, not a hub's"));
	if (from == 0)
		return fb_fail(err, FB_EINVAL, _("the fork point is a sequence: 1 or more"));
	if (book_new_device_id(fresh) != FB_OK)
		return fb_fail(err, FB_EINTERNAL, _("no random bytes for a device id"));
	if (own_tx && (rc = book_begin(b, err)) != FB_OK)
		return rc;
	/* book_begin read the id and the head from disk, under the lock.
	 * The moved rows keep their HLCs; they are numbered from 1 under
	 * the new id, chained from the zero hash (book_rewrite_init). */
	book_rewrite_init(&rw, b, b->device, fresh);
	if ((rc = book_device_head(b, fresh, &taken, head, err)) != FB_OK)
		goto out;
	if (taken) {
		rc = fb_fail(err, FB_EINTERNAL, _("the new device id %s is already in the journal"),
			     fresh);
		goto out;
	}
	if ((rc = book_rewrite_align(&rw, from, err)) != FB_OK ||
	    (rc = book_rewrite_collect(&rw, err)) != FB_OK ||
	    (rc = book_rewrite_apply(&rw, err)) != FB_OK ||
	    (rc = rehome_meta(&rw, err)) != FB_OK)
		goto out;
	snprintf(b->device, sizeof(b->device), "%s", fresh);
	b->next_seq = rw.next_seq;
	memcpy(b->chain, rw.chain, sizeof(b->chain));
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
			*moved = rw.moved;
		if (old_device)
			snprintf(old_device, FB_DEVICE_ID_MAX + 1, "%s", rw.from);
	}
	book_rewrite_release(&rw);
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
			rc = fb_fail(err, FB_ECORRUPT, _("setting %s is damaged: '%.*s'"),
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
