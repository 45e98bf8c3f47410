/*
 * book_apply.c - applying one change with the merge rule, on the laptop
 * and on the hub: record state, conflict log and journal row together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_internal.h"
#include "i18n.h"
#include "label.h"
#include "seen.h"

/* --- applying changes ----------------------------------------------- */

static enum fb_code log_conflict(struct book *b, const struct record *r,
				 const char *field, const char *kind,
				 const struct fb_stamp *ws, const char *wv,
				 const struct fb_stamp *ls, const char *lv,
				 struct fb_error *err)
{
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

static enum fb_code journal_insert(struct book *b, const struct jchange *c,
				   int quarantined, struct fb_error *err)
{
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
static enum fb_code is_replay(struct book *b, const struct jchange *c,
			      int *same, unsigned char held[JOURNAL_HASH_LEN],
			      struct fb_error *err)
{
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
 * Check each entry names a field of the type with a canonical value, and
 * that a seen vector comes only with the delete it belongs to.
 */
static enum fb_code check_entries(const struct jchange *c, struct fb_error *err)
{
	const struct type_def *t = model_type(c->type);
	int seen = 0, deletes = 0;
	size_t i, j;

	if (!t || c->n == 0)
		return fb_fail(err, FB_EINVAL, _("change of %s has no entries"),
			       c->record_id);
	if (!model_valid_id(c->type, c->record_id))
		return fb_fail(err, FB_EINVAL, _("'%s' is not a valid %s id"),
			       c->record_id, label_type(c->type));
	for (i = 0; i < c->n; i++) {
		const struct field_def *f = model_field(t, c->e[i].field);
		char *canon = NULL;
		enum fb_code rc;

		if (!f)
			return fb_fail(err, FB_EINVAL, _("%s has no field '%s'"),
				       label_type(c->type), c->e[i].field);
		for (j = 0; j < i; j++)
			if (!strcmp(c->e[j].field, c->e[i].field))
				return fb_fail(err, FB_EINVAL,
					       _("field '%s' twice in one change"),
					       c->e[i].field);
		rc = model_check(f, c->e[i].value, &canon, err);
		if (rc != FB_OK)
			return rc;
		rc = strcmp(canon, c->e[i].value) ? FB_EINVAL : FB_OK;
		free(canon);
		if (rc != FB_OK)
			return fb_fail(err, rc, _("%s: value is not in canonical form"),
				       f->name);
		if (!strcmp(f->name, FIELD_SEEN)) {
			rc = seen_parse(t, c->e[i].value, NULL, 0, err);
			if (rc != FB_OK)
				return rc;
			seen = 1;
		}
		deletes |= !strcmp(f->name, FIELD_DELETED) &&
			   !strcmp(c->e[i].value, "1");
	}
	if (seen && !deletes)
		return fb_fail(err, FB_EINVAL, _("%s: only a change that deletes"
			         " (deleted = 1) says what it had seen"), FIELD_SEEN);
	return FB_OK;
}

/*
 * An entry written over a conflict's winner by a device that saw it
 * (its base is the winner) settles that conflict: `resolve` works this
 * way, and so does any later edit of the field.
 */
static enum fb_code settle(struct book *b, const struct record *r,
			   const char *field, const struct fb_stamp *winner,
			   struct fb_error *err)
{
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

/*
 * The delete conflicts of r (merge.h, merge_edit_vs_delete), made to be
 * what its state says now: every open one is settled, then those the
 * state has are logged, or opened again.  So the open delete conflicts
 * of a record are a function of its state, which every replica holding
 * the same entries shares, whatever the order they came in.  A restore,
 * a delete that saw the edit, or a later value of the field settles one.
 */
static enum fb_code delete_conflicts(struct book *b, const struct record *r,
				     struct fb_error *err)
{
	const struct type_def *t = model_type(r->type);
	int del = model_field_index(t, FIELD_DELETED),
	    sn = model_field_index(t, FIELD_SEEN), s, j;
	struct fb_stamp seen[RECORD_FIELDS_MAX];
	const struct fb_stamp *vector = NULL;
	sqlite3_stmt *q = b->q_settle_deletes;
	enum fb_code rc;

	sqlite3_bind_text(q, 1, r->id, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (s != SQLITE_DONE)
		return store_fail(b->st, s, _("settling conflicts"), err);
	if (!record_deleted(r))
		return FB_OK;
	/* The vector speaks for the delete that wrote it, the winning one
	 * when their stamps agree; a delete without one keeps the rule of
	 * the previous release. */
	if (r->val[sn] && stamp_eq(&r->stamp[sn], &r->stamp[del])) {
		if (seen_parse(t, r->val[sn], seen, RECORD_FIELDS_MAX, NULL) != FB_OK)
			return fb_fail(err, FB_ECORRUPT, _("record %s: its %s is damaged"),
				       r->id, FIELD_SEEN);
		vector = seen;
	}
	for (j = 0; t->fields[j].name; j++) {
		if (j == del || t->fields[j].internal || !r->val[j] ||
		    !merge_edit_vs_delete(&r->stamp[j], &r->stamp[del],
					  vector ? &vector[j] : NULL))
			continue;
		rc = log_conflict(b, r, t->fields[j].name, "delete",
				  &r->stamp[del], "deleted", &r->stamp[j],
				  r->val[j], err);
		if (rc != FB_OK)
			return rc;
	}
	return FB_OK;
}

/* Merge the change's entries into r and log what lost. */
static enum fb_code merge_into(struct book *b, struct record *r,
			       const struct jchange *c, struct fb_error *err)
{
	const struct type_def *t = model_type(r->type);
	int del = model_field_index(t, FIELD_DELETED);
	int was_deleted = record_deleted(r), touches_deleted = 0;
	enum fb_code rc;
	size_t i;

	for (i = 0; i < c->n; i++) {
		int fi = model_field_index(t, c->e[i].field);
		/* Two deletes that saw different things are not a conflict
		 * anyone must decide: `_seen` only merges. */
		int internal = t->fields[fi].internal;
		struct merge_field cur = { r->val[fi] != NULL, r->stamp[fi],
					   r->val[fi] };
		struct merge_entry in = { { c->hlc, "" }, c->e[i].base,
					  c->e[i].value };
		struct merge_result res;

		snprintf(in.stamp.device, sizeof(in.stamp.device), "%s", c->device);
		merge_field(&cur, &in, &res);
		touches_deleted |= fi == del;
		if (res.conflict && !internal) {
			rc = log_conflict(b, r, c->e[i].field, "field",
					  res.winner_stamp, res.winner_value,
					  res.loser_stamp, res.loser_value, err);
			if (rc != FB_OK)
				return rc;
		}
		if (res.outcome == MERGE_TAKE && !res.conflict && cur.present &&
		    !internal &&
		    (rc = settle(b, r, c->e[i].field, &cur.stamp, err)) != FB_OK)
			return rc;
		if (res.outcome == MERGE_TAKE) {
			char *v = strdup(c->e[i].value);

			if (!v)
				return fb_fail(err, FB_ENOMEM, _("out of memory"));
			free(r->val[fi]);
			r->val[fi] = v;
			r->stamp[fi] = in.stamp;
		}
	}
	/* A record never deleted has no delete conflict to look at. */
	if (was_deleted || touches_deleted || record_deleted(r))
		return delete_conflicts(b, r, err);
	return FB_OK;
}

/* Another device's chain head, from this transaction's cache or disk. */
static enum fb_code peer_head(struct book *b, const char *device, uint64_t *last,
			      unsigned char hash[JOURNAL_HASH_LEN],
			      struct fb_error *err)
{
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

enum fb_code book_apply(struct book *b, struct jchange *c, int flags,
			int *applied, struct fb_error *err)
{
	unsigned char prev[JOURNAL_HASH_LEN], want[JOURNAL_HASH_LEN],
		      held[JOURNAL_HASH_LEN];
	int own_tx = !b->st->in_tx, local = !strcmp(c->device, b->device);
	struct record *r = NULL;
	uint64_t last;
	enum fb_code rc;
	int same;

	if (applied)
		*applied = 0;
	if (!journal_valid_device(c->device))
		return fb_fail(err, FB_EINVAL, _("'%s' is not a device id"), c->device);
	if (!(flags & (BOOK_QUARANTINE | BOOK_VALIDATED)) &&
	    (rc = check_entries(c, err)) != FB_OK)
		return rc;
	if (own_tx && (rc = store_begin(b->st, err)) != FB_OK)
		return rc;
	if (flags & BOOK_FROM_HUB) {
		/* The hub checked the chain; we only refuse to take a
		 * change twice or to let the hub speak for this device. */
		if (local) {
			rc = fb_fail(err, FB_EINVAL,
				     _("the hub sent back this device's own entry %llu"),
				     (unsigned long long)c->seq);
			goto out;
		}
		if ((rc = is_replay(b, c, &same, held, err)) != FB_OK || same)
			goto out;
		goto merge;
	}
	if (local) {
		last = b->next_seq - 1;
		memcpy(prev, b->chain, sizeof(prev));
	} else if ((rc = peer_head(b, c->device, &last, prev, err)) != FB_OK) {
		goto out;
	}
	if (c->seq <= last) {
		/* Sent again: only the very same change is a replay.  Its
		 * content is hashed from the chain before it, so that other
		 * content under the same numbers (a laptop restored from a
		 * copy, a copied database, a forged resend) is told apart. */
		if ((rc = is_replay(b, c, &same, held, err)) != FB_OK)
			goto out;
		if (same && ((flags & BOOK_HASHED) ? memcmp(held, c->hash, sizeof(held))
						   : 0))
			same = 0;
		if (same && !(flags & BOOK_HASHED)) {
			int found = c->seq == 1;

			memcpy(prev, zero_hash, sizeof(prev));
			if (c->seq > 1 &&
			    (rc = book_chain_at(b, c->device, c->seq - 1, prev, &found,
						err)) != FB_OK)
				goto out;
			if (found && (rc = journal_hash(prev, c)) != FB_OK) {
				fb_fail(err, rc, _("hashing journal entry"));
				goto out;
			}
			same = found && !memcmp(held, c->hash, sizeof(held));
		}
		if (!same)
			rc = fb_fail(err, FB_ECORRUPT,
				     _("device %s entry %llu differs from the one already held"),
				     c->device, (unsigned long long)c->seq);
		else
			memcpy(c->hash, held, sizeof(held));
		goto out;
	}
	if (c->seq != last + 1) {
		rc = fb_fail(err, FB_ECONFLICT,
			     _("device %s: expected entry %llu, got %llu"),
			     c->device, (unsigned long long)last + 1,
			     (unsigned long long)c->seq);
		goto out;
	}
	memcpy(want, c->hash, sizeof(want));
	if ((rc = journal_hash(prev, c)) != FB_OK) {
		fb_fail(err, rc, _("hashing journal entry"));
		goto out;
	}
	if ((flags & BOOK_HASHED) && memcmp(want, c->hash, sizeof(want))) {
		rc = fb_fail(err, FB_ECORRUPT,
			     _("device %s entry %llu does not continue its hash chain"),
			     c->device, (unsigned long long)c->seq);
		goto out;
	}
	if (flags & BOOK_QUARANTINE) {
		rc = journal_insert(b, c, 1, err);
		if (rc == FB_OK)
			peer_wrote(b, c);
		if (rc == FB_OK && applied)
			*applied = 1;
		goto out;
	}
merge:
	if ((rc = record_load(b, c->record_id, &r, err)) != FB_OK)
		goto out;
	if (!r) {
		r = record_new(c->record_id, c->type, c->branch);
		if (!r) {
			rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
			goto out;
		}
	} else if (r->type != c->type || strcmp(r->branch, c->branch)) {
		rc = fb_fail(err, FB_EINVAL,
			     _("record %s is a %s of branch %s, not a %s of %s"),
			     r->id, label_type(r->type), r->branch,
			     label_type(c->type), c->branch);
		goto out;
	}
	if ((rc = merge_into(b, r, c, err)) != FB_OK ||
	    (rc = record_save(b, r, err)) != FB_OK ||
	    (rc = journal_insert(b, c, 0, err)) != FB_OK)
		goto out;
	b->clock = hlc_observe(b->clock, c->hlc);
	if (local) {
		b->next_seq = c->seq + c->n;
		memcpy(b->chain, c->hash, sizeof(b->chain));
	} else if (!(flags & BOOK_FROM_HUB)) {
		peer_wrote(b, c);
	}
	if (applied)
		*applied = 1;
out:
	record_free(r);
	if (own_tx) {
		if (rc == FB_OK)
			rc = book_commit(b, err);
		else
			book_rollback(b);
	}
	return rc;
}
