/*
 * cmd_import.c - fieldbook import FILE [--type T] [--format csv|json]
 * [--map "HEADER=FIELD,..."] [--dry-run].
 *
 * All or nothing: every row is applied inside one transaction.  Every
 * bad row is reported (up to FB_IMPORT_ERRORS_SHOWN of them, with its
 * line and column, or its position in JSON) and then everything is
 * rolled back.  A row with the id of a record already here updates the
 * fields that differ; a row without an id is matched to a record by the
 * keys of match.h (name and birth year or phone, title and date...), so
 * importing the same file twice changes nothing and duplicates nothing;
 * a row that matches nothing adds a record.  --dry-run does all of it,
 * says per row what it would do, and rolls back.
 *
 * CSV is a sheet as a spreadsheet saves it (sheet.h): UTF-8, UTF-16 or
 * Windows-1258, separated by ',', ';' or tab, with a header row of
 * field names or their Vietnamese labels (--map names others).  JSON is
 * what `export --format json` writes, or an array of such objects.
 * On a terminal, progress goes to stderr (meter.h) as rows are applied.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "commands.h"
#include "csv.h"
#include "i18n.h"
#include "label.h"
#include "limits.h"
#include "match.h"
#include "meter.h"
#include "sheet.h"

/* What happened to one row. */
enum row_result { ROW_ADDED, ROW_UPDATED, ROW_UNCHANGED };

struct import {
	struct cmd_ctx *c;
	struct book *b;
	int dry_run;
	long added, updated, unchanged;
	long bad;                       /* rows refused */
	struct fb_buf problems;         /* the first FB_IMPORT_ERRORS_SHOWN */
	struct fb_error first;          /* the first, alone, with its code */
	struct fb_buf plan;             /* --dry-run: a line per row */
	struct fb_buf notices;          /* columns ignored */
	long phones;                    /* phones given back their 0 */
	struct fb_buf phone_lines;      /* "2, 3, 7" */
	struct match_index *match[REC_NTYPES];
	struct progress_sink sink;
	struct progress prog;           /* rows or records done */
};

/* One more row done; `at` of `len` bytes of the file read. */
static void advance(struct import *im, size_t at, size_t len)
{
	im->prog.done++;
	im->prog.bytes = at;
	im->prog.fraction = im->prog.total ? progress_fraction(im->prog.done, im->prog.total)
					   : progress_fraction(at, len);
	progress_report(&im->sink, &im->prog);
}

/* One row as read: canonical values by field index (NULL: not given). */
struct row {
	const struct type_def *t;
	char *val[RECORD_FIELDS_MAX];
	const char *id;                 /* NULL or "": none given */
	int deleted;                    /* -1: not given */
	unsigned long line;             /* CSV line, or JSON record number */
	const char *where;              /* "line" or "record" (where_word()) */
};

static void row_release(struct row *r)
{
	size_t i;

	for (i = 0; i < RECORD_FIELDS_MAX; i++) {
		free(r->val[i]);
		r->val[i] = NULL;
	}
}

