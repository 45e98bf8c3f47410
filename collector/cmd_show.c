/* cmd_show.c - fieldbook show ID [--json]: one record, every field. */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "commands.h"
#include "recjson.h"
#include "text.h"

/* The attendees of a training, or the trainings of a member. */
static enum fb_code add_links(struct book *b, const struct record *r,
			      cJSON *o, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	const char *key = r->type == REC_TRAINING ? "training_id" : "member_id";
	const char *other = r->type == REC_TRAINING ? "member_id" : "training_id";
	cJSON *arr;
	char sql[384];
	enum fb_code rc;
	int s;

	if (r->type != REC_TRAINING && r->type != REC_MEMBER)
		return FB_OK;
	arr = cJSON_AddArrayToObject(o, r->type == REC_TRAINING ? "attendees"
							      : "trainings");
	if (!arr)
		return fb_fail(err, FB_ENOMEM, "out of memory");
	/* Only people and courses that are not deleted, as the report counts. */
	snprintf(sql, sizeof(sql),
		 "SELECT json_extract(a.vals, '$.%s') FROM record a"
		 " JOIN record o ON o.id = json_extract(a.vals, '$.%s') AND o.deleted = 0"
		 " WHERE a.type = 'attendance' AND a.deleted = 0"
		 " AND json_extract(a.vals, '$.%s') = ?1 ORDER BY a.id", other, other, key);
	if ((rc = store_prepare(b->st, sql, &q, err)) != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, r->id, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(q)) == SQLITE_ROW)
		cJSON_AddItemToArray(arr, cJSON_CreateString(
			(const char *)sqlite3_column_text(q, 0)));
	if (s != SQLITE_DONE)
		rc = store_fail(b->st, s, "reading attendance", err);
	sqlite3_finalize(q);
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
