/*
 * cmd_conflicts.c - fieldbook conflicts, fieldbook resolve.
 *
 * conflicts lists values that lost to a concurrent edit (nothing typed
 * is ever dropped); resolve decides one: keep the current value, take
 * the other, or give a new one.  The decision is a new edit that wins
 * over both and syncs like any other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "commands.h"

static enum fb_code conflicts(struct cmd_ctx *c)
{
	struct cli_flags fl;
	struct book *b = NULL;
	sqlite3_stmt *q = NULL;
	cJSON *arr = NULL;
	long n = 0;
	int s;
	enum fb_code rc;

	cli_flags(c, &fl);
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	rc = store_prepare(b->st,
		"SELECT c.id, c.record_id, c.type, c.field, c.kind, c.winner_value,"
		" c.winner_device, c.loser_value, c.loser_device, c.resolved,"
		" coalesce(json_extract(r.vals, '$.' || c.field), '')"
		" FROM conflict c LEFT JOIN record r ON r.id = c.record_id"
		" WHERE c.resolved = 0 OR ?1 ORDER BY c.id", &q, &c->err);
	if (rc != FB_OK)
		goto out;
	sqlite3_bind_int(q, 1, fl.all);
	if (fl.json && !(arr = cJSON_CreateArray())) {
		rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
		goto out;
	}
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		const char *t[11];
		int i;

		for (i = 0; i < 11; i++)
			t[i] = (const char *)sqlite3_column_text(q, i);
		n++;
		if (arr) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddItemToArray(arr, o);
			cJSON_AddNumberToObject(o, "id", sqlite3_column_int64(q, 0));
			cJSON_AddStringToObject(o, "record", t[1]);
			cJSON_AddStringToObject(o, "type", t[2]);
			cJSON_AddStringToObject(o, "field", t[3]);
			cJSON_AddStringToObject(o, "kind", t[4]);
			cJSON_AddStringToObject(o, "current", t[10]);
			cJSON_AddStringToObject(o, "kept", t[5]);
			cJSON_AddStringToObject(o, "kept_device", t[6]);
			cJSON_AddStringToObject(o, "other", t[7]);
			cJSON_AddStringToObject(o, "other_device", t[8]);
			cJSON_AddBoolToObject(o, "resolved", sqlite3_column_int(q, 9));
			continue;
		}
		if (!strcmp(t[4], "delete"))
			printf("#%s  %s %s: edited (%s = \"%s\", device %s) while deleted on device %s%s\n",
			       t[0], t[2], t[1], t[3], t[7], t[8], t[6],
			       sqlite3_column_int(q, 9) ? "  [resolved]" : "");
		else
			printf("#%s  %s %s, %s: current \"%s\"; other \"%s\" (device %s)%s\n",
			       t[0], t[2], t[1], t[3], t[10], t[7], t[8],
			       sqlite3_column_int(q, 9) ? "  [resolved]" : "");
	}
	if (s != SQLITE_DONE) {
		rc = store_fail(b->st, s, "reading conflicts", &c->err);
		goto out;
	}
	if (arr) {
		rc = cli_print_json(c, arr);
		arr = NULL;
	} else {
		printf("%ld conflict%s%s\n", n, n == 1 ? "" : "s",
		       n ? "; settle one with 'fieldbook resolve ID --keep current|other'" : "");
	}
out:
	cJSON_Delete(arr);
	sqlite3_finalize(q);
	book_close(b);
	return rc;
}

static enum fb_code resolve(struct cmd_ctx *c)
{
	struct book *b = NULL;
	sqlite3_stmt *q = NULL;
	const char *keep = cmd_get(c, "keep"), *value = cmd_get(c, "value");
	char *chosen = NULL, *end;
	long long id;
	int s;
	enum fb_code rc;

	if (!!keep == !!value)
		return cmd_usage(c, "give --keep current, --keep other or --value V");
	if (keep && strcmp(keep, "current") && strcmp(keep, "other"))
		return cmd_usage(c, "--keep is current or other");
	id = strtoll(c->argv[0][0] == '#' ? c->argv[0] + 1 : c->argv[0], &end, 10);
	if (*end || id <= 0)
		return fb_fail(&c->err, FB_EINVAL, "'%s' is not a conflict id", c->argv[0]);
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if (!value) {
		/* current: what the record holds now; other: what lost. */
		rc = store_prepare(b->st,
			"SELECT coalesce(json_extract(r.vals, '$.' || c.field), ''), c.loser_value"
			" FROM conflict c LEFT JOIN record r ON r.id = c.record_id WHERE c.id = ?1",
			&q, &c->err);
		if (rc != FB_OK)
			goto out;
		sqlite3_bind_int64(q, 1, id);
		s = sqlite3_step(q);
		if (s == SQLITE_ROW)
			chosen = strdup((const char *)sqlite3_column_text(q, strcmp(keep, "current") ? 1 : 0));
		else if (s == SQLITE_DONE)
			rc = fb_fail(&c->err, FB_ENOENT, "no conflict %lld", id);
		else
			rc = store_fail(b->st, s, "reading conflicts", &c->err);
		if (rc == FB_OK && !chosen)
			rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
		if (rc != FB_OK)
			goto out;
		value = chosen;
	}
	rc = book_resolve(b, id, value, &c->err);
	if (rc == FB_OK)
		printf("conflict %lld resolved\n", id);
out:
	free(chosen);
	sqlite3_finalize(q);
	book_close(b);
	return rc;
}

static const struct cmd_option conflicts_opts[] = {
	CLI_OPT_JSON,
	{ "all", 0, NULL, NULL, "include conflicts already resolved" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_conflicts_entry = {
	.name = "conflicts",
	.usage = "conflicts [--json] [--all]",
	.help = "values that lost to a concurrent edit",
	.options = conflicts_opts,
	.run = conflicts,
};

static const struct cmd_option resolve_opts[] = {
	{ "keep", 0, "current|other", NULL, "keep the value the record holds, or the one that lost" },
	{ "value", 0, "V", NULL, "set a new value instead" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_resolve_entry = {
	.name = "resolve",
	.usage = "resolve CONFLICT_ID (--keep current|other | --value V)",
	.help = "settle a conflict with an edit that wins over both",
	.options = resolve_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = "give one conflict id (see 'fieldbook conflicts')",
	.too_many = "give one conflict id (see 'fieldbook conflicts')",
	.run = resolve,
};
