/*
 * client.h - the collector's side of sync: push the unsent journal to
 * the hub in deflated batches, then pull what other devices changed and
 * apply it through the same merge rule as local edits.
 *
 * Nothing is marked sent until the hub has acknowledged it (the hub
 * answers with the highest sequence it holds for this device), and the
 * pull cursor moves in the same transaction that stores what was
 * pulled, so a sync cut off at any byte is simply run again.
 *
 * The remote (URL, token, CA file) is kept in the database's meta table;
 * the database file is owner-only.  The token never goes into a URL.
 */
#ifndef FB_CLIENT_H
#define FB_CLIENT_H

#include <signal.h>
#include <stddef.h>
#include "book.h"
#include "buf.h"
#include "progress.h"
#include "sync_local.h"

/*
 * Batches and pages are sized by time on the link, not by count.  A
 * sync's first push batch and first pull page hold SYNC_BATCH_FIRST
 * changes; after each request the next size is scaled so that a request
 * takes about the target time (sync_pace): SYNC_TARGET_MS, or as long as
 * the connection has lived so far (up to SYNC_TARGET_MAX_MS), or less
 * once a connection was seen to be cut after a few seconds (two fifths
 * of the shortest life seen, at least SYNC_TARGET_MIN_MS).  A size moves by at
 * most 4 times per request, within SYNC_BATCH_MIN .. SYNC_BATCH_MAX.  A
 * request that would outlive the connection it would go on is sent on a
 * new one.  A link that drops every few seconds so still moves a whole
 * batch with nearly every request.
 */
#define SYNC_BATCH_FIRST      500              /* changes */
#define SYNC_BATCH_MIN        20               /* changes */
#define SYNC_BATCH_MAX        4000             /* changes, <= WIRE_BATCH_MAX */
#define SYNC_PUSH_BYTES       ((size_t)3 << 20) /* JSON bytes per batch: deflated,
						   always < WIRE_ZBODY_MAX */
#define SYNC_TARGET_MS        3000             /* a request's time on the link */
#define SYNC_TARGET_MIN_MS    500
#define SYNC_TARGET_MAX_MS    15000            /* a connection that held long */
#define SYNC_LIFE_MIN_MS      1000             /* a connection cut younger than
						  this says nothing of the link */

/* The size after a request of `size` changes that took took_ms, aiming
 * at target_ms. */
static inline size_t sync_pace(size_t size, uint64_t took_ms, uint64_t target_ms)
{
	double want = took_ms ? (double)size * (double)target_ms / (double)took_ms
			      : (double)size * 4;

	if (want > (double)size * 4)
		want = (double)size * 4;
	if (want < (double)size / 4)
		want = (double)size / 4;
	if (want > SYNC_BATCH_MAX)
		return SYNC_BATCH_MAX;
	return want < SYNC_BATCH_MIN ? SYNC_BATCH_MIN : (size_t)want;
}

/* A connection that dropped in the middle of a sync is tried again in
 * the same run, SYNC_NET_RETRIES times at most, while each try moves
 * something (changes sent or received); a try that moves nothing ends
 * the sync (exit 69). */
#define SYNC_NET_RETRIES      64
#define SYNC_CONNECT_TIMEOUT  10               /* seconds */
#define SYNC_LOW_SPEED_BYTES  1                /* bytes/s below which ... */
#define SYNC_LOW_SPEED_TIME   30               /* ... for this long: give up */
/* A push asks "Expect: 100-continue": the hub judges its head (token,
 * rate, room) before the body is sent, so that a refusal costs no upload
 * and is not lost to the reset of a connection closed with a body
 * unread.  A hub (or proxy) silent this long gets the body anyway. */
#define SYNC_EXPECT_100_MS    1000
#define SYNC_EXPECT_MIN       1024             /* smaller bodies go with their head */
#define SYNC_ROUNDS_MAX       100000           /* batches or pages in one sync */
#define SYNC_HISTORY_ROUNDS   4                /* push-pull rounds in one sync when
						  the hub shows a history changed */
/* A 429 (the hub limits this token's requests): wait its Retry-After (at
 * most SYNC_RETRY_AFTER_MAX s) and send again, SYNC_THROTTLE_RETRIES
 * times in one sync; then the sync fails as busy (exit 75). */
#define SYNC_THROTTLE_RETRIES 3
#define SYNC_RETRY_AFTER_MAX  30               /* seconds */

