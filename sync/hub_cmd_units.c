/*
 * hub_cmd_units.c - fieldbook-hub init and the unit commands: unit add,
 * import, list, rename, move, remove.
 *
 * The arguments and each row of a file are checked here (codes, levels,
 * names as NFC UTF-8); the tree's rules are the store's (put_units), so
 * that add, import, rename and move are held to the same ones.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>

#include "csv.h"
#include "hub_cmd.h"
#include "hub_limits.h"
#include "hub_store.h"
#include "i18n.h"
#include "model.h"
#include "text.h"

/* The import file's header, and the columns `unit list --format csv`
 * adds after it (an import of a list reads the first four). */
static const char *const list_cols[] = { "code", "parent", "level", "name", "depth",
	"branches", "devices" };
#define NLIST_COLS (sizeof(list_cols) / sizeof(list_cols[0]))

/* A code given for a unit or a parent. */
static enum fb_code check_code(struct fb_error *err, const char *code)
{
	if (!model_valid_unit_code(code))
		return fb_fail(err, FB_EINVAL,
			       "unit code '%s' is not valid (1 to %d letters, digits, '.', '-', '_')",
			       code, FB_BRANCH_CODE_MAX);
	return FB_OK;
}

static enum fb_code check_level(struct fb_error *err, const char *level)
{
	if (!level || !model_in_vocab(model_levels, level))
		return fb_fail(err, FB_EINVAL,
			       "level '%s' is not one of central, province, district, commune, branch",
			       level ? level : "");
	return FB_OK;
}

/* A unit's name, as it is kept: NFC, trimmed, 1 to FB_NAME_MAX bytes;
 * *out is malloc'd. */
static enum fb_code clean_name(struct fb_error *err, const char *code, const char *name,
			       char **out)
{
	enum fb_code rc;

	*out = NULL;
	if ((rc = text_clean(name, strlen(name), 0, "name", out, err)) != FB_OK) {
		char prefix[FB_BRANCH_CODE_MAX + 16];

		snprintf(prefix, sizeof(prefix), "unit %s: ", code);
		return fb_prefix(err, prefix);
	}
	if (!**out || strlen(*out) > FB_NAME_MAX) {
		free(*out);
		*out = NULL;
		return fb_fail(err, FB_EINVAL, "unit %s needs a name (UTF-8, at most %d bytes)",
			       code, FB_NAME_MAX);
	}
	return FB_OK;
}

static enum fb_code init(struct cmd_ctx *c)
{
	struct hub_unit top = { cmd_get(c, "unit"), NULL, cmd_get(c, "level"), NULL, 0 };
	const char *name = cmd_get(c, "name");
	char *clean = NULL;
	struct stat sb;
	enum fb_code rc;

	if (!top.code || !name || !top.level)
		return cmd_usage(c, "--unit, --name and --level are required");
	if ((rc = check_code(&c->err, top.code)) != FB_OK ||
	    (rc = check_level(&c->err, top.level)) != FB_OK)
		return rc;
	if (!model_level_may_top(top.level))
		return fb_fail(&c->err, FB_EINVAL, "a hub serves a commune or a wider unit, not"
			       " a branch (a branch's book is its laptop)");
	if ((rc = clean_name(&c->err, top.code, name, &clean)) != FB_OK)
		return rc;
	top.name = clean;
	if (c->store)
		rc = hub_store_pg_create(c->store, &top, &c->err);
	else if (stat(c->db_path, &sb) == 0 && sb.st_size > 0)
		rc = fb_fail(&c->err, FB_EEXIST, "%s exists already", c->db_path);
	else
		rc = hub_store_sqlite_create(c->db_path, &top, &c->err);
	if (rc == FB_OK)
		printf(_("hub for %s (%s) created at %s\n"), top.code, top.name, c->db_path);
	free(clean);
	return rc;
}

/* Run put_units on units the command line gave. */
static enum fb_code put_one(struct cmd_ctx *c, const struct hub_unit *u,
			    enum hub_units_mode mode, struct hub_units_outcome *out)
{
	struct hub_store *st = NULL;
	enum fb_code rc;

