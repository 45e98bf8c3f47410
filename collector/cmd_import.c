/*
 * cmd_import.c - fieldbook import FILE [--type T] [--format csv|json].
 *
 * All or nothing: every row is applied inside one transaction, and the
 * first bad row rolls everything back and is reported with its line and
 * column (CSV) or its position (JSON).  A row with the id of a record
 * already here updates the fields that differ (so importing the same
 * file twice changes nothing and duplicates nothing); a row with a new
 * or no id adds a record.  CSV: a header row of field names (`id` and
 * `deleted` optional; `branch` ignored), one type per file.  JSON: what
 * `export --format json` writes, or an array of such record objects.
 * On a terminal, progress goes to stderr (meter.h) as rows are applied.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "commands.h"
#include "csv.h"
#include "limits.h"
#include "meter.h"

struct import_stats {
	long added, updated, unchanged;
	struct progress_sink sink;
	struct progress prog;   /* rows or records applied */
};

/* One more row applied; `at` of `len` bytes of the file read. */
static void advance(struct import_stats *st, size_t at, size_t len)
{
	st->prog.done++;
	st->prog.bytes = at;
	st->prog.fraction = st->prog.total ? progress_fraction(st->prog.done, st->prog.total)
		: progress_fraction(at, len);
	progress_report(&st->sink, &st->prog);
}

