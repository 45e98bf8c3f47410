/*
 * hub_cmd_report.c - fieldbook-hub report, conflicts, rejected, verify.
 *
 * report reads every branch's figures in one pass over the records
 * (hub_report.h, shared/report.h), then adds each branch into the unit
 * above it at the level asked (--by, default branch) and into the total
 * of --unit (default the hub's own unit): its cost is that of the
 * records plus the units, whatever the level (docs/PERFORMANCE.md,
 * "Reports").  Each branch is also judged by when its laptops last
 * pushed: heard from, stale (--stale DAYS), never synced, heard of
 * through another hub or unit, or empty (docs/COMMANDS.md, "Reports").
 * The same figures go out as a table, CSV or JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "csv.h"
#include "hub_cmd.h"
#include "hub_report.h"
#include "hub_store.h"
#include "i18n.h"
#include "model.h"
#include "report.h"
#include "report_text.h"
#include "text.h"

/* What a hub knows of a branch's syncing (docs/COMMANDS.md, "Reports"). */
enum sync_status {
	ST_HEARD,       /* a laptop of its own pushed within --stale days */
	ST_STALE,       /* ... and not since */
	ST_NEVER,       /* laptops enrolled, none has pushed, no record */
	ST_INDIRECT,    /* records, but no laptop of its own here ever pushed:
			   a hub below relayed them, or a unit's laptop above */
	ST_EMPTY,       /* no laptop enrolled, no record: no one to count */
	ST_N
};

static const char *const status_key[ST_N] = {
	"heard", "stale", "never_synced", "indirect", "empty"
};
static const char *const status_title[ST_N] = {
	N_("heard from"), N_("stale"), N_("never synced"),
	N_("through another hub or unit"), N_("empty")
};

#define UNIT_COLS 16
#define NAME_COLS 28
#define TOTAL_NAME "All"        /* the total's name in every format */

/* One row of the report: a unit of the level asked, or the total. */
struct row {
	const struct hub_report_unit *unit;
	struct report r;
	long branches[ST_N], nbranches;
	int64_t last_heard;             /* the newest of its branches' */
	size_t *listed, nlisted;        /* its branches never synced, stale or
					   empty (units' indexes, code order) */
};

struct rollup {
	const struct hub_report_data *d;
	int64_t now, stale_ms;
	const char *by;
	size_t root;
	struct row *row;                /* nrow rows, then the total */
	size_t nrow;
	long *row_of;                   /* per unit: its row, -1 none, -2 out of --unit */
	long *records;                  /* per unit: records naming it */
	enum sync_status *status;       /* per branch unit */
};

static int unit_cmp(const void *key, const void *u)
{
	return strcmp(key, ((const struct hub_report_unit *)u)->code);
}

/* The index of unit `code`, or -1. */
static long unit_index(const struct hub_report_data *d, const char *code)
{
	const struct hub_report_unit *u =
		bsearch(code, d->unit, d->nunit, sizeof(*d->unit), unit_cmp);

	return u ? (long)(u - d->unit) : -1;
}

/*
 * Walk up from unit i to --unit: the row it counts in (the first unit of
 * level `by` on the way, itself included), -1 when it is under --unit in
 * no such unit (it counts in the total only), -2 when it is not under
 * --unit.  The walk is bounded, should the table hold a loop.
 */
static long walk_up(struct rollup *x, size_t i, const long *row_index)
{
	const struct hub_report_data *d = x->d;
	long found = -1, at = (long)i;
	int steps;

	for (steps = 0; at >= 0 && steps < 64; steps++) {
		if (found < 0 && !strcmp(d->unit[at].level, x->by))
			found = row_index[at];
		if ((size_t)at == x->root)
			return found;
		at = d->unit[at].parent ? unit_index(d, d->unit[at].parent) : -1;
	}
	return -2;
}

static enum sync_status judge(const struct rollup *x, size_t i)
{
	const struct hub_report_unit *u = &x->d->unit[i];

	if (u->last_heard)
		return x->now - u->last_heard > x->stale_ms ? ST_STALE : ST_HEARD;
	if (x->records[i] > 0)
		return ST_INDIRECT;
	return u->laptops > 0 ? ST_NEVER : ST_EMPTY;
}

static enum fb_code list_branch(struct row *w, size_t i)
{
	size_t *p;

