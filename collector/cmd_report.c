/*
 * cmd_report.c - fieldbook report [--year Y] [--format table|csv|json|xlsx]
 * [-o FILE]: the branch's figures against the union's targets
 * (shared/report.h).  The table uses Vietnamese labels aligned by
 * display width; CSV and JSON use the codes, so that spreadsheets and
 * programs can rely on them; the workbook has both, a label and a code
 * per row, with counts, percentages and amounts as numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "commands.h"
#include "csv.h"
#include "i18n.h"
#include "report.h"
#include "report_text.h"
#include "text.h"
#include "xlsx.h"

/* The table: the sections as shared/report_text.c writes them. */
static enum fb_code table(const struct report *r, const char *branch,
			  const char *name, struct fb_buf *o)
{
	enum fb_code rc;

	rc = buf_printf(o, _("Fieldbook report %d: branch %s%s%s"), r->year, branch,
			*name ? ", " : "", name);
	if (rc == FB_OK)
		rc = buf_adds(o, "\n\n");
	if (rc == FB_OK)
		rc = report_text_roles(o, r, "");
	if (rc == FB_OK)
		rc = buf_addc(o, '\n');
	if (rc == FB_OK)
		rc = report_text_targets(o, r, "", 0);
	if (rc == FB_OK)
		rc = buf_addc(o, '\n');
	if (rc == FB_OK)
		rc = report_text_courses(o, r, "");
	if (rc == FB_OK)
		rc = buf_addc(o, '\n');
	if (rc == FB_OK)
		rc = report_text_visits(o, r, "");
	return rc;
}

/* CSV: one row per figure, section,key,count,amount_or_total. */
static enum fb_code csv_row(struct fb_buf *o, const char *section,
			    const char *key, long long a, long long b)
{
	char sa[24], sb[24];
	const char *f[4] = { section, key, sa, sb };

	snprintf(sa, sizeof(sa), "%lld", a);
	snprintf(sb, sizeof(sb), "%lld", b);
	return csv_write_record(o, f, 4);
}

static enum fb_code csv(const struct report *r, struct fb_buf *o)
{
	static const char *const head[] = { "section", "key", "count", "value" };
	enum fb_code rc = csv_write_record(o, head, 4);
	size_t i;
	int g, k;

	for (k = 0; rc == FB_OK && model_roles[k]; k++)
		rc = csv_row(o, "members_by_role", model_roles[k],
			     r->members_by_role[k], 0);
	for (g = 0; rc == FB_OK && g < REPORT_GROUPS; g++) {
		const struct report_group *gr = &r->group[g];

		rc = csv_row(o, "trained", gr->key, gr->trained, gr->total);
		for (i = 0; rc == FB_OK && i < gr->nuntrained; i++) {
			const char *f[4] = { "not_trained", gr->key,
					     gr->untrained[i].id, gr->untrained[i].name };
			rc = csv_write_record(o, f, 4);
		}
	}
	for (k = 0; rc == FB_OK && model_topics[k]; k++)
		rc = csv_row(o, "courses_by_topic", model_topics[k],
			     r->topic_courses[k], r->topic_attendances[k]);
	if (rc == FB_OK)
		rc = csv_row(o, "courses_total", "all", r->courses, r->attendances);
	if (rc == FB_OK)
		rc = csv_row(o, "trainees_total", "all", r->trainees, 0);
	for (k = 0; rc == FB_OK && model_reasons[k]; k++)
		rc = csv_row(o, "visits_by_reason", model_reasons[k],
			     r->visits_by_reason[k], r->amount_by_reason[k]);
	if (rc == FB_OK)
		rc = csv_row(o, "visits_total", "all", r->visits, r->amount);
	return rc;
}

