/* cmd_status.c - fieldbook status: branch, device, counts, what is unsent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "autosync.h"
#include "book_view.h"
#include "commands.h"
#include "i18n.h"

/* The book's forks (book_each_fork): the last, how many, and for
 * --json all of them. */
struct forks {
	struct book_fork_note last;
	int count;
	cJSON *list;            /* NULL: not wanted */
};

static enum fb_code note_fork(const struct book_fork_note *f, void *ctx)
{
	struct forks *fk = ctx;

	fk->last = *f;
	fk->count++;
	if (fk->list) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "old_device", f->old_device);
		cJSON_AddStringToObject(o, "new_device", f->new_device);
		cJSON_AddNumberToObject(o, "from", (double)f->from);
		cJSON_AddNumberToObject(o, "moved", (double)f->moved);
		cJSON_AddItemToArray(fk->list, o);
	}
	return FB_OK;
}

/*
 * The last sync as people read it: meta last_sync is UTC ISO 8601
 * ("2026-04-30T07:05:09Z", as --json gives it); the text shows it in
 * local time (fb_when).  Anything else is shown as it is.
 */
static const char *sync_when(const char *iso, char out[FB_WHEN_MAX])
{
	struct tm tm;
	int used = 0;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(iso, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &used) != 6 || used == 0 || iso[used])
		return iso;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return iso;
	fb_when((int64_t)t * 1000, out);
	return out;
}

static enum fb_code status(struct cmd_ctx *c)
{
	char when[FB_WHEN_MAX];
	struct book_status st;
	struct cli_flags fl;
	struct forks fk;
	struct book *b = NULL;
	const char *name, *remote, *last_sync;
	int i;
	enum fb_code rc;

	cli_flags(c, &fl);
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if ((rc = book_status(b, &st, &c->err)) != FB_OK)
		goto out;
	memset(&fk, 0, sizeof(fk));
	if (fl.json)
		fk.list = cJSON_CreateArray();
	if ((rc = book_each_fork(b, note_fork, &fk, &c->err)) != FB_OK) {
		cJSON_Delete(fk.list);
		goto release;
	}
	name = st.branch_name ? st.branch_name : "";
	remote = st.remote;
	last_sync = st.last_sync;
	if (fl.json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "database", c->db_path);
		cJSON_AddStringToObject(o, "branch", book_branch(b));
		cJSON_AddStringToObject(o, "branch_name", name);
		cJSON_AddStringToObject(o, "device", book_device(b));
		cJSON_AddItemToObject(o, "forks", fk.list);
		for (i = 0; i < REC_NTYPES; i++) {
			char key[32];

			snprintf(key, sizeof(key), "%ss", model_type((enum rec_type)i)->name);
			cJSON_AddNumberToObject(o, key, (double)st.live[i]);
		}
		cJSON_AddNumberToObject(o, "journal_entries", (double)st.entries);
		cJSON_AddNumberToObject(o, "pending_entries", (double)(st.entries - st.acked));
		cJSON_AddNumberToObject(o, "conflicts", (double)st.conflicts);
		cJSON_AddNumberToObject(o, "rejected_entries", (double)st.rejected);
		cJSON_AddStringToObject(o, "remote", remote ? remote : "");
		cJSON_AddStringToObject(o, "last_sync", last_sync ? last_sync : "");
		if ((rc = autosync_describe(c, b, NULL, o)) == FB_OK)
			rc = cli_print_json(c, o);
		else
			cJSON_Delete(o);
	} else {
		printf(_("database:  %s\n"), c->db_path);
		printf(_("branch:    %s%s%s\n"), book_branch(b), *name ? "  " : "", name);
		printf(_("device:    %s\n"), book_device(b));
		if (fk.count) {
			printf(_("forked:    a restore or copy; device %s went on as new device %s"
			         " (%llu changes moved"), fk.last.old_device,
			       fk.last.new_device, (unsigned long long)fk.last.moved);
			if (fk.count > 1)
				printf(_("; %d times in all"), fk.count);
			printf(")\n");
		}
		printf(_("records:   %lld members, %lld trainings, %lld attendances, %lld visits\n"),
		       st.live[REC_MEMBER], st.live[REC_TRAINING], st.live[REC_ATTENDANCE],
		       st.live[REC_VISIT]);
		printf(_("journal:   %lld entries, %lld not yet sent\n"), st.entries,
		       st.entries - st.acked);
		printf(_("hub:       %s\n"), remote ? remote
					      : _("none (fieldbook remote set URL --token-file F)"));
		printf(_("last sync: %s\n"), last_sync ? sync_when(last_sync, when) : _("never"));
		printf(_("conflicts: %lld%s\n"), st.conflicts,
		       st.conflicts ? _(" (fieldbook conflicts)") : "");
		if (st.rejected)
			printf(_("rejected:  %lld entries set aside by the hub (fieldbook-hub rejected)\n"),
			       st.rejected);
		if (remote) {
			struct fb_buf lines = FB_BUF_INIT(0);

			if ((rc = autosync_describe(c, b, &lines, NULL)) == FB_OK)
				fputs(buf_str(&lines), stdout);
			buf_release(&lines);
		}
	}
release:
	book_status_release(&st);
out:
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
	.help = N_("branch, device, counts, changes not yet sent, last sync"),
	.options = status_opts,
	.run = status,
};
