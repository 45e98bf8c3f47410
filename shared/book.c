/* book.c - records and journal of one replica, written through the merge rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <openssl/rand.h>

#include "book.h"
#include "buf.h"
#include "text.h"

static const char *const SQL_GET =
	"SELECT type, branch, vals, clk FROM record WHERE id = ?1";
static const char *const SQL_PUT =
	"INSERT INTO record(id, type, branch, deleted, vals, clk)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET"
	" deleted = excluded.deleted, vals = excluded.vals, clk = excluded.clk";
static const char *const SQL_JOURNAL =
	"INSERT INTO journal(device, seq, n, hlc, record_id, type, branch, body,"
	" hash, quarantined) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char *const SQL_SETTLE =
	"UPDATE conflict SET resolved = 1 WHERE record_id = ?1 AND field = ?2"
	" AND resolved = 0 AND winner_hlc = ?3 AND winner_device = ?4";
static const char *const SQL_CONFLICT =
	"INSERT OR IGNORE INTO conflict(record_id, type, branch, field, kind,"
	" winner_value, winner_hlc, winner_device, loser_value, loser_hlc,"
	" loser_device) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char *const SQL_DEVICE_HEAD =
	"SELECT seq + n - 1, hash, hlc FROM journal WHERE device = ?1"
	" ORDER BY seq DESC LIMIT 1";
static const char *const SQL_REF =
	"SELECT type, deleted FROM record WHERE id = ?1";
static const char *const SQL_HAVE =
	"SELECT hash, n FROM journal WHERE device = ?1 AND seq = ?2";

static const unsigned char zero_hash[JOURNAL_HASH_LEN];

/*
 * book_apply flag for changes made here (commit_local): every value was
 * canonicalised by model_check as it was typed, so it is not checked
 * a second time.  Not in book.h: only this file makes such changes.
 */
#define BOOK_VALIDATED 0x100

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

