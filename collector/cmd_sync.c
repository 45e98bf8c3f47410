/*
 * cmd_sync.c - fieldbook remote set, fieldbook sync.
 *
 * remote set stores the hub's URL, the token (read from a file that only
 * its owner may read, or from standard input with --token -; never from
 * the command line or the URL) and an optional CA file for a hub with a
 * private certificate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autosync.h"
#include "client.h"
#include "i18n.h"
#include "remote.h"
#include "commands.h"
#include "meter.h"
#include "token.h"

/* The laptop's book as the end remote_set_from() sets up. */
static enum fb_code cli_open_local(struct cmd_ctx *c, struct sync_local *out)
{
	struct book *b = NULL;
	enum fb_code rc = cli_open(c, &b);

	if (rc == FB_OK)
		sync_local_of_book(b, out);
	return rc;
}

static enum fb_code remote_set(struct cmd_ctx *c)
{
	enum fb_code rc = remote_set_from(c, cli_open_local, &c->err);

	if (rc == FB_OK)
		printf(_("hub set: %s\n"), c->argv[0]);
	return rc;
}

void sync_say_notices(const struct sync_stats *st)
{
	if (st->redated)
		fprintf(stderr, _("fieldbook: %zu changes saved while this laptop's clock ran"
			  " fast were dated again to the right time and sent; nothing is lost\n"),
			st->redated);
	/* What changed in the history is said even when a later step failed. */
	if (st->forked)
		fprintf(stderr, _("fieldbook: this database was restored from an older copy,"
			  " or copied to another laptop: the hub holds other entries under"
			  " device %s.  It goes on as new device %s (%zu changes moved);"
			  " nothing is lost\n"), st->fork_old, st->fork_new, st->moved);
	if (st->resent)
		fprintf(stderr, _("fieldbook: the hub had lost %llu entries it once held"
			  " (restored from a backup?); they are sent again\n"),
			(unsigned long long)st->resent);
	if (st->relayed)
		fprintf(stderr, _("fieldbook: the hub had lost %zu changes of %zu other"
			  " devices that this laptop holds; they were sent back to it\n"),
			st->relayed, st->relay_devices);
	/* What this sync saw of the hub's clock, every other command too. */
	if (st->clock_known)
		cli_warn_clock(st->clock_ahead_ms);
}

static enum fb_code sync_cmd(struct cmd_ctx *c)
{
	struct progress_sink sink;
	struct sync_stats st;
	struct meter m;
	int push_only = cmd_has(c, "push-only"), pull_only = cmd_has(c, "pull-only"), what;
	int log = cmd_has(c, "log");
	const char *every = cmd_get(c, "every"), *seed_s = cmd_get(c, "seed");
	unsigned long long seed = 0;
	unsigned period = 0;
	enum fb_code rc;

	if (push_only && pull_only)
		return cmd_usage(c, _("--push-only and --pull-only exclude each other"));
	what = push_only ? SYNC_PUSH : pull_only ? SYNC_PULL : SYNC_PUSH | SYNC_PULL;
	if (every && !(period = fb_duration_parse(every)))
		return cmd_usage(c, _("--every takes a duration such as 90s, 15m or 1h"
				      " (1 s to a day), not '%s'"), every);
	if (seed_s) {
		char *end;

		errno = 0;
		seed = strtoull(seed_s, &end, 10);
		if (errno || end == seed_s || *end || !seed)
			return cmd_usage(c, _("--seed takes a whole number above 0, not '%s'"),
					 seed_s);
		if (!every)
			return cmd_usage(c, _("--seed goes with --every"));
	}
	if (every)
		return sync_every(c, what, period, seed);
	sink = meter_init(&m, cmd_has(c, "quiet") || log);
	rc = sync_attempt(c, what, &sink, &st, NULL, NULL);
	meter_end(&m);
	sync_say_notices(&st);
	if (log)
		sync_log_attempt(rc, &st, c->err.msg, NULL);
	else if (rc == FB_OK) {
		printf(_("synced: %zu changes sent, %zu received"), st.pushed, st.pulled);
		if (st.rejected)
			printf(_(", %zu set aside by the hub (see 'fieldbook status')"), st.rejected);
		printf(_("; %zu requests, %zu bytes sent, %zu received\n"), st.requests,
		       st.bytes_sent, st.bytes_received);
	}
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
	{ "every", 0, "DURATION", NULL, N_("sync again every DURATION (90s, 15m, 1h) until"
	  " stopped; after a failure try again sooner, backing off") },
	{ "seed", 0, "N", NULL, N_("with --every: draw the backoff's jitter from N (tests)") },
	{ "log", 0, NULL, NULL, N_("print one log line for the attempt on stderr, as --every"
	  " does (for services)") },
	CLI_OPT_QUIET,
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry cmd_sync_entry = {
	.name = "sync",
	.usage = "sync [--push-only | --pull-only] [--every DURATION [--seed N]] [--log] [--quiet]",
	.help = N_("send unsent changes to the hub and fetch others'"),
	.options = sync_opts,
	.run = sync_cmd,
};