static enum fb_code read_file(struct cmd_ctx *c, const char *path,
			      struct fb_buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;
	enum fb_code rc = FB_OK;

	if (!f)
		return fb_fail(&c->err, FB_ENOINPUT, "cannot open %s: %s", path,
			       strerror(errno));
	while (rc == FB_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_add(out, chunk, n);
	if (rc == FB_ETOOBIG)
		fb_fail(&c->err, rc, "%s is larger than %ld MiB", path,
			FB_IMPORT_BYTES_MAX >> 20);
	else if (rc != FB_OK)
		fb_fail(&c->err, rc, "reading %s: %s", path, fb_strerror(rc));
	else if (ferror(f))
		rc = fb_fail(&c->err, FB_ENOINPUT, "reading %s: %s", path,
			     strerror(errno));
	fclose(f);
	return rc;
}

/* Add or update one record from what a row says. deleted: -1 absent. */
static enum fb_code apply_row(struct book *b, enum rec_type t, const char *id,
			      const struct field_value *fv, size_t n,
			      int deleted, struct import_stats *st,
			      struct fb_error *err)
{
	char newid[FB_RECORD_ID_MAX + 1];
	struct record *r = NULL;
	size_t changed = 0, i;
	enum fb_code rc;

	rc = id && *id ? book_get(b, id, &r, err) : FB_ENOENT;
	if (rc == FB_ENOENT) {
		fb_error_clear(err);
		rc = book_add(b, t, id && *id ? id : NULL, fv, n, newid, err);
		if (rc == FB_OK && deleted == 1)
			rc = book_set_deleted(b, newid, 1, err);
		if (rc == FB_OK)
			st->added++;
		return rc;
	}
	if (rc != FB_OK)
		return rc;
	if (r->type != t) {
		rc = fb_fail(err, FB_EINVAL, "id %s is a %s, not a %s", id,
			     model_type(r->type)->name, model_type(t)->name);
		goto out;
	}
	if (record_deleted(r) && deleted != 0) {
		/* Nothing may change on a deleted record but its restoring. */
		for (i = 0; i < n; i++) {
			const struct field_def *f = model_user_field(model_type(t),
								     fv[i].name);
			char *v = NULL;

			if (!f)
				continue;
			if ((rc = model_check(f, fv[i].value, &v, err)) != FB_OK)
				goto out;
			rc = strcmp(v, record_get(r, fv[i].name)) ? FB_EINVAL : FB_OK;
			free(v);
			if (rc != FB_OK) {
				fb_fail(err, rc, "%s %s is deleted; set deleted to 0 to restore and change it",
					model_type(t)->name, id);
				goto out;
			}
		}
		st->unchanged++;
		goto out;
	}
	if (record_deleted(r) && (rc = book_set_deleted(b, id, 0, err)) != FB_OK)
		goto out;
	if ((rc = book_edit(b, id, fv, n, &changed, err)) != FB_OK)
		goto out;
	if (deleted == 1 && (rc = book_set_deleted(b, id, 1, err)) != FB_OK)
		goto out;
	if (changed || record_deleted(r) || deleted == 1)
		st->updated++;
	else
		st->unchanged++;
out:
	record_free(r);
	return rc;
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

static enum fb_code import_csv(struct cmd_ctx *c, struct book *b,
			       const struct type_def *t, const struct fb_buf *data,
			       struct import_stats *st)
{
	struct csv_reader rd;
	int colfield[FB_CSV_FIELDS_MAX];        /* field index, or below */
	enum { COL_ID = -10, COL_DELETED = -11, COL_SKIP = -12 };
	struct field_value fv[FB_CSV_FIELDS_MAX];
	struct fb_error e;
	size_t ncols, i, j, n;
	long rows = 0;
	enum fb_code rc;

	csv_reader_init(&rd, data->data ? data->data : "", data->len);
	rc = csv_read_record(&rd, &c->err);
	if (rc != FB_OK)
		goto out;
	if (rd.nfields == 0) {
		rc = fb_fail(&c->err, FB_EINVAL, "the file is empty: a header row is needed");
		goto out;
	}
	ncols = rd.nfields;
	for (i = 0; i < ncols; i++) {
		const char *h = rd.fields[i];
		int fi = model_user_field(t, h) ? model_field_index(t, h) : -1;

		colfield[i] = !strcmp(h, "id") ? COL_ID
			    : !strcmp(h, FIELD_DELETED) ? COL_DELETED
			    : !strcmp(h, "branch") || !strcmp(h, "type") ? COL_SKIP : fi;
		if (colfield[i] == -1) {
			rc = fb_fail(&c->err, FB_EINVAL,
				     "line %lu, column %zu: a %s has no field '%s'",
				     rd.rec_line, i + 1, t->name, h);
			goto out;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(rd.fields[j], h)) {
				rc = fb_fail(&c->err, FB_EINVAL,
					     "line %lu, column %zu: '%s' appears twice",
					     rd.rec_line, i + 1, h);
				goto out;
			}
	}
	/* The header's text is overwritten by the next read: keep names. */
	while ((rc = csv_read_record(&rd, &c->err)) == FB_OK && rd.nfields) {
		const char *id = NULL;
		int deleted = -1;

		if (++rows > FB_IMPORT_ROWS_MAX) {
			rc = fb_fail(&c->err, FB_ETOOBIG, "more than %d rows",
				     FB_IMPORT_ROWS_MAX);
			break;
		}
		if (rd.nfields != ncols) {
			rc = fb_fail(&c->err, FB_EINVAL,
				     "line %lu: %zu fields, the header has %zu",
				     rd.rec_line, rd.nfields, ncols);
			break;
		}
		for (i = 0, n = 0; i < ncols; i++) {
			const struct field_def *f;
			char *v = NULL;

			if (colfield[i] == COL_ID) {
				id = rd.fields[i];
				continue;
			}
			if (colfield[i] == COL_DELETED) {
				if (parse_deleted(rd.fields[i], &deleted) != FB_OK) {
					rc = fb_fail(&c->err, FB_EINVAL,
						     "line %lu, column %zu (deleted): must be 0 or 1",
						     rd.rec_line, i + 1);
					goto out;
				}
				continue;
			}
			if (colfield[i] == COL_SKIP)
				continue;
			f = &t->fields[colfield[i]];
			rc = model_check(f, rd.fields[i], &v, &e);
			free(v);
			if (rc != FB_OK) {
				fb_fail(&c->err, rc, "line %lu, column %zu (%s): %s",
					rd.rec_line, i + 1, f->name,
					strip_field(e.msg, f->name));
				goto out;
			}
			fv[n].name = f->name;
			fv[n].value = rd.fields[i];
			n++;
		}
		rc = apply_row(b, t->type, id, fv, n, deleted, st, &e);
		if (rc != FB_OK) {
			fb_fail(&c->err, rc, "line %lu: %s", rd.rec_line, e.msg);
			break;
		}
		advance(st, (size_t)(rd.p - (data->data ? data->data : rd.p)), data->len);
	}
out:
	csv_reader_release(&rd);
	return rc;
}

/* One JSON record object into fields; position is for messages. */
static enum fb_code import_object(struct cmd_ctx *c, struct book *b,
				  const cJSON *o, const struct type_def *t,
				  int pos, struct import_stats *st)
{
	struct field_value fv[RECORD_FIELDS_MAX];
	char nums[RECORD_FIELDS_MAX][32];
	const cJSON *it, *other;
	const char *id = NULL;
	struct fb_error e;
	size_t n = 0;
	int deleted = -1;
	enum fb_code rc;

	cJSON_ArrayForEach(it, o) {
		const struct field_def *f;

		for (other = o->child; other != it; other = other->next)
			if (!strcmp(other->string, it->string))
				return fb_fail(&c->err, FB_EINVAL,
					       "record %d: key '%s' appears twice", pos,
					       it->string);
		if (!strcmp(it->string, "type") || !strcmp(it->string, "branch")) {
			if (!cJSON_IsString(it))
				return fb_fail(&c->err, FB_EINVAL,
					       "record %d: %s must be a string", pos,
					       it->string);
			if (!strcmp(it->string, "branch") &&
			    strcmp(it->valuestring, book_branch(b)))
				return fb_fail(&c->err, FB_EINVAL,
					       "record %d: belongs to branch %s, this is %s",
					       pos, it->valuestring, book_branch(b));
			continue;
		}
		if (!strcmp(it->string, "id")) {
			if (!cJSON_IsString(it))
				return fb_fail(&c->err, FB_EINVAL,
					       "record %d: id must be a string", pos);
			id = it->valuestring;
			continue;
		}
		if (!strcmp(it->string, FIELD_DELETED)) {
			if (!cJSON_IsBool(it))
				return fb_fail(&c->err, FB_EINVAL,
					       "record %d: deleted must be true or false", pos);
			deleted = cJSON_IsTrue(it);
			continue;
		}
		if (!strcmp(it->string, "attendees") || !strcmp(it->string, "trainings"))
			continue;       /* what `show --json` adds */
		f = model_user_field(t, it->string);
		if (!f)
			return fb_fail(&c->err, FB_EINVAL, "record %d: a %s has no field '%s'",
				       pos, t->name, it->string);
		if (n >= RECORD_FIELDS_MAX)
			return fb_fail(&c->err, FB_EINVAL, "record %d: too many fields", pos);
		if (cJSON_IsString(it)) {
			fv[n].value = it->valuestring;
		} else if (cJSON_IsNumber(it) && (f->kind == FK_AMOUNT || f->kind == FK_YEAR) &&
			   it->valuedouble >= 0 && it->valuedouble <= 1e15 &&
			   it->valuedouble == (double)(long long)it->valuedouble) {
			snprintf(nums[n], sizeof(nums[n]), "%lld", (long long)it->valuedouble);
			fv[n].value = nums[n];
		} else {
			return fb_fail(&c->err, FB_EINVAL, "record %d, %s: must be text",
				       pos, it->string);
		}
		fv[n].name = f->name;
		n++;
	}
	rc = apply_row(b, t->type, id, fv, n, deleted, st, &e);
	if (rc != FB_OK)
		fb_fail(&c->err, rc, "record %d: %s", pos, e.msg);
	return rc;
}

static enum fb_code import_json(struct cmd_ctx *c, struct book *b,
				const struct type_def *only,
				const struct fb_buf *data, struct import_stats *st)
{
	cJSON *doc = cJSON_ParseWithLength(data->data ? data->data : "", data->len);
	const cJSON *arr, *o;
	enum fb_code rc = FB_OK;
	int order[] = { REC_MEMBER, REC_TRAINING, REC_ATTENDANCE, REC_VISIT };
	int k, pos;

	if (!doc) {
		const char *where = cJSON_GetErrorPtr();

		return fb_fail(&c->err, FB_EINVAL, "not valid JSON (near byte %ld)",
			       where && data->data ? (long)(where - data->data) + 1 : 0L);
	}
	arr = cJSON_IsArray(doc) ? doc : cJSON_GetObjectItemCaseSensitive(doc, "records");
	if (!cJSON_IsArray(arr)) {
		rc = fb_fail(&c->err, FB_EINVAL,
			     "expected a list of records or {\"records\": [...]}");
		goto out;
	}
	st->prog.unit = "records";
	st->prog.total = (uint64_t)cJSON_GetArraySize(arr);
	st->prog.bytes = data->len;
	/* Members and trainings first: attendance and visits refer to them. */
	for (k = 0; rc == FB_OK && k < 4; k++) {
		pos = 0;
		cJSON_ArrayForEach(o, arr) {
			const cJSON *ty = cJSON_GetObjectItemCaseSensitive(o, "type");
			const struct type_def *t = only;

			pos++;
			if (!cJSON_IsObject(o)) {
				rc = fb_fail(&c->err, FB_EINVAL, "record %d is not an object", pos);
				break;
			}
			if (cJSON_IsString(ty)) {
				t = model_type_named(ty->valuestring);
				if (!t || (only && t != only)) {
					rc = fb_fail(&c->err, FB_EINVAL,
						     "record %d: type '%s' %s", pos,
						     ty->valuestring,
						     t ? "is not the --type given" : "is unknown");
					break;
				}
			} else if (!t) {
				rc = fb_fail(&c->err, FB_EINVAL,
					     "record %d has no type (or give --type)", pos);
				break;
			}
			if ((int)t->type != order[k])
				continue;
			if ((rc = import_object(c, b, o, t, pos, st)) != FB_OK)
				break;
			advance(st, data->len, data->len);
		}
	}
out:
	cJSON_Delete(doc);
	return rc;
}

static enum fb_code import(struct cmd_ctx *c)
{
	struct fb_buf data = FB_BUF_INIT(FB_IMPORT_BYTES_MAX);
	struct import_stats st;
	const struct type_def *t = NULL;
	struct cli_flags fl;
	struct book *b = NULL;
	struct meter m;
	const char *path, *ext, *fmt;
	enum fb_code rc;

	cli_flags(c, &fl);
	memset(&st, 0, sizeof(st));
	st.prog.step = "importing";
	st.prog.unit = "rows";
	st.prog.fraction = 0;
	path = c->argv[0];
	if (fl.type && !(t = model_type_named(fl.type)))
		return cmd_usage(c, "unknown type '%s' (member, training, attendance, visit)",
				 fl.type);
	ext = strrchr(path, '.');
	fmt = fl.format ? fl.format : ext && !strcasecmp(ext, ".json") ? "json" : "csv";
	if (strcmp(fmt, "csv") && strcmp(fmt, "json"))
		return cmd_usage(c, "--format is csv or json, not '%s'", fmt);
	if (!strcmp(fmt, "csv") && !t)
		return cmd_usage(c, "a CSV file holds one type: give --type member|training|attendance|visit");
	if ((rc = read_file(c, path, &data)) != FB_OK)
		goto out;
	if ((rc = cli_open(c, &b)) != FB_OK)
		goto out;
	if ((rc = book_begin(b, &c->err)) != FB_OK)
		goto out;
	/* An exported file carries the deleted records its others refer to. */
	book_allow_deleted_refs(b);
	st.sink = meter_init(&m, cmd_has(c, "quiet"));
	progress_report(&st.sink, &st.prog);
	rc = !strcmp(fmt, "csv") ? import_csv(c, b, t, &data, &st)
				 : import_json(c, b, t, &data, &st);
	if (rc == FB_OK)
		rc = book_commit(b, &c->err);
	else
		book_rollback(b);
	meter_end(&m);
	if (rc == FB_OK)
		printf("imported %s: %ld added, %ld updated, %ld unchanged\n", path,
		       st.added, st.updated, st.unchanged);
	else if (c->err.msg[0] && !strstr(c->err.msg, "nothing imported")) {
		size_t len = strlen(c->err.msg);

		snprintf(c->err.msg + len, sizeof(c->err.msg) - len,
			 "; nothing imported");
	}
out:
	book_close(b);
	buf_release(&data);
	return rc;
}

static const struct cmd_option import_opts[] = {
	{ "type", 0, "T", NULL, "member, training, attendance or visit (CSV: required)" },
	{ "format", 0, "csv|json", NULL, "the format (default: from the file's name)" },
	CLI_OPT_QUIET,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.usage = "import FILE (--type member|training|visit|attendance for CSV) [--quiet]",
	.help = "add or update records from CSV or JSON, all or nothing",
	.options = import_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = "give one file to import",
	.too_many = "give one file to import",
	.run = import,
};
