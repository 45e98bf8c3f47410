/*
 * cmd_conflicts.c - fieldbook conflicts, fieldbook resolve.
 *
 * conflicts lists values that lost to a concurrent edit (nothing typed
 * is ever dropped); resolve decides one: keep the current value, take
 * the other, or give a new one.  The decision is a new edit that wins
 * over both and syncs like any other.
 *
 * The text names the record as a person knows it (book_find.h) and the
 * laptops by "this laptop" or "laptop" and the first digits of their
 * device id: the collector does not know the names the hub enrolled
 * them under (docs/COMMANDS.md).  --json keeps the ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "commands.h"
#include "conflict_id.h"
#include "i18n.h"
#include "label.h"

struct conflicts_out {
	cJSON *arr;             /* --json: the objects; else NULL */
	int all;                /* --all: resolved and inherited ones too */
	long n;
	long inherited;         /* open ones left out: not this laptop's */
	struct book *b;
	const struct book_names *names;
};

#define LAPTOP_ID_SHOWN 8       /* hex digits of another laptop's device id */

/* "this laptop", or "laptop 5c1e9a0b" for another's device id. */
static const char *laptop(struct conflicts_out *x, const char *device, char *out, size_t n)
{
	if (!strcmp(device, book_device(x->b)))
		return _("this laptop");
	snprintf(out, n, _("laptop %.*s"), LAPTOP_ID_SHOWN, device);
	return out;
}

/* One conflict, as a JSON object in the array or a line on stdout. */
static enum fb_code conflict_out(const struct book_conflict *k, void *ctx)
{
	struct conflicts_out *x = ctx;
	const char *mark = k->resolved ? _("  [resolved]")
			 : k->inherited ? _("  [between other laptops, from before this one]") : "";
	char won[64], lost[64], id[CONFLICT_ID_SHOWN + 1];
	enum rec_type rt;
	const struct type_def *t;
	cJSON *o;

	if (!x->all && (k->resolved || k->inherited)) {
		x->inherited += !k->resolved;
		return FB_OK;
	}
	x->n++;
	snprintf(id, sizeof(id), "%s", k->id);
	if (!x->arr) {
		t = model_type_named(k->type);
		rt = t ? t->type : REC_NTYPES;
		printf("#%s  %s", id, cli_describe(x->names, k->record, rt));
		if (!strcmp(k->kind, "delete"))
			printf(_(": edited (%s = \"%s\", %s) while deleted on %s%s\n"),
			       label_field(k->field), cli_shown(rt, k->field, k->loser_value),
			       laptop(x, k->loser_device, lost, sizeof(lost)),
			       laptop(x, k->winner_device, won, sizeof(won)), mark);
		else
			printf(_(", %s: current \"%s\"; other \"%s\" (%s)%s\n"),
			       label_field(k->field), cli_shown(rt, k->field, k->current),
			       cli_shown(rt, k->field, k->loser_value),
			       laptop(x, k->loser_device, lost, sizeof(lost)), mark);
		return FB_OK;
	}
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddItemToArray(x->arr, o) ||
	    !cJSON_AddStringToObject(o, "id", id) ||
	    !cJSON_AddStringToObject(o, "record", k->record) ||
	    !cJSON_AddStringToObject(o, "type", k->type) ||
	    !cJSON_AddStringToObject(o, "field", k->field) ||
	    !cJSON_AddStringToObject(o, "kind", k->kind) ||
	    !cJSON_AddStringToObject(o, "current", k->current) ||
	    !cJSON_AddStringToObject(o, "kept", k->winner_value) ||
	    !cJSON_AddStringToObject(o, "kept_device", k->winner_device) ||
	    !cJSON_AddStringToObject(o, "other", k->loser_value) ||
	    !cJSON_AddStringToObject(o, "other_device", k->loser_device) ||
	    !cJSON_AddBoolToObject(o, "resolved", k->resolved) ||
	    !cJSON_AddBoolToObject(o, "inherited", k->inherited))
		return FB_ENOMEM;
	return FB_OK;
}

