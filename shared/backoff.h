/*
 * backoff.h - when to try again: durations as people type them, and the
 * waits of a loop that syncs every so often (fieldbook sync --every).
 *
 * After a success the loop waits its period.  After the k-th failure in
 * a row it waits a nominal d(k) = min(period, BACKOFF_FIRST_MS * 2^(k-1)),
 * drawn uniformly from [d(k)/2, d(k)] ("equal jitter"): laptops that lost
 * the hub together come back spread over half of each step instead of
 * all at once.  A hub's Retry-After (a 429 or 503) is a floor on the
 * next wait, obeyed up to BACKOFF_RETRY_AFTER_MAX.  The draws come from
 * a seeded generator, so that a test that gives the seed knows them.
 * docs/PROTOCOL.md "Syncing by itself" gives the same bounds.
 */
#ifndef FB_BACKOFF_H
#define FB_BACKOFF_H

#include <stdint.h>

#define BACKOFF_FIRST_MS         1000u       /* the first wait after a failure */
#define BACKOFF_RETRY_AFTER_MAX  3600u       /* seconds of Retry-After obeyed */
#define DURATION_MAX             86400u      /* a day */

/*
 * A duration: whole seconds, or with a unit s, m or h ("90", "90s",
 * "15m", "1h"), from 1 s to a day.  0 when it is not one.
 */
unsigned fb_duration_parse(const char *text);

struct fb_backoff {
	uint64_t period_ms;     /* the wait after a success */
	unsigned failures;      /* in a row, up to now */
	uint64_t state;         /* the generator's */
};

/* A loop of period_ms, its draws from seed. */
void fb_backoff_init(struct fb_backoff *b, uint64_t period_ms, uint64_t seed);

/* The nominal wait d(k) after k failures in a row (k = 0: the period). */
uint64_t fb_backoff_nominal(const struct fb_backoff *b, unsigned k);

/*
 * The wait before the next attempt, in ms, after one that succeeded
 * (failed = 0) or failed; retry_after_s > 0: the hub asked for at least
 * that long.
 */
uint64_t fb_backoff_next(struct fb_backoff *b, int failed, unsigned retry_after_s);

#endif
