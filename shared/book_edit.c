/*
 * book_edit.c - local edits (add, edit, delete, restore) and resolving a
 * conflict: what the user typed, checked, stamped and applied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_internal.h"
#include "conflict_id.h"
#include "i18n.h"
#include "label.h"
#include "seen.h"

/* --- local edits ---------------------------------------------------- */

/*
 * Local edits read the record and write the change under one write
 * lock, so that what they read (bases, the next sequence) is what they
 * write over.  *own says whether this call opened the transaction.
 */
static enum fb_code local_begin(struct book *b, int *own, struct fb_error *err)
{
	*own = !b->st->in_tx;
	return *own ? book_begin(b, err) : FB_OK;
}

static enum fb_code local_end(struct book *b, int own, enum fb_code rc,
			      struct fb_error *err)
{
	if (!own)
		return rc;
	if (rc == FB_OK)
		return book_commit(b, err);
	book_rollback(b);
	return rc;
}

/* Stamp a change made here, chain it and apply it. */
static enum fb_code commit_local(struct book *b, struct jchange *c,
				 struct fb_error *err)
{
	snprintf(c->device, sizeof(c->device), "%s", b->device);
	c->seq = b->next_seq;
	c->hlc = hlc_tick(b->clock, b->wall_ms());
	/* Its values went through model_check as they were typed. */
	return book_apply(b, c, BOOK_VALIDATED, NULL, err);
}

/* A referenced record must exist, be of the right type and not deleted. */
static enum fb_code check_ref(struct book *b, const struct field_def *f,
			      const char *id, struct fb_error *err)
{
	sqlite3_stmt *q = b->q_ref;
	const char *want = model_type(f->ref)->name;
	enum fb_code rc = FB_OK;
	int s;

	/* Type and deleted are columns: no need to decode the record. */
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s == SQLITE_DONE ||
	    (s == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(q, 0), want)))
		rc = fb_fail(err, FB_ENOENT, _("%s: no %s with id '%s'"), f->name,
			     label_type(f->ref), id);
	else if (s != SQLITE_ROW)
		rc = store_fail(b->st, s, _("reading record"), err);
	else if (sqlite3_column_int(q, 1) && !b->refs_may_be_deleted)
		rc = fb_fail(err, FB_EINVAL, _("%s: %s %s is deleted"), f->name,
			     label_type(f->ref), id);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc;
}

/* Rules across fields, checked on the state a change would leave. */
static enum fb_code check_record(const struct record *r, struct fb_error *err)
{
	const char *end = record_get(r, "end_date");

	if (r->type == REC_VISIT && !*record_get(r, "member_id") &&
	    !*record_get(r, "person_name"))
		return fb_fail(err, FB_EINVAL,
			       _("a visit needs a member (--member ID) or a person's name (--person NAME)"));
	if (r->type == REC_TRAINING && *end &&
	    strcmp(end, record_get(r, "start_date")) < 0)
		return fb_fail(err, FB_EINVAL, _("end_date %s is before start_date %s"),
			       end, record_get(r, "start_date"));
	return FB_OK;
}

/*
 * Turn typed fields into entries of c against the state in r (updated
 * in place, so check_record sees the result).  Refuses unknown, repeated
 * and (unless creating) immutable fields.
 */
static enum fb_code typed_entries(struct book *b, struct record *r,
				  const struct field_value *fv, size_t n,
				  int creating, struct jchange *c,
				  struct fb_error *err)
{
	const struct type_def *t = model_type(r->type);
	enum fb_code rc;
	size_t i, j;

	if (n > FB_EDIT_FIELDS_MAX)
		return fb_fail(err, FB_ETOOBIG, _("too many fields in one edit"));
	for (i = 0; i < n; i++) {
		int fi = model_field_index(t, fv[i].name);
		const struct field_def *f = fi >= 0 ? &t->fields[fi] : NULL;
		char *v = NULL;

		if (!f || f->internal || !strcmp(f->name, FIELD_DELETED))
			return fb_fail(err, FB_EINVAL,
				       _("a %s has no field '%s'%s"), label_type(t->type),
				       fv[i].name,
				       f && !f->internal ? _(" (use delete or restore)") : "");
		for (j = 0; j < i; j++)
			if (!strcmp(fv[j].name, fv[i].name))
				return fb_fail(err, FB_EINVAL, _("%s given twice"),
					       f->name);
		if ((rc = model_check(f, fv[i].value, &v, err)) != FB_OK)
			return rc;
		if (!strcmp(v, r->val[fi] ? r->val[fi] : "") &&
		    (r->val[fi] || !creating || !*v)) {
			free(v);
			continue;
		}
		if (f->immutable && !creating) {
			free(v);
			return fb_fail(err, FB_EINVAL,
				       _("%s cannot be changed; unattend and attend instead"),
				       f->name);
		}
		if (f->kind == FK_REF && *v && (rc = check_ref(b, f, v, err))) {
			free(v);
			return rc;
		}
		rc = jchange_add(c, f->name, v, r->val[fi] ? &r->stamp[fi] : NULL);
		free(r->val[fi]);
		r->val[fi] = v;
		if (rc != FB_OK)
			return fb_fail(err, rc, "%s", fb_strerror(rc));
	}
	for (i = 0; t->fields[i].name; i++)
		if (t->fields[i].required && !(r->val[i] && *r->val[i]))
			return fb_fail(err, FB_EINVAL, _("%s is required"),
				       t->fields[i].name);
	return check_record(r, err);
}

