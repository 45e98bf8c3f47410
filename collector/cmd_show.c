/* cmd_show.c - fieldbook show ID [--json]: one record, every field. */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "commands.h"
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
		return fb_fail(err, FB_ENOMEM, "out of memory");
	rc = book_each_link(b, r, add_id, arr, err);
	if (rc == FB_ENOMEM && !(err && err->msg[0]))
		rc = fb_fail(err, rc, "out of memory");
	return rc;
}

static void print_text(const cJSON *o)
{
	const cJSON *it, *x;
	size_t w = 0;

	cJSON_ArrayForEach(it, o)
		if (strlen(it->string) > w)
			w = strlen(it->string);
	cJSON_ArrayForEach(it, o) {
		printf("%-*s  ", (int)w, it->string);
		if (cJSON_IsString(it)) {
			/* Indent continuation lines of notes. */
			const char *p;

			for (p = it->valuestring; *p; p++) {
				putchar(*p);
				if (*p == '\n')
					printf("%*s", (int)w + 2, "");
			}
			putchar('\n');
		} else if (cJSON_IsBool(it)) {
			printf("%s\n", cJSON_IsTrue(it) ? "yes" : "no");
		} else if (cJSON_IsArray(it)) {
			printf("%d\n", cJSON_GetArraySize(it));
			cJSON_ArrayForEach(x, it)
				printf("%*s%s\n", (int)w + 4, "", x->valuestring);
		}
	}
}

static enum fb_code show(struct cmd_ctx *c)
{
	struct cli_flags fl;
	struct record *r = NULL;
	struct book *b = NULL;
	cJSON *o = NULL;
	enum fb_code rc;

	cli_flags(c, &fl);
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if ((rc = book_get(b, c->argv[0], &r, &c->err)) != FB_OK)
		goto out;
	o = record_to_json(r);
	if (!o) {
		rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = add_links(b, r, o, &c->err)) != FB_OK)
		goto out;
	if (fl.json) {
		rc = cli_print_json(c, o);
		o = NULL;
	} else {
		print_text(o);
	}
out:
	cJSON_Delete(o);
	record_free(r);
	book_close(b);
	return rc;
}

static const struct cmd_option show_opts[] = {
	CLI_OPT_JSON,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_show_entry = {
	.name = "show",
	.usage = "show ID [--json]",
	.help = "show one record",
	.options = show_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = "give exactly one record id",
	.too_many = "give exactly one record id",
	.run = show,
};