struct sync_stats {
	size_t requests;
	size_t bytes_sent, bytes_received;      /* HTTP bodies and headers */
	size_t pushed, pulled, rejected;        /* changes */
	uint64_t acked;                         /* hub's acknowledgement */
	/* Histories that changed (docs/PROTOCOL.md §13.4): */
	uint64_t resent;        /* entries the hub had lost, sent again */
	int forked;             /* this book went on under a new device id, */
	char fork_old[FB_DEVICE_ID_MAX + 1], fork_new[FB_DEVICE_ID_MAX + 1];
	size_t moved;           /* ... its changes from the fork on moved to it */
	/* Other devices' changes this laptop holds and a restored hub had
	 * lost, sent back to it (docs/PROTOCOL.md §13.5): */
	size_t relayed;         /* changes the hub took */
	size_t relay_devices;   /* devices they were of */
	size_t relay_refused;   /* devices the hub would not take back */
	/* Changes saved while this laptop's clock ran fast, which the hub
	 * refused as ahead of its clock and which were dated again and
	 * sent (book_restamp): */
	size_t redated;
	/* How far this laptop's clock ran ahead of the hub's (negative:
	 * behind), in ms, when clock_known: */
	int clock_known;
	int64_t clock_ahead_ms;
	/* The hub asked for this many seconds before the next try (a 429
	 * or 503 with Retry-After), or 0. */
	unsigned retry_after;
	/* Connections dropped and tried again within this sync. */
	size_t net_retries;
	int stopped;            /* cut short by sync_set_stop's flag */
};

/* meta key: set when the hub was seen to have lost part of its history;
 * what it was known to hold (book_relay_known) is then forgotten, and
 * the mark cleared once every other device's changes it lacks were
 * offered back. */
#define SYNC_RELAY_DUE "relay_due"

#define SYNC_PUSH 1
#define SYNC_PULL 2
#define SYNC_RELAY_ALL 4        /* a hub towards its upstream: send every
				   other device's changes the upstream is
				   not known to hold, each sync (§13.6) */

struct wire_page;

/*
 * While *flag is non-zero (a signal handler sets it), a sync stops at
 * the next safe point: the transfer under way is abandoned, nothing it
 * carried is marked sent or applied, and the sync fails with
 * st->stopped set.  NULL: never.
 */
void sync_set_stop(const volatile sig_atomic_t *flag);

/*
 * Check a pull page against the chains this book holds and apply it
 * whole, with the cursor and the hub history it is of, in one
 * transaction; nothing of a page that fails is applied.  relay_all:
 * note what it brought as held by the hub (SYNC_RELAY_ALL).  A pull and
 * a bundle of pulled pages (`fieldbook bundle import`) both use it.
 */
enum fb_code sync_apply_page(struct sync_local *l, struct wire_page *page, int relay_all,
			     struct fb_error *err)
	FB_MUST_CHECK;

/*
 * Relay: send other devices' changes to a hub in this book's commit
 * order across devices (docs/PROTOCOL.md §13.6).  h names the devices
 * and what the hub holds of each (h->seq, raised as it takes more),
 * mine what this book holds of them.  send() carries one batch: json is
 * a relay push body of device's changes up to entry `last`; it sets
 * *held to what the hub then holds of device (as sent: the batch was
 * taken), or *refused.  Over HTTP it is a push; into a bundle, a line.
 */
struct wire_heads;
typedef enum fb_code (*relay_send_fn)(void *ctx, struct sync_local *l, const char *device,
				      const struct fb_buf *json, uint64_t last,
				      uint64_t *held, int *refused, struct fb_error *err);
enum fb_code sync_relay_plan(struct sync_local *l, struct wire_heads *h, const uint64_t *mine,
			     relay_send_fn send, void *ctx, struct sync_stats *st,
			     struct fb_error *err)
	FB_MUST_CHECK;

/* 1 when this book's own chain ends a change at seq with hash hex. */
int sync_same_head(struct book *b, uint64_t seq, const char *hex);

/* Set the remote: checks the URL (http or https, no token in it). */
enum fb_code sync_set_remote(struct sync_local *l, const char *url, const char *token,
			     const char *cacert, struct fb_error *err);

/*
 * Push and/or pull.  st is filled.  On failure err says which step
 * ("push", "pull") failed and how; the code is FB_ENET (unreachable,
 * dropped), FB_EBUSY (5xx, or a 429 still after SYNC_THROTTLE_RETRIES
 * waits), FB_EAUTH (token or scope refused), FB_EINVAL (the hub refused
 * the data, e.g. a clock far ahead) or FB_EIO (local disk).  err may be
 * NULL, as for fb_fail: then only the code is returned.
 */
enum fb_code sync_run(struct book *b, int what, struct sync_stats *st,
		      struct fb_error *err);

/*
 * sync_run, telling progress (which may be NULL or have no fn) how far
 * each step ("sending", "receiving", "relaying") got, in journal entries
 * and bytes: at its start, during every request (from the transfer's
 * thread, at least once a second while it waits) and after each.
 */
enum fb_code sync_run_progress(struct book *b, int what,
			       const struct progress_sink *progress,
			       struct sync_stats *st, struct fb_error *err);

/*
 * sync_run_progress at any end (sync_local.h).  An end without a book
 * (a hub on PostgreSQL) has no chain of its own: it pulls and relays
 * (SYNC_PULL, SYNC_RELAY_ALL), and SYNC_PUSH sends nothing of its own.
 */
enum fb_code sync_run_local(struct sync_local *l, int what,
			    const struct progress_sink *progress,
			    struct sync_stats *st, struct fb_error *err);

#endif