/*
 * Write deleted = 0 or 1 over what r holds.  A delete also says what it
 * saw of the other fields (seen.h): an edit it never saw, older or
 * newer, then meets it as a conflict on every replica.
 */
static enum fb_code set_deleted(struct book *b, struct record *r, int deleted,
				struct fb_error *err)
{
	const struct type_def *t = model_type(r->type);
	int di = model_field_index(t, FIELD_DELETED),
	    si = model_field_index(t, FIELD_SEEN);
	char *seen = NULL;
	struct jchange c;
	enum fb_code rc;

	jchange_init(&c);
	snprintf(c.record_id, sizeof(c.record_id), "%s", r->id);
	c.type = r->type;
	snprintf(c.branch, sizeof(c.branch), "%s", r->branch);
	rc = jchange_add(&c, FIELD_DELETED, deleted ? "1" : "0",
			 r->val[di] ? &r->stamp[di] : NULL);
	if (rc == FB_OK && deleted &&
	    (rc = seen_format(t, r->val, r->stamp, &seen)) == FB_OK)
		rc = jchange_add(&c, FIELD_SEEN, seen,
				 r->val[si] ? &r->stamp[si] : NULL);
	if (rc == FB_OK)
		rc = commit_local(b, &c, err);
	else
		fb_fail(err, rc, "%s", fb_strerror(rc));
	free(seen);
	jchange_release(&c);
	return rc;
}

static enum fb_code add_locked(struct book *b, enum rec_type t, const char *want_id,
			       const struct field_value *fv, size_t n,
			       char id_out[FB_RECORD_ID_MAX + 1], struct fb_error *err);

enum fb_code book_add(struct book *b, enum rec_type t, const char *want_id,
		      const struct field_value *fv, size_t n,
		      char id_out[FB_RECORD_ID_MAX + 1], struct fb_error *err)
{
	enum fb_code rc;
	int own;

	if (!b->branch[0])
		return fb_fail(err, FB_EINVAL, _("this database has no branch; run init"));
	if ((rc = local_begin(b, &own, err)) != FB_OK)
		return rc;
	rc = add_locked(b, t, want_id, fv, n, id_out, err);
	return local_end(b, own, rc, err);
}

static enum fb_code add_locked(struct book *b, enum rec_type t, const char *want_id,
			       const struct field_value *fv, size_t n,
			       char id_out[FB_RECORD_ID_MAX + 1], struct fb_error *err)
{
	struct record *r = NULL, *have = NULL;
	struct jchange c;
	char id[FB_RECORD_ID_MAX + 1];
	enum fb_code rc;

	jchange_init(&c);
	if (want_id && t != REC_ATTENDANCE) {
		if (!model_valid_id(t, want_id))
			return fb_fail(err, FB_EINVAL, _("id: '%s' is not a valid %s id"),
				       want_id, label_type(t));
		snprintf(id, sizeof(id), "%s", want_id);
	} else if (model_new_uuid(id) != FB_OK) {
		return fb_fail(err, FB_EINTERNAL, _("no random bytes for an id"));
	}
	r = record_new(id, t, b->branch);
	if (!r)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	if ((rc = typed_entries(b, r, fv, n, 1, &c, err)) != FB_OK)
		goto out;
	if (t == REC_ATTENDANCE) {
		model_attendance_id(record_get(r, "training_id"),
				    record_get(r, "member_id"), id);
		if (want_id && strcmp(want_id, id)) {
			rc = fb_fail(err, FB_EINVAL,
				     _("id: an attendance's id is training_id:member_id (%s)"),
				     id);
			goto out;
		}
		snprintf(r->id, sizeof(r->id), "%s", id);
		if ((rc = record_load(b, id, &have, err)) != FB_OK)
			goto out;
		if (have) {
			if (record_deleted(have))
				rc = set_deleted(b, have, 0, err);
			goto done;
		}
	} else if (want_id) {
		if ((rc = record_load(b, id, &have, err)) != FB_OK)
			goto out;
		if (have) {
			rc = fb_fail(err, FB_EEXIST, _("id: a record with id %s exists"), id);
			goto out;
		}
	}
	snprintf(c.record_id, sizeof(c.record_id), "%s", r->id);
	c.type = t;
	snprintf(c.branch, sizeof(c.branch), "%s", b->branch);
	if ((rc = commit_local(b, &c, err)) != FB_OK)
		goto out;
done:
	if (rc == FB_OK)
		snprintf(id_out, FB_RECORD_ID_MAX + 1, "%s", r->id);
out:
	jchange_release(&c);
	record_free(r);
	record_free(have);
	return rc;
}