cJSON *cli_report_json(const struct report *r, const char *branch)
{
	cJSON *o = cJSON_CreateObject(), *x, *y, *z;
	size_t i;
	int g, k;

	cJSON_AddStringToObject(o, "branch", branch);
	cJSON_AddNumberToObject(o, "year", r->year);
	x = cJSON_AddObjectToObject(o, "members_by_role");
	for (k = 0; model_roles[k]; k++)
		cJSON_AddNumberToObject(x, model_roles[k], (double)r->members_by_role[k]);
	x = cJSON_AddArrayToObject(o, "targets");
	for (g = 0; g < REPORT_GROUPS; g++) {
		const struct report_group *gr = &r->group[g];

		y = cJSON_CreateObject();
		cJSON_AddItemToArray(x, y);
		cJSON_AddStringToObject(y, "group", gr->key);
		cJSON_AddNumberToObject(y, "total", (double)gr->total);
		cJSON_AddNumberToObject(y, "trained", (double)gr->trained);
		cJSON_AddNumberToObject(y, "percent", report_pct(gr));
		cJSON_AddNumberToObject(y, "target_percent", gr->target_pct);
		z = cJSON_AddArrayToObject(y, "not_trained");
		for (i = 0; i < gr->nuntrained; i++) {
			cJSON *p = cJSON_CreateObject();

			cJSON_AddItemToArray(z, p);
			cJSON_AddStringToObject(p, "id", gr->untrained[i].id);
			cJSON_AddStringToObject(p, "full_name", gr->untrained[i].name);
			cJSON_AddStringToObject(p, "role", gr->untrained[i].role);
		}
	}
	x = cJSON_AddObjectToObject(o, "courses_by_topic");
	for (k = 0; model_topics[k]; k++) {
		y = cJSON_AddObjectToObject(x, model_topics[k]);
		cJSON_AddNumberToObject(y, "courses", (double)r->topic_courses[k]);
		cJSON_AddNumberToObject(y, "attendances", (double)r->topic_attendances[k]);
	}
	cJSON_AddNumberToObject(o, "courses", (double)r->courses);
	cJSON_AddNumberToObject(o, "attendances", (double)r->attendances);
	cJSON_AddNumberToObject(o, "trainees", (double)r->trainees);
	x = cJSON_AddObjectToObject(o, "visits_by_reason");
	for (k = 0; model_reasons[k]; k++) {
		y = cJSON_AddObjectToObject(x, model_reasons[k]);
		cJSON_AddNumberToObject(y, "visits", (double)r->visits_by_reason[k]);
		cJSON_AddNumberToObject(y, "amount_vnd", (double)r->amount_by_reason[k]);
	}
	cJSON_AddNumberToObject(o, "visits", (double)r->visits);
	cJSON_AddNumberToObject(o, "amount_vnd", (double)r->amount);
	return o;
}

/* --- the workbook ---------------------------------------------------- */

/* A table's title and header row at *row; the rows follow. */
static void xl_head(struct xlsx *x, unsigned *row, const char *title,
		    const char *const *cols, unsigned n)
{
	unsigned i;

	(*row)++;
	xlsx_cell(x, (*row)++, 0, XLSX_TITLE, title);
	for (i = 0; i < n; i++)
		xlsx_cell(x, *row, i, XLSX_HEAD, cols[i]);
	(*row)++;
}

/* label | code | a | b (b < 0: none; money: b as an amount). */
static void xl_row(struct xlsx *x, unsigned *row, const char *label, const char *code,
		   long long a, long long b, int money)
{
	xlsx_cell(x, *row, 0, XLSX_TEXT, label);
	xlsx_cell(x, *row, 1, XLSX_TEXT, code);
	xlsx_number(x, *row, 2, XLSX_INT, (double)a);
	if (b >= 0)
		xlsx_number(x, *row, 3, money ? XLSX_MONEY : XLSX_INT, (double)b);
	(*row)++;
}

