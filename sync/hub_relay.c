/* hub_relay.c - the serving hub's relay to its upstream, on a timer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "book_view.h"
#include "client.h"
#include "hub_relay.h"
#include "hub_store.h"
#include "sync_local.h"

/* One line on stderr, as the request log writes its lines. */
static void relay_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void relay_log(const char *fmt, ...)
{
	char when[32], msg[FB_ERRMSG_MAX + 128];
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; msg[i]; i++)        /* a message never breaks the line */
		if ((unsigned char)msg[i] < 0x20)
			msg[i] = ' ';
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s relay %s\n", when, msg);
}

enum fb_code hub_local_open(const char *where, struct sync_local *out,
			    struct fb_error *err)
{
	struct book *b = NULL;
	enum fb_code rc;

	memset(out, 0, sizeof(*out));
	if (hub_store_is_pg(where))
		return hub_store_pg_local(where, out, err);
	if ((rc = book_open(where, hub_schema, &b, err)) == FB_OK)
		sync_local_of_book(b, out);
	return rc;
}

/* One relay, as `fieldbook-hub sync` runs it. */
static enum fb_code relay_once(const char *where, struct fb_error *err)
{
	struct sync_stats st;
	struct sync_local l;
	struct timespec t0, t1;
	enum fb_code rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = hub_local_open(where, &l, err);
	if (rc == FB_OK)
		rc = l.ops->relay_identity(l.ctx, err);
	if (rc == FB_OK)
		rc = sync_run_local(&l, SYNC_PUSH | SYNC_PULL | SYNC_RELAY_ALL, NULL, &st, err);
	sync_local_close(&l);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc == FB_OK)
		relay_log("ok sent=%zu devices=%zu received=%zu requests=%zu ms=%lld",
			  st.relayed, st.relay_devices, st.pulled, st.requests,
			  (long long)((t1.tv_sec - t0.tv_sec) * 1000 +
				      (t1.tv_nsec - t0.tv_nsec) / 1000000));
	return rc;
}

/* wait moved by up to HUB_RELAY_JITTER_PCT either way, at least 1 s. */
static unsigned jittered(unsigned wait, unsigned *seed)
{
	long span = (long)wait * HUB_RELAY_JITTER_PCT / 100, w;

	w = (long)wait + (span ? (long)(rand_r(seed) % (2 * span + 1)) - span : 0);
	return w < 1 ? 1 : (unsigned)w;
}

static void *relay_main(void *arg)
{
	struct hub_relay *r = arg;
	unsigned wait = r->every, seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	struct fb_error err;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		struct timespec until;
		unsigned next;
		enum fb_code rc;

		pthread_mutex_unlock(&r->lock);
		fb_error_clear(&err);
		rc = relay_once(r->where, &err);
		/* After a failure the wait doubles, up to the most. */
		wait = rc == FB_OK ? r->every
		       : wait >= HUB_RELAY_BACKOFF_MAX / 2 ? HUB_RELAY_BACKOFF_MAX : wait * 2;
		if (wait < r->every)
			wait = r->every;
		next = jittered(wait, &seed);
		if (rc != FB_OK)
			relay_log("failed: %s; next try in %u s", err.msg, next);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += next;
		pthread_mutex_lock(&r->lock);
		while (!r->stop &&
		       pthread_cond_timedwait(&r->wake, &r->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

enum fb_code hub_relay_start(struct hub_relay *r, const char *where, unsigned every,
			     struct fb_error *err)
{
	struct sync_local l;
	char *url = NULL;
	enum fb_code rc;

	memset(r, 0, sizeof(*r));
	rc = hub_local_open(where, &l, err);
	if (rc == FB_OK)
		rc = l.ops->meta_get(l.ctx, "remote_url", &url, err);
	sync_local_close(&l);
	if (rc == FB_OK && !url)
		rc = fb_fail(err, FB_EUSAGE, "--upstream-every needs an upstream: run"
			     " 'fieldbook-hub upstream set URL --token-file FILE' first");
	free(url);
	if (rc != FB_OK)
		return rc;
	r->where = where;
	r->every = every;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	if (pthread_create(&r->thread, NULL, relay_main, r) != 0) {
		pthread_mutex_destroy(&r->lock);
		pthread_cond_destroy(&r->wake);
		return fb_fail(err, FB_ENOMEM, "cannot start the relay's thread");
	}
	r->started = 1;
	return FB_OK;
}

void hub_relay_stop(struct hub_relay *r)
{
	if (!r->started)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	pthread_join(r->thread, NULL);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->wake);
	r->started = 0;
}
