/* book_state.c - a record's current state: decoding, saving, loading, walking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "book_internal.h"
#include "buf.h"
#include "i18n.h"

/* --- records -------------------------------------------------------- */

void record_free(struct record *r)
{
	int i;

	if (!r)
		return;
	for (i = 0; i < RECORD_FIELDS_MAX; i++)
		free(r->val[i]);
	free(r);
}

const char *record_get(const struct record *r, const char *field)
{
	int i = model_field_index(model_type(r->type), field);

	return i >= 0 && r->val[i] ? r->val[i] : "";
}

int record_deleted(const struct record *r)
{
	return !strcmp(record_get(r, FIELD_DELETED), "1");
}

struct record *record_new(const char *id, enum rec_type t,
			  const char *branch)
{
	struct record *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	snprintf(r->id, sizeof(r->id), "%s", id);
	r->type = t;
	snprintf(r->branch, sizeof(r->branch), "%s", branch);
	return r;
}

enum fb_code record_decode(struct record *r, const char *vals,
				  const char *clk, struct fb_error *err)
{
	const struct type_def *t = model_type(r->type);
	cJSON *v = cJSON_ParseWithOpts(vals, NULL, 1),
	      *c = cJSON_ParseWithOpts(clk, NULL, 1), *it;
	enum fb_code rc = FB_OK;
	int i;

	if (!cJSON_IsObject(v) || !cJSON_IsObject(c)) {
		rc = fb_fail(err, FB_ECORRUPT, _("record %s is damaged"), r->id);
		goto out;
	}
	cJSON_ArrayForEach(it, v) {
		cJSON *s = cJSON_GetObjectItemCaseSensitive(c, it->string);

		i = model_field_index(t, it->string);
		if (i < 0 || !cJSON_IsString(it) || !cJSON_IsString(s) ||
		    stamp_parse(s->valuestring, &r->stamp[i]) != FB_OK) {
			rc = fb_fail(err, FB_ECORRUPT, _("record %s field %s is damaged"),
				     r->id, it->string);
			goto out;
		}
		if (!(r->val[i] = strdup(it->valuestring))) {
			rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
			goto out;
		}
	}
out:
	cJSON_Delete(v);
	cJSON_Delete(c);
	return rc;
}

enum fb_code record_encode(const struct record *r, char **vals, char **clk)
{
	const struct type_def *t = model_type(r->type);
	struct fb_buf v = FB_BUF_INIT(0), c = FB_BUF_INIT(0);
	char stamp[STAMP_TEXT_MAX];
	enum fb_code rc;
	int i, any = 0;

	*vals = *clk = NULL;
	rc = buf_addc(&v, '{');
	if (rc == FB_OK)
		rc = buf_addc(&c, '{');
	for (i = 0; rc == FB_OK && t->fields[i].name; i++) {
		if (!r->val[i])
			continue;
		stamp_format(&r->stamp[i], stamp);
		if (any && ((rc = buf_addc(&v, ',')) != FB_OK ||
			    (rc = buf_addc(&c, ',')) != FB_OK))
			break;
		any = 1;
		if ((rc = buf_json_str(&v, t->fields[i].name)) != FB_OK ||
		    (rc = buf_addc(&v, ':')) != FB_OK ||
		    (rc = buf_json_str(&v, r->val[i])) != FB_OK ||
		    (rc = buf_json_str(&c, t->fields[i].name)) != FB_OK ||
		    (rc = buf_addc(&c, ':')) != FB_OK ||
		    (rc = buf_json_str(&c, stamp)) != FB_OK)
			break;
	}
	if (rc == FB_OK && (rc = buf_addc(&v, '}')) == FB_OK &&
	    (rc = buf_addc(&c, '}')) == FB_OK) {
		*vals = buf_detach(&v, NULL);
		*clk = buf_detach(&c, NULL);
		if (!*vals || !*clk) {
			free(*vals);
			free(*clk);
			*vals = *clk = NULL;
			rc = FB_ENOMEM;
		}
	}
	buf_release(&v);
	buf_release(&c);
	return rc;
}

/* Load a record, or *out = NULL with FB_OK when there is none. */
enum fb_code record_load(struct book *b, const char *id,
			 struct record **out, struct fb_error *err)
{
	sqlite3_stmt *q = b->q_get;
	const struct type_def *t;
	struct record *r = NULL;
	enum fb_code rc = FB_OK;
	int s;