	if ((w->nlisted & (w->nlisted - 1)) == 0) {
		p = realloc(w->listed, (w->nlisted ? w->nlisted * 2 : 1) * sizeof(*p));
		if (!p)
			return FB_ENOMEM;
		w->listed = p;
	}
	w->listed[w->nlisted++] = i;
	return FB_OK;
}

/* A branch unit's syncing, into a row. */
static enum fb_code count_branch(struct rollup *x, struct row *w, size_t i)
{
	enum sync_status st = x->status[i];

	w->nbranches++;
	w->branches[st]++;
	if (x->d->unit[i].last_heard > w->last_heard)
		w->last_heard = x->d->unit[i].last_heard;
	if (st == ST_NEVER || st == ST_STALE || st == ST_EMPTY)
		return list_branch(w, i);
	return FB_OK;
}

/* The rows of level `by` under --unit, and each branch added into its own. */
static enum fb_code roll_up(struct rollup *x, int names, struct fb_error *err)
{
	const struct hub_report_data *d = x->d;
	struct row *total;
	long *row_index;
	size_t i;
	enum fb_code rc = FB_OK;

	x->row_of = malloc((d->nunit + 1) * sizeof(*x->row_of));
	x->records = calloc(d->nunit + 1, sizeof(*x->records));
	x->status = calloc(d->nunit + 1, sizeof(*x->status));
	row_index = malloc((d->nunit + 1) * sizeof(*row_index));
	x->row = calloc(d->nunit + 1, sizeof(*x->row));
	if (!x->row_of || !x->records || !x->status || !row_index || !x->row) {
		free(row_index);
		return fb_fail(err, FB_ENOMEM, "out of memory");
	}
	/* The rows first: the units of the level under --unit, in code order. */
	for (i = 0; i < d->nunit; i++) {
		row_index[i] = -1;
		if (!strcmp(d->unit[i].level, x->by)) {
			row_index[i] = (long)x->nrow;
			if (walk_up(x, i, row_index) == -2) {
				row_index[i] = -1;
				continue;
			}
			x->row[x->nrow++].unit = &d->unit[i];
		}
	}
	total = &x->row[x->nrow];
	total->unit = &d->unit[x->root];
	for (i = 0; i <= x->nrow; i++)
		report_init(&x->row[i].r, d->scan.year);
	for (i = 0; i < d->nunit; i++)
		x->row_of[i] = walk_up(x, i, row_index);
	free(row_index);
	for (i = 0; i < d->scan.nbranch; i++) {
		const struct report_branch *b = &d->scan.branch[i];
		long u = unit_index(d, b->code);

		/* A code no unit has: outside every --unit. */
		if (u < 0 || x->row_of[u] == -2)
			continue;
		x->records[u] = b->records;
		report_add(&total->r, &b->r);
		if (x->row_of[u] >= 0)
			report_add(&x->row[x->row_of[u]].r, &b->r);
	}
	for (i = 0; rc == FB_OK && i < d->nunit; i++) {
		if (x->row_of[i] == -2 || strcmp(d->unit[i].level, "branch"))
			continue;
		x->status[i] = judge(x, i);
		rc = count_branch(x, total, i);
		if (rc == FB_OK && x->row_of[i] >= 0)
			rc = count_branch(x, &x->row[x->row_of[i]], i);
	}
	/* In name order, so each row's list stays in it. */
	for (i = 0; rc == FB_OK && names && i < d->scan.npeople; i++) {
		const struct report_person *p = &d->scan.people[i];
		long u = unit_index(d, p->branch);

		if (u < 0 || x->row_of[u] == -2)
			continue;
		rc = report_add_person(&total->r, p);
		if (rc == FB_OK && x->row_of[u] >= 0)
			rc = report_add_person(&x->row[x->row_of[u]].r, p);
	}
	if (rc != FB_OK)
		return fb_fail(err, rc, "out of memory");
	return FB_OK;
}

static void rollup_release(struct rollup *x)
{
	size_t i;

	for (i = 0; x->row && i <= x->nrow; i++) {
		report_release(&x->row[i].r);
		free(x->row[i].listed);
	}
	free(x->row);
	free(x->row_of);
	free(x->records);
	free(x->status);
}

