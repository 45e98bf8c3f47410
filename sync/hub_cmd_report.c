/*
 * hub_cmd_report.c - fieldbook-hub report, conflicts, rejected.
 *
 * report rolls the branches' figures up the unit tree: one row per unit
 * of the level asked (--by, default branch) below --unit (default the
 * hub's own unit), each counting every branch beneath it, and a total.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "csv.h"
#include "hub_cmd.h"
#include "hub_store.h"
#include "model.h"
#include "report.h"
#include "text.h"

struct unit_row {
	char code[FB_BRANCH_CODE_MAX + 1];
	char *name;
};

struct unit_rows {
	struct unit_row *row;
	size_t n;
};

/* Keep one unit of the report's level. */
static enum fb_code keep_unit(const char *code, const char *name, void *ctx)
{
	struct unit_rows *u = ctx;
	struct unit_row *p = realloc(u->row, (u->n + 1) * sizeof(*p));

	if (!p)
		return FB_ENOMEM;
	u->row = p;
	snprintf(p[u->n].code, sizeof(p[u->n].code), "%s", code);
	if (!(p[u->n].name = strdup(name)))
		return FB_ENOMEM;
	u->n++;
	return FB_OK;
}

enum row_format { FMT_TABLE, FMT_CSV, FMT_JSON };

static enum fb_code emit(enum row_format fmt, struct fb_buf *out, cJSON *arr,
			 const char *code, const char *name, const struct report *r)
{
	const struct report_group *g = &r->group[0];
	enum fb_code rc = FB_OK;

	if (fmt == FMT_JSON) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddItemToArray(arr, o);
		cJSON_AddStringToObject(o, "unit", code);
		cJSON_AddStringToObject(o, "name", name);
		cJSON_AddNumberToObject(o, "heads_deputies", (double)g->total);
		cJSON_AddNumberToObject(o, "heads_deputies_trained", (double)g->trained);
		cJSON_AddNumberToObject(o, "percent", report_pct(g));
		cJSON_AddNumberToObject(o, "members", (double)r->members_total);
		cJSON_AddNumberToObject(o, "courses", (double)r->courses);
		cJSON_AddNumberToObject(o, "attendances", (double)r->attendances);
		cJSON_AddNumberToObject(o, "trainees", (double)r->trainees);
		cJSON_AddNumberToObject(o, "visits", (double)r->visits);
		cJSON_AddNumberToObject(o, "amount_vnd", (double)r->amount);
		return FB_OK;
	}
	if (fmt == FMT_CSV) {
		char v[9][32];
		const char *f[11] = { code, name, v[0], v[1], v[2], v[3], v[4], v[5],
				      v[6], v[7], v[8] };

		snprintf(v[0], 32, "%ld", g->total);
		snprintf(v[1], 32, "%ld", g->trained);
		snprintf(v[2], 32, "%.1f", report_pct(g));
		snprintf(v[3], 32, "%ld", r->members_total);
		snprintf(v[4], 32, "%ld", r->courses);
		snprintf(v[5], 32, "%ld", r->attendances);
		snprintf(v[6], 32, "%ld", r->trainees);
		snprintf(v[7], 32, "%ld", r->visits);
		snprintf(v[8], 32, "%lld", r->amount);
		return csv_write_record(out, f, 11);
	}
	rc = buf_printf(out, "%-16s ", code);
	if (rc == FB_OK)
		rc = text_pad(out, name, 28);
	if (rc == FB_OK)
		rc = buf_printf(out, " %5ld/%-5ld %5.1f%% %8ld %8ld %8ld %7ld %14lld\n",
				g->trained, g->total, report_pct(g), r->members_total,
				r->courses, r->attendances, r->visits, r->amount);
	return rc;
}

static enum fb_code report(struct cmd_ctx *c)
{
	const char *unit = cmd_get(c, "unit"), *by = cmd_get(c, "by");
	const char *year_s = cmd_get(c, "year"), *format = cmd_get(c, "format");
	struct fb_buf out = FB_BUF_INIT(0);
	struct unit_rows units = { NULL, 0 };
	struct report r;
	struct hub_store *st = NULL;
	enum row_format fmt;
	cJSON *doc = NULL, *arr = NULL;
	char *root = NULL;
	size_t i;
	int year;
	enum fb_code rc = FB_OK;

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
		char *end;

		year = (int)strtol(year_s, &end, 10);
		if (*end || year < FB_YEAR_MIN || year > FB_YEAR_MAX)
			return fb_fail(&c->err, FB_EINVAL, "--year: '%s' is not a year", year_s);
	} else {
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		year = tm.tm_year + 1900;
	}
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
	rc = st->ops->each_unit(st, unit, by, keep_unit, &units, &c->err);
	if (rc == FB_ENOMEM && !c->err.msg[0])
		fb_fail(&c->err, rc, "out of memory");
	if (rc != FB_OK)
		goto out;
	if (fmt == FMT_JSON) {
		doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "unit", unit);
		cJSON_AddNumberToObject(doc, "year", year);
		cJSON_AddStringToObject(doc, "by", by);
		arr = cJSON_AddArrayToObject(doc, "rows");
	} else if (fmt == FMT_CSV) {
		static const char *const head[] = { "unit", "name", "heads_deputies",
			"heads_deputies_trained", "percent", "members", "courses",
			"attendances", "trainees", "visits", "amount_vnd" };
		rc = csv_write_record(&out, head, 11);
	} else {
		rc = buf_printf(&out, "Fieldbook hub report %d: %s by %s\n\n"
				"%-16s %-28s %11s %6s %8s %8s %8s %7s %14s\n", year, unit, by,
				"UNIT", "NAME", "HEADS TRAIN", "%", "MEMBERS", "COURSES",
				"ATTEND", "VISITS", "AMOUNT (VND)");
	}
	for (i = 0; rc == FB_OK && i <= units.n; i++) {
		int total = i == units.n;

		rc = st->ops->report(st, total ? unit : units.row[i].code, year, &r, &c->err);
		if (rc != FB_OK)
			break;
		if (total && fmt == FMT_TABLE)
			rc = buf_adds(&out, "\n");
		if (rc == FB_OK)
			rc = emit(fmt, &out, total ? cJSON_AddArrayToObject(doc, "total") : arr,
				  total ? unit : units.row[i].code,
				  total ? "All" : units.row[i].name, &r);
		report_release(&r);
	}
	if (rc != FB_OK)
		goto out;
	if (doc) {
		char *s = cJSON_Print(doc);

		printf("%s\n", s ? s : "{}");
		cJSON_free(s);
	} else {
		fwrite(out.data, 1, out.len, stdout);
	}
out:
	for (i = 0; i < units.n; i++)
		free(units.row[i].name);
	free(units.row);
	cJSON_Delete(doc);
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
	{ "unit", 0, "CODE", NULL, "the unit to report on (default: the hub's own)" },
	{ "by", 0, "LEVEL", NULL, "a row for each unit of this level (default: branch)" },
	{ "year", 0, "Y", NULL, "the year (default: this year)" },
	{ "format", 0, "table|csv|json", NULL, "the format (default: table)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_report_entry = {
	.name = "report",
	.usage = "--db PATH report [--unit CODE] [--by LEVEL] [--year Y] [--format table|csv|json]",
	.help = "coverage and activity rolled up by unit",
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
