/*
 * cmd_list.c - fieldbook list members|trainings|visits: a table aligned
 * by display width (Vietnamese names line up), or --json.  The table
 * shows short ids (shortid.h), which every command takes back; --search
 * keeps the records whose names hold the text, accents aside.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "commands.h"
#include "i18n.h"
#include "label.h"
#include "recjson.h"
#include "text.h"

/* Columns shown for each type, with their widths in the table; the
 * titles are shown in the language of messages. */
struct column { const char *field; const char *title; size_t width; };

/* The width of "id" is the longest short id's, SHORTID_MIN at least. */
static const struct column member_cols[] = {
	{ "id", N_("ID"), SHORTID_MIN }, { "full_name", N_("NAME"), 28 }, { "role", N_("ROLE"), 14 },
	{ "birth_year", N_("BORN"), 4 }, { "phone", N_("PHONE"), 12 }, { NULL, NULL, 0 }
};
static const struct column training_cols[] = {
	{ "id", N_("ID"), SHORTID_MIN }, { "start_date", N_("DATE"), 10 }, { "title", N_("TITLE"), 32 },
	{ "topics", N_("TOPICS"), 24 }, { NULL, NULL, 0 }
};
static const struct column visit_cols[] = {
	{ "id", N_("ID"), SHORTID_MIN }, { "visit_date", N_("DATE"), 10 }, { "reason", N_("REASON"), 12 },
	{ "person_name", N_("PERSON"), 24 }, { "amount_vnd", N_("AMOUNT"), 12 },
	{ NULL, NULL, 0 }
};

struct list_ctx {
	const struct column *cols;
	struct fb_buf out;
	cJSON *arr;
	size_t count;
	const struct book_names *names;
	const char *search;     /* folded (text_fold), or NULL: all */
	size_t id_width;
};

static enum fb_code add_cell(struct fb_buf *out, const char *s, size_t w,
			     int last)
{
	enum fb_code rc = last ? buf_adds(out, s) : text_pad(out, s, w);

	return rc == FB_OK && !last ? buf_adds(out, "  ") : rc;
}

static enum fb_code each(const struct record *r, void *p)
{
	struct list_ctx *x = p;
	char sid[FB_ATT_ID_LEN + 1];
	enum fb_code rc = FB_OK;
	size_t i;

	if (x->search && !book_names_search(x->names, r->id, x->search))
		return FB_OK;
	x->count++;
	if (x->arr) {
		cJSON *o = record_to_json(r);

		return o && cJSON_AddItemToArray(x->arr, o) ? FB_OK : FB_ENOMEM;
	}
	book_names_short(x->names, r->id, sid);
	for (i = 0; x->cols[i].field && rc == FB_OK; i++) {
		int is_id = !strcmp(x->cols[i].field, "id");
		const char *v = is_id ? sid : record_get(r, x->cols[i].field);

		/* A visit to a member: her name, where a person's would be. */
		if (!is_id && !*v && !strcmp(x->cols[i].field, "person_name")) {
			const struct book_name *e = book_names_get(x->names, r->id);

			v = e ? e->label : "";
		}
		if (!is_id)
			v = cli_shown(r->type, x->cols[i].field, v);
		rc = add_cell(&x->out, v, is_id ? x->id_width
					       : cli_column_width(r->type, x->cols[i].field,
								  x->cols[i].title, x->cols[i].width),
			      !x->cols[i + 1].field);
	}
	if (rc == FB_OK && record_deleted(r))
		rc = buf_printf(&x->out, "  %s", _("(deleted)"));
	return rc == FB_OK ? buf_addc(&x->out, '\n') : rc;
}

static enum fb_code list(struct cmd_ctx *c)
{
	struct list_ctx x = { NULL, FB_BUF_INIT(0), NULL, 0, NULL, NULL, SHORTID_MIN };
	const char *search = cmd_get(c, "search");
	struct book_names *names = NULL;
	const struct type_def *t;
	struct cli_flags fl;
	struct book *b = NULL;
	char *folded = NULL;
	int year = 0;
	size_t i;
	enum fb_code rc;

	cli_flags(c, &fl);
	t = model_type_named(c->argv[0]);
	if (!t || t->type == REC_ATTENDANCE)
		return cmd_usage(c, _("cannot list '%s'; choose members, trainings or visits"),
				 c->argv[0]);
	if (fl.year && (rc = cli_year(c, fl.year, &year)) != FB_OK)
		return rc;
	x.cols = t->type == REC_MEMBER ? member_cols
	       : t->type == REC_TRAINING ? training_cols : visit_cols;
	if (fl.json && !(x.arr = cJSON_CreateArray()))
		return fb_fail(&c->err, FB_ENOMEM, _("out of memory"));
	if (search && (rc = text_fold(search, TEXT_FOLD_ACCENTS, &folded)) != FB_OK) {
		rc = fb_fail(&c->err, rc, _("--search: %s"), rc == FB_EINVAL ? _("invalid UTF-8")
									 : _("out of memory"));
		goto out;
	}
	x.search = folded;
	if ((rc = cli_open(c, &b)) != FB_OK || (rc = cli_names(c, b, &names)) != FB_OK)
		goto out;
	x.names = names;
	x.id_width = book_names_short_width(names, t->type);
	if (!fl.json)
		for (i = 0; x.cols[i].field && rc == FB_OK; i++)
			rc = add_cell(&x.out, _(x.cols[i].title),
				      i == 0 ? x.id_width
					     : cli_column_width(t->type, x.cols[i].field,
								x.cols[i].title, x.cols[i].width),
				      !x.cols[i + 1].field);
	if (rc == FB_OK && !fl.json)
		rc = buf_addc(&x.out, '\n');
	if (rc == FB_OK)
		rc = book_each(b, t->type, year, fl.all, each, &x, &c->err);
	if (rc != FB_OK) {
		if (!c->err.msg[0])
			fb_fail(&c->err, rc, _("listing: %s"), fb_strerror(rc));
		goto out;
	}
	if (fl.json) {
		rc = cli_print_json(c, x.arr);
		x.arr = NULL;
	} else {
		rc = buf_printf(&x.out, "%zu %s\n", x.count,
				label_types(t->type, (unsigned long)x.count));
		if (rc == FB_OK)
			rc = cli_write(c, NULL, &x.out);
	}
out:
	cJSON_Delete(x.arr);
	buf_release(&x.out);
	free(folded);
	book_names_close(names);
	book_close(b);
	return rc;
}

static const struct cmd_option list_opts[] = {
	{ "search", 0, "TEXT", NULL, N_("only those whose names hold TEXT (case and accents aside)") },
	{ "year", 0, "Y", NULL, N_("only records of that year") },
	CLI_OPT_ALL,
	CLI_OPT_JSON,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "list members|trainings|visits [--search TEXT] [--year Y] [--all] [--json]",
	.help = N_("list records"),
	.options = list_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = N_("say what to list: members, trainings or visits"),
	.too_many = N_("say what to list: members, trainings or visits"),
	.run = list,
};
