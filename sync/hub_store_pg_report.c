/*
 * hub_store_pg_report.c - the PostgreSQL store's side of the hub's
 * report: what the SQLite store's (hub_store_report.c) reads, read in
 * one REPEATABLE READ READ ONLY transaction, so that the units, the
 * laptops and every record are of one snapshot.  The store only feeds
 * rows: the branches' figures and the order of names are made by
 * report_scan_rows (shared/report.c), as on SQLite.  Nothing here
 * writes, locks or makes a temporary table: the report runs on a
 * read-only connection and on a hot standby.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub_report.h"
#include "hub_store_pg.h"

/* What the text of a column holds, or NULL for SQL NULL, malloc'd. */
static char *dup_value(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

/* Every unit, in the order of their codes' bytes (hub_cmd_report.c
 * looks them up by strcmp), as the SQLite store gives them. */
static enum fb_code read_units(struct pg_conn *c, struct hub_report_data *d,
			       struct fb_error *err)
{
	enum fb_code rc;
	PGresult *r = pg_run(c, "SELECT code, parent, level, name FROM unit"
			     " ORDER BY code COLLATE \"C\"", 0, NULL, "reading units", &rc, err);
	int i, n;

	if (!r)
		return rc;
	n = PQntuples(r);
	if (n > 0 && !(d->unit = calloc((size_t)n, sizeof(*d->unit))))
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
	for (i = 0; rc == FB_OK && i < n; i++) {
		struct hub_report_unit *u = &d->unit[d->nunit++];

		u->code = dup_value(r, i, 0);
		u->parent = dup_value(r, i, 1);
		u->level = dup_value(r, i, 2);
		u->name = dup_value(r, i, 3);
		if (!u->code || !u->level || (!u->parent && !PQgetisnull(r, i, 1)) ||
		    (!u->name && !(u->name = strdup(""))))
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
	}
	PQclear(r);
	return rc;
}

static int unit_cmp(const void *key, const void *u)
{
	return strcmp(key, ((const struct hub_report_unit *)u)->code);
}

/*
 * Each unit's laptops: the devices grouped by unit (a hub's token below
 * left out), those not revoked counted, the newest push of any (the
 * moments are ISO text of one width, so their greatest is the newest).
 */
static enum fb_code read_laptops(struct pg_conn *c, struct hub_report_data *d,
				 struct fb_error *err)
{
	enum fb_code rc;
	PGresult *r = pg_run(c, "SELECT unit, count(*) FILTER (WHERE revoked IS NULL),"
			     " max(last_seen COLLATE \"C\") FROM device"
			     " WHERE id NOT IN (SELECT id FROM hub_token) GROUP BY unit", 0,
			     NULL, "reading devices", &rc, err);
	int i;

	for (i = 0; r && i < PQntuples(r); i++) {
		struct hub_report_unit *u = d->nunit
			? bsearch(PQgetvalue(r, i, 0), d->unit, d->nunit, sizeof(*d->unit),
				  unit_cmp) : NULL;

		if (!u)
			continue;
		u->laptops = atol(PQgetvalue(r, i, 1));
		u->last_heard = PQgetisnull(r, i, 2) ? 0 : hub_report_ms(PQgetvalue(r, i, 2));
	}
	PQclear(r);
	return rc;
}

/* report_rows_fn: the records of one type, through a cursor. */
static enum fb_code records_of(void *src, const char *type, report_row_fn fn, void *ctx,
			       struct fb_error *err)
{
	struct pg_cursor k;
	enum fb_code rc;
	int i = -1;

	rc = pg_cursor_open(&k, src, "fb_report", "SELECT id, branch, deleted, vals"
			    " FROM record WHERE type = $1", 1, &type, "report", err);
	while (rc == FB_OK && (rc = pg_cursor_next(&k, &i, err)) == FB_OK && i >= 0) {
		struct report_row row = {
			PQgetvalue(k.r, i, 0), PQgetvalue(k.r, i, 1),
			atoi(PQgetvalue(k.r, i, 2)), PQgetvalue(k.r, i, 3),
			(size_t)PQgetlength(k.r, i, 3),
		};

		rc = fn(ctx, &row);
	}
	pg_cursor_close(&k);
	return rc;
}

enum fb_code pg_report_data(struct hub_store *s, int year, int names,
			    struct hub_report_data *d, struct fb_error *err)
{
	struct pg_hub *h = (struct pg_hub *)s;
	struct pg_conn *c = pg_get(h);
	enum fb_code rc;

	memset(d, 0, sizeof(*d));
	if ((rc = pg_do(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", 0, NULL,
			"report", err)) == FB_OK) {
		if ((rc = read_units(c, d, err)) == FB_OK &&
		    (rc = read_laptops(c, d, err)) == FB_OK)
			rc = report_scan_rows(records_of, c, year, names, &d->scan, err);
		if (pg_do(c, "COMMIT", 0, NULL, "report", NULL) != FB_OK && rc == FB_OK)
			rc = fb_fail(err, FB_EBUSY, "report: cannot end its read");
	}
	if (rc != FB_OK)
		hub_report_data_release(d);
	pg_put(h, c);
	return rc;
}