/* Unix ms as "2026-04-30T14:05:00Z" ("" for 0): JSON and CSV keep UTC. */
static void iso_utc(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	out[0] = '\0';
	if (ms > 0 && gmtime_r(&t, &tm))
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int is_total(const struct rollup *x, const struct row *w)
{
	return w == &x->row[x->nrow];
}

/* --- table --------------------------------------------------------------- */

static enum fb_code table_head(const struct rollup *x, int year, struct fb_buf *o)
{
	char when[FB_WHEN_MAX];
	enum fb_code rc;

	fb_when(x->now, when);
	rc = buf_printf(o, _("Fieldbook hub report %d: %s by %s"), year,
			x->d->unit[x->root].code, x->by);
	if (rc == FB_OK)
		rc = buf_addc(o, '\n');
	if (rc == FB_OK)
		rc = buf_printf(o, _("At %s; stale: not heard from for more than %lld days"),
				when, (long long)(x->stale_ms / 86400000));
	if (rc == FB_OK)
		rc = buf_printf(o, "\n\n%-*s ", UNIT_COLS, _("UNIT"));
	if (rc == FB_OK)
		rc = text_pad(o, _("NAME"), NAME_COLS);
	if (rc == FB_OK)
		rc = buf_printf(o, " %8s %6s %6s %11s %6s %8s %8s %8s %7s %15s\n",
				_("BRANCHES"), _("NEVER"), _("STALE"), _("HEADS TRAIN"), "%",
				_("MEMBERS"), _("COURSES"), _("ATTEND"), _("VISITS"),
				_("AMOUNT (VND)"));
	return rc;
}

/* One line of the overview. */
static enum fb_code table_line(const struct rollup *x, const struct row *w,
			       struct fb_buf *o)
{
	const struct report_group *g = &w->r.group[0];
	char m[REPORT_MONEY_MAX], heads[32];
	enum fb_code rc;

	report_money(w->r.amount, m);
	snprintf(heads, sizeof(heads), "%ld/%ld", g->trained, g->total);
	rc = buf_printf(o, "%-*s ", UNIT_COLS, w->unit->code);
	if (rc == FB_OK)
		rc = text_pad(o, is_total(x, w) ? _(TOTAL_NAME) : w->unit->name, NAME_COLS);
	if (rc == FB_OK)
		rc = buf_printf(o, " %8ld %6ld %6ld %11s %5.1f%% %8ld %8ld %8ld %7ld %15s\n",
				w->nbranches, w->branches[ST_NEVER], w->branches[ST_STALE],
				heads, report_pct(g), w->r.members_total, w->r.courses,
				w->r.attendances, w->r.visits, m);
	return rc;
}

/* "never synced: HN.PL.TT.05 Chi hội 5 (laptops enrolled: 1)" and the like. */
static enum fb_code table_branch(const struct rollup *x, size_t i, struct fb_buf *o)
{
	const struct hub_report_unit *u = &x->d->unit[i];
	char when[FB_WHEN_MAX];
	enum fb_code rc;

	rc = buf_printf(o, "    %s: %s %s", _(status_title[x->status[i]]), u->code, u->name);
	if (rc == FB_OK && u->last_heard) {
		fb_when(u->last_heard, when);
		rc = buf_printf(o, _(", last heard from %s"), when);
	}
	if (rc == FB_OK)
		rc = buf_printf(o, _(" (laptops enrolled: %ld)"), u->laptops);
	return rc == FB_OK ? buf_addc(o, '\n') : rc;
}

/* The block of one row: its syncing, then the sections the collector prints. */
static enum fb_code table_block(const struct rollup *x, const struct row *w,
				int names, struct fb_buf *o)
{
	const struct hub_report_unit *u = w->unit;
	int branch_row = !is_total(x, w) && !strcmp(u->level, "branch");
	char when[FB_WHEN_MAX];
	enum fb_code rc;
	size_t i;
	int k;

	if (is_total(x, w))
		rc = buf_printf(o, "\n== %s: %s %s ==\n", _(TOTAL_NAME), u->code, u->name);
	else
		rc = buf_printf(o, "\n== %s %s ==\n", u->code, u->name);
	if (rc == FB_OK)
		rc = buf_printf(o, "  %s", branch_row ? _("Syncing:") : _("Branches:"));
	if (branch_row) {
		for (k = 0; rc == FB_OK && k < ST_N; k++)
			if (w->branches[k])
				rc = buf_printf(o, " %s", _(status_title[k]));
	} else {
		if (rc == FB_OK)
			rc = buf_printf(o, " %ld:", w->nbranches);
		for (k = 0; rc == FB_OK && k < ST_N; k++)
			rc = buf_printf(o, "%s %ld %s", k ? "," : "", w->branches[k],
					_(status_title[k]));
	}
	if (rc == FB_OK && w->last_heard) {
		fb_when(w->last_heard, when);
		rc = buf_printf(o, _("; last heard from %s"), when);
	}
	if (rc == FB_OK && branch_row)
		rc = buf_printf(o, _(" (laptops enrolled: %ld)"), u->laptops);
	if (rc == FB_OK)
		rc = buf_addc(o, '\n');
	for (i = 0; rc == FB_OK && !branch_row && i < w->nlisted; i++)
		rc = table_branch(x, w->listed[i], o);
	if (rc == FB_OK)
		rc = buf_addc(o, '\n');
	if (rc == FB_OK)
		rc = report_text_roles(o, &w->r, "  ");
	if (rc == FB_OK)
		rc = buf_addc(o, '\n');
	if (rc == FB_OK)
		rc = report_text_targets(o, &w->r, "  ", (names ? REPORT_TEXT_WHO : 0) |
					 (branch_row ? 0 : REPORT_TEXT_ALL_GROUPS));
	if (rc == FB_OK)
		rc = buf_addc(o, '\n');
	if (rc == FB_OK)
		rc = report_text_courses(o, &w->r, "  ");
	if (rc == FB_OK)
		rc = buf_addc(o, '\n');
	if (rc == FB_OK)
		rc = report_text_visits(o, &w->r, "  ");
	return rc;
}

static enum fb_code table(const struct rollup *x, int year, int names, struct fb_buf *o)
{
	enum fb_code rc = table_head(x, year, o);
	size_t i;

	for (i = 0; rc == FB_OK && i <= x->nrow; i++) {
		if (i == x->nrow)
			rc = buf_addc(o, '\n');
		if (rc == FB_OK)
			rc = table_line(x, &x->row[i], o);
	}
	for (i = 0; rc == FB_OK && i <= x->nrow; i++)
		rc = table_block(x, &x->row[i], names, o);
	return rc;
}

/* --- CSV ------------------------------------------------------------------- */

/*
 * unit,unit_name,section,key,count,value,detail,branch: the collector's
 * section,key,count,value after the unit (docs/COMMANDS.md), detail
 * and branch for the rows that name a branch or a person.
 */
static enum fb_code csv_line(struct fb_buf *o, const char *unit, const char *name,
			     const char *section, const char *key, const char *count,
			     const char *value, const char *detail, const char *branch)
{
	const char *f[8] = { unit, name, section, key, count, value, detail, branch };

	return csv_write_record(o, f, 8);
}

static enum fb_code csv_num(struct fb_buf *o, const char *unit, const char *name,
			    const char *section, const char *key, long long a, long long b)
{
	char sa[24], sb[24];

	snprintf(sa, sizeof(sa), "%lld", a);
	snprintf(sb, sizeof(sb), "%lld", b);
	return csv_line(o, unit, name, section, key, sa, sb, "", "");
}

static enum fb_code csv_row(const struct rollup *x, const struct row *w, struct fb_buf *o)
{
	const char *u = w->unit->code, *n = is_total(x, w) ? TOTAL_NAME : w->unit->name;
	const struct report *r = &w->r;
	char when[32], a[24], y[24];
	enum fb_code rc;
	size_t i;
	int k, g;

	rc = csv_num(o, u, n, "branches", "all", w->nbranches, 0);
	for (k = 0; rc == FB_OK && k < ST_N; k++)
		rc = csv_num(o, u, n, "branches", status_key[k], w->branches[k], 0);
	iso_utc(w->last_heard, when);
	if (rc == FB_OK)
		rc = csv_line(o, u, n, "branches", "last_heard", "0", when, "", "");
	for (i = 0; rc == FB_OK && i < w->nlisted; i++) {
		const struct hub_report_unit *b = &x->d->unit[w->listed[i]];

		iso_utc(b->last_heard, when);
		snprintf(a, sizeof(a), "%ld", b->laptops);
		rc = csv_line(o, u, n, "branch", status_key[x->status[w->listed[i]]], a, when,
			      b->name, b->code);
	}
	for (k = 0; rc == FB_OK && model_roles[k]; k++)
		rc = csv_num(o, u, n, "members_by_role", model_roles[k], r->members_by_role[k], 0);
	for (g = 0; rc == FB_OK && g < REPORT_GROUPS; g++) {
		const struct report_group *gr = &r->group[g];

		rc = csv_num(o, u, n, "trained", gr->key, gr->trained, gr->total);
		for (i = 0; rc == FB_OK && i < gr->nuntrained; i++) {
			const struct report_person *p = &gr->untrained[i];

			snprintf(y, sizeof(y), "%d", p->birth_year);
			rc = csv_line(o, u, n, "not_trained", gr->key, p->id, p->name,
				      p->birth_year > 0 ? y : "", p->branch);
		}
	}
	for (k = 0; rc == FB_OK && model_topics[k]; k++)
		rc = csv_num(o, u, n, "courses_by_topic", model_topics[k], r->topic_courses[k],
			     r->topic_attendances[k]);
	if (rc == FB_OK)
		rc = csv_num(o, u, n, "courses_total", "all", r->courses, r->attendances);
	if (rc == FB_OK)
		rc = csv_num(o, u, n, "trainees_total", "all", r->trainees, 0);
	for (k = 0; rc == FB_OK && model_reasons[k]; k++)
		rc = csv_num(o, u, n, "visits_by_reason", model_reasons[k],
			     r->visits_by_reason[k], r->amount_by_reason[k]);
	if (rc == FB_OK)
		rc = csv_num(o, u, n, "visits_total", "all", r->visits, r->amount);
	return rc;
}

static enum fb_code csv(const struct rollup *x, struct fb_buf *o)
{
	static const char *const head[] = { "unit", "unit_name", "section", "key",
					    "count", "value", "detail", "branch" };
	enum fb_code rc = csv_write_record(o, head, 8);
	size_t i;

	for (i = 0; rc == FB_OK && i <= x->nrow; i++)
		rc = csv_row(x, &x->row[i], o);
	return rc;
}

/* --- JSON ------------------------------------------------------------------ */

static int add_num(cJSON *o, const char *k, double v)
{
	return cJSON_AddNumberToObject(o, k, v) != NULL;
}

static int add_str(cJSON *o, const char *k, const char *v)
{
	return cJSON_AddStringToObject(o, k, v) != NULL;
}

/* A time as an ISO string, or null for none. */
static int add_time(cJSON *o, const char *k, int64_t ms)
{
	char when[32];

	iso_utc(ms, when);
	return (ms ? cJSON_AddStringToObject(o, k, when) : cJSON_AddNullToObject(o, k)) != NULL;
}

static cJSON *json_row(const struct rollup *x, const struct row *w)
{
	const struct report *r = &w->r;
	cJSON *o = cJSON_CreateObject(), *a, *b, *c;
	int ok = o != NULL, k, g;
	size_t i;

	ok = ok && add_str(o, "unit", w->unit->code) &&
	     add_str(o, "name", is_total(x, w) ? TOTAL_NAME : w->unit->name) &&
	     add_str(o, "level", w->unit->level);
	/* The figures of the first versions, kept under their names. */
	ok = ok && add_num(o, "heads_deputies", (double)r->group[0].total) &&
	     add_num(o, "heads_deputies_trained", (double)r->group[0].trained) &&
	     add_num(o, "percent", report_pct(&r->group[0])) &&
	     add_num(o, "members", (double)r->members_total) &&
	     add_num(o, "courses", (double)r->courses) &&
	     add_num(o, "attendances", (double)r->attendances) &&
	     add_num(o, "trainees", (double)r->trainees) &&
	     add_num(o, "visits", (double)r->visits) &&
	     add_num(o, "amount_vnd", (double)r->amount);
	ok = ok && (a = cJSON_AddObjectToObject(o, "branches")) &&
	     add_num(a, "all", (double)w->nbranches);
	for (k = 0; ok && k < ST_N; k++)
		ok = add_num(a, status_key[k], (double)w->branches[k]);
	ok = ok && add_time(a, "last_heard", w->last_heard) &&
	     (a = cJSON_AddArrayToObject(o, "branch_status"));
	for (i = 0; ok && i < w->nlisted; i++) {
		const struct hub_report_unit *u = &x->d->unit[w->listed[i]];

		ok = (b = cJSON_CreateObject()) && cJSON_AddItemToArray(a, b) &&
		     add_str(b, "branch", u->code) && add_str(b, "name", u->name) &&
		     add_str(b, "status", status_key[x->status[w->listed[i]]]) &&
		     add_num(b, "laptops", (double)u->laptops) &&
		     add_time(b, "last_heard", u->last_heard);
	}
	ok = ok && (a = cJSON_AddObjectToObject(o, "members_by_role"));
	for (k = 0; ok && model_roles[k]; k++)
		ok = add_num(a, model_roles[k], (double)r->members_by_role[k]);
	ok = ok && (a = cJSON_AddArrayToObject(o, "targets"));
	for (g = 0; ok && g < REPORT_GROUPS; g++) {
		const struct report_group *gr = &r->group[g];

		ok = (b = cJSON_CreateObject()) && cJSON_AddItemToArray(a, b) &&
		     add_str(b, "group", gr->key) && add_num(b, "total", (double)gr->total) &&
		     add_num(b, "trained", (double)gr->trained) &&
		     add_num(b, "percent", report_pct(gr)) &&
		     add_num(b, "target_percent", gr->target_pct) &&
		     cJSON_AddBoolToObject(b, "met", report_met(gr)) &&
		     (c = cJSON_AddArrayToObject(b, "not_trained"));
		for (i = 0; ok && i < gr->nuntrained; i++) {
			const struct report_person *p = &gr->untrained[i];
			cJSON *q;

			ok = (q = cJSON_CreateObject()) && cJSON_AddItemToArray(c, q) &&
			     add_str(q, "id", p->id) && add_str(q, "full_name", p->name) &&
			     (p->birth_year > 0 ? add_num(q, "birth_year", p->birth_year)
						: cJSON_AddNullToObject(q, "birth_year") != NULL) &&
			     add_str(q, "role", p->role) && add_str(q, "branch", p->branch);
		}
	}
	ok = ok && (a = cJSON_AddObjectToObject(o, "courses_by_topic"));
	for (k = 0; ok && model_topics[k]; k++)
		ok = (b = cJSON_AddObjectToObject(a, model_topics[k])) &&
		     add_num(b, "courses", (double)r->topic_courses[k]) &&
		     add_num(b, "attendances", (double)r->topic_attendances[k]);
	ok = ok && (a = cJSON_AddObjectToObject(o, "visits_by_reason"));
	for (k = 0; ok && model_reasons[k]; k++)
		ok = (b = cJSON_AddObjectToObject(a, model_reasons[k])) &&
		     add_num(b, "visits", (double)r->visits_by_reason[k]) &&
		     add_num(b, "amount_vnd", (double)r->amount_by_reason[k]);
	if (!ok) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static enum fb_code json(const struct rollup *x, int year, struct fb_buf *o)
{
	cJSON *doc = cJSON_CreateObject(), *rows, *tot, *w;
	char *s = NULL;
	int ok = doc != NULL;
	size_t i;

	ok = ok && add_str(doc, "unit", x->d->unit[x->root].code) &&
	     add_num(doc, "year", year) && add_str(doc, "by", x->by) &&
	     add_num(doc, "stale_days", (double)(x->stale_ms / 86400000)) &&
	     add_time(doc, "at", x->now) &&
	     (rows = cJSON_AddArrayToObject(doc, "rows")) &&
	     (tot = cJSON_AddArrayToObject(doc, "total"));
	for (i = 0; ok && i <= x->nrow; i++)
		ok = (w = json_row(x, &x->row[i])) &&
		     cJSON_AddItemToArray(i == x->nrow ? tot : rows, w);
	ok = ok && (s = cJSON_Print(doc)) && buf_adds(o, s) == FB_OK && buf_addc(o, '\n') == FB_OK;
	cJSON_free(s);
	cJSON_Delete(doc);
	return ok ? FB_OK : FB_ENOMEM;
}

/* --- the command ------------------------------------------------------------ */

enum row_format { FMT_TABLE, FMT_CSV, FMT_JSON };

/* A whole number in lo..hi from option `name`, else FB_EINVAL (65). */
static enum fb_code number_opt(struct cmd_ctx *c, const char *name, const char *s,
			       long lo, long hi, const char *what, long *out)
{
	char *end;
	long v;

	v = strtol(s, &end, 10);
	if (end == s || *end || v < lo || v > hi)
		return fb_fail(&c->err, FB_EINVAL, "--%s: '%s' is not %s", name, s, what);
	*out = v;
	return FB_OK;
}

static enum fb_code report(struct cmd_ctx *c)
{
	const char *unit = cmd_get(c, "unit"), *by = cmd_get(c, "by");
	const char *year_s = cmd_get(c, "year"), *format = cmd_get(c, "format");
	const char *stale_s = cmd_get(c, "stale");
	int names = cmd_has(c, "names");
	struct fb_buf out = FB_BUF_INIT(0);
	struct hub_report_data d;
	struct rollup x;
	struct hub_store *st = NULL;
	enum row_format fmt;
	char *root = NULL;
	long year, stale = HUB_REPORT_STALE_DAYS, at;
	enum fb_code rc = FB_OK;

	memset(&d, 0, sizeof(d));
	memset(&x, 0, sizeof(x));
	if (!by)
		by = "branch";
	if (!format)
		format = "table";
	fmt = !strcmp(format, "csv") ? FMT_CSV : !strcmp(format, "json") ? FMT_JSON : FMT_TABLE;
	if (fmt == FMT_TABLE && strcmp(format, "table"))
		return cmd_usage(c, "--format is table, csv or json");
	if (!model_in_vocab(model_levels, by))
		return cmd_usage(c, "--by is central, province, district, commune or branch");
	if (year_s) {
		if (number_opt(c, "year", year_s, FB_YEAR_MIN, FB_YEAR_MAX, "a year", &year) != FB_OK)
			return FB_EINVAL;
	} else {
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		year = tm.tm_year + 1900;
	}
	if (stale_s && number_opt(c, "stale", stale_s, 0, HUB_REPORT_STALE_MAX,
				  "a number of days", &stale) != FB_OK)
		return FB_EINVAL;
	if ((rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	if (!unit) {
		if ((rc = st->ops->top_unit(st, &root, &c->err)) != FB_OK) {
			if (rc == FB_EINVAL)
				fb_fail(&c->err, rc, "%s is not a hub database", c->db_path);
			goto out;
		}
		unit = root;
	}
	if ((rc = st->ops->report_data(st, (int)year, names, &d, &c->err)) != FB_OK)
		goto out;
	if ((at = unit_index(&d, unit)) < 0) {
		rc = fb_fail(&c->err, FB_EINVAL, "--unit: this hub has no unit %s", unit);
		goto out;
	}
	x.d = &d;
	x.by = by;
	x.root = (size_t)at;
	x.now = (int64_t)time(NULL) * 1000;
	x.stale_ms = (int64_t)stale * 86400000;
	if ((rc = roll_up(&x, names, &c->err)) != FB_OK)
		goto out;
	rc = fmt == FMT_JSON ? json(&x, (int)year, &out)
	   : fmt == FMT_CSV ? csv(&x, &out) : table(&x, (int)year, names, &out);
	if (rc != FB_OK) {
		fb_fail(&c->err, rc, "report: %s", fb_strerror(rc));
		goto out;
	}
	if (fwrite(out.data ? out.data : "", 1, out.len, stdout) != out.len || fflush(stdout))
		rc = fb_fail(&c->err, FB_EIO, "report: cannot write the output");
out:
	rollup_release(&x);
	hub_report_data_release(&d);
	free(root);
	buf_release(&out);
	st->ops->close(st);
	return rc;
}

struct listing_out {
	cJSON *arr;             /* --json: the objects; else NULL */
	long n;
};

/* One row of a listing, as a JSON object or "name=value" pairs. */
static enum fb_code listing_row(const struct hub_row *row, void *ctx)
{
	struct listing_out *x = ctx;
	cJSON *o;
	int i;

	x->n++;
	if (!x->arr) {
		for (i = 0; i < row->ncols; i++)
			printf("%s%s=%s", i ? "  " : "", row->names[i], row->values[i]);
		printf("\n");
		return FB_OK;
	}
	if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(x->arr, o))
		return FB_ENOMEM;
	for (i = 0; i < row->ncols; i++)
		if (!(row->is_number[i]
		      ? cJSON_AddNumberToObject(o, row->names[i], strtod(row->values[i], NULL))
		      : cJSON_AddStringToObject(o, row->names[i], row->values[i])))
			return FB_ENOMEM;
	return FB_OK;
}

/* One listing of the store, printed as lines or a JSON array. */
static enum fb_code listing(struct cmd_ctx *c, enum hub_listing what, int all, int json)
{
	struct listing_out x = { NULL, 0 };
	struct hub_store *st = NULL;
	enum fb_code rc = FB_OK;

	if ((rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	if (json && !(x.arr = cJSON_CreateArray())) {
		rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
		goto out;
	}
	rc = st->ops->list(st, what, all, listing_row, &x, &c->err);
	if (rc == FB_ENOMEM && !c->err.msg[0])
		fb_fail(&c->err, rc, "out of memory");
	if (rc == FB_OK && x.arr) {
		char *s = cJSON_Print(x.arr);

		printf("%s\n", s ? s : "[]");
		cJSON_free(s);
	} else if (rc == FB_OK) {
		printf("%ld %s\n", x.n, c->entry->name);
	}
out:
	cJSON_Delete(x.arr);
	st->ops->close(st);
	return rc;
}

static enum fb_code conflicts(struct cmd_ctx *c)
{
	return listing(c, HUB_LIST_CONFLICTS, cmd_has(c, "all"), cmd_has(c, "json"));
}

static enum fb_code rejected(struct cmd_ctx *c)
{
	return listing(c, HUB_LIST_REJECTED, 0, cmd_has(c, "json"));
}

static enum fb_code verify(struct cmd_ctx *c)
{
	struct hub_store *st = NULL;
	uint64_t rows = 0, entries = 0, records = 0;
	enum fb_code rc = FB_OK;

	if ((rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	rc = st->ops->verify(st, &rows, &entries, &records, &c->err);
	if (rc == FB_OK)
		printf("ok: database intact, %llu journal entries in %llu changes,"
		       " every device's hash chain complete, %llu records as the journal"
		       " gives them\n",
		       (unsigned long long)entries, (unsigned long long)rows,
		       (unsigned long long)records);
	st->ops->close(st);
	return rc;
}

static const struct cmd_option report_opts[] = {
	{ "unit", 0, "CODE", NULL, N_("the unit to report on (default: the hub's own)") },
	{ "by", 0, "LEVEL", NULL, N_("a row for each unit of this level (default: branch)") },
	{ "year", 0, "Y", NULL, N_("the year (default: this year)") },
	{ "stale", 0, "DAYS", NULL,
	  N_("a branch not heard from for more than DAYS days is stale (default: 30)") },
	{ "names", 0, NULL, NULL,
	  N_("list the people not yet trained, with their birth year and branch") },
	{ "format", 0, "table|csv|json", NULL, N_("the format (default: table)") },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_report_entry = {
	.name = "report",
	.usage = "--db PATH report [--unit CODE] [--by LEVEL] [--year Y] [--stale DAYS] [--names]"
		 " [--format table|csv|json]",
	.help = N_("coverage, syncing and activity rolled up by unit"),
	.options = report_opts,
	.run = report,
};

static const struct cmd_option conflicts_opts[] = {
	{ "json", 0, NULL, NULL, "print JSON" },
	{ "all", 0, NULL, NULL, "include conflicts already resolved" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_conflicts_entry = {
	.name = "conflicts",
	.usage = "--db PATH conflicts [--json] [--all]",
	.help = "values that lost to concurrent edits",
	.options = conflicts_opts,
	.run = conflicts,
};

static const struct cmd_option rejected_opts[] = {
	{ "json", 0, NULL, NULL, "print JSON" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_rejected_entry = {
	.name = "rejected",
	.usage = "--db PATH rejected [--json]",
	.help = "entries refused as invalid and kept aside",
	.options = rejected_opts,
	.run = rejected,
};

const struct cmd_entry hub_verify_entry = {
	.name = "verify",
	.usage = "--db PATH verify",
	.help = "check the database, every device's hash chain, whole, and every record",
	.run = verify,
};