static enum fb_code conflicts(struct cmd_ctx *c)
{
	struct conflicts_out x = { NULL, 0, 0, 0, NULL, NULL };
	struct book_names *names = NULL;
	struct cli_flags fl;
	struct book *b = NULL;
	enum fb_code rc;

	cli_flags(c, &fl);
	x.all = fl.all;
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if (!fl.json && (rc = cli_names(c, b, &names)) != FB_OK)
		goto out;
	x.b = b;
	x.names = names;
	if (fl.json && !(x.arr = cJSON_CreateArray())) {
		rc = fb_fail(&c->err, FB_ENOMEM, _("out of memory"));
		goto out;
	}
	rc = book_each_conflict(b, 1, conflict_out, &x, &c->err);
	if (rc != FB_OK) {
		if (!c->err.msg[0])
			fb_fail(&c->err, rc, _("conflicts: %s"), fb_strerror(rc));
		goto out;
	}
	if (x.arr) {
		rc = cli_print_json(c, x.arr);
		x.arr = NULL;
	} else {
		printf(ngettext("%ld conflict%s\n", "%ld conflicts%s\n", (unsigned long)x.n), x.n,
		       x.n ? _("; settle one with 'fieldbook resolve ID --keep current|other'") : "");
		if (x.inherited)
			printf(_("%ld more between other laptops, from before this one first synced,"
			         " are theirs to settle ('fieldbook conflicts --all' lists them)\n"),
			       x.inherited);
	}
out:
	cJSON_Delete(x.arr);
	book_names_close(names);
	book_close(b);
	return rc;
}

static enum fb_code resolve(struct cmd_ctx *c)
{
	struct book *b = NULL;
	const char *keep = cmd_get(c, "keep"), *value = cmd_get(c, "value");
	char prefix[CONFLICT_ID_LEN + 1];
	long long row = 0;
	enum fb_code rc;

	if (!!keep == !!value)
		return cmd_usage(c, _("give --keep current, --keep other or --value V"));
	if (keep && strcmp(keep, "current") && strcmp(keep, "other"))
		return cmd_usage(c, _("--keep is current or other"));
	if (!conflict_id_prefix(c->argv[0], prefix))
		return fb_fail(&c->err, FB_EINVAL, _("'%s' is not a conflict id (see"
			         " 'fieldbook conflicts')"), c->argv[0]);
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	/* current: what the record holds now (for an edit that met a
	 * delete, the delete); other: what lost. */
	if ((rc = book_conflict_find(b, c->argv[0], &row, &c->err)) == FB_OK)
		rc = value ? book_resolve(b, row, value, &c->err)
			   : book_resolve_keep(b, row, !strcmp(keep, "current"), &c->err);
	if (rc == FB_OK)
		printf(_("conflict #%s resolved\n"), prefix);
	book_close(b);
	return rc;
}

static const struct cmd_option conflicts_opts[] = {
	CLI_OPT_JSON,
	{ "all", 0, NULL, NULL, N_("include conflicts already resolved") },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_conflicts_entry = {
	.name = "conflicts",
	.usage = "conflicts [--json] [--all]",
	.help = N_("values that lost to a concurrent edit"),
	.options = conflicts_opts,
	.run = conflicts,
};

static const struct cmd_option resolve_opts[] = {
	{ "keep", 0, "current|other", NULL, N_("keep the value the record holds, or the one that lost") },
	{ "value", 0, "V", NULL, N_("set a new value instead") },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_resolve_entry = {
	.name = "resolve",
	.usage = "resolve CONFLICT_ID (--keep current|other | --value V)",
	.help = N_("settle a conflict with an edit that wins over both"),
	.options = resolve_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = N_("give one conflict id (see 'fieldbook conflicts')"),
	.too_many = N_("give one conflict id (see 'fieldbook conflicts')"),
	.run = resolve,
};
