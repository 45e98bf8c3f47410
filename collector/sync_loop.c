/*
 * sync_loop.c - one sync attempt under the lock, and the loop of
 * `fieldbook sync --every` (autosync.h).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "autosync.h"
#include "book_view.h"
#include "i18n.h"
#include "synclock.h"

/* Now, UTC, as ISO 8601 with milliseconds (and with plus_ms added). */
static void utc_now(char out[40], uint64_t plus_ms)
{
	struct timespec ts;
	struct tm tm;
	time_t secs;
	long ms;

	clock_gettime(CLOCK_REALTIME, &ts);
	ms = ts.tv_nsec / 1000000 + (long)(plus_ms % 1000);
	secs = ts.tv_sec + (time_t)(plus_ms / 1000) + ms / 1000;
	gmtime_r(&secs, &tm);
	snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
		 (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100, tm.tm_mday % 100,
		 tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100, ms % 1000);
}

/* The attempt's result as one line of text, for the log and status. */
static void describe(enum fb_code rc, const struct sync_stats *st, const char *msg,
		     char *out, size_t n)
{
	if (rc == FB_OK)
		snprintf(out, n, _("ok: %zu sent, %zu received, %zu requests, %zu bytes sent,"
				   " %zu received"), st->pushed, st->pulled, st->requests,
			 st->bytes_sent, st->bytes_received);
	else
		snprintf(out, n, _("failed (exit %d): %s"), fb_exit_status(rc),
			 msg && *msg ? msg : fb_strerror(rc));
}

/* One line of the log: the time, "sync", the text. */
static void log_line(const char *text, const char *tail)
{
	char when[40];

	utc_now(when, 0);
	fprintf(stderr, "%s sync %s%s\n", when, text, tail ? tail : "");
	fflush(stderr);
}

void sync_log_attempt(enum fb_code rc, const struct sync_stats *st, const char *msg,
		      const char *tail)
{
	char what[FB_ERRMSG_MAX + 160];

	describe(rc, st, msg, what, sizeof(what));
	log_line(what, tail);
}

/* Keep what an attempt did (and the next one's time) in the book. */
static enum fb_code record(struct book *b, enum fb_code rc, const struct sync_stats *st,
			   const char *msg, const uint64_t *wait_ms, struct fb_error *err)
{
	char when[40], next[40], what[FB_ERRMSG_MAX + 160];
	enum fb_code w;

	utc_now(when, 0);
	describe(rc, st, msg, what, sizeof(what));
	if ((w = book_begin(b, err)) != FB_OK)
		return w;
	w = book_meta_set(b, AUTOSYNC_META_AT, when, err);
	if (w == FB_OK)
		w = book_meta_set_int(b, AUTOSYNC_META_EXIT, rc == FB_OK ? 0 : fb_exit_status(rc),
				      err);
	if (w == FB_OK)
		w = book_meta_set(b, AUTOSYNC_META_RESULT, what, err);
	if (w == FB_OK && wait_ms) {
		utc_now(next, *wait_ms);
		w = book_meta_set(b, AUTOSYNC_META_NEXT, next, err);
	}
	if (w == FB_OK)
		return book_commit(b, err);
	book_rollback(b);
	return w;
}

/* 1 for a failure that trying again soon may mend. */
static int passing(enum fb_code rc)
{
	return rc == FB_ENET || rc == FB_EBUSY || rc == FB_EIO || rc == FB_ENOMEM;
}

enum fb_code sync_attempt(struct cmd_ctx *c, int what, const struct progress_sink *sink,
			  struct sync_stats *st, struct fb_backoff *bo, uint64_t *wait_ms)
{
	struct book *b = NULL;
	enum fb_code rc;
	int lock = -1;

	memset(st, 0, sizeof(*st));
	if ((rc = sync_lock_take(c->db_path, &lock, &c->err)) != FB_OK)
		return rc;
	if ((rc = cli_open_quiet(c, &b)) == FB_OK) {
		struct fb_error kept;

		rc = sync_run_progress(b, what, sink, st, &c->err);
		if (bo)
			*wait_ms = fb_backoff_next(bo, passing(rc), st->retry_after);
		/* Not being able to note it changes nothing of the sync. */
		if (record(b, rc, st, c->err.msg, bo ? wait_ms : NULL, &kept) != FB_OK &&
		    rc == FB_OK)
			fprintf(stderr, "fieldbook: %s\n", kept.msg);
		book_close(b);
	}
	sync_lock_release(lock);
	return rc;
}

