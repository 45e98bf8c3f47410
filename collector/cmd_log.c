/* cmd_log.c - fieldbook log [ID]: the history of changes, from the journal. */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "commands.h"
#include "journal.h"

static enum fb_code log_row(sqlite3_stmt *q, int json, cJSON *arr,
			    struct fb_buf *out, struct fb_error *err)
{
	struct jchange c;
	const struct type_def *t;
	char when[32], base[STAMP_TEXT_MAX], hex[FB_HLC_HEX_LEN + 1];
	enum fb_code rc = book_journal_row(q, 0, &c, err);
	size_t i;

	if (rc != FB_OK) {
		jchange_release(&c);
		return rc;
	}
	t = model_type(c.type);
	hlc_human(c.hlc, when);
	hlc_format(c.hlc, hex);
	for (i = 0; i < c.n && rc == FB_OK; i++) {
		const char *dev = c.device, *rec = c.record_id;

		if (json) {
			cJSON *o = cJSON_CreateObject();

			stamp_format(&c.e[i].base, base);
			if (!o || !cJSON_AddItemToArray(arr, o) ||
			    !cJSON_AddStringToObject(o, "device", dev) ||
			    !cJSON_AddNumberToObject(o, "seq", (double)(c.seq + i)) ||
			    !cJSON_AddStringToObject(o, "hlc", hex) ||
			    !cJSON_AddStringToObject(o, "time", when) ||
			    !cJSON_AddStringToObject(o, "id", rec) ||
			    !cJSON_AddStringToObject(o, "type", t->name) ||
			    !cJSON_AddStringToObject(o, "field", c.e[i].field) ||
			    !cJSON_AddStringToObject(o, "value", c.e[i].value) ||
			    !cJSON_AddStringToObject(o, "base", base))
				rc = FB_ENOMEM;
		} else {
			rc = buf_printf(out, "%s UTC  %s #%llu  %s %s  %s = %s\n",
					when, dev, (unsigned long long)(c.seq + i),
					t->name, rec, c.e[i].field, c.e[i].value);
		}
	}
	jchange_release(&c);
	return rc == FB_OK ? rc : fb_fail(err, rc, "journal: %s", fb_strerror(rc));
}

static enum fb_code log_cmd(struct cmd_ctx *c)
{
	struct fb_buf out = FB_BUF_INIT(0);
	struct cli_flags fl;
	struct book *b = NULL;
	sqlite3_stmt *q = NULL;
	cJSON *arr = NULL;
	const char *id;
	int s;
	enum fb_code rc;

	cli_flags(c, &fl);
	id = c->argc ? c->argv[0] : NULL;
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if (id) {
		struct record *r = NULL;

		if ((rc = book_get(b, id, &r, &c->err)) != FB_OK)
			goto out;
		record_free(r);
	}
	rc = store_prepare(b->st,
			   "SELECT " BOOK_JOURNAL_COLUMNS " FROM journal"
			   " WHERE ?1 IS NULL OR record_id = ?1 ORDER BY cseq", &q, &c->err);
	if (rc != FB_OK)
		goto out;
	if (id)
		sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
	if (fl.json && !(arr = cJSON_CreateArray())) {
		rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
		goto out;
	}
	while ((s = sqlite3_step(q)) == SQLITE_ROW)
		if ((rc = log_row(q, fl.json, arr, &out, &c->err)) != FB_OK)
			goto out;
	if (s != SQLITE_DONE) {
		rc = store_fail(b->st, s, "reading journal", &c->err);
		goto out;
	}
	if (fl.json) {
		rc = cli_print_json(c, arr);
		arr = NULL;
	} else {
		rc = cli_write(c, NULL, &out);
	}
out:
	cJSON_Delete(arr);
	sqlite3_finalize(q);
	buf_release(&out);
	book_close(b);
	return rc;
}

static const struct cmd_option log_opts[] = {
	CLI_OPT_JSON,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_log_entry = {
	.name = "log",
	.usage = "log [ID] [--json]",
	.help = "history of changes from the journal",
	.options = log_opts,
	.args_max = 1,
	.too_many = "give at most one record id",
	.run = log_cmd,
};
