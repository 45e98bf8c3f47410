/* cmd_status.c - fieldbook status: branch, device, counts, what is unsent. */
#include <stdio.h>
#include <stdlib.h>
#include <cjson/cJSON.h>

#include "commands.h"

/* One integer from a query with an optional text parameter. */
static enum fb_code count(struct book *b, const char *sql, const char *param,
			  long long *out, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = store_prepare(b->st, sql, &q, err);
	int s;

	*out = 0;
	if (rc != FB_OK)
		return rc;
	if (param)
		sqlite3_bind_text(q, 1, param, -1, SQLITE_STATIC);
	s = sqlite3_step(q);
	if (s == SQLITE_ROW)
		*out = sqlite3_column_int64(q, 0);
	else
		rc = store_fail(b->st, s, "counting", err);
	sqlite3_finalize(q);
	return rc;
}

static enum fb_code status(struct cmd_ctx *c)
{
	static const char *const types[] = { "member", "training", "attendance", "visit" };
	long long n[4], entries = 0, acked = 0, conflicts = 0, rejected = 0;
	char *remote = NULL, *last_sync = NULL;
	struct cli_flags fl;
	struct book *b = NULL;
	char *name = NULL;
	int i;
	enum fb_code rc;

	cli_flags(c, &fl);
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	for (i = 0; i < 4 && rc == FB_OK; i++)
		rc = count(b, "SELECT count(*) FROM record WHERE type = ?1 AND deleted = 0",
			   types[i], &n[i], &c->err);
	if (rc == FB_OK)
		rc = count(b, "SELECT coalesce(max(seq + n - 1), 0) FROM journal WHERE device = ?1",
			   b->device, &entries, &c->err);
	if (rc == FB_OK)
		rc = store_meta_int(b->st, "acked_seq", 0, &acked, &c->err);
	if (rc == FB_OK)
		rc = count(b, "SELECT count(*) FROM conflict WHERE resolved = 0", NULL,
			   &conflicts, &c->err);
	if (rc == FB_OK)
		rc = store_meta_get(b->st, "branch_name", &name, &c->err);
	if (rc == FB_OK)
		rc = store_meta_get(b->st, "remote_url", &remote, &c->err);
	if (rc == FB_OK)
		rc = store_meta_get(b->st, "last_sync", &last_sync, &c->err);
	/* The table exists once a hub has set an entry aside. */
	if (rc == FB_OK && count(b, "SELECT count(*) FROM sqlite_master WHERE name = 'sync_rejected'",
				 NULL, &rejected, &c->err) == FB_OK && rejected)
		rc = count(b, "SELECT count(*) FROM sync_rejected", NULL, &rejected, &c->err);
	if (rc != FB_OK)
		goto out;
	if (fl.json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "database", c->db_path);
		cJSON_AddStringToObject(o, "branch", b->branch);
		cJSON_AddStringToObject(o, "branch_name", name ? name : "");
		cJSON_AddStringToObject(o, "device", b->device);
		for (i = 0; i < 4; i++) {
			char key[32];

			snprintf(key, sizeof(key), "%ss", types[i]);
			cJSON_AddNumberToObject(o, key, (double)n[i]);
		}
		cJSON_AddNumberToObject(o, "journal_entries", (double)entries);
		cJSON_AddNumberToObject(o, "pending_entries", (double)(entries - acked));
		cJSON_AddNumberToObject(o, "conflicts", (double)conflicts);
		cJSON_AddNumberToObject(o, "rejected_entries", (double)rejected);
		cJSON_AddStringToObject(o, "remote", remote ? remote : "");
		cJSON_AddStringToObject(o, "last_sync", last_sync ? last_sync : "");
		rc = cli_print_json(c, o);
	} else {
		printf("database:  %s\n", c->db_path);
		printf("branch:    %s%s%s\n", b->branch, name && *name ? "  " : "",
		       name ? name : "");
		printf("device:    %s\n", b->device);
		printf("records:   %lld members, %lld trainings, %lld attendances, %lld visits\n",
		       n[0], n[1], n[2], n[3]);
		printf("journal:   %lld entries, %lld not yet sent\n", entries, entries - acked);
		printf("hub:       %s\n", remote ? remote : "none (fieldbook remote set URL --token-file F)");
		printf("last sync: %s\n", last_sync ? last_sync : "never");
		printf("conflicts: %lld%s\n", conflicts,
		       conflicts ? " (fieldbook conflicts)" : "");
		if (rejected)
			printf("rejected:  %lld entries set aside by the hub (fieldbook-hub rejected)\n",
			       rejected);
	}
out:
	free(remote);
	free(last_sync);
	free(name);
	book_close(b);
	return rc;
}

static const struct cmd_option status_opts[] = {
	CLI_OPT_JSON,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "status [--json]",
	.help = "branch, device, counts, changes not yet sent, last sync",
	.options = status_opts,
	.run = status,
};