static struct record *record_new(const char *id, enum rec_type t,
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

/* Fill r from the vals and clk JSON of its row. */
static enum fb_code record_decode(struct record *r, const char *vals,
				  const char *clk, struct fb_error *err)
{
	const struct type_def *t = model_type(r->type);
	cJSON *v = cJSON_ParseWithOpts(vals, NULL, 1),
	      *c = cJSON_ParseWithOpts(clk, NULL, 1), *it;
	enum fb_code rc = FB_OK;
	int i;

	if (!cJSON_IsObject(v) || !cJSON_IsObject(c)) {
		rc = fb_fail(err, FB_ECORRUPT, "record %s is damaged", r->id);
		goto out;
	}
	cJSON_ArrayForEach(it, v) {
		cJSON *s = cJSON_GetObjectItemCaseSensitive(c, it->string);

		i = model_field_index(t, it->string);
		if (i < 0 || !cJSON_IsString(it) || !cJSON_IsString(s) ||
		    stamp_parse(s->valuestring, &r->stamp[i]) != FB_OK) {
			rc = fb_fail(err, FB_ECORRUPT, "record %s field %s is damaged",
				     r->id, it->string);
			goto out;
		}
		if (!(r->val[i] = strdup(it->valuestring))) {
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
			goto out;
		}
	}
out:
	cJSON_Delete(v);
	cJSON_Delete(c);
	return rc;
}

static enum fb_code record_encode(const struct record *r, char **vals,
				  char **clk)
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
static enum fb_code record_load(struct book *b, const char *id,
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
		rc = store_fail(b->st, s, "reading record", err);
		goto out;
	}
	t = model_type_named((const char *)sqlite3_column_text(q, 0));
	if (!t) {
		rc = fb_fail(err, FB_ECORRUPT, "record %s has an unknown type", id);
		goto out;
	}
	r = record_new(id, t->type, (const char *)sqlite3_column_text(q, 1));
	if (!r) {
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
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

static enum fb_code record_save(struct book *b, const struct record *r,
				struct fb_error *err)
{
	sqlite3_stmt *q = b->q_put;
	char *vals = NULL, *clk = NULL;
	enum fb_code rc;
	int s;

	rc = record_encode(r, &vals, &clk);
	if (rc != FB_OK)
		return fb_fail(err, rc, "out of memory");
	sqlite3_bind_text(q, 1, r->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, model_type(r->type)->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, r->branch, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, record_deleted(r));
	sqlite3_bind_text(q, 5, vals, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, clk, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s != SQLITE_DONE)
		rc = store_fail(b->st, s, "saving record", err);
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
		rc = fb_fail(err, FB_ENOENT, "no record with id '%s'", id);
	return rc;
}

/* --- opening -------------------------------------------------------- */

static enum fb_code new_device_id(char out[FB_DEVICE_ID_LEN + 1])
{
	unsigned char r[FB_DEVICE_ID_LEN / 2];
	size_t i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return FB_EINTERNAL;
	for (i = 0; i < sizeof(r); i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return FB_OK;
}

enum fb_code book_create(const char *path, const char *branch,
			 const char *name, struct fb_error *err)
{
	struct fb_store *st = NULL;
	char device[FB_DEVICE_ID_LEN + 1];
	char *have = NULL;
	enum fb_code rc;

	if (!model_valid_unit_code(branch))
		return fb_fail(err, FB_EINVAL,
			       "branch code '%s' is not valid (letters, digits, '.', '-', '_'; at most %d)",
			       branch, FB_BRANCH_CODE_MAX);
	rc = store_open(path, STORE_CREATE, NULL, &st, err);
	if (rc != FB_OK)
		return rc;
	if ((rc = store_meta_get(st, "device", &have, err)) != FB_OK)
		goto out;
	if (have) {
		rc = fb_fail(err, FB_EEXIST, "%s already holds a Fieldbook for a branch",
			     path);
		goto out;
	}
	if (new_device_id(device) != FB_OK) {
		rc = fb_fail(err, FB_EINTERNAL, "no random bytes for a device id");
		goto out;
	}
	if ((rc = store_begin(st, err)) != FB_OK)
		goto out;
	if ((rc = store_meta_set(st, "device", device, err)) != FB_OK ||
	    (rc = store_meta_set(st, "branch", branch, err)) != FB_OK ||
	    (rc = store_meta_set(st, "branch_name", name ? name : "", err)) != FB_OK)
		goto out;
	rc = store_commit(st, err);
out:
	free(have);
	store_close(st);
	return rc;
}

/* The device's last row: sequence, chain hash and (hlc, may be NULL) HLC. */
static enum fb_code device_head(struct book *b, const char *device,
				uint64_t *last_seq,
				unsigned char hash[JOURNAL_HASH_LEN], fb_hlc *hlc,
				struct fb_error *err)
{
	sqlite3_stmt *q = b->q_device_head;
	enum fb_code rc = FB_OK;
	int s;

	*last_seq = 0;
	memcpy(hash, zero_hash, JOURNAL_HASH_LEN);
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW) {
		*last_seq = (uint64_t)sqlite3_column_int64(q, 0);
		if (hlc)
			*hlc = (fb_hlc)sqlite3_column_int64(q, 2);
		if (sqlite3_column_bytes(q, 1) != JOURNAL_HASH_LEN)
			rc = fb_fail(err, FB_ECORRUPT, "journal hash of %s is damaged",
				     device);
		else
			memcpy(hash, sqlite3_column_blob(q, 1), JOURNAL_HASH_LEN);
	} else if (s != SQLITE_DONE) {
		rc = store_fail(b->st, s, "reading journal", err);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc;
}

enum fb_code book_device_head(struct book *b, const char *device,
			      uint64_t *last_seq,
			      unsigned char hash[JOURNAL_HASH_LEN],
			      struct fb_error *err)
{
	return device_head(b, device, last_seq, hash, NULL, err);
}

/* Reload what the book caches about its own device from the database. */
static enum fb_code load_head(struct book *b, struct fb_error *err)
{
	uint64_t last = 0;
	long long clock = 0;
	fb_hlc newest = 0;
	enum fb_code rc;

	if (!b->device[0]) {
		b->next_seq = 1;
		return FB_OK;
	}
	rc = device_head(b, b->device, &last, b->chain, &newest, err);
	if (rc != FB_OK)
		return rc;
	b->next_seq = last + 1;
	rc = store_meta_int(b->st, "hlc", 0, &clock, err);
	if (rc != FB_OK)
		return rc;
	/* The saved clock, or the newest own row's HLC if it was not saved. */
	b->clock = hlc_observe(b->clock, (fb_hlc)clock);
	b->clock = hlc_observe(b->clock, newest);
	return FB_OK;
}

enum fb_code book_open(const char *path, const char *extra_schema,
		       struct book **out, struct fb_error *err)
{
	struct book *b = calloc(1, sizeof(*b));
	char *device = NULL, *branch = NULL;
	enum fb_code rc;

	*out = NULL;
	if (!b)
		return fb_fail(err, FB_ENOMEM, "out of memory");
	b->wall_ms = hlc_wall_ms;
	rc = store_open(path, 0, extra_schema, &b->st, err);
	if (rc != FB_OK)
		goto fail;
	if ((rc = store_prepare(b->st, SQL_GET, &b->q_get, err)) ||
	    (rc = store_prepare(b->st, SQL_PUT, &b->q_put, err)) ||
	    (rc = store_prepare(b->st, SQL_JOURNAL, &b->q_journal, err)) ||
	    (rc = store_prepare(b->st, SQL_CONFLICT, &b->q_conflict, err)) ||
	    (rc = store_prepare(b->st, SQL_DEVICE_HEAD, &b->q_device_head, err)) ||
	    (rc = store_prepare(b->st, SQL_HAVE, &b->q_have, err)) ||
	    (rc = store_prepare(b->st, SQL_SETTLE, &b->q_settle, err)) ||
	    (rc = store_prepare(b->st, SQL_REF, &b->q_ref, err)))
		goto fail;
	if ((rc = store_meta_get(b->st, "device", &device, err)) ||
	    (rc = store_meta_get(b->st, "branch", &branch, err)))
		goto fail;
	snprintf(b->device, sizeof(b->device), "%s", device ? device : "");
	snprintf(b->branch, sizeof(b->branch), "%s", branch ? branch : "");
	if ((rc = load_head(b, err)) != FB_OK)
		goto fail;
	free(device);
	free(branch);
	*out = b;
	return FB_OK;
fail:
	free(device);
	free(branch);
	book_close(b);
	return rc;
}

void book_close(struct book *b)
{
	if (!b)
		return;
	sqlite3_finalize(b->q_get);
	sqlite3_finalize(b->q_put);
	sqlite3_finalize(b->q_journal);
	sqlite3_finalize(b->q_conflict);
	sqlite3_finalize(b->q_device_head);
	sqlite3_finalize(b->q_have);
	sqlite3_finalize(b->q_settle);
	sqlite3_finalize(b->q_ref);
	store_close(b->st);
	free(b);
}

enum fb_code book_begin(struct book *b, struct fb_error *err)
{
	enum fb_code rc = store_begin(b->st, err);

	/* Another process may have written since we looked: now that we
	 * hold the write lock, take our sequence and chain from disk. */
	if (rc == FB_OK && (rc = load_head(b, err)) != FB_OK)
		store_rollback(b->st);
	return rc;
}

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

enum fb_code book_commit(struct book *b, struct fb_error *err)
{
	enum fb_code rc = store_meta_set_int(b->st, "hlc", (long long)b->clock, err);

	if (rc != FB_OK) {
		book_rollback(b);
		return rc;
	}
	rc = store_commit(b->st, err);
	if (rc != FB_OK)
		load_head(b, NULL);
	return rc;
}

void book_rollback(struct book *b)
{
	store_rollback(b->st);
	/* What we cached about our chain may describe rolled-back rows. */
	load_head(b, NULL);
}

enum fb_code book_save_clock(struct book *b, struct fb_error *err)
{
	return store_meta_set_int(b->st, "hlc", (long long)b->clock, err);
}

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
	return s == SQLITE_DONE ? FB_OK : store_fail(b->st, s, "saving conflict", err);
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
		return fb_fail(err, rc, "out of memory");
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
		rc = store_fail(b->st, s, "saving journal", err);
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
		rc = store_fail(b->st, s, "reading journal", err);
	}
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	return rc;
}

/* Check each entry names a field of the type with a canonical value. */
static enum fb_code check_entries(const struct jchange *c, struct fb_error *err)
{
	const struct type_def *t = model_type(c->type);
	size_t i, j;

	if (!t || c->n == 0)
		return fb_fail(err, FB_EINVAL, "change of %s has no entries",
			       c->record_id);
	if (!model_valid_id(c->type, c->record_id))
		return fb_fail(err, FB_EINVAL, "'%s' is not a valid %s id",
			       c->record_id, t->name);
	for (i = 0; i < c->n; i++) {
		const struct field_def *f = model_field(t, c->e[i].field);
		char *canon = NULL;
		enum fb_code rc;

		if (!f)
			return fb_fail(err, FB_EINVAL, "%s has no field '%s'",
				       t->name, c->e[i].field);
		for (j = 0; j < i; j++)
			if (!strcmp(c->e[j].field, c->e[i].field))
				return fb_fail(err, FB_EINVAL,
					       "field '%s' twice in one change",
					       c->e[i].field);
		rc = model_check(f, c->e[i].value, &canon, err);
		if (rc != FB_OK)
			return rc;
		rc = strcmp(canon, c->e[i].value) ? FB_EINVAL : FB_OK;
		free(canon);
		if (rc != FB_OK)
			return fb_fail(err, rc, "%s: value is not in canonical form",
				       f->name);
	}
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
	return s == SQLITE_DONE ? FB_OK : store_fail(b->st, s, "settling conflict", err);
}

/* Merge the change's entries into r and log what lost. */
static enum fb_code merge_into(struct book *b, struct record *r,
			       const struct jchange *c, struct fb_error *err)
{
	const struct type_def *t = model_type(r->type);
	int del = model_field_index(t, FIELD_DELETED);
	enum fb_code rc;
	size_t i;
	int j;

	for (i = 0; i < c->n; i++) {
		int fi = model_field_index(t, c->e[i].field);
		struct merge_field cur = { r->val[fi] != NULL, r->stamp[fi],
					   r->val[fi] };
		struct merge_entry in = { { c->hlc, "" }, c->e[i].base,
					  c->e[i].value };
		struct merge_result res;

		snprintf(in.stamp.device, sizeof(in.stamp.device), "%s", c->device);
		merge_field(&cur, &in, &res);
		if (res.conflict) {
			rc = log_conflict(b, r, c->e[i].field, "field",
					  res.winner_stamp, res.winner_value,
					  res.loser_stamp, res.loser_value, err);
			if (rc != FB_OK)
				return rc;
		}
		if (res.outcome == MERGE_TAKE && !res.conflict && cur.present &&
		    (rc = settle(b, r, c->e[i].field, &cur.stamp, err)) != FB_OK)
			return rc;
		if (res.outcome == MERGE_TAKE) {
			char *v = strdup(c->e[i].value);

			if (!v)
				return fb_fail(err, FB_ENOMEM, "out of memory");
			free(r->val[fi]);
			r->val[fi] = v;
			r->stamp[fi] = in.stamp;
		}
	}
	/* An edit and a delete that did not see each other (merge.h). */
	if (!record_deleted(r))
		return FB_OK;
	for (j = 0; t->fields[j].name; j++) {
		if (j == del || !r->val[j] ||
		    !merge_edit_vs_delete(&r->stamp[j], &r->stamp[del]))
			continue;
		rc = log_conflict(b, r, t->fields[j].name, "delete",
				  &r->stamp[del], "deleted", &r->stamp[j],
				  r->val[j], err);
		if (rc != FB_OK)
			return rc;
	}
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
		return fb_fail(err, FB_EINVAL, "'%s' is not a device id", c->device);
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
				     "the hub sent back this device's own entry %llu",
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
		if ((rc = is_replay(b, c, &same, held, err)) != FB_OK)
			goto out;
		if (!same || ((flags & BOOK_HASHED) && memcmp(held, c->hash, sizeof(held))))
			rc = fb_fail(err, FB_ECORRUPT,
				     "device %s entry %llu differs from the one already held",
				     c->device, (unsigned long long)c->seq);
		else
			memcpy(c->hash, held, sizeof(held));
		goto out;
	}
	if (c->seq != last + 1) {
		rc = fb_fail(err, FB_ECONFLICT,
			     "device %s: expected entry %llu, got %llu",
			     c->device, (unsigned long long)last + 1,
			     (unsigned long long)c->seq);
		goto out;
	}
	memcpy(want, c->hash, sizeof(want));
	if ((rc = journal_hash(prev, c)) != FB_OK) {
		fb_fail(err, rc, "hashing journal entry");
		goto out;
	}
	if ((flags & BOOK_HASHED) && memcmp(want, c->hash, sizeof(want))) {
		rc = fb_fail(err, FB_ECORRUPT,
			     "device %s entry %llu does not continue its hash chain",
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
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
			goto out;
		}
	} else if (r->type != c->type || strcmp(r->branch, c->branch)) {
		rc = fb_fail(err, FB_EINVAL,
			     "record %s is a %s of branch %s, not a %s of %s",
			     r->id, model_type(r->type)->name, r->branch,
			     model_type(c->type)->name, c->branch);
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

/* --- local edits ---------------------------------------------------- */

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
		rc = fb_fail(err, FB_ENOENT, "%s: no %s with id '%s'", f->name, want, id);
	else if (s != SQLITE_ROW)
		rc = store_fail(b->st, s, "reading record", err);
	else if (sqlite3_column_int(q, 1) && !b->refs_may_be_deleted)
		rc = fb_fail(err, FB_EINVAL, "%s: %s %s is deleted", f->name, want, id);
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
			       "a visit needs a member (--member ID) or a person's name (--person NAME)");
	if (r->type == REC_TRAINING && *end &&
	    strcmp(end, record_get(r, "start_date")) < 0)
		return fb_fail(err, FB_EINVAL, "end_date %s is before start_date %s",
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
		return fb_fail(err, FB_ETOOBIG, "too many fields in one edit");
	for (i = 0; i < n; i++) {
		int fi = model_field_index(t, fv[i].name);
		const struct field_def *f = fi >= 0 ? &t->fields[fi] : NULL;
		char *v = NULL;

		if (!f || !strcmp(f->name, FIELD_DELETED))
			return fb_fail(err, FB_EINVAL,
				       "a %s has no field '%s'%s", t->name,
				       fv[i].name,
				       f ? " (use delete or restore)" : "");
		for (j = 0; j < i; j++)
			if (!strcmp(fv[j].name, fv[i].name))
				return fb_fail(err, FB_EINVAL, "%s given twice",
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
				       "%s cannot be changed; unattend and attend instead",
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
			return fb_fail(err, FB_EINVAL, "%s is required",
				       t->fields[i].name);
	return check_record(r, err);
}

static enum fb_code set_deleted(struct book *b, struct record *r, int deleted,
				struct fb_error *err)
{
	int di = model_field_index(model_type(r->type), FIELD_DELETED);
	struct jchange c;
	enum fb_code rc;

	jchange_init(&c);
	snprintf(c.record_id, sizeof(c.record_id), "%s", r->id);
	c.type = r->type;
	snprintf(c.branch, sizeof(c.branch), "%s", r->branch);
	rc = jchange_add(&c, FIELD_DELETED, deleted ? "1" : "0",
			 r->val[di] ? &r->stamp[di] : NULL);
	if (rc == FB_OK)
		rc = commit_local(b, &c, err);
	else
		fb_fail(err, rc, "%s", fb_strerror(rc));
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
		return fb_fail(err, FB_EINVAL, "this database has no branch; run init");
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
			return fb_fail(err, FB_EINVAL, "id: '%s' is not a valid %s id",
				       want_id, model_type(t)->name);
		snprintf(id, sizeof(id), "%s", want_id);
	} else if (model_new_uuid(id) != FB_OK) {
		return fb_fail(err, FB_EINTERNAL, "no random bytes for an id");
	}
	r = record_new(id, t, b->branch);
	if (!r)
		return fb_fail(err, FB_ENOMEM, "out of memory");
	if ((rc = typed_entries(b, r, fv, n, 1, &c, err)) != FB_OK)
		goto out;
	if (t == REC_ATTENDANCE) {
		model_attendance_id(record_get(r, "training_id"),
				    record_get(r, "member_id"), id);
		if (want_id && strcmp(want_id, id)) {
			rc = fb_fail(err, FB_EINVAL,
				     "id: an attendance's id is training_id:member_id (%s)",
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
			rc = fb_fail(err, FB_EEXIST, "id: a record with id %s exists", id);
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
		rc = fb_fail(err, FB_EINVAL, "%s %s is deleted; restore it first",
			     model_type(r->type)->name, id);
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

/* --- reading the journal --------------------------------------------- */

enum fb_code book_journal_row(sqlite3_stmt *q, int col, struct jchange *c,
			      struct fb_error *err)
{
	const char *dev = (const char *)sqlite3_column_text(q, col),
		   *id = (const char *)sqlite3_column_text(q, col + 4),
		   *branch = (const char *)sqlite3_column_text(q, col + 6),
		   *body = (const char *)sqlite3_column_text(q, col + 7);
	const struct type_def *t =
		model_type_named((const char *)sqlite3_column_text(q, col + 5));

	jchange_init(c);
	snprintf(c->device, sizeof(c->device), "%s", dev ? dev : "");
	c->seq = (uint64_t)sqlite3_column_int64(q, col + 1);
	c->hlc = (fb_hlc)sqlite3_column_int64(q, col + 3);
	snprintf(c->record_id, sizeof(c->record_id), "%s", id ? id : "");
	snprintf(c->branch, sizeof(c->branch), "%s", branch ? branch : "");
	if (!t || sqlite3_column_bytes(q, col + 8) != JOURNAL_HASH_LEN)
		return fb_fail(err, FB_ECORRUPT, "journal: device %s entry %llu is damaged",
			       c->device, (unsigned long long)c->seq);
	c->type = t->type;
	memcpy(c->hash, sqlite3_column_blob(q, col + 8), JOURNAL_HASH_LEN);
	if (!body || journal_body_parse(body, c, NULL) != FB_OK ||
	    c->n != (size_t)sqlite3_column_int64(q, col + 2))
		return fb_fail(err, FB_ECORRUPT,
			       "journal: device %s entry %llu was altered (its entries do not read)",
			       c->device, (unsigned long long)c->seq);
	return FB_OK;
}

enum fb_code book_own_changes(struct book *b, uint64_t after,
			      struct jchange *out, size_t max, size_t max_bytes,
			      size_t *n, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	size_t bytes = 0;
	enum fb_code rc;
	int r = SQLITE_DONE;

	*n = 0;
	rc = store_prepare(b->st, "SELECT " BOOK_JOURNAL_COLUMNS
			   " FROM journal WHERE device = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
			   &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, b->device, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, (sqlite3_int64)after);
	sqlite3_bind_int64(q, 3, (sqlite3_int64)max);
	while (bytes < max_bytes && (r = sqlite3_step(q)) == SQLITE_ROW) {
		bytes += (size_t)sqlite3_column_bytes(q, 7);
		/* Counted first, so that the caller releases it either way. */
		if ((rc = book_journal_row(q, 0, &out[(*n)++], err)) != FB_OK)
			break;
	}
	if (rc == FB_OK && r != SQLITE_ROW && r != SQLITE_DONE)
		rc = store_fail(b->st, r, "reading journal", err);
	sqlite3_finalize(q);
	return rc;
}

/* --- conflicts ------------------------------------------------------- */

enum fb_code book_resolve(struct book *b, long long id, const char *value,
			  struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	struct record *r = NULL;
	const struct field_def *f;
	struct jchange c;
	char *field = NULL, *kind = NULL, *record_id = NULL, *v = NULL;
	int own_tx = !b->st->in_tx, fi, di, s;
	enum fb_code rc;

	jchange_init(&c);
	if (own_tx && (rc = book_begin(b, err)) != FB_OK)
		return rc;
	rc = store_prepare(b->st, "SELECT record_id, field, kind FROM conflict WHERE id = ?1",
			   &q, err);
	if (rc != FB_OK)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW) {
		record_id = strdup((const char *)sqlite3_column_text(q, 0));
		field = strdup((const char *)sqlite3_column_text(q, 1));
		kind = strdup((const char *)sqlite3_column_text(q, 2));
	}
	sqlite3_finalize(q);
	q = NULL;
	if (s != SQLITE_ROW) {
		rc = s == SQLITE_DONE ? fb_fail(err, FB_ENOENT, "no conflict %lld", id)
				      : store_fail(b->st, s, "reading conflicts", err);
		goto fail;
	}
	if (!record_id || !field || !kind) {
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = book_get(b, record_id, &r, err)) != FB_OK)
		goto fail;
	fi = model_field_index(model_type(r->type), field);
	di = model_field_index(model_type(r->type), FIELD_DELETED);
	if (fi < 0) {
		rc = fb_fail(err, FB_ECORRUPT, "conflict %lld names an unknown field", id);
		goto fail;
	}
	f = &model_type(r->type)->fields[fi];
	if ((rc = model_check(f, value, &v, err)) != FB_OK)
		goto fail;
	snprintf(c.record_id, sizeof(c.record_id), "%s", r->id);
	c.type = r->type;
	snprintf(c.branch, sizeof(c.branch), "%s", r->branch);
	/* Deciding for an edit that met a delete brings the record back. */
	if (!strcmp(kind, "delete") && fi != di && record_deleted(r) &&
	    (rc = jchange_add(&c, FIELD_DELETED, "0", &r->stamp[di])) != FB_OK)
		goto fail;
	if ((rc = jchange_add(&c, f->name, v, r->val[fi] ? &r->stamp[fi] : NULL)) != FB_OK)
		goto fail;
	if ((rc = commit_local(b, &c, err)) != FB_OK)
		goto fail;
	rc = store_prepare(b->st, "UPDATE conflict SET resolved = 1 WHERE id = ?1", &q, err);
	if (rc == FB_OK) {
		sqlite3_bind_int64(q, 1, id);
		s = sqlite3_step(q);
		if (s != SQLITE_DONE)
			rc = store_fail(b->st, s, "saving conflict", err);
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
	jchange_release(&c);
	record_free(r);
	free(v);
	free(record_id);
	free(field);
	free(kind);
	return rc;
}

/* --- verification --------------------------------------------------- */

enum fb_code book_verify_chain(struct book *b, uint64_t *rows,
			       uint64_t *entries, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	unsigned char prev[JOURNAL_HASH_LEN], stored[JOURNAL_HASH_LEN];
	char device[FB_DEVICE_ID_MAX + 1] = "";
	uint64_t expect = 1;
	struct jchange c;
	enum fb_code rc;
	int s;

	*rows = *entries = 0;
	rc = store_prepare(b->st, "SELECT " BOOK_JOURNAL_COLUMNS
			   " FROM journal ORDER BY device, seq", &q, err);
	if (rc != FB_OK)
		return rc;
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		const char *dev = (const char *)sqlite3_column_text(q, 0);
		uint64_t seq = (uint64_t)sqlite3_column_int64(q, 1);
		/* A collector holds only what the hub sent of other devices
		 * (its own branch, nothing rejected): their chains may have
		 * gaps, which the hub, holding them whole, has checked. */
		int partial = b->branch[0] && strcmp(dev, b->device), known;

		if (strcmp(dev, device)) {
			snprintf(device, sizeof(device), "%s", dev);
			memcpy(prev, zero_hash, sizeof(prev));
			expect = 1;
		}
		known = seq == expect;
		if (!known && !partial) {
			rc = fb_fail(err, FB_ECORRUPT,
				     "journal: device %s entry %llu is missing",
				     dev, (unsigned long long)expect);
			break;
		}
		rc = book_journal_row(q, 0, &c, err);
		/* After a gap the stored hash is taken as the chain's. */
		if (rc == FB_OK && known) {
			memcpy(stored, c.hash, sizeof(stored));
			if (journal_hash(prev, &c) != FB_OK || memcmp(stored, c.hash, sizeof(stored)))
				rc = fb_fail(err, FB_ECORRUPT,
					     "journal: device %s entry %llu was altered (hash does not match)",
					     dev, (unsigned long long)seq);
		}
		if (rc != FB_OK) {
			jchange_release(&c);
			break;
		}
		memcpy(prev, c.hash, sizeof(prev));
		expect = seq + c.n;
		(*rows)++;
		*entries += c.n;
		jchange_release(&c);
	}
	if (rc == FB_OK && s != SQLITE_DONE)
		rc = store_fail(b->st, s, "reading journal", err);
	sqlite3_finalize(q);
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

static const char *order_field(enum rec_type t)
{
	return t == REC_MEMBER ? "full_name" : book_date_field(t);
}

enum fb_code book_each(struct book *b, enum rec_type t, int year,
		       int include_deleted, book_each_fn fn, void *ctx,
		       struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	const char *datef = t < REC_NTYPES ? book_date_field(t) : NULL;
	const char *orderf = t < REC_NTYPES ? order_field(t) : NULL;
	char sql[512], dpath[64], opath[64], yr[8];
	enum fb_code rc;
	int s;

	snprintf(dpath, sizeof(dpath), "$.%s", datef ? datef : "none");
	snprintf(opath, sizeof(opath), "$.%s", orderf ? orderf : "none");
	snprintf(yr, sizeof(yr), "%04d", year);
	snprintf(sql, sizeof(sql),
		 "SELECT id, type, branch, vals, clk FROM record"
		 " WHERE (?1 = '' OR type = ?1) AND (deleted = 0 OR ?2)"
		 " AND (?3 = 0 OR substr(json_extract(vals, ?4), 1, 4) = ?5)"
		 " ORDER BY %s json_extract(vals, ?6), id",
		 t < REC_NTYPES ? "" : "CASE type WHEN 'member' THEN 0"
		 " WHEN 'training' THEN 1 WHEN 'attendance' THEN 2 ELSE 3 END,");
	if ((rc = store_prepare(b->st, sql, &q, err)) != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, t < REC_NTYPES ? model_type(t)->name : "", -1,
			  SQLITE_STATIC);
	sqlite3_bind_int(q, 2, include_deleted);
	sqlite3_bind_int(q, 3, year > 0 && datef);
	sqlite3_bind_text(q, 4, dpath, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, yr, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, opath, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		const struct type_def *td =
			model_type_named((const char *)sqlite3_column_text(q, 1));
		struct record *r;

		if (!td) {
			rc = fb_fail(err, FB_ECORRUPT, "record %s has an unknown type",
				     (const char *)sqlite3_column_text(q, 0));
			break;
		}
		r = record_new((const char *)sqlite3_column_text(q, 0), td->type,
			       (const char *)sqlite3_column_text(q, 2));
		if (!r) {
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
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
		rc = store_fail(b->st, s, "reading records", err);
	sqlite3_finalize(q);
	return rc;
}