static enum fb_code edit_locked(struct book *b, const char *id,
				const struct field_value *fv, size_t n,
				size_t *changed, struct fb_error *err);

enum fb_code book_edit(struct book *b, const char *id,
		       const struct field_value *fv, size_t n, size_t *changed,
		       struct fb_error *err)
{
	enum fb_code rc;
	int own;

	if (changed)
		*changed = 0;
	if ((rc = local_begin(b, &own, err)) != FB_OK)
		return rc;
	rc = edit_locked(b, id, fv, n, changed, err);
	if (rc != FB_OK && changed)
		*changed = 0;
	return local_end(b, own, rc, err);
}

static enum fb_code edit_locked(struct book *b, const char *id,
				const struct field_value *fv, size_t n,
				size_t *changed, struct fb_error *err)
{
	struct record *r = NULL;
	struct jchange c;
	enum fb_code rc;

	jchange_init(&c);
	if ((rc = book_get(b, id, &r, err)) != FB_OK)
		return rc;
	if (record_deleted(r)) {
		rc = fb_fail(err, FB_EINVAL, _("%s %s is deleted; restore it first"),
			     label_type(r->type), id);
		goto out;
	}
	snprintf(c.record_id, sizeof(c.record_id), "%s", r->id);
	c.type = r->type;
	snprintf(c.branch, sizeof(c.branch), "%s", r->branch);
	if ((rc = typed_entries(b, r, fv, n, 0, &c, err)) != FB_OK)
		goto out;
	if (c.n && (rc = commit_local(b, &c, err)) != FB_OK)
		goto out;
	if (changed)
		*changed = c.n;
out:
	jchange_release(&c);
	record_free(r);
	return rc;
}

enum fb_code book_set_deleted(struct book *b, const char *id, int deleted,
			      struct fb_error *err)
{
	struct record *r = NULL;
	enum fb_code rc;
	int own;

	if ((rc = local_begin(b, &own, err)) != FB_OK)
		return rc;
	rc = book_get(b, id, &r, err);
	if (rc == FB_OK && record_deleted(r) != !!deleted)
		rc = set_deleted(b, r, deleted, err);
	record_free(r);
	return local_end(b, own, rc, err);
}

/* --- conflicts ------------------------------------------------------- */

/* How a conflict is decided: a value given, or one side kept. */
enum resolve_how { RESOLVE_VALUE, RESOLVE_CURRENT, RESOLVE_OTHER };

/* The columns of a conflict row that resolving needs, malloc'd. */
struct conflict_row {
	char *record_id, *field, *kind, *loser_value;
	int resolved;
	char id[CONFLICT_ID_LEN + 1];   /* its number everywhere (conflict_id.h) */
};

static void conflict_row_release(struct conflict_row *k)
{
	free(k->record_id);
	free(k->field);
	free(k->kind);
	free(k->loser_value);
}

static enum fb_code conflict_row_read(struct book *b, long long id,
				      struct conflict_row *k,
				      struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	memset(k, 0, sizeof(*k));
	rc = store_prepare(b->st, "SELECT record_id, field, kind, loser_value, resolved,"
			   " fb_conflict_id(record_id, field, loser_hlc, loser_device)"
			   " FROM conflict WHERE id = ?1", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_int64(q, 1, id);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW) {
		k->record_id = strdup((const char *)sqlite3_column_text(q, 0));
		k->field = strdup((const char *)sqlite3_column_text(q, 1));
		k->kind = strdup((const char *)sqlite3_column_text(q, 2));
		k->loser_value = strdup((const char *)sqlite3_column_text(q, 3));
		k->resolved = sqlite3_column_int(q, 4);
		snprintf(k->id, sizeof(k->id), "%s", (const char *)sqlite3_column_text(q, 5));
		if (!k->record_id || !k->field || !k->kind || !k->loser_value)
			rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
	} else if (s == SQLITE_DONE) {
		rc = fb_fail(err, FB_ENOENT, _("no conflict %lld"), id);
	} else {
		rc = store_fail(b->st, s, _("reading conflicts"), err);
	}
	sqlite3_finalize(q);
	return rc;
}

