/*
 * hub_store_units.c - the SQLite hub store's unit tree: add, import,
 * rename, move, remove, and the tree in order for `unit list`.  The
 * planning and its checks are hub_store_plan.c's, shared with the
 * PostgreSQL store; here the units are read and written.
 *
 * Scopes and reports follow the tree by code (SUBTREE in queries): a
 * token enrolled for a unit keeps that unit whatever is renamed or moved,
 * and a moved commune's branches, and their records, are counted under
 * its new parent from then on.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_store_sqlite.h"
#include "hub_store_plan.h"

/* Every unit the hub holds, as held. */
static enum fb_code plan_load(struct book *b, struct hub_plan *t, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r = SQLITE_DONE;

	rc = store_prepare(b->st, "SELECT code, parent, level, name FROM unit", &q, err);
	while (rc == FB_OK && (r = sqlite3_step(q)) == SQLITE_ROW)
		if (hub_plan_held(t, (const char *)sqlite3_column_text(q, 0),
				  (const char *)sqlite3_column_text(q, 1),
				  (const char *)sqlite3_column_text(q, 2),
				  (const char *)sqlite3_column_text(q, 3)) != FB_OK)
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
	if (rc == FB_OK && r != SQLITE_DONE)
		rc = store_fail(b->st, r, "reading units", err);
	sqlite3_finalize(q);
	return rc;
}

/* The statements hub_plan_write's callback writes with. */
struct plan_writer {
	struct book *b;
	sqlite3_stmt *ins, *upd;
	struct fb_error *err;
};

static enum fb_code write_unit(void *ctx, const char *code, const char *parent,
			       const char *level, const char *name, int is_new)
{
	struct plan_writer *w = ctx;
	sqlite3_stmt *q = is_new ? w->ins : w->upd;
	int r;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	if (parent)
		sqlite3_bind_text(q, 2, parent, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 2);
	if (is_new)
		sqlite3_bind_text(q, 3, level, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, name, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(q)) != SQLITE_DONE)
		return store_fail(w->b->st, r, "saving units", w->err);
	return FB_OK;
}

/* Write the plan: new units inserted, changed ones updated. */
static enum fb_code write_plan(struct book *b, struct hub_plan *t,
			       struct hub_units_outcome *out, struct fb_error *err)
{
	struct plan_writer w = { b, NULL, NULL, err };
	enum fb_code rc;

	/* A child may come before its parent: the references are checked
	 * at the commit, when all are in. */
	if ((rc = store_exec(b->st, "PRAGMA defer_foreign_keys = ON", err)) == FB_OK &&
	    (rc = store_prepare(b->st, "INSERT INTO unit(code, parent, level, name)"
				" VALUES(?1, ?2, ?3, ?4)", &w.ins, err)) == FB_OK &&
	    (rc = store_prepare(b->st, "UPDATE unit SET parent = ?2, name = ?4"
				" WHERE code = ?1", &w.upd, err)) == FB_OK)
		rc = hub_plan_write(t, write_unit, &w, out);
	sqlite3_finalize(w.ins);
	sqlite3_finalize(w.upd);
	return rc;
}

enum fb_code sqhub_put_units(struct hub_store *s, const struct hub_unit *u, size_t n,
			     enum hub_units_mode mode, struct hub_units_outcome *out,
			     struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	struct hub_plan *t = NULL;
	char *top = NULL;
	enum fb_code rc;

	memset(out, 0, sizeof(*out));
	if ((rc = book_begin(b, err)) != FB_OK)
		goto done;
	if ((rc = store_meta_get(b->st, "hub_unit", &top, err)) != FB_OK)
		goto fail;
	if (!top) {
		rc = fb_fail(err, FB_EINVAL, "this is not a hub database");
		goto fail;
	}
	if (hub_plan_new(n, &t) != FB_OK) {
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = plan_load(b, t, err)) != FB_OK)
		goto fail;
	if ((rc = hub_plan_lay(t, u, n, mode, top, out, err)) != FB_OK)
		goto fail;
	if ((rc = write_plan(b, t, out, err)) != FB_OK)
		goto fail;
	if (out->added + out->renamed + out->moved == 0) {
		book_rollback(b);       /* nothing to write: nothing written */
		goto done;
	}
	rc = book_commit(b, err);
	goto done;
