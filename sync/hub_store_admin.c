/*
 * hub_store_admin.c - the SQLite hub store's operations for the hub's
 * commands: enroll, revoke, the listings (devices, conflicts, rejected),
 * verify, and the units and figures of reports.  They run on the pool's connections like push and pull,
 * so a serving hub and a command see the same store.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_sqlite.h"
#include "book_view.h"
#include "conflict_id.h"
#include "hub_store_rules.h"
#include "report.h"

enum fb_code sqhub_enroll(struct hub_store *s, const char *unit, const char *name,
			  const unsigned char hash[TOKEN_HASH_LEN], long long *id,
			  struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	*id = 0;
	rc = store_prepare(b->st, "INSERT INTO device(name, unit, token_hash, created)"
			   " SELECT ?1, code, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
			   " FROM unit WHERE code = ?2", &q, err);
	if (rc == FB_OK) {
		sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, unit, -1, SQLITE_STATIC);
		sqlite3_bind_blob(q, 3, hash, TOKEN_HASH_LEN, SQLITE_STATIC);
		r = sqlite3_step(q);
		if (r != SQLITE_DONE)
			rc = store_fail(b->st, r, "enrolling", err);
		else if (sqlite3_changes(b->st->db) == 0)
			rc = fb_fail(err, FB_ENOENT, "no unit %s (add it with 'unit add')", unit);
		else
			*id = (long long)sqlite3_last_insert_rowid(b->st->db);
	}
	sqlite3_finalize(q);
	sqhub_put(h, b);
	return rc;
}

enum fb_code sqhub_make_hub(struct hub_store *s, long long id, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	rc = store_prepare(b->st, "INSERT OR IGNORE INTO hub_token(id)"
			   " SELECT id FROM device WHERE id = ?1 AND device IS NULL", &q, err);
	if (rc == FB_OK) {
		sqlite3_bind_int64(q, 1, id);
		r = sqlite3_step(q);
		if (r != SQLITE_DONE)
			rc = store_fail(b->st, r, "enrolling a hub", err);
		else if (sqlite3_changes(b->st->db) == 0)
			rc = fb_fail(err, FB_ENOENT, "no device %lld without a bound laptop", id);
	}
	sqlite3_finalize(q);
	sqhub_put(h, b);
	return rc;
}

enum fb_code sqhub_revoke(struct hub_store *s, long long id, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	rc = store_prepare(b->st, "UPDATE device SET revoked = coalesce(revoked,"
			   " strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) WHERE id = ?1", &q, err);
	if (rc == FB_OK) {
		sqlite3_bind_int64(q, 1, id);
		r = sqlite3_step(q);
		if (r != SQLITE_DONE)
			rc = store_fail(b->st, r, "revoking", err);
		else if (sqlite3_changes(b->st->db) == 0)
			rc = fb_fail(err, FB_ENOENT, "no device %lld", id);
	}
	sqlite3_finalize(q);
	sqhub_put(h, b);
	return rc;
}


static const struct {
	const char *sql;
} listings[] = {
	/* A revoked token whose laptop was enrolled again still shows the
	 * device id it had, which a new token took over. */
	[HUB_LIST_DEVICES] = {
		"SELECT id, name, unit, coalesce(device, (SELECT h.device FROM device_handover h"
		" WHERE h.from_owner = device.id ORDER BY h.id DESC LIMIT 1), ''), created,"
		" coalesce(last_seen, ''), coalesce(revoked, ''), coalesce(last_push, ''),"
		" coalesce(last_pull, ''), coalesce((SELECT name FROM unit"
		" WHERE unit.code = device.unit), ''),"
		" EXISTS(SELECT 1 FROM hub_token WHERE hub_token.id = device.id) FROM device"
		" WHERE ?1 IS NOT NULL ORDER BY id" },
	/* The conflict's number is the one every replica gives it
	 * (conflict_id.h), not this store's row. */
	[HUB_LIST_CONFLICTS] = {
		"SELECT substr(fb_conflict_id(record_id, field, loser_hlc, loser_device), 1, "
		FB_STR(CONFLICT_ID_SHOWN) "), record_id, type, branch, field, kind, winner_value,"
		" printf('%016x', winner_hlc), winner_device, loser_value,"
		" printf('%016x', loser_hlc), loser_device, resolved FROM conflict"
		" WHERE resolved = 0 OR ?1 ORDER BY id" },
	[HUB_LIST_REJECTED] = {
		"SELECT id, device, seq, record_id, type, branch, reason, at"
		" FROM rejected WHERE ?1 IS NOT NULL ORDER BY id" },
};

