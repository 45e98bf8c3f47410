/*
 * hub_store_report.c - the SQLite store's side of the hub's report:
 * the unit tree and each unit's laptops in two queries (the devices
 * grouped by unit, one pass over them), and the branches' figures in
 * one pass over the records (report_scan), all in one read transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hub_report.h"
#include "hub_store_sqlite.h"

void hub_report_data_release(struct hub_report_data *d)
{
	size_t i;

	for (i = 0; i < d->nunit; i++) {
		free(d->unit[i].code);
		free(d->unit[i].parent);
		free(d->unit[i].level);
		free(d->unit[i].name);
	}
	free(d->unit);
	report_scan_release(&d->scan);
	memset(d, 0, sizeof(*d));
}

int64_t hub_report_ms(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (!s || !(end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) || (*end && *end != 'Z'))
		return 0;
	return (int64_t)timegm(&tm) * 1000;
}

static char *dup_col(sqlite3_stmt *q, int i)
{
	const char *s = (const char *)sqlite3_column_text(q, i);

	return s ? strdup(s) : NULL;
}

static enum fb_code read_units(struct book *b, struct hub_report_data *d,
			       struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	size_t cap = 0;
	int r = SQLITE_DONE;

	rc = store_prepare(b->st, "SELECT code, parent, level, name FROM unit ORDER BY code",
			   &q, err);
	while (rc == FB_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
		struct hub_report_unit *u;

		if (d->nunit == cap) {
			u = realloc(d->unit, (cap ? cap * 2 : 64) * sizeof(*u));
			if (!u) {
				rc = fb_fail(err, FB_ENOMEM, "out of memory");
				break;
			}
			d->unit = u;
			cap = cap ? cap * 2 : 64;
		}
		u = &d->unit[d->nunit++];
		memset(u, 0, sizeof(*u));
		u->code = dup_col(q, 0);
		u->parent = dup_col(q, 1);
		u->level = dup_col(q, 2);
		u->name = dup_col(q, 3);
		if (!u->code || !u->level || (!u->parent && sqlite3_column_type(q, 1) != SQLITE_NULL) ||
		    (!u->name && !(u->name = strdup(""))))
			rc = fb_fail(err, FB_ENOMEM, "out of memory");
	}
	if (rc == FB_OK && r != SQLITE_DONE)
		rc = store_fail(b->st, r, "reading units", err);
	sqlite3_finalize(q);
	return rc;
}

/*
 * Each unit's laptops: the devices grouped by unit (a hub's token below
 * left out), merged into the units, both in code order.  "Heard from"
 * is the device's last_seen, which a push sets (docs/COMMANDS.md,
 * "Reports": the one place to read another column for it).
 */
static enum fb_code read_laptops(struct book *b, struct hub_report_data *d,
				 struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	size_t i = 0;
	int r = SQLITE_DONE;

	rc = store_prepare(b->st,
			   "SELECT unit, sum(revoked IS NULL), max(last_seen) FROM device"
			   " WHERE id NOT IN (SELECT id FROM hub_token)"
			   " GROUP BY unit ORDER BY unit", &q, err);
	while (rc == FB_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
		const char *unit = (const char *)sqlite3_column_text(q, 0);

		if (!unit)
			continue;
		while (i < d->nunit && strcmp(d->unit[i].code, unit) < 0)
			i++;
		if (i == d->nunit)
			break;
		if (strcmp(d->unit[i].code, unit))
			continue;
		d->unit[i].laptops = (long)sqlite3_column_int64(q, 1);
		d->unit[i].last_heard = hub_report_ms((const char *)sqlite3_column_text(q, 2));
	}
	if (rc == FB_OK && r != SQLITE_DONE && r != SQLITE_ROW)
		rc = store_fail(b->st, r, "reading devices", err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code sqhub_report_data(struct hub_store *s, int year, int names,
			       struct hub_report_data *d, struct fb_error *err)
{
	struct sqlite_hub *h = (struct sqlite_hub *)s;
	struct book *b = sqhub_get(h);
	enum fb_code rc;

	memset(d, 0, sizeof(*d));
	if ((rc = store_exec(b->st, "SAVEPOINT hub_report", err)) != FB_OK)
		goto out;
	if ((rc = read_units(b, d, err)) == FB_OK &&
	    (rc = read_laptops(b, d, err)) == FB_OK)
		rc = report_scan(b->st, year, names, &d->scan, err);
	if (store_exec(b->st, "RELEASE hub_report", NULL) != FB_OK && rc == FB_OK)
		rc = fb_fail(err, FB_EIO, "report: cannot end its read");
out:
	if (rc != FB_OK)
		hub_report_data_release(d);
	sqhub_put(h, b);
	return rc;
}
