/*
 * cmd_export.c - fieldbook export [--type T] [--format csv|json|xlsx]
 * [--lang en|vi] [--all] [--bom] [-o FILE].  CSV holds one type (a
 * header of its fields, id first); JSON and xlsx hold every type unless
 * --type narrows it (xlsx: a worksheet per type).  --lang vi writes the
 * Vietnamese headers and the labels of codes (sheet.h, vocab.h), which
 * import reads back as the same values; codes stay the default.
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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "commands.h"
#include "csv.h"
#include "i18n.h"
#include "label.h"
#include "meter.h"
#include "recjson.h"
#include "sheet.h"
#include "vocab.h"
#include "xlsx.h"

struct export_ctx {
	struct fb_buf *out;
	cJSON *arr;
	struct xlsx *xlsx;
	unsigned row;           /* xlsx: the next row of the sheet */
	int all;                /* every deleted record */
	int deleted_column;     /* CSV, xlsx: write `deleted` */
	int vi;                 /* --lang vi: labels, not codes */
	struct fb_buf tmp;      /* a value as shown */
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

/* The worksheets of an xlsx export, in Vietnamese. */
static const char *const sheet_vi[REC_NTYPES] = {
	"Hội viên", "Lớp tập huấn", "Điểm danh", "Thăm hỏi"
};

/* Which fields a file shows: every one users name, `deleted` when asked. */
static int shown_field(const struct field_def *f, int deleted_column)
{
	return !f->internal && (deleted_column || strcmp(f->name, FIELD_DELETED));
}

/*
 * A value as --lang shows it: with vi, a code as its label and topics
 * as their labels joined by "; " (import reads both back); otherwise,
 * and for every other kind, the value itself.
 */
static const char *shown_value(struct export_ctx *x, const struct field_def *f,
			       const char *v)
{
	char *copy, *tok, *save = NULL;

	if (!x->vi || !v || !*v || (f->kind != FK_ENUM && f->kind != FK_TOPICS))
		return v ? v : "";
	if (f->kind == FK_ENUM)
		return vocab_label(v);
	buf_reset(&x->tmp);
	if (!(copy = strdup(v)))
		return v;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (buf_printf(&x->tmp, "%s%s", x->tmp.len ? "; " : "", vocab_label(tok)) !=
		    FB_OK)
			break;
	free(copy);
	return buf_str(&x->tmp);
}

/* A column's header: the field's name, or with vi its label. */
static const char *header(const struct export_ctx *x, const struct type_def *t,
			  const char *field)
{
	return x->vi ? sheet_label(t, field) : field;
}

/* Is r to be written?  Not deleted, or --all, or referred to. */
static int wanted(struct export_ctx *x, const struct record *r)
{
	return !record_deleted(r) || x->all || book_referred_has(x->referred, r->id);
}

static enum fb_code csv_header(struct export_ctx *x, const struct type_def *t)
{
	enum fb_code rc = csv_write_field(x->out, header(x, t, "id"), 1);
	int i;

	for (i = 0; rc == FB_OK && t->fields[i].name; i++)
		if (shown_field(&t->fields[i], x->deleted_column))
			rc = csv_write_field(x->out, header(x, t, t->fields[i].name), 0);
	return rc == FB_OK ? buf_adds(x->out, "\r\n") : rc;
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
		if (!shown_field(&t->fields[i], x->deleted_column))
			continue;
		if (!strcmp(t->fields[i].name, FIELD_DELETED))
			rc = csv_write_field(x->out, record_deleted(r) ? "1" : "0", 0);
		else
			rc = csv_write_field(x->out, shown_value(x, &t->fields[i], r->val[i]), 0);
	}
	return rc == FB_OK ? buf_adds(x->out, "\r\n") : rc;
}

