/*
 * cmd_log.c - fieldbook log [RECORD]: the history of changes, from the
 * journal; RECORD as every command takes one (book_find.h).
 */
#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "commands.h"
#include "i18n.h"
#include "label.h"
#include "journal.h"
#include "seen.h"

struct log_out {
	cJSON *arr;             /* --json: the entries; else NULL */
	struct fb_buf *out;     /* the text */
};

/*
 * The entries of one journal row, as JSON objects or lines of text: the
 * text in local time (fb_when), JSON in UTC as it always was.  A
 * delete's seen vector is no field of the record: the text says only
 * how many fields the delete saw; JSON keeps the entry as the journal
 * holds it, marked "internal".
 */
static enum fb_code log_row(const struct jchange *c, void *ctx)
{
	struct log_out *x = ctx;
	cJSON *arr = x->arr;
	const struct type_def *t;
	char when[HLC_HUMAN_MAX], local[FB_WHEN_MAX], base[STAMP_TEXT_MAX];
	char hex[FB_HLC_HEX_LEN + 1];
	enum fb_code rc = FB_OK;
	size_t i;

	t = model_type(c->type);
	hlc_human(c->hlc, when);
	fb_when((int64_t)HLC_MS(c->hlc), local);
	hlc_format(c->hlc, hex);
	for (i = 0; i < c->n && rc == FB_OK; i++) {
		const char *dev = c->device, *rec = c->record_id;
		const struct field_def *f = model_field(t, c->e[i].field);
		int internal = f && f->internal;

		if (arr) {
			cJSON *o = cJSON_CreateObject();

			stamp_format(&c->e[i].base, base);
			if (!o || !cJSON_AddItemToArray(arr, o) ||
			    !cJSON_AddStringToObject(o, "device", dev) ||
			    !cJSON_AddNumberToObject(o, "seq", (double)(c->seq + i)) ||
			    !cJSON_AddStringToObject(o, "hlc", hex) ||
			    !cJSON_AddStringToObject(o, "time", when) ||
			    !cJSON_AddStringToObject(o, "id", rec) ||
			    !cJSON_AddStringToObject(o, "type", t->name) ||
			    !cJSON_AddStringToObject(o, "field", c->e[i].field) ||
			    !cJSON_AddStringToObject(o, "value", c->e[i].value) ||
			    !cJSON_AddStringToObject(o, "base", base) ||
			    (internal && !cJSON_AddBoolToObject(o, "internal", 1)))
				rc = FB_ENOMEM;
		} else if (internal) {
			char saw[64];

			snprintf(saw, sizeof(saw), ngettext("(delete saw %zu field)",
							    "(delete saw %zu fields)",
							    seen_count(c->e[i].value)),
				 seen_count(c->e[i].value));
			rc = buf_printf(x->out, "%s  %s #%llu  %s %s  %s\n",
					local, dev, (unsigned long long)(c->seq + i),
					label_type(c->type), rec, saw);
		} else {
			rc = buf_printf(x->out, "%s  %s #%llu  %s %s  %s = %s\n",
					local, dev, (unsigned long long)(c->seq + i),
					label_type(c->type), rec, label_field(c->e[i].field),
					cli_shown(c->type, c->e[i].field, c->e[i].value));
		}
	}
	return rc;
}

static enum fb_code log_cmd(struct cmd_ctx *c)
{
	struct fb_buf out = FB_BUF_INIT(0);
	struct log_out x = { NULL, &out };
	char found[FB_RECORD_ID_MAX + 1];
	struct cli_flags fl;
	struct book *b = NULL;
	const char *id = NULL;
	enum fb_code rc;

	cli_flags(c, &fl);
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if (c->argc) {
		struct book_names *names = NULL;
		struct record *r = NULL;

		rc = cli_names(c, b, &names);
		if (rc == FB_OK)
			rc = cli_find(c, names, c->argv[0], BOOK_FIND_ANY, found);
		book_names_close(names);
		if (rc == FB_OK && (rc = book_get(b, found, &r, &c->err)) == FB_OK)
			id = found;
		record_free(r);
		if (rc != FB_OK)
			goto out;
	}
	if (fl.json && !(x.arr = cJSON_CreateArray())) {
		rc = fb_fail(&c->err, FB_ENOMEM, _("out of memory"));
		goto out;
	}
	rc = book_each_change(b, id, log_row, &x, &c->err);
	if (rc != FB_OK) {
		if (!c->err.msg[0])
			fb_fail(&c->err, rc, _("journal: %s"), fb_strerror(rc));
		goto out;
	}
	if (x.arr) {
		rc = cli_print_json(c, x.arr);
		x.arr = NULL;
	} else {
		rc = cli_write(c, NULL, &out);
	}
out:
	cJSON_Delete(x.arr);
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
	.usage = "log [RECORD] [--json]",
	.help = N_("history of changes from the journal"),
	.options = log_opts,
	.args_max = 1,
	.too_many = N_("give at most one record"),
	.run = log_cmd,
};
