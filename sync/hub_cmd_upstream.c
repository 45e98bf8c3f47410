/*
 * hub_cmd_upstream.c - fieldbook-hub upstream set, fieldbook-hub sync:
 * a hub as a client of the hub above it (docs/PROTOCOL.md §13.6).
 *
 * The hub's database is a book like a laptop's, and its relay is a
 * laptop's sync (sync/client.c) in the mode SYNC_RELAY_ALL: it writes no
 * changes of its own, sends up every other device's changes that the
 * upstream is not known to hold, and pulls what the upstream holds for
 * its unit.
 */
#include <stdio.h>

#include "client.h"
#include "hub_cmd.h"
#include "remote.h"

static enum fb_code upstream_set(struct cmd_ctx *c)
{
	enum fb_code rc = remote_set_from(c, hub_open, &c->err);

	if (rc == FB_OK)
		printf("upstream set: %s\n", c->argv[0]);
	return rc;
}

const struct cmd_entry hub_upstream_set_entry = {
	.name = "upstream set",
	.usage = "--db PATH upstream set URL (--token-file FILE | --token -) [--cacert FILE]",
	.help = "set the hub above this one, with the token it enrolled this hub with",
	.options = remote_options,
	.args_min = 1,
	.args_max = 1,
	.too_few = "give the upstream hub's URL",
	.too_many = "give the upstream hub's URL",
	.run = upstream_set,
};

static enum fb_code relay_sync(struct cmd_ctx *c)
{
	struct sync_stats st;
	struct book *b = NULL;
	enum fb_code rc;

	if ((rc = hub_open(c, &b)) != FB_OK)
		return rc;
	if ((rc = book_relay_identity(b, &c->err)) == FB_OK)
		rc = sync_run(b, SYNC_PUSH | SYNC_PULL | SYNC_RELAY_ALL, &st, &c->err);
	if (rc == FB_OK) {
		printf("relayed: %zu changes of %zu devices sent up, %zu received",
		       st.relayed, st.relay_devices, st.pulled);
		if (st.relay_refused)
			printf(", %zu devices refused by the upstream (see its log)",
			       st.relay_refused);
		printf("; %zu requests, %zu bytes sent, %zu received\n", st.requests,
		       st.bytes_sent, st.bytes_received);
	}
	book_close(b);
	return rc;
}

const struct cmd_entry hub_sync_entry = {
	.name = "sync",
	.usage = "--db PATH sync",
	.help = "relay this hub's changes to its upstream hub, and take what it holds for this hub's unit",
	.run = relay_sync,
};