static enum fb_code workbook(const struct report *r, const char *branch,
			     const char *name, struct fb_buf *o, struct fb_error *err)
{
	static const char *const roles_h[] = { "Role", "code", "members" };
	static const char *const groups_h[] = { "Target group", "code", "trained", "total",
						"percent", "target", "met" };
	static const char *const people_h[] = { "Name", "group", "id", "role" };
	static const char *const topics_h[] = { "Topic", "code", "courses", "attendances" };
	static const char *const visits_h[] = { "Reason", "code", "visits", "amount (VND)" };
	struct xlsx *x = NULL;
	char title[256], sheet[32];
	unsigned row = 0;
	enum fb_code rc;
	size_t i;
	int g, k;

	if ((rc = xlsx_new(0, &x, err)) != FB_OK)
		return rc;
	snprintf(sheet, sizeof(sheet), "Report %d", r->year);
	xlsx_sheet(x, sheet);
	xlsx_width(x, 0, 40);
	xlsx_width(x, 1, 28);
	xlsx_width(x, 2, 38);
	xlsx_width(x, 3, 14);
	snprintf(title, sizeof(title), "Fieldbook report %d: branch %s%s%s", r->year, branch,
		 *name ? ", " : "", name);
	xlsx_cell(x, row++, 0, XLSX_TITLE, title);

	xl_head(x, &row, "Members by role", roles_h, 3);
	for (k = 0; model_roles[k]; k++)
		xl_row(x, &row, cli_label(model_roles[k]), model_roles[k],
		       r->members_by_role[k], -1, 0);
	xl_row(x, &row, "All members", "all", r->members_total, -1, 0);

	snprintf(title, sizeof(title), "Trained in %d (target)", r->year);
	xl_head(x, &row, title, groups_h, 7);
	for (g = 0; g < REPORT_GROUPS; g++) {
		const struct report_group *gr = &r->group[g];

		xl_row(x, &row, _(gr->title), gr->key, gr->trained, gr->total, 0);
		xlsx_number(x, row - 1, 4, XLSX_PERCENT, report_pct(gr));
		xlsx_number(x, row - 1, 5, XLSX_PERCENT, gr->target_pct);
		xlsx_cell(x, row - 1, 6, XLSX_TEXT,
			  gr->total && report_pct(gr) >= gr->target_pct ? "met" : "NOT MET");
	}
	xl_head(x, &row, "Not yet trained", people_h, 4);
	for (g = 0; g < REPORT_GROUPS; g++)
		for (i = 0; i < r->group[g].nuntrained; i++) {
			const struct report_person *p = &r->group[g].untrained[i];

			xlsx_cell(x, row, 0, XLSX_TEXT, p->name);
			xlsx_cell(x, row, 1, XLSX_TEXT, r->group[g].key);
			xlsx_cell(x, row, 2, XLSX_TEXT, p->id);
			xlsx_cell(x, row++, 3, XLSX_TEXT, cli_label(p->role));
		}

	snprintf(title, sizeof(title), "Courses by topic in %d", r->year);
	xl_head(x, &row, title, topics_h, 4);
	for (k = 0; model_topics[k]; k++)
		xl_row(x, &row, cli_label(model_topics[k]), model_topics[k],
		       r->topic_courses[k], r->topic_attendances[k], 0);
	xl_row(x, &row, "All courses", "all", r->courses, r->attendances, 0);
	xl_row(x, &row, "Different members trained", "trainees", r->trainees, -1, 0);

	snprintf(title, sizeof(title), "Support visits in %d", r->year);
	xl_head(x, &row, title, visits_h, 4);
	for (k = 0; model_reasons[k]; k++)
		xl_row(x, &row, cli_label(model_reasons[k]), model_reasons[k],
		       r->visits_by_reason[k], r->amount_by_reason[k], 1);
	xl_row(x, &row, "All visits", "all", r->visits, r->amount, 1);
	return xlsx_close(x, o, err);
}

static enum fb_code report(struct cmd_ctx *c)
{
	struct fb_buf out = FB_BUF_INIT(0);
	struct cli_flags fl;
	struct report r;
	struct book *b = NULL;
	const char *fmt, *branch;
	char *name = NULL;
	int year, built = 0;
	enum fb_code rc;

	cli_flags(c, &fl);
	fmt = fl.format ? fl.format : "table";
	if (strcmp(fmt, "table") && strcmp(fmt, "csv") && strcmp(fmt, "json") &&
	    strcmp(fmt, "xlsx"))
		return cmd_usage(c, "--format is table, csv, json or xlsx, not '%s'", fmt);
	if (!strcmp(fmt, "xlsx") && (!fl.output || !strcmp(fl.output, "-")) &&
	    isatty(STDOUT_FILENO))
		return cmd_usage(c, "a workbook is not for a terminal: give -o FILE.xlsx");
	if ((rc = cli_year(c, fl.year, &year)) != FB_OK)
		return rc;
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	branch = book_branch(b);
	if ((rc = book_meta_get(b, "branch_name", &name, &c->err)) != FB_OK ||
	    (rc = book_report(b, year, &r, &c->err)) != FB_OK)
		goto out;
	built = 1;
	if (!strcmp(fmt, "json")) {
		cJSON *doc = cli_report_json(&r, branch);
		char *s = doc ? cJSON_Print(doc) : NULL;

		cJSON_Delete(doc);
		rc = s ? buf_adds(&out, s) : FB_ENOMEM;
		if (rc == FB_OK)
			rc = buf_addc(&out, '\n');
		cJSON_free(s);
	} else if (!strcmp(fmt, "xlsx")) {
		rc = workbook(&r, branch, name ? name : "", &out, &c->err);
	} else {
		rc = !strcmp(fmt, "csv") ? csv(&r, &out)
					 : table(&r, branch, name ? name : "", &out);
	}
	if (rc != FB_OK) {
		if (!c->err.msg[0])
			fb_fail(&c->err, rc, "report: %s", fb_strerror(rc));
	} else {
		rc = cli_write(c, fl.output, &out);
	}
out:
	if (built)
		report_release(&r);
	free(name);
	buf_release(&out);
	book_close(b);
	return rc;
}

static const struct cmd_option report_opts[] = {
	CLI_OPT_YEAR,
	{ "format", 0, "table|csv|json|xlsx", NULL,
	  "the format (default: table); xlsx is an Excel workbook" },
	{ "output", 'o', "FILE", NULL, "write to FILE (never over an existing one)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.usage = "report [--year Y] [--format table|csv|json|xlsx] [-o FILE]",
	.help = "training coverage, courses by topic, support visits",
	.options = report_opts,
	.run = report,
};
