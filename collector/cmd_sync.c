/*
 * cmd_sync.c - fieldbook remote set, fieldbook sync.
 *
 * remote set stores the hub's URL, the token (read from a file that only
 * its owner may read, or from standard input with --token -; never from
 * the command line or the URL) and an optional CA file for a hub with a
 * private certificate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "i18n.h"
#include "remote.h"
#include "commands.h"
#include "meter.h"
#include "token.h"

static enum fb_code remote_set(struct cmd_ctx *c)
{
	enum fb_code rc = remote_set_from(c, cli_open, &c->err);

	if (rc == FB_OK)
		printf(_("hub set: %s\n"), c->argv[0]);
	return rc;
}

static enum fb_code sync(struct cmd_ctx *c)
{
	struct progress_sink sink;
	struct sync_stats st;
	struct meter m;
	struct book *b = NULL;
	int push_only = cmd_has(c, "push-only"), pull_only = cmd_has(c, "pull-only"), what;
	enum fb_code rc;

	if (push_only && pull_only)
		return cmd_usage(c, _("--push-only and --pull-only exclude each other"));
	what = push_only ? SYNC_PUSH : pull_only ? SYNC_PULL : SYNC_PUSH | SYNC_PULL;
	if ((rc = cli_open_quiet(c, &b)) != FB_OK)
		return rc;
	sink = meter_init(&m, cmd_has(c, "quiet"));
	rc = sync_run_progress(b, what, &sink, &st, &c->err);
	meter_end(&m);
	if (st.redated)
		fprintf(stderr, _("fieldbook: %zu changes saved while this laptop's clock ran"
			  " fast were dated again to the right time and sent; nothing is lost\n"),
			st.redated);
	/* What changed in the history is said even when a later step failed. */
	if (st.forked)
		fprintf(stderr, _("fieldbook: this database was restored from an older copy,"
			  " or copied to another laptop: the hub holds other entries under"
			  " device %s.  It goes on as new device %s (%zu changes moved);"
			  " nothing is lost\n"), st.fork_old, st.fork_new, st.moved);
	if (st.resent)
		fprintf(stderr, _("fieldbook: the hub had lost %llu entries it once held"
			  " (restored from a backup?); they are sent again\n"),
			(unsigned long long)st.resent);
	if (st.relayed)
		fprintf(stderr, _("fieldbook: the hub had lost %zu changes of %zu other"
			  " devices that this laptop holds; they were sent back to it\n"),
			st.relayed, st.relay_devices);
	/* What this sync saw of the hub's clock, every other command too. */
	if (st.clock_known)
		cli_warn_clock(st.clock_ahead_ms);
	if (rc == FB_OK) {
		printf(_("synced: %zu changes sent, %zu received"), st.pushed, st.pulled);
		if (st.rejected)
			printf(_(", %zu set aside by the hub (see 'fieldbook status')"), st.rejected);
		printf(_("; %zu requests, %zu bytes sent, %zu received\n"), st.requests,
		       st.bytes_sent, st.bytes_received);
	}
	book_close(b);
	return rc;
}


const struct cmd_entry cmd_remote_set_entry = {
	.name = "remote set",
	.usage = "remote set URL (--token-file FILE | --token -) [--cacert FILE]",
	.help = N_("set the hub this laptop syncs with"),
	.options = remote_options,
	.args_min = 1,
	.args_max = 1,
	.too_few = N_("give the hub's URL"),
	.too_many = N_("give the hub's URL"),
	.run = remote_set,
};

static const struct cmd_option sync_opts[] = {
	{ "push-only", 0, NULL, NULL, N_("only send this laptop's changes") },
	{ "pull-only", 0, NULL, NULL, N_("only fetch others' changes") },
	CLI_OPT_QUIET,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_sync_entry = {
	.name = "sync",
	.usage = "sync [--push-only | --pull-only] [--quiet]",
	.help = N_("send unsent changes to the hub and fetch others'"),
	.options = sync_opts,
	.run = sync,
};
