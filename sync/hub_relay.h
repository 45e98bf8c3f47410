/*
 * hub_relay.h - `serve --upstream-every`: the relay to the hub above
 * (fieldbook-hub sync, docs/PROTOCOL.md §13.6) on a thread of the
 * serving hub, every so often, with backoff and jitter after failures.
 */
#ifndef FB_HUB_RELAY_H
#define FB_HUB_RELAY_H

#include <pthread.h>

#include "error.h"

#define HUB_RELAY_BACKOFF_MAX  3600     /* seconds: the longest wait after failures */
#define HUB_RELAY_JITTER_PCT   10       /* each wait is moved by up to this much */

struct hub_relay {
	const char *where;              /* an SQLite hub's path, or a
					   postgresql:// URI */
	unsigned every;                 /* seconds between relays */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stop, started;
};

/* Start relaying the hub at `where` (its database's path, or its
 * PostgreSQL store's URI) to its upstream (upstream set) every `every`
 * seconds, the first time at once.  FB_EUSAGE when no upstream is set. */
enum fb_code hub_relay_start(struct hub_relay *r, const char *where, unsigned every,
			     struct fb_error *err)
	FB_MUST_CHECK;

/* The hub at `where` (its database's path, or its PostgreSQL store's
 * URI) as the end of its relay (sync_local.h); close it with
 * sync_local_close. */
struct sync_local;
enum fb_code hub_local_open(const char *where, struct sync_local *out,
			    struct fb_error *err)
	FB_MUST_CHECK;

/* Stop it, waiting for a relay under way to end.  Safe when not started. */
void hub_relay_stop(struct hub_relay *r);

#endif