	if ((rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	rc = st->ops->put_units(st, u, 1, mode, out, &c->err);
	st->ops->close(st);
	return rc;
}

static enum fb_code unit_add(struct cmd_ctx *c)
{
	struct hub_unit u = { c->argv[0], cmd_get(c, "parent"), cmd_get(c, "level"), NULL, 0 };
	struct hub_units_outcome out;
	char *name = NULL;
	enum fb_code rc;

	if (!u.parent || !cmd_get(c, "name") || !u.level)
		return cmd_usage(c, "--parent, --level and --name are required");
	if ((rc = check_code(&c->err, u.code)) != FB_OK ||
	    (rc = check_code(&c->err, u.parent)) != FB_OK ||
	    (rc = check_level(&c->err, u.level)) != FB_OK ||
	    (rc = clean_name(&c->err, u.code, cmd_get(c, "name"), &name)) != FB_OK)
		return rc;
	u.name = name;
	if ((rc = put_one(c, &u, HUB_UNITS_ADD, &out)) == FB_OK)
		printf(_("unit %s (%s, %s) added under %s\n"), u.code, u.level, u.name, u.parent);
	free(name);
	return rc;
}

static enum fb_code unit_rename(struct cmd_ctx *c)
{
	struct hub_unit u = { c->argv[0], NULL, NULL, NULL, 0 };
	struct hub_units_outcome out;
	char *name = NULL;
	enum fb_code rc;

	if (!cmd_get(c, "name"))
		return cmd_usage(c, "--name is required");
	if ((rc = check_code(&c->err, u.code)) != FB_OK ||
	    (rc = clean_name(&c->err, u.code, cmd_get(c, "name"), &name)) != FB_OK)
		return rc;
	u.name = name;
	if ((rc = put_one(c, &u, HUB_UNITS_CHANGE, &out)) == FB_OK) {
		if (out.renamed)
			printf(_("unit %s renamed: %s\n"), u.code, u.name);
		else
			printf(_("unit %s is named %s already; nothing changed\n"), u.code, u.name);
	}
	free(name);
	return rc;
}

static enum fb_code unit_move(struct cmd_ctx *c)
{
	const struct hub_unit u = { c->argv[0], cmd_get(c, "parent"), NULL, NULL, 0 };
	struct hub_units_outcome out;
	enum fb_code rc;

	if (!u.parent)
		return cmd_usage(c, "--parent is required");
	if ((rc = check_code(&c->err, u.code)) != FB_OK ||
	    (rc = check_code(&c->err, u.parent)) != FB_OK)
		return rc;
	if ((rc = put_one(c, &u, HUB_UNITS_CHANGE, &out)) == FB_OK) {
		if (out.moved)
			printf(_("unit %s moved under %s\n"), u.code, u.parent);
		else
			printf(_("unit %s is under %s already; nothing changed\n"), u.code, u.parent);
	}
	return rc;
}

static enum fb_code unit_remove(struct cmd_ctx *c)
{
	struct hub_store *st = NULL;
	enum fb_code rc;

	if ((rc = check_code(&c->err, c->argv[0])) != FB_OK ||
	    (rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	rc = st->ops->remove_unit(st, c->argv[0], &c->err);
	st->ops->close(st);
	if (rc == FB_OK)
		printf(_("unit %s removed\n"), c->argv[0]);
	return rc;
}

/* --- unit import --------------------------------------------------------- */

/* Read the whole of path into data (at most its cap). */
static enum fb_code read_whole(struct cmd_ctx *c, const char *path, struct fb_buf *data)
{
	char chunk[HUB_READ_CHUNK];
	enum fb_code rc = FB_OK;
	FILE *f = fopen(path, "rb");
	size_t n;
	int bad, saved;

	if (!f)
		return fb_fail(&c->err, FB_ENOINPUT, "cannot open %s: %s", path, strerror(errno));
	while (rc == FB_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_add(data, chunk, n);
	/* A read error must not pass for the end of the file: the units
	 * after it would be missing from an import that says it is done. */
	saved = errno;
	bad = ferror(f);
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	if (rc != FB_OK)
		return fb_fail(&c->err, rc, "%s is larger than %zu MiB; nothing imported", path,
			       HUB_UNITS_FILE_MAX >> 20);
	if (bad)
		return fb_fail(&c->err, FB_EIO, "cannot read %s: %s; nothing imported", path,
			       strerror(saved ? saved : EIO));
	return FB_OK;
}

/* The rows of an import, and what was wrong with them. */
struct import {
	struct cmd_ctx *c;
	struct hub_unit *u;
	size_t n, cap;
	size_t bad;                     /* bad rows in all */
	struct fb_error first;          /* the first bad row's message */
	struct fb_buf lines;            /* the first HUB_UNIT_FAULTS_MAX, one a line */
};

static void import_release(struct import *im)
{
	size_t i;

	for (i = 0; i < im->n; i++) {
		free((char *)im->u[i].code);
		free((char *)im->u[i].parent);
		free((char *)im->u[i].level);
		free((char *)im->u[i].name);
	}
	free(im->u);
	buf_release(&im->lines);
}

/* A bad row ("line N: why"): noted, and the import goes on to find the
 * others. */
static enum fb_code bad_row(struct import *im, enum fb_code code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum fb_code bad_row(struct import *im, enum fb_code code, const char *fmt, ...)
{
	char msg[FB_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (im->bad++ == 0)
		fb_fail(&im->first, code, "%s", msg);
	if (im->bad <= HUB_UNIT_FAULTS_MAX && buf_printf(&im->lines, "%s\n", msg) != FB_OK)
		return fb_fail(&im->c->err, FB_ENOMEM, "out of memory");
	return FB_OK;
}

/* One row of the file: checked, cleaned, and kept. */
static enum fb_code keep_row(struct import *im, const struct csv_reader *rd, size_t want)
{
	const char *code = rd->fields[0], *parent = rd->fields[1], *level = rd->fields[2];
	struct fb_error e = { 0 };
	struct hub_unit *u;
	char *name = NULL;
	enum fb_code rc;

	if (rd->nfields != want) {
		return bad_row(im, FB_EINVAL, "line %lu: %zu fields, not %zu", rd->rec_line,
			       rd->nfields, want);
	}
	if ((rc = check_code(&e, code)) != FB_OK ||
	    (*parent && (rc = check_code(&e, parent)) != FB_OK) ||
	    (rc = check_level(&e, level)) != FB_OK ||
	    (rc = clean_name(&e, code, rd->fields[3], &name)) != FB_OK)
		return bad_row(im, rc, "line %lu: %s", rd->rec_line, e.msg);
	if (im->n == im->cap) {
		size_t cap = im->cap ? im->cap * 2 : 1024;

		if (!(u = realloc(im->u, cap * sizeof(*u)))) {
			free(name);
			return fb_fail(&im->c->err, FB_ENOMEM, "out of memory");
		}
		im->u = u;
		im->cap = cap;
	}
	u = &im->u[im->n++];
	*u = (struct hub_unit){ strdup(code), *parent ? strdup(parent) : NULL, strdup(level),
				name, rd->rec_line };
	if (!u->code || (*parent && !u->parent) || !u->level)
		return fb_fail(&im->c->err, FB_ENOMEM, "out of memory");
	return FB_OK;
}

/* The header's columns: 4 (the import's) or NLIST_COLS (unit list's). */
static enum fb_code read_header(struct import *im, const struct csv_reader *rd, size_t *want)
{
	size_t i;

	*want = rd->nfields == NLIST_COLS ? NLIST_COLS : HUB_UNITS_FIELDS;
	for (i = 0; i < rd->nfields && i < NLIST_COLS; i++)
		if (strcmp(rd->fields[i], list_cols[i]))
			break;
	if (i != rd->nfields || (rd->nfields != HUB_UNITS_FIELDS && rd->nfields != NLIST_COLS))
		return fb_fail(&im->c->err, FB_EINVAL, "line 1: the header must be"
			       " code,parent,level,name");
	return FB_OK;
}

/* What was wrong, as the command's error (the lines before it on stderr). */
static enum fb_code report_bad(struct import *im)
{
	struct cmd_ctx *c = im->c;
	const char *p = buf_str(&im->lines), *nl;

	if (im->bad == 1)
		return fb_fail(&c->err, im->first.code, "%s; nothing imported", im->first.msg);
	while ((nl = strchr(p, '\n'))) {
		fprintf(stderr, "%s: %.*s\n", c->prog, (int)(nl - p), p);
		p = nl + 1;
	}
	if (im->bad > HUB_UNIT_FAULTS_MAX)
		return fb_fail(&c->err, FB_EINVAL, "%zu bad rows, the first %d above; nothing"
			       " imported", im->bad, HUB_UNIT_FAULTS_MAX);
	return fb_fail(&c->err, FB_EINVAL, "%zu bad rows above; nothing imported", im->bad);
}

static enum fb_code unit_import(struct cmd_ctx *c)
{
	struct fb_buf data = FB_BUF_INIT(HUB_UNITS_FILE_MAX);
	struct import im = { c, NULL, 0, 0, 0, { 0 }, FB_BUF_INIT(0) };
	struct hub_units_outcome out;
	struct hub_store *st = NULL;
	struct csv_reader rd;
	size_t want = HUB_UNITS_FIELDS, i;
	enum fb_code rc;

	if ((rc = read_whole(c, c->argv[0], &data)) != FB_OK) {
		buf_release(&data);
		return rc;
	}
	memset(&out, 0, sizeof(out));
	csv_reader_init(&rd, buf_str(&data), data.len);
	if ((rc = csv_read_record(&rd, &c->err)) != FB_OK ||
	    (rc = read_header(&im, &rd, &want)) != FB_OK)
		goto out;
	while ((rc = csv_read_record(&rd, &c->err)) == FB_OK && rd.nfields) {
		if (im.n + im.bad >= HUB_UNITS_ROWS_MAX) {
			rc = fb_fail(&c->err, FB_ETOOBIG, "line %lu: more than %d units;"
				     " nothing imported", rd.rec_line, HUB_UNITS_ROWS_MAX);
			goto out;
		}
		if ((rc = keep_row(&im, &rd, want)) != FB_OK)
			goto out;
	}
	/* A file that does not read on (its message names the line) is
	 * one more bad row, the last. */
	if (rc == FB_EINVAL || rc == FB_ETOOBIG) {
		struct fb_error e = c->err;

		if ((rc = bad_row(&im, e.code, "%s", e.msg)) != FB_OK)
			goto out;
	}
	if (im.bad) {
		rc = report_bad(&im);
		goto out;
	}
	if ((rc = hub_open_store(c, &st)) != FB_OK)
		goto out;
	rc = st->ops->put_units(st, im.u, im.n, HUB_UNITS_IMPORT, &out, &c->err);
	st->ops->close(st);
	if (rc == FB_EINVAL || rc == FB_ENOENT || rc == FB_EEXIST) {
		for (i = 0; i < out.nfaults && i < HUB_UNIT_FAULTS_MAX; i++)
			if ((rc = bad_row(&im, out.fault[i].code, "line %lu: %s",
					  im.u[out.fault[i].index].line, out.fault[i].msg)) != FB_OK)
				goto out;
		im.bad = out.nfaults;
		rc = report_bad(&im);
	}
	if (rc == FB_OK)
		printf(_("imported %s: %zu added, %zu renamed, %zu moved, %zu unchanged\n"),
		       c->argv[0], out.added, out.renamed, out.moved, out.unchanged);
out:
	import_release(&im);
	csv_reader_release(&rd);
	buf_release(&data);
	return rc;
}

/* --- unit list ---------------------------------------------------------- */

enum list_format { LIST_TABLE, LIST_CSV, LIST_JSON };

struct list_rows {
	enum list_format fmt;
	struct fb_buf out;
	cJSON *arr;
	struct hub_tree_row *row;       /* table: kept to size the code column */
	size_t n, cap;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static enum fb_code list_row(const struct hub_tree_row *r, void *ctx)
{
	struct list_rows *l = ctx;
	char depth[24], branches[24], devices[24];

	if (l->fmt == LIST_JSON) {
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(l->arr, o) ||
		    !cJSON_AddStringToObject(o, "code", r->code) ||
		    !(r->parent ? cJSON_AddStringToObject(o, "parent", r->parent)
				: cJSON_AddNullToObject(o, "parent")) ||
		    !cJSON_AddStringToObject(o, "level", r->level) ||
		    !cJSON_AddStringToObject(o, "name", r->name) ||
		    !cJSON_AddNumberToObject(o, "depth", r->depth) ||
		    !cJSON_AddNumberToObject(o, "branches", (double)r->branches) ||
		    !cJSON_AddNumberToObject(o, "devices", (double)r->devices))
			return FB_ENOMEM;
		return FB_OK;
	}
	if (l->fmt == LIST_CSV) {
		const char *f[NLIST_COLS] = { r->code, r->parent ? r->parent : "", r->level,
					      r->name, depth, branches, devices };

		snprintf(depth, sizeof(depth), "%d", r->depth);
		snprintf(branches, sizeof(branches), "%zu", r->branches);
		snprintf(devices, sizeof(devices), "%zu", r->devices);
		return csv_write_record(&l->out, f, NLIST_COLS);
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct hub_tree_row *p = realloc(l->row, cap * sizeof(*p));

		if (!p)
			return FB_ENOMEM;
		l->row = p;
		l->cap = cap;
	}
	l->row[l->n] = *r;
	l->row[l->n].code = strdup(r->code);
	l->row[l->n].parent = dup_or_null(r->parent);
	l->row[l->n].level = strdup(r->level);
	l->row[l->n].name = strdup(r->name);
	l->n++;
	if (!l->row[l->n - 1].code || !l->row[l->n - 1].level || !l->row[l->n - 1].name)
		return FB_ENOMEM;
	return FB_OK;
}

/* The table: each code indented two spaces a level below the root. */
static enum fb_code list_table(struct list_rows *l)
{
	size_t width = strlen(_("CODE")), i;
	enum fb_code rc;

	for (i = 0; i < l->n; i++) {
		int d = l->row[i].depth < HUB_UNIT_DEPTH_MAX ? l->row[i].depth : HUB_UNIT_DEPTH_MAX;
		size_t w = 2 * (size_t)d + strlen(l->row[i].code);

		if (w > width)
			width = w;
	}
	rc = buf_printf(&l->out, "%-*s  %-8s  %8s  %7s  %s\n", (int)width, _("CODE"),
			_("LEVEL"), _("BRANCHES"), _("DEVICES"), _("NAME"));
	for (i = 0; rc == FB_OK && i < l->n; i++) {
		const struct hub_tree_row *r = &l->row[i];
		int d = r->depth < HUB_UNIT_DEPTH_MAX ? r->depth : HUB_UNIT_DEPTH_MAX;

		rc = buf_printf(&l->out, "%*s%-*s  %-8s  %8zu  %7zu  %s\n", 2 * d, "",
				(int)(width - 2 * (size_t)d), r->code, r->level, r->branches,
				r->devices, r->name);
	}
	return rc;
}

static enum fb_code unit_list(struct cmd_ctx *c)
{
	const char *format = cmd_get(c, "format"), *under = cmd_get(c, "under");
	struct list_rows l = { LIST_TABLE, FB_BUF_INIT(0), NULL, NULL, 0, 0 };
	struct hub_store *st = NULL;
	enum fb_code rc;
	size_t i;

	if (!format || !strcmp(format, "table"))
		l.fmt = LIST_TABLE;
	else if (!strcmp(format, "csv"))
		l.fmt = LIST_CSV;
	else if (!strcmp(format, "json"))
		l.fmt = LIST_JSON;
	else
		return cmd_usage(c, "--format is table, csv or json");
	if (under && (rc = check_code(&c->err, under)) != FB_OK)
		return rc;
	if ((rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	if (l.fmt == LIST_CSV)
		rc = csv_write_record(&l.out, list_cols, NLIST_COLS);
	if (l.fmt == LIST_JSON && !(l.arr = cJSON_CreateArray()))
		rc = FB_ENOMEM;
	if (rc == FB_OK)
		rc = st->ops->unit_tree(st, under, list_row, &l, &c->err);
	if (rc == FB_OK && l.fmt == LIST_TABLE)
		rc = list_table(&l);
	if (rc == FB_OK && l.fmt == LIST_JSON) {
		char *s = cJSON_Print(l.arr);

		if (!s || buf_printf(&l.out, "%s\n", s) != FB_OK)
			rc = FB_ENOMEM;
		cJSON_free(s);
	}
	if (rc == FB_ENOMEM && !c->err.msg[0])
		fb_fail(&c->err, rc, "out of memory");
	if (rc == FB_OK)
		fwrite(buf_str(&l.out), 1, l.out.len, stdout);
	st->ops->close(st);
	for (i = 0; i < l.n; i++) {
		free((char *)l.row[i].code);
		free((char *)l.row[i].parent);
		free((char *)l.row[i].level);
		free((char *)l.row[i].name);
	}
	free(l.row);
	cJSON_Delete(l.arr);
	buf_release(&l.out);
	return rc;
}

/* --- the entries --------------------------------------------------------- */

static const struct cmd_option init_opts[] = {
	{ "unit", 0, "CODE", NULL, "the hub's own unit, the top of its tree (required)" },
	{ "name", 0, "NAME", NULL, "its name (required)" },
	{ "level", 0, "LEVEL", NULL, "central, province, district or commune (required)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_init_entry = {
	.name = "init",
	.usage = "--db PATH init --unit CODE --name NAME --level LEVEL",
	.help = "create the hub's database for its top unit",
	.options = init_opts,
	.run = init,
};

static const struct cmd_option unit_add_opts[] = {
	{ "parent", 0, "CODE", NULL, "the unit it sits under (required)" },
	{ "level", 0, "LEVEL", NULL, "its level (required): a province under central, a district"
	  " under a province, a commune under a district or a province, a branch under a commune" },
	{ "name", 0, "NAME", NULL, "its name (required)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_unit_add_entry = {
	.name = "unit add",
	.usage = "--db PATH unit add CODE --parent CODE --level LEVEL --name NAME",
	.help = "add an organisation unit",
	.options = unit_add_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = "give one unit code",
	.too_many = "give one unit code",
	.run = unit_add,
};

const struct cmd_entry hub_unit_import_entry = {
	.name = "unit import",
	.usage = "--db PATH unit import FILE.csv",
	.help = "add, rename and move units from CSV (code,parent,level,name), all or"
		" nothing; a run again changes only what differs",
	.args_min = 1,
	.args_max = 1,
	.too_few = "give one CSV file",
	.too_many = "give one CSV file",
	.run = unit_import,
};

static const struct cmd_option unit_list_opts[] = {
	{ "under", 0, "CODE", NULL, "only this unit and those below it (default: the hub's own)" },
	{ "format", 0, "FORMAT", NULL, "table (default), csv or json" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_unit_list_entry = {
	.name = "unit list",
	.usage = "--db PATH unit list [--under CODE] [--format table|csv|json]",
	.help = "list the unit tree, with the branches and devices below each unit",
	.options = unit_list_opts,
	.run = unit_list,
};

static const struct cmd_option unit_rename_opts[] = {
	{ "name", 0, "NAME", NULL, "its new name (required)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_unit_rename_entry = {
	.name = "unit rename",
	.usage = "--db PATH unit rename CODE --name NAME",
	.help = "give a unit a new name (its code, and the tokens enrolled for it, stay)",
	.options = unit_rename_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = "give one unit code",
	.too_many = "give one unit code",
	.run = unit_rename,
};

static const struct cmd_option unit_move_opts[] = {
	{ "parent", 0, "CODE", NULL, "the unit it is to sit under (required)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_unit_move_entry = {
	.name = "unit move",
	.usage = "--db PATH unit move CODE --parent CODE",
	.help = "put a unit, and all below it, under another parent",
	.options = unit_move_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = "give one unit code",
	.too_many = "give one unit code",
	.run = unit_move,
};

const struct cmd_entry hub_unit_remove_entry = {
	.name = "unit remove",
	.usage = "--db PATH unit remove CODE",
	.help = "remove a unit that holds no records and has no devices and no units under it",
	.args_min = 1,
	.args_max = 1,
	.too_few = "give one unit code",
	.too_many = "give one unit code",
	.run = unit_remove,
};
