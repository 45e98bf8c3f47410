/*
 * hub_cmd_upstream.c - fieldbook-hub upstream set, fieldbook-hub sync:
 * a hub as a client of the hub above it (docs/PROTOCOL.md §13.6).
 *
 * The hub's relay is a laptop's sync (sync/client.c) in the mode
 * SYNC_RELAY_ALL, over the hub's store as its end (sync_local.h; an
 * SQLite hub's database is a book like a laptop's): it writes no
 * changes of its own, sends up every other device's changes that the
 * upstream is not known to hold, and pulls what the upstream holds for
 * its unit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "client.h"
#include "hub_cmd.h"
#include "hub_store.h"
#include "remote.h"

static enum fb_code upstream_set(struct cmd_ctx *c)
{
	enum fb_code rc = remote_set_from(c, hub_open_local, &c->err);

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
	struct sync_local l;
	enum fb_code rc;

	if ((rc = hub_open_local(c, &l)) != FB_OK)
		return rc;
	if ((rc = l.ops->relay_identity(l.ctx, &c->err)) == FB_OK)
		rc = sync_run_local(&l, SYNC_PUSH | SYNC_PULL | SYNC_RELAY_ALL, NULL, &st,
				    &c->err);
	if (rc == FB_OK) {
		printf("relayed: %zu changes of %zu devices sent up, %zu received",
		       st.relayed, st.relay_devices, st.pulled);
		if (st.relay_refused)
			printf(", %zu devices refused by the upstream (see its log)",
			       st.relay_refused);
		printf("; %zu requests, %zu bytes sent, %zu received\n", st.requests,
		       st.bytes_sent, st.bytes_received);
	}
	sync_local_close(&l);
	return rc;
}

const struct cmd_entry hub_sync_entry = {
	.name = "sync",
	.usage = "--db PATH sync",
	.help = "relay this hub's changes to its upstream hub, and take what it holds for this hub's unit",
	.run = relay_sync,
};

/* "3 min", "2 h 5 min", "4 days" for a lag of s seconds. */
static void human_lag(long long s, char *out, size_t size)
{
	if (s < 60)
		snprintf(out, size, "%lld s", s < 0 ? 0 : s);
	else if (s < 3600)
		snprintf(out, size, "%lld min", s / 60);
	else if (s < 86400)
		snprintf(out, size, "%lld h %lld min", s / 3600, s % 3600 / 60);
	else
		snprintf(out, size, "%lld days", s / 86400);
}

static enum fb_code hub_status(struct cmd_ctx *c)
{
	char *unit = NULL, *url = NULL, *last = NULL, *relay_id = NULL, lag[32] = "";
	uint64_t entries = 0, devices = 0;
	struct sync_local l;
	long long since = -1;
	enum fb_code rc;

	if ((rc = hub_open_local(c, &l)) != FB_OK)
		return rc;
	if ((rc = l.ops->meta_get(l.ctx, "hub_unit", &unit, &c->err)) != FB_OK ||
	    (rc = l.ops->meta_get(l.ctx, "remote_url", &url, &c->err)) != FB_OK ||
	    (rc = l.ops->meta_get(l.ctx, "last_sync", &last, &c->err)) != FB_OK ||
	    (rc = l.ops->meta_get(l.ctx, "relay_device", &relay_id, &c->err)) != FB_OK ||
	    (rc = l.ops->relay_waiting(l.ctx, &entries, &devices, &c->err)) != FB_OK)
		goto out;
	if (last) {
		since = hub_seconds_since(last);
		human_lag(since, lag, sizeof(lag));
	}
	if (cmd_has(c, "json")) {
		cJSON *o = cJSON_CreateObject();
		char *text;

		if (!o || !cJSON_AddStringToObject(o, "unit", unit ? unit : "") ||
		    !cJSON_AddStringToObject(o, "upstream", url ? url : "") ||
		    !cJSON_AddStringToObject(o, "relay_id", relay_id ? relay_id : "") ||
		    !cJSON_AddStringToObject(o, "last_relay", last ? last : "") ||
		    !cJSON_AddNumberToObject(o, "lag_seconds", (double)since) ||
		    !cJSON_AddNumberToObject(o, "waiting_entries", (double)entries) ||
		    !cJSON_AddNumberToObject(o, "waiting_devices", (double)devices) ||
		    !(text = cJSON_PrintUnformatted(o))) {
			cJSON_Delete(o);
			rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
			goto out;
		}
		printf("%s\n", text);
		free(text);
		cJSON_Delete(o);
		goto out;
	}
	printf("unit:       %s\n", unit ? unit : "");
	if (!url) {
		printf("upstream:   none (this hub relays nowhere; 'fieldbook-hub upstream set'"
		       " names the hub above it)\n");
		goto out;
	}
	printf("upstream:   %s\n", url);
	if (relay_id)
		printf("relay id:   %s (what the upstream knows this hub by)\n", relay_id);
	if (last) {
		char when[FB_WHEN_MAX];

		hub_when(last, when);
		printf("last relay: %s (%s ago)\n", when, lag);
	}
	else
		printf("last relay: never\n");
	printf("waiting:    %llu entries of %llu devices not yet known to the upstream\n",
	       (unsigned long long)entries, (unsigned long long)devices);
out:
	free(unit);
	free(url);
	free(last);
	free(relay_id);
	sync_local_close(&l);
	return rc;
}

static const struct cmd_option status_opts[] = {
	{ "json", 0, NULL, NULL, "print JSON instead of lines" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_status_entry = {
	.name = "status",
	.usage = "--db PATH status [--json]",
	.help = "the hub's upstream, its last relay, and what waits for the next",
	.options = status_opts,
	.run = hub_status,
};