/* Write v into field fi of r; for an edit that met a delete, restore r. */
static enum fb_code write_decision(struct book *b, const struct record *r,
				   const char *kind, int fi, const char *v,
				   struct fb_error *err)
{
	const struct type_def *t = model_type(r->type);
	int di = model_field_index(t, FIELD_DELETED);
	struct jchange c;
	enum fb_code rc;

	jchange_init(&c);
	snprintf(c.record_id, sizeof(c.record_id), "%s", r->id);
	c.type = r->type;
	snprintf(c.branch, sizeof(c.branch), "%s", r->branch);
	/* Deciding for an edit that met a delete brings the record back. */
	rc = !strcmp(kind, "delete") && record_deleted(r)
		? jchange_add(&c, FIELD_DELETED, "0", &r->stamp[di]) : FB_OK;
	if (rc == FB_OK)
		rc = jchange_add(&c, t->fields[fi].name, v,
				 r->val[fi] ? &r->stamp[fi] : NULL);
	if (rc == FB_OK)
		rc = commit_local(b, &c, err);
	else
		fb_fail(err, rc, "%s", fb_strerror(rc));
	jchange_release(&c);
	return rc;
}

static enum fb_code resolve(struct book *b, long long id, enum resolve_how how,
			    const char *given, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	struct record *r = NULL;
	const struct field_def *f;
	struct conflict_row k;
	const char *value;
	char *v = NULL;
	int own_tx = !b->st->in_tx, fi, di, keep_delete, s;
	enum fb_code rc;

	memset(&k, 0, sizeof(k));
	if (own_tx && (rc = book_begin(b, err)) != FB_OK)
		return rc;
	if ((rc = conflict_row_read(b, id, &k, err)) != FB_OK)
		goto fail;
	/* Settled is settled: a later change decided it on every replica
	 * that saw it, and deciding again would only write over that. */
	if (k.resolved) {
		rc = fb_fail(err, FB_EINVAL, _("conflict #%.*s is already settled (a later"
			       " change decided it); to change the value now, use 'fieldbook"
			       " edit'"), CONFLICT_ID_SHOWN, k.id);
		goto fail;
	}
	if ((rc = book_get(b, k.record_id, &r, err)) != FB_OK)
		goto fail;
	fi = model_field_index(model_type(r->type), k.field);
	di = model_field_index(model_type(r->type), FIELD_DELETED);
	if (fi < 0 || model_type(r->type)->fields[fi].internal) {
		rc = fb_fail(err, FB_ECORRUPT, _("conflict %lld names an unknown field"), id);
		goto fail;
	}
	f = &model_type(r->type)->fields[fi];
	/* Keeping the delete an edit met: a new delete, which has seen
	 * every value the record holds, so that on every replica it
	 * settles the record's delete conflicts (merge_into). */
	keep_delete = !strcmp(k.kind, "delete") && how == RESOLVE_CURRENT &&
		      record_deleted(r);
	if (!keep_delete) {
		value = how == RESOLVE_VALUE ? given
		      : how == RESOLVE_CURRENT ? record_get(r, f->name) : k.loser_value;
		if ((rc = model_check(f, value, &v, err)) != FB_OK)
			goto fail;
	}
	if (keep_delete || fi == di)
		rc = set_deleted(b, r, keep_delete || !strcmp(v, "1"), err);
	else
		rc = write_decision(b, r, k.kind, fi, v, err);
	if (rc != FB_OK)
		goto fail;
	rc = store_prepare(b->st, "UPDATE conflict SET resolved = 1 WHERE id = ?1", &q, err);
	if (rc == FB_OK) {
		sqlite3_bind_int64(q, 1, id);
		s = sqlite3_step(q);
		if (s != SQLITE_DONE)
			rc = store_fail(b->st, s, _("saving conflict"), err);
	}
	if (rc != FB_OK)
		goto fail;
	if (own_tx)
		rc = book_commit(b, err);
	goto out;
fail:
	if (own_tx)
		book_rollback(b);
out:
	sqlite3_finalize(q);
	conflict_row_release(&k);
	record_free(r);
	free(v);
	return rc;
}

enum fb_code book_resolve(struct book *b, long long id, const char *value,
			  struct fb_error *err)
{
	return resolve(b, id, RESOLVE_VALUE, value, err);
}

enum fb_code book_resolve_keep(struct book *b, long long id, int keep_current,
			       struct fb_error *err)
{
	return resolve(b, id, keep_current ? RESOLVE_CURRENT : RESOLVE_OTHER,
		       NULL, err);
}