enum fb_code sqhub_list(struct hub_store *s, enum hub_listing what, int all,
			hub_row_fn fn, void *ctx, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b;
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r = SQLITE_DONE, i;

	if ((unsigned)what >= sizeof(listings) / sizeof(listings[0]))
		return fb_fail(err, FB_EINTERNAL, "no listing %d", (int)what);
	b = sqhub_get(h);
	rc = store_prepare(b->st, listings[what].sql, &q, err);
	if (rc == FB_OK)
		sqlite3_bind_int(q, 1, all);
	while (rc == FB_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
		struct hub_row row = { hub_listing_cols[what].n, hub_listing_cols[what].names,
				       { 0 }, { 0 } };

		for (i = 0; i < row.ncols; i++) {
			const char *v = (const char *)sqlite3_column_text(q, i);

			row.values[i] = v ? v : "";
			row.is_number[i] = sqlite3_column_type(q, i) == SQLITE_INTEGER;
		}
		rc = fn(&row, ctx);
	}
	if (rc == FB_OK && r != SQLITE_DONE)
		rc = store_fail(b->st, r, "listing", err);
	sqlite3_finalize(q);
	sqhub_put(h, b);
	return rc;
}

enum fb_code sqhub_verify(struct hub_store *s, uint64_t *rows, uint64_t *entries,
			  uint64_t *records, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	char first[FB_ERRMSG_MAX] = "";
	struct book_verify_walk w = { b, hub_first_difference, first, 0, 0 };
	enum fb_code rc = store_integrity(b->st, err);

	*records = 0;
	if (rc == FB_OK)
		rc = book_verify_chain(b, rows, entries, err);
	/* What the hub's report and listings read, as the journal gives it. */
	if (rc == FB_OK && (rc = book_verify_records(&w, err)) == FB_OK)
		rc = hub_differences(first, w.differences, err);
	*records = w.records;
	sqhub_put(h, b);
	return rc;
}

/* Insert one unit; FB_EEXIST / FB_ENOENT. */
static enum fb_code insert_unit(struct book *b, const struct hub_unit *u,
				struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r;

	rc = store_prepare(b->st, "INSERT INTO unit(code, parent, level, name)"
			   " VALUES(?1, ?2, ?3, ?4)", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, u->code, -1, SQLITE_STATIC);
	if (u->parent)
		sqlite3_bind_text(q, 2, u->parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, u->level, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, u->name, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r == SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = fb_fail(err, FB_EEXIST, "unit %s exists already", u->code);
	else if (r == SQLITE_CONSTRAINT_FOREIGNKEY)
		rc = fb_fail(err, FB_ENOENT, "no parent unit %s", u->parent);
	else if (r != SQLITE_DONE)
		rc = store_fail(b->st, r, "saving unit", err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code hub_store_sqlite_create(const char *path, const struct hub_unit *top,
				     struct fb_error *err)
{
	struct fb_store *st = NULL;
	struct book *b = NULL;
	char *have = NULL;
	enum fb_code rc;

	if ((rc = store_open(path, STORE_CREATE, hub_schema, &st, err)) != FB_OK)
		return rc;
	store_close(st);
	if ((rc = book_open(path, hub_schema, &b, err)) != FB_OK)
		return rc;
	if ((rc = store_meta_get(b->st, "hub_unit", &have, err)) != FB_OK)
		goto out;
	if (have) {
		rc = fb_fail(err, FB_EEXIST, "%s is already a hub for %s", path, have);
		goto out;
	}
	if ((rc = book_begin(b, err)) != FB_OK)
		goto out;
	if ((rc = insert_unit(b, top, err)) == FB_OK &&
	    (rc = store_meta_set(b->st, "hub_unit", top->code, err)) == FB_OK)
		rc = book_commit(b, err);
	else
		book_rollback(b);
out:
	free(have);
	book_close(b);
	return rc;
}

enum fb_code sqhub_top_unit(struct hub_store *s, char **code, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	enum fb_code rc = store_meta_get(b->st, "hub_unit", code, err);

	if (rc == FB_OK && !*code)
		rc = fb_fail(err, FB_EINVAL, "this is not a hub database");
	sqhub_put(h, b);
	return rc;
}

/* The units a scope covers: the unit and all below it. */
#define SUBTREE_SQL "WITH RECURSIVE sub(code) AS (SELECT ?1 UNION" \
	" SELECT unit.code FROM unit JOIN sub ON unit.parent = sub.code)"

enum fb_code sqhub_each_unit(struct hub_store *s, const char *root, const char *level,
			     hub_unit_fn fn, void *ctx, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r = SQLITE_DONE;

	rc = store_prepare(b->st, SUBTREE_SQL
			   " SELECT u.code, u.name FROM unit u JOIN sub ON u.code = sub.code"
			   " WHERE u.level = ?2 ORDER BY u.code", &q, err);
	if (rc == FB_OK) {
		sqlite3_bind_text(q, 1, root, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, level, -1, SQLITE_STATIC);
	}
	while (rc == FB_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(q, 1);

		rc = fn((const char *)sqlite3_column_text(q, 0), name ? name : "", ctx);
	}
	if (rc == FB_OK && r != SQLITE_DONE)
		rc = store_fail(b->st, r, "reading units", err);
	sqlite3_finalize(q);
	sqhub_put(h, b);
	return rc;
}