fail:
	book_rollback(b);
done:
	hub_plan_free(t);
	free(top);
	sqhub_put(h, b);
	return rc;
}

/* One count of a query with one text parameter. */
static enum fb_code count_of(struct book *b, const char *sql, const char *code,
			     long long *n, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(b->st, sql, &q, err);
	int r;

	*n = 0;
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(q)) == SQLITE_ROW)
		*n = sqlite3_column_int64(q, 0);
	else
		rc = store_fail(b->st, r, "counting", err);
	sqlite3_finalize(q);
	return rc;
}

static enum fb_code delete_unit(struct book *b, const char *code, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(b->st, "DELETE FROM unit WHERE code = ?1", &q, err);
	int r;

	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(q)) != SQLITE_DONE)
		rc = store_fail(b->st, r, "removing a unit", err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code sqhub_remove_unit(struct hub_store *s, const char *code, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	long long units = 0, children = 0, devices = 0, records = 0;
	char *top = NULL;
	enum fb_code rc;

	if ((rc = book_begin(b, err)) != FB_OK)
		goto done;
	if ((rc = store_meta_get(b->st, "hub_unit", &top, err)) != FB_OK ||
	    (rc = count_of(b, "SELECT count(*) FROM unit WHERE code = ?1", code, &units,
			   err)) != FB_OK ||
	    (rc = count_of(b, "SELECT count(*) FROM unit WHERE parent = ?1", code,
			   &children, err)) != FB_OK ||
	    (rc = count_of(b, "SELECT count(*) FROM device WHERE unit = ?1", code,
			   &devices, err)) != FB_OK ||
	    (rc = count_of(b, "SELECT count(*) FROM record WHERE branch = ?1", code,
			   &records, err)) != FB_OK ||
	    (rc = hub_unit_removable(code, top, units, children, devices, records,
				     err)) != FB_OK ||
	    (rc = delete_unit(b, code, err)) != FB_OK)
		goto fail;
	rc = book_commit(b, err);
	goto done;
fail:
	book_rollback(b);
done:
	free(top);
	sqhub_put(h, b);
	return rc;
}

/* How many live tokens each unit has, into the plan. */
static enum fb_code load_devices(struct book *b, struct hub_plan *t, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r = SQLITE_DONE;

	rc = store_prepare(b->st, "SELECT unit, count(*) FROM device WHERE revoked IS NULL"
			   " GROUP BY unit", &q, err);
	while (rc == FB_OK && (r = sqlite3_step(q)) == SQLITE_ROW)
		hub_plan_devices(t, (const char *)sqlite3_column_text(q, 0),
				 (size_t)sqlite3_column_int64(q, 1));
	if (rc == FB_OK && r != SQLITE_DONE)
		rc = store_fail(b->st, r, "reading devices", err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code sqhub_unit_tree(struct hub_store *s, const char *root, hub_tree_fn fn,
			     void *ctx, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	struct hub_plan *t = NULL;
	char *top = NULL;
	enum fb_code rc;

	/* One read transaction: the units and the devices agree. */
	if ((rc = store_exec(b->st, "BEGIN", err)) != FB_OK)
		goto done;
	if (hub_plan_new(0, &t) != FB_OK)
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
	if (rc == FB_OK &&
	    (rc = store_meta_get(b->st, "hub_unit", &top, err)) == FB_OK &&
	    (rc = plan_load(b, t, err)) == FB_OK && (rc = load_devices(b, t, err)) == FB_OK)
		rc = hub_plan_walk(t, root, top, fn, ctx, err);
	/* A read: what it read stands, but the connection must not stay in it. */
	if (store_exec(b->st, "COMMIT", NULL) != FB_OK &&
	    store_exec(b->st, "ROLLBACK", NULL) != FB_OK && rc == FB_OK)
		rc = fb_fail(err, FB_EIO, "listing units: cannot end the read");
done:
	hub_plan_free(t);
	free(top);
	sqhub_put(h, b);
	return rc;
}