/* How an xlsx column of field f shows its cells, and how wide it is. */
static enum xlsx_style xlsx_style_of(const struct field_def *f)
{
	switch (f->kind) {
	case FK_DATE: return XLSX_DATE;
	case FK_YEAR: return XLSX_INT;
	case FK_AMOUNT: return XLSX_MONEY;
	case FK_BOOL: return XLSX_INT;
	case FK_NOTES: return XLSX_WRAP;
	default: return XLSX_TEXT;
	}
}

static double xlsx_width_of(const struct field_def *f)
{
	switch (f->kind) {
	case FK_DATE: return 12;
	case FK_YEAR: case FK_BOOL: return 9;
	case FK_AMOUNT: return 14;
	case FK_REF: return 38;
	case FK_NOTES: return 40;
	case FK_TOPICS: return 36;
	default: return f->max >= FB_NAME_MAX ? 28 : 16;
	}
}

static enum fb_code xlsx_each(const struct record *r, void *p)
{
	struct export_ctx *x = p;
	const struct type_def *t = model_type(r->type);
	unsigned col = 1;
	int i;

	advance(x);
	if (!wanted(x, r))
		return FB_OK;
	x->written++;
	xlsx_cell(x->xlsx, x->row, 0, XLSX_TEXT, r->id);
	for (i = 0; t->fields[i].name; i++) {
		const struct field_def *f = &t->fields[i];

		if (!shown_field(f, x->deleted_column))
			continue;
		if (!strcmp(f->name, FIELD_DELETED))
			xlsx_number(x->xlsx, x->row, col, XLSX_INT, record_deleted(r));
		else
			xlsx_cell(x->xlsx, x->row, col, xlsx_style_of(f),
				  shown_value(x, f, r->val[i]));
		col++;
	}
	x->row++;
	return FB_OK;
}

/* One worksheet: a header row, then a row per record of type t. */
static enum fb_code xlsx_type(struct export_ctx *x, struct book *b,
			      const struct type_def *t, struct fb_error *err)
{
	unsigned col = 1;
	enum fb_code rc;
	int i;

	xlsx_sheet(x->xlsx, x->vi ? sheet_vi[t->type] : t->plural);
	xlsx_cell(x->xlsx, 0, 0, XLSX_HEAD, header(x, t, "id"));
	xlsx_width(x->xlsx, 0, t->type == REC_ATTENDANCE ? 74 : 38);
	for (i = 0; t->fields[i].name; i++) {
		if (!shown_field(&t->fields[i], x->deleted_column))
			continue;
		xlsx_cell(x->xlsx, 0, col, XLSX_HEAD, header(x, t, t->fields[i].name));
		xlsx_width(x->xlsx, col, xlsx_width_of(&t->fields[i]));
		col++;
	}
	x->row = 1;
	rc = book_each(b, t->type, 0, 1, xlsx_each, x, err);
	if (rc == FB_OK)
		xlsx_table(x->xlsx, x->row > 1 ? x->row - 1 : 1, col - 1);
	return rc;
}

