/*
 * cmd_show.c - fieldbook show RECORD [--json]: one record, every field.
 * The text names what ids point at: a training's attendees and a
 * member's trainings by name and short id, a visit's member by name.
 */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "commands.h"
#include "i18n.h"
#include "label.h"
#include "recjson.h"
#include "text.h"

static enum fb_code add_id(const char *id, void *ctx)
{
	return cJSON_AddItemToArray(ctx, cJSON_CreateString(id)) ? FB_OK : FB_ENOMEM;
}

/* The attendees of a training, or the trainings of a member. */
static enum fb_code add_links(struct book *b, const struct record *r,
			      cJSON *o, struct fb_error *err)
{
	cJSON *arr;
	enum fb_code rc;

	if (r->type != REC_TRAINING && r->type != REC_MEMBER)
		return FB_OK;
	arr = cJSON_AddArrayToObject(o, r->type == REC_TRAINING ? "attendees"
							      : "trainings");
	if (!arr)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	rc = book_each_link(b, r, add_id, arr, err);
	if (rc == FB_ENOMEM && !(err && err->msg[0]))
		rc = fb_fail(err, rc, _("out of memory"));
	return rc;
}

/* One linked record, under "attendees" or "trainings". */
static void print_link(const struct book_names *n, const char *id, int w)
{
	const struct book_name *e = book_names_get(n, id);
	char day[FB_WHEN_MAX];

	if (e)
		fb_day(e->date, day);
	if (!e)
		printf("%*s%s\n", w + 4, "", id);
	else if (e->type == REC_TRAINING)
		printf("%*s%s  %s  %s\n", w + 4, "", e->short_id, day, e->label);
	else if (*e->year)
		printf(_("%*s%s  %s  (born %s)\n"), w + 4, "", e->short_id, e->label, e->year);
	else
		printf("%*s%s  %s\n", w + 4, "", e->short_id, e->label);
}

/* The text of record o of type type; codes by their names, days as fb_day() shows them. */
static void print_text(const cJSON *o, const struct book_names *n, enum rec_type type)
{
	const cJSON *it, *x;
	size_t w = 0;

	cJSON_ArrayForEach(it, o)
		if (text_width(label_field(it->string)) > w)
			w = text_width(label_field(it->string));
	cJSON_ArrayForEach(it, o) {
		const struct book_name *ref;
		const char *key = label_field(it->string);

		printf("%s%*s  ", key, (int)(w - text_width(key)), "");
		if (cJSON_IsString(it) && (!strcmp(it->string, "member_id") ||
					   !strcmp(it->string, "training_id")) &&
		    (ref = book_names_get(n, it->valuestring))) {
			printf("%s  (%s)\n", it->valuestring, ref->label);
		} else if (cJSON_IsString(it)) {
			/* The type and codes by their names (label.h). */
			const char *p = !strcmp(it->string, "type") ? label_type(type)
					: cli_shown(type, it->string, it->valuestring);

			/* Indent continuation lines of notes. */
			for (; *p; p++) {
				putchar(*p);
				if (*p == '\n')
					printf("%*s", (int)w + 2, "");
			}
			putchar('\n');
		} else if (cJSON_IsBool(it)) {
			printf("%s\n", cJSON_IsTrue(it) ? _("yes") : _("no"));
		} else if (cJSON_IsArray(it)) {
			printf("%d\n", cJSON_GetArraySize(it));
			cJSON_ArrayForEach(x, it)
				print_link(n, x->valuestring, (int)w);
		}
	}
}

static enum fb_code show(struct cmd_ctx *c)
{
	char id[FB_RECORD_ID_MAX + 1];
	struct book_names *names = NULL;
	struct cli_flags fl;
	struct record *r = NULL;
	struct book *b = NULL;
	cJSON *o = NULL;
	enum fb_code rc;

	cli_flags(c, &fl);
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if ((rc = cli_names(c, b, &names)) != FB_OK ||
	    (rc = cli_find(c, names, c->argv[0], BOOK_FIND_ANY, id)) != FB_OK ||
	    (rc = book_get(b, id, &r, &c->err)) != FB_OK)
		goto out;
	o = record_to_json(r);
	if (!o) {
		rc = fb_fail(&c->err, FB_ENOMEM, _("out of memory"));
		goto out;
	}
	if ((rc = add_links(b, r, o, &c->err)) != FB_OK)
		goto out;
	if (fl.json) {
		rc = cli_print_json(c, o);
		o = NULL;
	} else {
		print_text(o, names, r->type);
	}
out:
	cJSON_Delete(o);
	record_free(r);
	book_names_close(names);
	book_close(b);
	return rc;
}

static const struct cmd_option show_opts[] = {
	CLI_OPT_JSON,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_show_entry = {
	.name = "show",
	.usage = "show RECORD [--json]",
	.help = N_("show one record"),
	.options = show_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = N_("give exactly one record"),
	.too_many = N_("give exactly one record"),
	.run = show,
};
