/*
 * autosync.h - a laptop that syncs by itself: one attempt under the
 * database's sync lock, with what it did kept for `status`; the loop of
 * `fieldbook sync --every`; and the systemd user units `fieldbook
 * autosync` installs (docs/PROTOCOL.md, "Syncing by itself").
 */
#ifndef FB_AUTOSYNC_H
#define FB_AUTOSYNC_H

#include <stdint.h>

#include "backoff.h"
#include "client.h"
#include "cli.h"

/* meta keys of the last attempt, written by every sync. */
#define AUTOSYNC_META_AT     "sync_attempt_at"      /* UTC, ISO 8601 */
#define AUTOSYNC_META_EXIT   "sync_attempt_exit"    /* its exit status */
#define AUTOSYNC_META_RESULT "sync_attempt_result"  /* one line */
#define AUTOSYNC_META_NEXT   "sync_next_at"         /* the loop's next, UTC */

/*
 * One sync of c->db_path (what: SYNC_PUSH | SYNC_PULL) under the sync
 * lock (FB_EBUSY at once when another holds it), with progress to sink
 * (NULL: none).  What it did is kept in the book's meta; with bo, the
 * wait before the next attempt is drawn (*wait_ms) and kept too.  The
 * message of a failure is in c->err.
 */
enum fb_code sync_attempt(struct cmd_ctx *c, int what, const struct progress_sink *sink,
			  struct sync_stats *st, struct fb_backoff *bo, uint64_t *wait_ms);

/*
 * Sync every period_s seconds until SIGTERM, SIGINT or SIGHUP (exit 0;
 * a sync under way stops at a safe point), with backoff after failures
 * (backoff.h; seed 0: a random one).  One line per attempt on stderr.
 * A refusal (exit 77), a wrong setup (64) or data the hub will never
 * take (65, 76) ends the loop with that failure.
 */
enum fb_code sync_every(struct cmd_ctx *c, int what, unsigned period_s, uint64_t seed);

/*
 * The one line an attempt logs: "<UTC time> sync ok: N sent, M received,
 * R requests, U bytes sent, D received" or "... sync failed (exit S):
 * MESSAGE"; to stderr, for `sync --log` and each attempt of the loop.
 */
void sync_log_attempt(enum fb_code rc, const struct sync_stats *st, const char *msg,
		      const char *tail);

/* The notices of what changed in a history (a fork, entries resent),
 * on stderr (cmd_sync.c). */
void sync_say_notices(const struct sync_stats *st);

/* Lines of `status` about syncing by itself: autosync on or off, the
 * last attempt, its result and the next, into out (or as JSON into
 * the object). */
struct fb_buf;
struct cJSON;
enum fb_code autosync_describe(struct cmd_ctx *c, struct book *b, struct fb_buf *out,
			       struct cJSON *json);

extern const struct cmd_entry cmd_autosync_enable_entry;
extern const struct cmd_entry cmd_autosync_disable_entry;
extern const struct cmd_entry cmd_autosync_status_entry;

#endif