static enum fb_code export_xlsx(struct export_ctx *x, struct book *b,
				const struct type_def *t, struct fb_error *err)
{
	enum fb_code rc = xlsx_new(x->vi, &x->xlsx, err);
	int k;

	for (k = 0; rc == FB_OK && k < REC_NTYPES; k++)
		if (!t || (int)t->type == k)
			rc = xlsx_type(x, b, model_type((enum rec_type)k), err);
	if (rc == FB_OK)
		rc = xlsx_close(x->xlsx, x->out, err);
	else
		xlsx_free(x->xlsx);
	x->xlsx = NULL;
	return rc;
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
	const char *fmt, *lang = cmd_get(c, "lang");
	char *s;
	long long total = 0;
	int any_referred = 0;
	enum fb_code rc;

	memset(&x, 0, sizeof(x));
	x.out = &out;
	x.tmp = (struct fb_buf)FB_BUF_INIT(0);
	cli_flags(c, &fl);
	fmt = fl.format ? fl.format : "csv";
	if (strcmp(fmt, "csv") && strcmp(fmt, "json") && strcmp(fmt, "xlsx"))
		return cmd_usage(c, _("--format is csv, json or xlsx, not '%s'"), fmt);
	if (fl.type && !(t = model_type_named(fl.type)))
		return cmd_usage(c, _("unknown type '%s' (member, training, attendance, visit)"),
				 fl.type);
	if (!t && !strcmp(fmt, "csv"))
		return cmd_usage(c, _("CSV holds one type: give --type member|training|attendance|visit"));
	if (lang && strcmp(lang, "en") && strcmp(lang, "vi"))
		return cmd_usage(c, _("--lang is en or vi, not '%s'"), lang);
	x.vi = lang && !strcmp(lang, "vi");
	if (x.vi && !strcmp(fmt, "json"))
		return cmd_usage(c, _("--lang vi is for csv and xlsx: JSON keeps the codes"));
	if (fl.bom && strcmp(fmt, "csv"))
		return cmd_usage(c, _("--bom is for CSV"));
	if (!strcmp(fmt, "xlsx") && (!fl.output || !strcmp(fl.output, "-")) &&
	    isatty(STDOUT_FILENO))
		return cmd_usage(c, _("a workbook is not for a terminal: give -o FILE.xlsx"));
	x.all = fl.all;
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if ((rc = book_referred_open(b, t, &x.referred, &any_referred, &c->err)) != FB_OK)
		goto out;
	x.deleted_column = fl.all || any_referred;
	if ((rc = book_count(b, t ? t->type : REC_NTYPES, 1, &total, &c->err)) != FB_OK)
		goto out;
	x.sink = meter_init(&m, cmd_has(c, "quiet"));
	x.prog.step = N_("exporting");
	x.prog.unit = N_("records");
	x.prog.total = (uint64_t)total;
	x.prog.fraction = progress_fraction(0, x.prog.total);
	progress_report(&x.sink, &x.prog);
	if (!strcmp(fmt, "csv")) {
		if (fl.bom)
			rc = buf_adds(&out, "\xEF\xBB\xBF");
		if (rc == FB_OK)
			rc = csv_header(&x, t);
		if (rc == FB_OK)
			rc = book_each(b, t->type, 0, 1, csv_each, &x, &c->err);
	} else if (!strcmp(fmt, "xlsx")) {
		rc = export_xlsx(&x, b, t, &c->err);
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
			fb_fail(&c->err, rc, _("export: %s"), fb_strerror(rc));
		goto out;
	}
	rc = cli_write(c, fl.output, &out);
	/* The summary: on stderr, for stdout may be the data itself. */
	if (rc == FB_OK)
		fprintf(stderr, _("exported %ld %s to %s (%zu bytes)\n"), x.written,
			t ? label_types(t->type, (unsigned long)x.written)
			  : ngettext("record", "records", (unsigned long)x.written),
			fl.output && strcmp(fl.output, "-") ? fl.output : _("standard output"),
			out.len);
out:
	book_referred_close(x.referred);
	cJSON_Delete(doc);
	buf_release(&out);
	buf_release(&x.tmp);
	book_close(b);
	return rc;
}

static const struct cmd_option export_opts[] = {
	{ "type", 0, "T", NULL, N_("member, training, attendance or visit (CSV: required)") },
	{ "format", 0, "csv|json|xlsx", NULL, N_("the format (default: csv); xlsx is an Excel workbook") },
	{ "lang", 0, "en|vi", NULL, N_("vi: Vietnamese headers and labels instead of codes (csv, xlsx)") },
	{ "all", 0, NULL, NULL, N_("include deleted records, with a deleted column") },
	{ "bom", 0, NULL, NULL, N_("start CSV with a byte order mark, for spreadsheets") },
	{ "output", 'o', "FILE", NULL, N_("write to FILE (never over an existing one)") },
	CLI_OPT_QUIET,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.usage = "export [--type T] [--format csv|json|xlsx] [--lang en|vi] [--all] [--bom] [-o FILE]"
		 " [--quiet]",
	.help = N_("write records as CSV, JSON or an Excel workbook"),
	.options = export_opts,
	.run = export,
};
