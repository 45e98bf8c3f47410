/*
 * apply.c - the merge of one change into a store (apply.h): the same
 * rule on the laptop and on every hub, whatever keeps the rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "i18n.h"
#include "label.h"
#include "seen.h"

/* The hash a device's chain starts from (before its first entry). */
static const unsigned char chain_start[JOURNAL_HASH_LEN];

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
 * The delete conflicts of r (merge.h, merge_edit_vs_delete), made to be
 * what its state says now: every open one is settled, then those the
 * state has are logged, or opened again.  So the open delete conflicts
 * of a record are a function of its state, which every replica holding
 * the same entries shares, whatever the order they came in.  A restore,
 * a delete that saw the edit, or a later value of the field settles one.
 */
static enum fb_code delete_conflicts(const struct applier *a, const struct record *r,
				     struct fb_error *err)
{
	const struct type_def *t = model_type(r->type);
	int del = model_field_index(t, FIELD_DELETED),
	    sn = model_field_index(t, FIELD_SEEN), j;
	struct fb_stamp seen[RECORD_FIELDS_MAX];
	const struct fb_stamp *vector = NULL;
	enum fb_code rc;

	if ((rc = a->ops->settle_deletes(a->ctx, r->id, err)) != FB_OK)
		return rc;
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
		rc = a->ops->conflict(a->ctx, r, t->fields[j].name, "delete",
				  &r->stamp[del], "deleted", &r->stamp[j],
				  r->val[j], err);
		if (rc != FB_OK)
			return rc;
	}
	return FB_OK;
}

/* Merge the change's entries into r and log what lost. */
static enum fb_code merge_into(const struct applier *a, struct record *r,
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
			rc = a->ops->conflict(a->ctx, r, c->e[i].field, "field",
					  res.winner_stamp, res.winner_value,
					  res.loser_stamp, res.loser_value, err);
			if (rc != FB_OK)
				return rc;
		}
		if (res.outcome == MERGE_TAKE && !res.conflict && cur.present &&
		    !internal &&
		    (rc = a->ops->settle(a->ctx, r, c->e[i].field, &cur.stamp, err)) != FB_OK)
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
		return delete_conflicts(a, r, err);
	return FB_OK;
}

/*
 * A change of c->device at or below the last sequence held (last): only
 * the very same change is a replay.  Its content is hashed from the
 * chain before it, so that other content under the same numbers (a
 * laptop restored from a copy, a copied database, a forged resend) is
 * told apart.  c->hash becomes the hash held.
 */
static enum fb_code replay(const struct applier *a, struct jchange *c, int flags,
			   struct fb_error *err)
{
	unsigned char prev[JOURNAL_HASH_LEN], held[JOURNAL_HASH_LEN];
	enum fb_code rc;
	int same;

	if ((rc = a->ops->have(a->ctx, c, &same, held, err)) != FB_OK)
		return rc;
	if (same && (flags & APPLY_HASHED) && memcmp(held, c->hash, sizeof(held)))
		same = 0;
	if (same && !(flags & APPLY_HASHED)) {
		int found = c->seq == 1;

		memcpy(prev, chain_start, sizeof(prev));
		if (c->seq > 1 &&
		    (rc = a->ops->chain_at(a->ctx, c->device, c->seq - 1, prev, &found,
					   err)) != FB_OK)
			return rc;
		if (found && (rc = journal_hash(prev, c)) != FB_OK)
			return fb_fail(err, rc, _("hashing journal entry"));
		same = found && !memcmp(held, c->hash, sizeof(held));
	}
	if (!same)
		return fb_fail(err, FB_ECORRUPT,
			       _("device %s entry %llu differs from the one already held"),
			       c->device, (unsigned long long)c->seq);
	memcpy(c->hash, held, sizeof(held));
	return FB_OK;
}

/* Merge c into its record (made when new) and keep its journal row. */
static enum fb_code merge_change(const struct applier *a, const struct jchange *c,
				 struct fb_error *err)
{
	struct record *r = NULL;
	enum fb_code rc;

	if ((rc = a->ops->load(a->ctx, c->record_id, &r, err)) != FB_OK)
		return rc;
	if (!r) {
		if (!(r = record_new(c->record_id, c->type, c->branch)))
			return fb_fail(err, FB_ENOMEM, _("out of memory"));
	} else if (r->type != c->type || strcmp(r->branch, c->branch)) {
		rc = fb_fail(err, FB_EINVAL,
			     _("record %s is a %s of branch %s, not a %s of %s"),
			     r->id, label_type(r->type), r->branch,
			     label_type(c->type), c->branch);
	}
	if (rc == FB_OK && (rc = merge_into(a, r, c, err)) == FB_OK &&
	    (rc = a->ops->save(a->ctx, r, err)) == FB_OK)
		rc = a->ops->journal(a->ctx, c, 0, err);
	record_free(r);
	return rc;
}

enum fb_code apply_change(const struct applier *a, struct jchange *c, int flags,
			  int *applied, struct fb_error *err)
{
	unsigned char prev[JOURNAL_HASH_LEN], want[JOURNAL_HASH_LEN],
		      held[JOURNAL_HASH_LEN];
	uint64_t last;
	enum fb_code rc;
	int same;

	if (applied)
		*applied = 0;
	if (!journal_valid_device(c->device))
		return fb_fail(err, FB_EINVAL, _("'%s' is not a device id"), c->device);
	if (!(flags & (APPLY_QUARANTINE | APPLY_VALIDATED)) &&
	    (rc = check_entries(c, err)) != FB_OK)
		return rc;
	if (flags & APPLY_FROM_HUB) {
		/* The hub checked the chain; we only refuse to take a
		 * change twice or to let the hub speak for this device. */
		if (!strcmp(c->device, a->self))
			return fb_fail(err, FB_EINVAL,
				       _("the hub sent back this device's own entry %llu"),
				       (unsigned long long)c->seq);
		if ((rc = a->ops->have(a->ctx, c, &same, held, err)) != FB_OK || same)
			return rc;
	} else {
		if ((rc = a->ops->head(a->ctx, c->device, &last, prev, err)) != FB_OK)
			return rc;
		if (c->seq <= last)
			return replay(a, c, flags, err);
		if (c->seq != last + 1)
			return fb_fail(err, FB_ECONFLICT,
				       _("device %s: expected entry %llu, got %llu"),
				       c->device, (unsigned long long)last + 1,
				       (unsigned long long)c->seq);
		memcpy(want, c->hash, sizeof(want));
		if ((rc = journal_hash(prev, c)) != FB_OK)
			return fb_fail(err, rc, _("hashing journal entry"));
		if ((flags & APPLY_HASHED) && memcmp(want, c->hash, sizeof(want)))
			return fb_fail(err, FB_ECORRUPT,
				       _("device %s entry %llu does not continue its hash chain"),
				       c->device, (unsigned long long)c->seq);
	}
	rc = (flags & APPLY_QUARANTINE) ? a->ops->journal(a->ctx, c, 1, err)
					: merge_change(a, c, err);
	if (rc != FB_OK)
		return rc;
	if (a->ops->wrote)
		a->ops->wrote(a->ctx, c, flags);
	if (applied)
		*applied = 1;
	return FB_OK;
}