/* --- the loop ------------------------------------------------------ */

static volatile sig_atomic_t stop_asked;

static void on_stop(int sig)
{
	(void)sig;
	stop_asked = 1;
}

/* Wait ms, or until a stop is asked; signals are blocked outside. */
static void nap(uint64_t ms, const sigset_t *open)
{
	struct timespec end, now;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += (time_t)(ms / 1000);
	end.tv_nsec += (long)(ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	while (!stop_asked) {
		struct timespec left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = end.tv_sec - now.tv_sec;
		left.tv_nsec = end.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000;
		}
		if (left.tv_sec < 0)
			return;
		/* Unblocks the signals only while it sleeps: no stop is lost
		 * between the check above and the sleep. */
		if (ppoll(NULL, 0, &left, open) == 0)
			return;
	}
}

static uint64_t random_seed(void)
{
	uint64_t seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return seed;
}

/* Forget the loop's next time once it ends. */
static void forget_next(struct cmd_ctx *c)
{
	struct book *b = NULL;
	struct fb_error e;

	if (cli_open_quiet(c, &b) != FB_OK)
		return;
	if (book_begin(b, &e) == FB_OK &&
	    (book_meta_set(b, AUTOSYNC_META_NEXT, "", &e) != FB_OK ||
	     book_commit(b, &e) != FB_OK))
		book_rollback(b);
	book_close(b);
}

enum fb_code sync_every(struct cmd_ctx *c, int what, unsigned period_s, uint64_t seed)
{
	static const int signals[] = { SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa, old_sa[3];
	sigset_t block, open;
	struct fb_backoff bo;
	enum fb_code rc = FB_OK;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	stop_asked = 0;
	for (i = 0; i < 3; i++) {
		sigaction(signals[i], &sa, &old_sa[i]);
		sigaddset(&block, signals[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &open);
	sync_set_stop(&stop_asked);
	fb_backoff_init(&bo, (uint64_t)period_s * 1000, seed ? seed : random_seed());
	fprintf(stderr, _("fieldbook: syncing every %u s until stopped (process %ld)\n"),
		period_s, (long)getpid());
	while (!stop_asked) {
		struct sync_stats st;
		uint64_t wait = 0;
		char tail[96];

		fb_error_clear(&c->err);
		/* Signals reach the sync: a stop abandons its transfer. */
		sigprocmask(SIG_SETMASK, &open, NULL);
		rc = sync_attempt(c, what, NULL, &st, &bo, &wait);
		sigprocmask(SIG_BLOCK, &block, NULL);
		sync_say_notices(&st);
		if (rc == FB_EBUSY && !st.requests && wait == 0) {
			/* Another sync holds the lock: it does this one's work. */
			wait = fb_backoff_next(&bo, 0, 0);
		}
		if (stop_asked) {
			sync_log_attempt(rc, &st, c->err.msg, _("; stopped"));
			rc = FB_OK;
			break;
		}
		if (rc != FB_OK && !passing(rc)) {
			sync_log_attempt(rc, &st, c->err.msg, _("; not trying again"));
			break;
		}
		snprintf(tail, sizeof(tail), _("; next in %llu.%03llu s"),
			 (unsigned long long)(wait / 1000), (unsigned long long)(wait % 1000));
		sync_log_attempt(rc, &st, c->err.msg, tail);
		rc = FB_OK;
		nap(wait, &open);
		if (stop_asked)
			log_line(_("stopped"), NULL);
	}
	if (rc == FB_OK)
		fb_error_clear(&c->err);
	sync_set_stop(NULL);
	sigprocmask(SIG_SETMASK, &open, NULL);
	for (i = 0; i < 3; i++)
		sigaction(signals[i], &old_sa[i], NULL);
	forget_next(c);
	return rc;
}
