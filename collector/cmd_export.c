/*
 * cmd_export.c - fieldbook export [--type T] [--format csv|json] [--all]
 * [--bom] [-o FILE].  CSV holds one type (a header of its fields, id
 * first); JSON holds every type unless --type narrows it.  Deleted
 * records only with --all (then CSV has a `deleted` column).  A file
 * named with -o is created new (never overwritten), owner-only.
 */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "commands.h"
#include "csv.h"
#include "recjson.h"

struct export_ctx {
	struct fb_buf *out;
	cJSON *arr;
	int all;
};

static enum fb_code csv_header(struct fb_buf *out, const struct type_def *t,
			       int all)
{
	enum fb_code rc = csv_write_field(out, "id", 1);
	int i;

	for (i = 0; rc == FB_OK && t->fields[i].name; i++)
		if (all || strcmp(t->fields[i].name, FIELD_DELETED))
			rc = csv_write_field(out, t->fields[i].name, 0);
	return rc == FB_OK ? buf_adds(out, "\r\n") : rc;
}

static enum fb_code csv_each(const struct record *r, void *p)
{
	struct export_ctx *x = p;
	const struct type_def *t = model_type(r->type);
	enum fb_code rc = csv_write_field(x->out, r->id, 1);
	int i;

	for (i = 0; rc == FB_OK && t->fields[i].name; i++) {
		if (!strcmp(t->fields[i].name, FIELD_DELETED))
			rc = x->all ? csv_write_field(x->out, record_deleted(r) ? "1" : "0", 0)
				    : FB_OK;
		else
			rc = csv_write_field(x->out, r->val[i] ? r->val[i] : "", 0);
	}
	return rc == FB_OK ? buf_adds(x->out, "\r\n") : rc;
}

static enum fb_code json_each(const struct record *r, void *p)
{
	struct export_ctx *x = p;
	cJSON *o = record_to_json(r);

	return o && cJSON_AddItemToArray(x->arr, o) ? FB_OK : FB_ENOMEM;
}

enum fb_code cmd_export(struct cli *c)
{
	struct fb_buf out = FB_BUF_INIT((size_t)1 << 31);
	struct export_ctx x = { &out, NULL, 0 };
	const struct type_def *t = NULL;
	struct cli_flags fl;
	struct book *b = NULL;
	cJSON *doc = NULL;
	const char *fmt;
	char *s;
	int first;
	enum fb_code rc;

	rc = cli_parse_opts(c, NULL, NULL, NULL, "tfabo", &fl, &first);
	if (rc != FB_OK || first < 0)
		return rc;
	if (first < c->argc)
		return cli_usage(c, "unexpected argument '%s'", c->argv[first]);
	fmt = fl.format ? fl.format : "csv";
	if (strcmp(fmt, "csv") && strcmp(fmt, "json"))
		return cli_usage(c, "--format is csv or json, not '%s'", fmt);
	if (fl.type && !(t = model_type_named(fl.type)))
		return cli_usage(c, "unknown type '%s' (member, training, attendance, visit)",
				 fl.type);
	if (!t && !strcmp(fmt, "csv"))
		return cli_usage(c, "CSV holds one type: give --type member|training|attendance|visit");
	x.all = fl.all;
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if (!strcmp(fmt, "csv")) {
		if (fl.bom)
			rc = buf_adds(&out, "\xEF\xBB\xBF");
		if (rc == FB_OK)
			rc = csv_header(&out, t, fl.all);
		if (rc == FB_OK)
			rc = book_each(b, t->type, 0, fl.all, csv_each, &x, &c->err);
	} else {
		doc = cJSON_CreateObject();
		if (!doc || !cJSON_AddStringToObject(doc, "branch", b->branch) ||
		    !(x.arr = cJSON_AddArrayToObject(doc, "records")))
			rc = FB_ENOMEM;
		if (rc == FB_OK)
			rc = book_each(b, t ? t->type : REC_NTYPES, 0, fl.all, json_each,
				       &x, &c->err);
		if (rc == FB_OK) {
			s = cJSON_Print(doc);
			rc = s ? buf_adds(&out, s) : FB_ENOMEM;
			if (rc == FB_OK)
				rc = buf_addc(&out, '\n');
			cJSON_free(s);
		}
	}
	if (rc != FB_OK) {
		if (!c->err.msg[0])
			fb_fail(&c->err, rc, "export: %s", fb_strerror(rc));
		goto out;
	}
	rc = cli_write(c, fl.output, &out);
out:
	cJSON_Delete(doc);
	buf_release(&out);
	book_close(b);
	return rc;
}