static enum fb_code read_file(struct cmd_ctx *c, const char *path,
			      struct fb_buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	enum fb_code rc = FB_OK;

	if (!f)
		return fb_fail(&c->err, FB_ENOINPUT, _("cannot open %s: %s"), path,
			       strerror(errno));
	while (rc == FB_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_add(out, chunk, n);
	if (rc == FB_ETOOBIG)
		fb_fail(&c->err, rc, _("%s is larger than %ld MiB"), path,
			FB_IMPORT_BYTES_MAX >> 20);
	else if (rc != FB_OK)
		fb_fail(&c->err, rc, _("reading %s: %s"), path, fb_strerror(rc));
	else if (ferror(f))
		rc = fb_fail(&c->err, FB_ENOINPUT, _("reading %s: %s"), path,
			     strerror(errno));
	fclose(f);
	return rc;
}

/*
 * A bad row: kept for the report, and the import goes on to find the
 * others.  Only bad data is; any other failure (the disk, memory) stops
 * the import and is returned.
 */
static enum fb_code bad_row(struct import *im, enum fb_code rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum fb_code bad_row(struct import *im, enum fb_code rc, const char *fmt, ...)
{
	char msg[FB_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rc != FB_EINVAL && rc != FB_ENOENT && rc != FB_EEXIST && rc != FB_ETOOBIG)
		return fb_fail(&im->c->err, rc, "%s", msg);
	if (im->bad++ == 0)
		fb_fail(&im->first, rc, "%s", msg);
	if (im->bad <= FB_IMPORT_ERRORS_SHOWN &&
	    buf_printf(&im->problems, "%s\n", msg) != FB_OK)
		return fb_fail(&im->c->err, FB_ENOMEM, _("out of memory"));
	return FB_OK;
}

/* model_check's messages begin "field: "; the caller names the field. */
static const char *strip_field(const char *msg, const char *field)
{
	size_t n = strlen(field);

	return !strncmp(msg, field, n) && msg[n] == ':' && msg[n + 1] == ' '
		? msg + n + 2 : msg;
}

static enum fb_code parse_deleted(const char *s, int *out)
{
	if (!strcmp(s, "1") || !strcmp(s, "true"))
		*out = 1;
	else if (!strcmp(s, "0") || !strcmp(s, "false") || !*s)
		*out = 0;
	else
		return FB_EINVAL;
	return FB_OK;
}

/*
 * A typed value of field fi into the row, canonical (model_check_typed).
 * On bad data, *e says why and the row is refused by the caller.
 */
static enum fb_code row_value(struct import *im, struct row *r, int fi,
			      const char *typed, struct fb_error *e)
{
	const struct field_def *f = &r->t->fields[fi];
	int fixed = 0;
	enum fb_code rc;

	free(r->val[fi]);
	r->val[fi] = NULL;
	rc = model_check_typed(f, typed, &r->val[fi], &fixed, e);
	if (rc == FB_OK && fixed) {
		if (im->phones < FB_IMPORT_ERRORS_SHOWN)
			rc = buf_printf(&im->phone_lines, "%s%lu",
					im->phones ? ", " : "", r->line);
		im->phones++;
	}
	return rc;
}

/* Name a row's record for --dry-run: a member's name, a title... */
static const char *row_name(const struct row *r, const struct record *have)
{
	static const char *const names[] = { "full_name", "title", "person_name",
					     "visit_date", NULL };
	int i, k;

	for (k = 0; names[k]; k++) {
		if ((i = model_field_index(r->t, names[k])) < 0)
			continue;
		if (r->val[i] && *r->val[i])
			return r->val[i];
		if (have && *record_get(have, names[k]))
			return record_get(have, names[k]);
	}
	return "";
}

/* "line" or "record", in the language of messages (the noun of "1
 * record" in the catalogue, which has one msgid "record"). */
static const char *where_word(const struct row *r)
{
	return !strcmp(r->where, "line") ? _("line") : ngettext("record", "records", 1);
}

static enum fb_code plan_line(struct import *im, const struct row *r,
			      const char *what, const char *id,
			      const struct record *have, const char *fields)
{
	if (!im->dry_run)
		return FB_OK;
	return buf_printf(&im->plan, "%s %lu: %s %s %s%s%s%s%s%s\n", where_word(r), r->line,
			  what, label_type(r->t->type), row_name(r, have), *id ? " (" : "", id,
			  *id ? ")" : "", *fields ? ": " : "", fields);
}

/* The row's fields as book_add and book_edit take them. */
static size_t row_fields(const struct row *r, struct field_value *fv)
{
	size_t n = 0;
	int i;

	for (i = 0; r->t->fields[i].name && i < RECORD_FIELDS_MAX; i++)
		if (r->val[i]) {
			fv[n].name = r->t->fields[i].name;
			fv[n].value = r->val[i];
			n++;
		}
	return n;
}

/* Add a record from the row. */
static enum fb_code add_row(struct import *im, struct row *r, struct fb_error *e)
{
	struct field_value fv[RECORD_FIELDS_MAX];
	char newid[FB_RECORD_ID_MAX + 1];
	size_t n = row_fields(r, fv);
	enum fb_code rc;

	rc = book_add(im->b, r->t->type, r->id && *r->id ? r->id : NULL, fv, n, newid, e);
	if (rc == FB_OK && r->deleted == 1)
		rc = book_set_deleted(im->b, newid, 1, e);
	if (rc == FB_OK && im->match[r->t->type])
		rc = match_add(im->match[r->t->type], (const char *const *)r->val,
			       newid, r->line);
	if (rc == FB_OK) {
		im->added++;
		rc = plan_line(im, r, _("add"), "", NULL, "");
	}
	return rc;
}

/*
 * Update record `have` from the row: the fields that differ.  A deleted
 * record may only be restored (deleted 0) or repeated.
 */
static enum fb_code update_row(struct import *im, struct row *r, struct record *have,
			       struct fb_error *e)
{
	struct field_value fv[RECORD_FIELDS_MAX];
	struct fb_buf changed = FB_BUF_INIT(0);
	size_t n = row_fields(r, fv), nchanged = 0, i;
	int was_deleted = record_deleted(have);
	enum fb_code rc = FB_OK;

	if (have->type != r->t->type)
		return fb_fail(e, FB_EINVAL, _("id %s is a %s, not a %s"), have->id,
			       label_type(have->type), label_type(r->t->type));
	for (i = 0; i < n && rc == FB_OK; i++)
		if (strcmp(fv[i].value, record_get(have, fv[i].name)))
			rc = buf_printf(&changed, "%s%s", changed.len ? ", " : "",
					label_field(fv[i].name));
	if (rc != FB_OK)
		goto out;
	if (was_deleted && r->deleted != 0) {
		if (changed.len)
			rc = fb_fail(e, FB_EINVAL, _("%s %s is deleted; set deleted to 0 to"
				       " restore and change it"), label_type(r->t->type), have->id);
		else if ((rc = plan_line(im, r, _("unchanged (deleted)"), have->id, have,
					 "")) == FB_OK)
			im->unchanged++;
		goto out;
	}
	if (was_deleted && (rc = book_set_deleted(im->b, have->id, 0, e)) != FB_OK)
		goto out;
	if (n && (rc = book_edit(im->b, have->id, fv, n, &nchanged, e)) != FB_OK)
		goto out;
	if (r->deleted == 1 && !was_deleted &&
	    (rc = book_set_deleted(im->b, have->id, 1, e)) != FB_OK)
		goto out;
	if (nchanged || was_deleted || (r->deleted == 1 && !was_deleted)) {
		im->updated++;
		rc = plan_line(im, r, _("update"), have->id, have,
			       changed.len ? changed.data
			       : r->deleted == 1 ? _("deleted") : _("restored"));
	} else {
		im->unchanged++;
		rc = plan_line(im, r, _("unchanged"), have->id, have, "");
	}
out:
	buf_release(&changed);
	return rc;
}

/* Apply one row: find its record (by id, or by its key), then add or update. */
static enum fb_code apply_row(struct import *im, struct row *r)
{
	char key_id[FB_RECORD_ID_MAX + 1] = "";
	struct record *have = NULL;
	struct fb_error e;
	enum fb_code rc;

	fb_error_clear(&e);
	if (r->id && *r->id) {
		rc = book_get(im->b, r->id, &have, &e);
	} else if (r->t->type == REC_ATTENDANCE) {
		int ti = model_field_index(r->t, "training_id"),
		    mi = model_field_index(r->t, "member_id");

		rc = FB_ENOENT;
		if (r->val[ti] && r->val[mi]) {
			model_attendance_id(r->val[ti], r->val[mi], key_id);
			rc = book_get(im->b, key_id, &have, &e);
		}
	} else {
		rc = match_find(im->match[r->t->type], (const char *const *)r->val,
				r->line, key_id, &e);
		if (rc == FB_OK)
			rc = key_id[0] ? book_get(im->b, key_id, &have, &e) : FB_ENOENT;
	}
	if (rc == FB_ENOENT) {
		fb_error_clear(&e);
		rc = add_row(im, r, &e);
	} else if (rc == FB_OK) {
		rc = update_row(im, r, have, &e);
	}
	record_free(have);
	if (rc != FB_OK)
		return bad_row(im, rc, "%s %lu: %s", where_word(r), r->line, e.msg);
	return FB_OK;
}

/* --- CSV ---------------------------------------------------------------- */

/* Read one CSV record into r; on bad data, the row is reported and skipped. */
static enum fb_code csv_row(struct import *im, struct row *r,
			    const struct csv_reader *rd,
			    const struct sheet_column *cols, size_t ncols, int *ok)
{
	struct fb_error e;
	size_t i;
	enum fb_code rc = FB_OK;

	*ok = 0;
	if (rd->nfields != ncols)
		return bad_row(im, FB_EINVAL, _("line %lu: %zu fields, the header has %zu"),
			       rd->rec_line, rd->nfields, ncols);
	for (i = 0; i < ncols; i++) {
		const char *cell = rd->fields[i];

		switch (cols[i].kind) {
		case SHEET_ID:
			r->id = cell;
			break;
		case SHEET_DELETED:
			if (parse_deleted(cell, &r->deleted) != FB_OK)
				return bad_row(im, FB_EINVAL,
					       _("line %lu, column %zu (deleted): must be 0 or 1"),
					       rd->rec_line, i + 1);
			break;
		case SHEET_SKIP:
		case SHEET_ROWNUM:
			break;
		case SHEET_BLANK:
			if (cell[strspn(cell, " ")])
				return bad_row(im, FB_EINVAL,
					       _("line %lu, column %zu: a value under no header"
					         " ('%s'); give the column a header or --map"),
					       rd->rec_line, i + 1, cell);
			break;
		case SHEET_FIELD:
			rc = row_value(im, r, cols[i].field, cell, &e);
			if (rc != FB_OK) {
				const char *name = r->t->fields[cols[i].field].name;

				return bad_row(im, rc, _("line %lu, column %zu (%s): %s"),
					       rd->rec_line, i + 1, name,
					       strip_field(e.msg, name));
			}
			break;
		}
	}
	*ok = 1;
	return FB_OK;
}

/* "column 1 (STT) ignored: ..." for the notices. */
static enum fb_code note_columns(struct import *im, char *const *headers,
				 const struct sheet_column *cols, size_t n)
{
	enum fb_code rc = FB_OK;
	size_t i;

	for (i = 0; i < n && rc == FB_OK; i++)
		if (cols[i].kind == SHEET_ROWNUM)
			rc = buf_printf(&im->notices, _("column %zu (%s) ignored: the sheet's"
							" own row numbers\n"), i + 1, headers[i]);
	return rc;
}

static enum fb_code import_csv(struct import *im, const struct type_def *t,
			       struct sheet_map *map, const struct fb_buf *text)
{
	struct cmd_ctx *c = im->c;
	struct sheet_column cols[FB_CSV_FIELDS_MAX];
	struct csv_reader rd;
	size_t ncols;
	long rows = 0;
	int ok;
	enum fb_code rc;

	csv_reader_init(&rd, buf_str(text), text->len);
	csv_reader_set_sep(&rd, csv_guess_sep(buf_str(text), text->len));
	if ((rc = csv_read_record(&rd, &c->err)) != FB_OK)
		goto out;
	if (rd.nfields == 0) {
		rc = fb_fail(&c->err, FB_EINVAL, _("the file is empty: a header row is needed"));
		goto out;
	}
	ncols = rd.nfields;
	if ((rc = sheet_columns(t, map, rd.fields, ncols, cols, &c->err)) != FB_OK) {
		char where[32];

		snprintf(where, sizeof(where), _("line %lu, "), rd.rec_line);
		if (rc != FB_EUSAGE)
			fb_prefix(&c->err, where);
		goto out;
	}
	if ((rc = note_columns(im, rd.fields, cols, ncols)) != FB_OK)
		goto out;
	while ((rc = csv_read_record(&rd, &c->err)) == FB_OK && rd.nfields) {
		struct row r = { t, { NULL }, NULL, -1, rd.rec_line, "line" };

		if (++rows > FB_IMPORT_ROWS_MAX) {
			rc = fb_fail(&c->err, FB_ETOOBIG, _("more than %d rows"),
				     FB_IMPORT_ROWS_MAX);
			break;
		}
		rc = csv_row(im, &r, &rd, cols, ncols, &ok);
		if (rc == FB_OK && ok)
			rc = apply_row(im, &r);
		row_release(&r);
		if (rc != FB_OK)
			break;
		advance(im, (size_t)(rd.p - buf_str(text)), text->len);
	}
	/* A file that does not read on is one more bad row, the last. */
	if (rc == FB_EINVAL || rc == FB_ETOOBIG)
		rc = bad_row(im, rc, "%s", c->err.msg);
out:
	csv_reader_release(&rd);
	return rc;
}

/* --- JSON --------------------------------------------------------------- */

/* One JSON record object into a row; pos is for messages. */
static enum fb_code json_row(struct import *im, const cJSON *o, struct row *r, int *ok)
{
	const cJSON *it, *other;
	struct fb_error e;
	char num[32];
	enum fb_code rc;
	int pos = (int)r->line;

	*ok = 0;
	cJSON_ArrayForEach(it, o) {
		const struct field_def *f;
		const char *typed;

		for (other = o->child; other != it; other = other->next)
			if (!strcmp(other->string, it->string))
				return bad_row(im, FB_EINVAL, _("record %d: key '%s' appears twice"),
					       pos, it->string);
		if (!strcmp(it->string, "type") || !strcmp(it->string, "branch")) {
			if (!cJSON_IsString(it))
				return bad_row(im, FB_EINVAL, _("record %d: %s must be a string"),
					       pos, it->string);
			if (!strcmp(it->string, "branch") &&
			    strcmp(it->valuestring, book_branch(im->b)))
				return bad_row(im, FB_EINVAL,
					       _("record %d: belongs to branch %s, this is %s"),
					       pos, it->valuestring, book_branch(im->b));
			continue;
		}
		if (!strcmp(it->string, "id")) {
			if (!cJSON_IsString(it))
				return bad_row(im, FB_EINVAL, _("record %d: id must be a string"),
					       pos);
			r->id = it->valuestring;
			continue;
		}
		if (!strcmp(it->string, FIELD_DELETED)) {
			if (!cJSON_IsBool(it))
				return bad_row(im, FB_EINVAL,
					       _("record %d: deleted must be true or false"), pos);
			r->deleted = cJSON_IsTrue(it);
			continue;
		}
		if (!strcmp(it->string, "attendees") || !strcmp(it->string, "trainings"))
			continue;       /* what `show --json` adds */
		f = model_user_field(r->t, it->string);
		if (!f)
			return bad_row(im, FB_EINVAL, _("record %d: a %s has no field '%s'"),
				       pos, label_type(r->t->type), it->string);
		if (cJSON_IsString(it)) {
			typed = it->valuestring;
		} else if (cJSON_IsNumber(it) && (f->kind == FK_AMOUNT || f->kind == FK_YEAR) &&
			   it->valuedouble >= 0 && it->valuedouble <= 1e15 &&
			   it->valuedouble == (double)(long long)it->valuedouble) {
			snprintf(num, sizeof(num), "%lld", (long long)it->valuedouble);
			typed = num;
		} else {
			return bad_row(im, FB_EINVAL, _("record %d, %s: must be text"),
				       pos, it->string);
		}
		rc = row_value(im, r, model_field_index(r->t, f->name), typed, &e);
		if (rc != FB_OK)
			return bad_row(im, rc, _("record %d: %s"), pos, e.msg);
	}
	*ok = 1;
	return FB_OK;
}

static enum fb_code import_json(struct import *im, const struct type_def *only,
				const struct fb_buf *data)
{
	struct cmd_ctx *c = im->c;
	cJSON *doc = cJSON_ParseWithLength(buf_str(data), data->len);
	const cJSON *arr, *o;
	enum fb_code rc = FB_OK;
	int order[] = { REC_MEMBER, REC_TRAINING, REC_ATTENDANCE, REC_VISIT };
	int k, pos, ok;

	if (!doc) {
		const char *where = cJSON_GetErrorPtr();

		return fb_fail(&c->err, FB_EINVAL, _("not valid JSON (near byte %ld)"),
			       where && data->data ? (long)(where - data->data) + 1 : 0L);
	}
	arr = cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, "records");
	if (!cJSON_IsArray(arr)) {
		rc = fb_fail(&c->err, FB_EINVAL,
			     _("expected a list of records or {\"records\": [...]}"));
		goto out;
	}
	im->prog.unit = N_("records");
	im->prog.total = (uint64_t)cJSON_GetArraySize(arr);
	im->prog.bytes = data->len;
	/* Members and trainings first: attendance and visits refer to them. */
	for (k = 0; rc == FB_OK && k < 4; k++) {
		pos = 0;
		cJSON_ArrayForEach(o, arr) {
			const cJSON *ty = cJSON_GetObjectItemCaseSensitive(o, "type");
			const struct type_def *t = only;
			struct row r = { NULL, { NULL }, NULL, -1, 0, "record" };

			pos++;
			if (!cJSON_IsObject(o)) {
				if (k == 0)
					rc = bad_row(im, FB_EINVAL, _("record %d is not an object"), pos);
				if (rc != FB_OK)
					break;
				continue;
			}
			if (cJSON_IsString(ty)) {
				t = model_type_named(ty->valuestring);
				if (!t || (only && t != only)) {
					if (k == 0)
						rc = bad_row(im, FB_EINVAL, _("record %d: type '%s' %s"),
							     pos, ty->valuestring,
							     t ? _("is not the --type given")
							       : _("is unknown"));
					if (rc != FB_OK)
						break;
					continue;
				}
			} else if (!t) {
				if (k == 0)
					rc = bad_row(im, FB_EINVAL,
						     _("record %d has no type (or give --type)"), pos);
				if (rc != FB_OK)
					break;
				continue;
			}
			if ((int)t->type != order[k])
				continue;
			r.t = t;
			r.line = (unsigned long)pos;
			rc = json_row(im, o, &r, &ok);
			if (rc == FB_OK && ok)
				rc = apply_row(im, &r);
			row_release(&r);
			if (rc != FB_OK)
				break;
			advance(im, data->len, data->len);
		}
	}
out:
	cJSON_Delete(doc);
	return rc;
}

/* --- the command -------------------------------------------------------- */

/* Each line of b on stderr, as "fieldbook: LINE". */
static void print_lines(const struct cmd_ctx *c, const struct fb_buf *b)
{
	const char *p = buf_str(b), *nl;

	while ((nl = strchr(p, '\n'))) {
		fprintf(stderr, "%s: %.*s\n", c->prog, (int)(nl - p), p);
		p = nl + 1;
	}
}

/* What the import found wrong, as the command's error (and stderr lines). */
static enum fb_code report_bad(struct import *im)
{
	struct cmd_ctx *c = im->c;

	if (im->bad == 1)
		return fb_fail(&c->err, im->first.code, _("%s; nothing imported"), im->first.msg);
	/* Each bad row on a line of its own, then the count as the error. */
	print_lines(c, &im->problems);
	if (im->bad > FB_IMPORT_ERRORS_SHOWN)
		return fb_fail(&c->err, FB_EINVAL, _("%ld bad rows, the first %d above;"
			         " nothing imported"), im->bad, FB_IMPORT_ERRORS_SHOWN);
	return fb_fail(&c->err, FB_EINVAL, _("%ld bad rows above; nothing imported"), im->bad);
}

static void print_notices(struct import *im)
{
	print_lines(im->c, &im->notices);
	if (im->phones)
		fprintf(stderr, ngettext("%s: %ld phone number got back the leading 0 a"
					 " spreadsheet had dropped (line %s%s)\n",
					 "%s: %ld phone numbers got back the leading 0 a"
					 " spreadsheet had dropped (lines %s%s)\n",
					 (unsigned long)im->phones), im->c->prog, im->phones,
			buf_str(&im->phone_lines),
			im->phones > FB_IMPORT_ERRORS_SHOWN ? ", ..." : "");
}

static enum fb_code import(struct cmd_ctx *c)
{
	struct fb_buf data = FB_BUF_INIT(FB_IMPORT_BYTES_MAX);
	struct fb_buf text = FB_BUF_INIT(FB_IMPORT_TEXT_MAX);
	struct import im;
	struct sheet_map map = { 0 };
	const struct type_def *t = NULL;
	struct cli_flags fl;
	struct meter m;
	const char *path, *ext, *fmt, *mapspec = cmd_get(c, "map");
	enum fb_code rc;
	int k;

	memset(&im, 0, sizeof(im));
	im.c = c;
	im.dry_run = cmd_has(c, "dry-run");
	im.problems = (struct fb_buf)FB_BUF_INIT(0);
	im.plan = (struct fb_buf)FB_BUF_INIT(0);
	im.notices = (struct fb_buf)FB_BUF_INIT(0);
	im.phone_lines = (struct fb_buf)FB_BUF_INIT(0);
	im.prog.step = N_("importing");
	im.prog.unit = N_("rows");
	cli_flags(c, &fl);
	path = c->argv[0];
	if (fl.type && !(t = model_type_named(fl.type)))
		return cmd_usage(c, _("unknown type '%s' (member, training, attendance, visit)"),
				 fl.type);
	ext = strrchr(path, '.');
	fmt = fl.format ? fl.format : ext && !strcasecmp(ext, ".json") ? "json" : "csv";
	if (strcmp(fmt, "csv") && strcmp(fmt, "json"))
		return cmd_usage(c, _("--format is csv or json, not '%s'"), fmt);
	if (!strcmp(fmt, "csv") && !t)
		return cmd_usage(c, _("a CSV file holds one type: give --type member|training|attendance|visit"));
	if (mapspec && strcmp(fmt, "csv"))
		return cmd_usage(c, _("--map names the columns of CSV, not JSON"));
	if (t && (rc = sheet_map_parse(t, mapspec, &map, &c->err)) != FB_OK) {
		if (rc == FB_EUSAGE)
			rc = cmd_usage(c, "%s", c->err.msg);
		goto out;
	}
	if ((rc = read_file(c, path, &data)) != FB_OK)
		goto out;
	if (!strcmp(fmt, "csv") &&
	    (rc = sheet_decode(data.data, data.len, path, &text, NULL, &c->err)) != FB_OK)
		goto out;
	if ((rc = cli_open(c, &im.b)) != FB_OK)
		goto out;
	if ((rc = book_begin(im.b, &c->err)) != FB_OK)
		goto out;
	/* An exported file carries the deleted records its others refer to. */
	book_allow_deleted_refs(im.b);
	for (k = 0; rc == FB_OK && k < REC_NTYPES; k++)
		if (!t || (int)t->type == k)
			rc = match_open(im.b, (enum rec_type)k, &im.match[k], &c->err);
	if (rc == FB_OK) {
		im.sink = meter_init(&m, cmd_has(c, "quiet"));
		progress_report(&im.sink, &im.prog);
		rc = !strcmp(fmt, "csv") ? import_csv(&im, t, &map, &text)
					 : import_json(&im, t, &data);
		/* The line goes before the bad rows, notices or summary. */
		meter_end(&m);
	}
	if (rc == FB_OK && im.bad)
		rc = report_bad(&im);
	if (rc == FB_EUSAGE) {
		book_rollback(im.b);
		rc = cmd_usage(c, "%s", c->err.msg);
		goto out;
	}
	if (rc == FB_OK && !im.dry_run)
		rc = book_commit(im.b, &c->err);
	else
		book_rollback(im.b);
	if (rc == FB_OK) {
		print_notices(&im);
		if (im.dry_run)
			printf(_("%sdry run, %s: %ld to add, %ld to update, %ld unchanged;"
			         " nothing changed\n"), buf_str(&im.plan), path, im.added,
			       im.updated, im.unchanged);
		else
			printf(_("imported %s: %ld added, %ld updated, %ld unchanged\n"), path,
			       im.added, im.updated, im.unchanged);
	} else if (c->err.msg[0] && !strstr(c->err.msg, _("nothing imported"))) {
		size_t len = strlen(c->err.msg);

		/* TRANSLATORS: say "nothing imported" as in every message. */
		snprintf(c->err.msg + len, sizeof(c->err.msg) - len, _("; nothing imported"));
	}
out:
	for (k = 0; k < REC_NTYPES; k++)
		match_close(im.match[k]);
	book_close(im.b);
	sheet_map_release(&map);
	buf_release(&data);
	buf_release(&text);
	buf_release(&im.problems);
	buf_release(&im.plan);
	buf_release(&im.notices);
	buf_release(&im.phone_lines);
	return rc;
}

static const struct cmd_option import_opts[] = {
	{ "type", 0, "T", NULL, N_("member, training, attendance or visit (CSV: required)") },
	{ "format", 0, "csv|json", NULL, N_("the format (default: from the file's name)") },
	{ "map", 0, "HEADER=FIELD,...", NULL,
	  N_("which field a column holds, for headers Fieldbook does not know (FIELD skip: leave it out)") },
	{ "dry-run", 0, NULL, NULL, N_("say what would be added, updated and left unchanged; change nothing") },
	CLI_OPT_QUIET,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.usage = "import FILE [--type member|training|attendance|visit] [--format csv|json]"
		 " [--map \"HEADER=FIELD,...\"] [--dry-run] [--quiet]",
	.help = N_("add or update records from CSV or JSON, all or nothing"),
	.options = import_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = N_("give one file to import"),
	.too_many = N_("give one file to import"),
	.run = import,
};