	*out = NULL;
	sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s == SQLITE_DONE)
		goto out;
	if (s != SQLITE_ROW) {
		rc = store_fail(b->st, s, _("reading record"), err);
		goto out;
	}
	t = model_type_named((const char *)sqlite3_column_text(q, 0));
	if (!t) {
		rc = fb_fail(err, FB_ECORRUPT, _("record %s has an unknown type"), id);
		goto out;
	}
	r = record_new(id, t->type, (const char *)sqlite3_column_text(q, 1));
	if (!r) {
		rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
		goto out;
	}
	rc = record_decode(r, (const char *)sqlite3_column_text(q, 2),
			   (const char *)sqlite3_column_text(q, 3), err);
	if (rc != FB_OK) {
		record_free(r);
		r = NULL;
	}
out:
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	*out = r;
	return rc;
}

enum fb_code record_save(struct book *b, const struct record *r,
			 struct fb_error *err)
{
	sqlite3_stmt *q = b->q_put;
	char *vals = NULL, *clk = NULL;
	enum fb_code rc;
	int s;

	rc = record_encode(r, &vals, &clk);
	if (rc != FB_OK)
		return fb_fail(err, rc, _("out of memory"));
	sqlite3_bind_text(q, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, model_type(r->type)->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, r->branch, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, record_deleted(r));
	sqlite3_bind_text(q, 5, vals, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, clk, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s != SQLITE_DONE)
		rc = store_fail(b->st, s, _("saving record"), err);
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	free(vals);
	free(clk);
	return rc;
}

enum fb_code book_get(struct book *b, const char *id, struct record **out,
		      struct fb_error *err)
{
	enum fb_code rc = record_load(b, id, out, err);

	if (rc == FB_OK && !*out)
		rc = fb_fail(err, FB_ENOENT, _("no record with id '%s'"), id);
	return rc;
}

/* --- walking records ------------------------------------------------ */

const char *book_date_field(enum rec_type t)
{
	switch (t) {
	case REC_MEMBER:   return "joined";
	case REC_TRAINING: return "start_date";
	case REC_VISIT:    return "visit_date";
	default:           return NULL;
	}
}

/*
 * The order of a list (docs/DECISIONS.md, "Vietnamese order"): members
 * by name, given name first (collate.h); trainings by start date, then
 * title in Vietnamese order; visits by date; each then by id.  Every
 * type at once: by type, then id.
 */
static const char *order_by(enum rec_type t)
{
	switch (t) {
	case REC_MEMBER:
		return "fb_vi_name_key(json_extract(vals, '$.full_name')),";
	case REC_TRAINING:
		return "json_extract(vals, '$.start_date'), fb_vi_key(json_extract(vals, '$.title')),";
	case REC_VISIT:
		return "json_extract(vals, '$.visit_date'),";
	case REC_ATTENDANCE:
		return "";
	default:
		return "CASE type WHEN 'member' THEN 0 WHEN 'training' THEN 1"
		       " WHEN 'attendance' THEN 2 ELSE 3 END,";
	}
}

enum fb_code book_each(struct book *b, enum rec_type t, int year,
		       int include_deleted, book_each_fn fn, void *ctx,
		       struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	const char *datef = t < REC_NTYPES ? book_date_field(t) : NULL;
	char sql[768], dpath[64], yr[8];
	enum fb_code rc;
	int s;

	snprintf(dpath, sizeof(dpath), "$.%s", datef ? datef : "none");
	snprintf(yr, sizeof(yr), "%04d", year);
	snprintf(sql, sizeof(sql),
		 "SELECT id, type, branch, vals, clk FROM record"
		 " WHERE (?1 = '' OR type = ?1) AND (deleted = 0 OR ?2)"
		 " AND (?3 = 0 OR substr(json_extract(vals, ?4), 1, 4) = ?5)"
		 " ORDER BY %s id", order_by(t));
	if ((rc = store_prepare(b->st, sql, &q, err)) != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, t < REC_NTYPES ? model_type(t)->name : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(q, 2, include_deleted);
	sqlite3_bind_int(q, 3, year > 0 && datef);
	sqlite3_bind_text(q, 4, dpath, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, yr, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		const struct type_def *td =
			model_type_named((const char *)sqlite3_column_text(q, 1));
		struct record *r;

		if (!td) {
			rc = fb_fail(err, FB_ECORRUPT, _("record %s has an unknown type"),
				     (const char *)sqlite3_column_text(q, 0));
			break;
		}
		r = record_new((const char *)sqlite3_column_text(q, 0), td->type,
			       (const char *)sqlite3_column_text(q, 2));
		if (!r) {
			rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
			break;
		}
		rc = record_decode(r, (const char *)sqlite3_column_text(q, 3),
				   (const char *)sqlite3_column_text(q, 4), err);
		if (rc == FB_OK)
			rc = fn(r, ctx);
		record_free(r);
		if (rc != FB_OK)
			break;
	}
	if (rc == FB_OK && s != SQLITE_DONE)
		rc = store_fail(b->st, s, _("reading records"), err);
	sqlite3_finalize(q);
	return rc;
}
