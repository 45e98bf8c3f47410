/*
 * cmd_export.c - fieldbook export [--type T] [--format csv|json] [--all]
 * [--bom] [-o FILE].  CSV holds one type (a header of its fields, id
 * first); JSON holds every type unless --type narrows it.
 *
 * Deleted records are written with --all, and otherwise only those that
 * a written record refers to (a visit to a member who has since been
 * deleted, an attendance of a deleted training), marked deleted, so
 * that what export writes can always be imported.  CSV then has a
 * `deleted` column.  A file named with -o is created new (never
 * overwritten), owner-only.  On a terminal, progress goes to stderr
 * (meter.h); a one-line summary follows there, apart from the data.
 */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "commands.h"
#include "csv.h"
#include "meter.h"
#include "recjson.h"

struct export_ctx {
	struct fb_buf *out;
	cJSON *arr;
	int all;                /* every deleted record */
	int deleted_column;     /* CSV: write `deleted` */
	struct book_referred *referred; /* deleted records others refer to */
	struct progress_sink sink;
	struct progress prog;   /* records looked at, of all there are */
	long written;
};

/* One more record looked at. */
static void advance(struct export_ctx *x)
{
	x->prog.done++;
	x->prog.bytes = x->out->len;
	x->prog.fraction = progress_fraction(x->prog.done, x->prog.total);
	progress_report(&x->sink, &x->prog);
}

/* Is r to be written?  Not deleted, or --all, or referred to. */
static int wanted(struct export_ctx *x, const struct record *r)
{
	return !record_deleted(r) || x->all || book_referred_has(x->referred, r->id);
}

static enum fb_code csv_header(struct fb_buf *out, const struct type_def *t,
			       int all)
{
	enum fb_code rc = csv_write_field(out, "id", 1);
	int i;

	for (i = 0; rc == FB_OK && t->fields[i].name; i++)
		if (!t->fields[i].internal &&
		    (all || strcmp(t->fields[i].name, FIELD_DELETED)))
			rc = csv_write_field(out, t->fields[i].name, 0);
	return rc == FB_OK ? buf_adds(out, "\r\n") : rc;
}

static enum fb_code csv_each(const struct record *r, void *p)
{
	struct export_ctx *x = p;
	const struct type_def *t = model_type(r->type);
	enum fb_code rc;
	int i;

	advance(x);
	if (!wanted(x, r))
		return FB_OK;
	x->written++;
	rc = csv_write_field(x->out, r->id, 1);
	for (i = 0; rc == FB_OK && t->fields[i].name; i++) {
		if (t->fields[i].internal)
			continue;
		if (!strcmp(t->fields[i].name, FIELD_DELETED))
			rc = x->deleted_column
				? csv_write_field(x->out, record_deleted(r) ? "1" : "0", 0)
				: FB_OK;
		else
			rc = csv_write_field(x->out, r->val[i] ? r->val[i] : "", 0);
	}
	return rc == FB_OK ? buf_adds(x->out, "\r\n") : rc;
}

static enum fb_code json_each(const struct record *r, void *p)
{
	struct export_ctx *x = p;
	cJSON *o;

	advance(x);
	if (!wanted(x, r))
		return FB_OK;
	x->written++;
	o = record_to_json(r);
	return o && cJSON_AddItemToArray(x->arr, o) ? FB_OK : FB_ENOMEM;
}

static enum fb_code export(struct cmd_ctx *c)
{
	struct fb_buf out = FB_BUF_INIT(FB_EXPORT_BYTES_MAX);
	struct export_ctx x;
	const struct type_def *t = NULL;
	struct cli_flags fl;
	struct book *b = NULL;
	struct meter m;
	cJSON *doc = NULL;
	const char *fmt;
	char *s;
	long long total = 0;
	int any_referred = 0;
	enum fb_code rc;

	memset(&x, 0, sizeof(x));
	x.out = &out;

	cli_flags(c, &fl);
	fmt = fl.format ? fl.format : "csv";
	if (strcmp(fmt, "csv") && strcmp(fmt, "json"))
		return cmd_usage(c, "--format is csv or json, not '%s'", fmt);
	if (fl.type && !(t = model_type_named(fl.type)))
		return cmd_usage(c, "unknown type '%s' (member, training, attendance, visit)",
				 fl.type);
	if (!t && !strcmp(fmt, "csv"))
		return cmd_usage(c, "CSV holds one type: give --type member|training|attendance|visit");
	x.all = fl.all;
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if ((rc = book_referred_open(b, t, &x.referred, &any_referred, &c->err)) != FB_OK)
		goto out;
	x.deleted_column = fl.all || any_referred;
	if ((rc = book_count(b, t ? t->type : REC_NTYPES, 1, &total, &c->err)) != FB_OK)
		goto out;
	x.sink = meter_init(&m, cmd_has(c, "quiet"));
	x.prog.step = "exporting";
	x.prog.unit = "records";
	x.prog.total = (uint64_t)total;
	x.prog.fraction = progress_fraction(0, x.prog.total);
	progress_report(&x.sink, &x.prog);
	if (!strcmp(fmt, "csv")) {
		if (fl.bom)
			rc = buf_adds(&out, "\xEF\xBB\xBF");
		if (rc == FB_OK)
			rc = csv_header(&out, t, x.deleted_column);
		if (rc == FB_OK)
			rc = book_each(b, t->type, 0, 1, csv_each, &x, &c->err);
	} else {
		doc = cJSON_CreateObject();
		if (!doc || !cJSON_AddStringToObject(doc, "branch", book_branch(b)) ||
		    !(x.arr = cJSON_AddArrayToObject(doc, "records")))
			rc = FB_ENOMEM;
		if (rc == FB_OK)
			rc = book_each(b, t ? t->type : REC_NTYPES, 0, 1, json_each,
				       &x, &c->err);
		if (rc == FB_OK) {
			s = cJSON_Print(doc);
			rc = s ? buf_adds(&out, s) : FB_ENOMEM;
			if (rc == FB_OK)
				rc = buf_addc(&out, '\n');
			cJSON_free(s);
		}
	}
	meter_end(&m);
	if (rc != FB_OK) {
		if (!c->err.msg[0])
			fb_fail(&c->err, rc, "export: %s", fb_strerror(rc));
		goto out;
	}
	rc = cli_write(c, fl.output, &out);
	/* The summary: on stderr, for stdout may be the data itself. */
	if (rc == FB_OK)
		fprintf(stderr, "exported %ld %s to %s (%zu bytes)\n", x.written,
			t ? (x.written == 1 ? t->name : t->plural)
			  : (x.written == 1 ? "record" : "records"),
			fl.output && strcmp(fl.output, "-") ? fl.output : "standard output",
			out.len);
out:
	book_referred_close(x.referred);
	cJSON_Delete(doc);
	buf_release(&out);
	book_close(b);
	return rc;
}

static const struct cmd_option export_opts[] = {
	{ "type", 0, "T", NULL, "member, training, attendance or visit (CSV: required)" },
	{ "format", 0, "csv|json", NULL, "the format (default: csv)" },
	{ "all", 0, NULL, NULL, "include deleted records, with a deleted column" },
	{ "bom", 0, NULL, NULL, "start CSV with a byte order mark, for spreadsheets" },
	{ "output", 'o', "FILE", NULL, "write to FILE (never over an existing one)" },
	CLI_OPT_QUIET,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.usage = "export [--type T] [--format csv|json] [--all] [--bom] [-o FILE] [--quiet]",
	.help = "write records as CSV or JSON",
	.options = export_opts,
	.run = export,
};
