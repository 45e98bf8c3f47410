/*
 * hub_guard.c - deadlines per connection (a watchdog thread), the bodies'
 * memory budget, and the request rate per token (hub_guard.h).
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "hub_guard.h"
#include "hub_http.h"
#include "hub_limits.h"

#define MS_PER_S        1000u
#define NS_PER_MS       1000000u
#define MILLI           1000        /* a request, in the bucket's units */
#define RATE_PROBES     16          /* slots looked at for one token */

struct hub_conn {
	struct hub_conn *prev, *next;        /* the guard's list, under its lock */
	int fd;
	struct sockaddr_storage addr;
	_Atomic uint64_t deadline_ms;        /* 0: none */
	_Atomic int phase;                   /* enum hub_phase */
	_Atomic uint64_t body_start_ms;
	atomic_int killed;
	atomic_int requests;                 /* request lines read on it */
};

/* A token followed: its bucket of requests, and its requests under way
 * (a slot with some is never given to another token). */
struct rate_slot {
	long long id;                        /* 0: free */
	uint64_t last_ms;                    /* the bucket was filled up to here */
	long long milli;                     /* requests left, in 1/MILLI */
	int inflight;                        /* requests entered, not yet left */
};

struct hub_guard {
	pthread_mutex_t lock;                /* the list and `stop` */
	pthread_cond_t wake;
	struct hub_conn *head;
	int stop;
	pthread_t thread;
	_Atomic size_t bodies;               /* bytes reserved for bodies */
	pthread_mutex_t rate_lock;
	struct rate_slot slots[HUB_TOKEN_SLOTS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MS_PER_S + (uint64_t)ts.tv_nsec / NS_PER_MS;
}

/* Why a connection in phase p was closed, for the log. */
static const char *kill_reason(int p)
{
	switch (p) {
	case HUB_PHASE_HEAD:
		return "no whole request head within " FB_STR(HUB_HEAD_S)
		       " s; connection closed";
	case HUB_PHASE_BODY:
		return "body slower than " FB_STR(HUB_MIN_RATE)
		       " bytes/s; connection closed";
	default:
		return "answer read slower than " FB_STR(HUB_MIN_RATE)
		       " bytes/s; connection closed";
	}
}

/* Shut down every connection past its deadline; the lock is held. */
static void sweep(struct hub_guard *g)
{
	uint64_t now = now_ms();
	struct hub_conn *c;

	for (c = g->head; c; c = c->next) {
		uint64_t d = atomic_load(&c->deadline_ms);
		struct hub_log_entry e = { 0 };

		if (!d || now <= d || atomic_exchange(&c->killed, 1))
			continue;
		/* Why, before the shutdown: libmicrohttpd may end the request
		 * (and move c to its next head) as soon as it sees it. */
		e.reason = kill_reason(atomic_load(&c->phase));
		/* libmicrohttpd reads the end of the stream and closes it in
		 * its own thread; the socket stays open until then. */
		shutdown(c->fd, SHUT_RDWR);
		e.client = (const struct sockaddr *)&c->addr;
		e.method = "-";
		e.url = "-";
		e.status = HUB_STATUS_TIMEOUT;
		hub_log(&e);
	}
}

static void *watchdog(void *arg)
{
	struct hub_guard *g = arg;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += (long)HUB_WATCH_MS * NS_PER_MS;
		if (until.tv_nsec >= (long)MS_PER_S * NS_PER_MS) {
			until.tv_sec++;
			until.tv_nsec -= (long)MS_PER_S * NS_PER_MS;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &until);
		if (!g->stop)
			sweep(g);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

enum fb_code hub_guard_new(struct hub_guard **out, struct fb_error *err)
{
	struct hub_guard *g = calloc(1, sizeof(*g));

	*out = NULL;
	if (!g)
		return fb_fail(err, FB_ENOMEM, "out of memory");
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->rate_lock, NULL);
	pthread_cond_init(&g->wake, NULL);
	if (pthread_create(&g->thread, NULL, watchdog, g) != 0) {
		pthread_mutex_destroy(&g->lock);
		pthread_mutex_destroy(&g->rate_lock);
		pthread_cond_destroy(&g->wake);
		free(g);
		return fb_fail(err, FB_EINTERNAL, "cannot start the watchdog thread");
	}
	*out = g;
	return FB_OK;
}

void hub_guard_free(struct hub_guard *g)
{
	struct hub_conn *c, *next;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = 1;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	for (c = g->head; c; c = next) {
		next = c->next;
		free(c);
	}
	pthread_mutex_destroy(&g->lock);
	pthread_mutex_destroy(&g->rate_lock);
	pthread_cond_destroy(&g->wake);
	free(g);
}

struct hub_conn *hub_conn_opened(struct hub_guard *g, int fd,
				 const struct sockaddr *addr)
{
	struct hub_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	if (addr && addr->sa_family == AF_INET6)
		memcpy(&c->addr, addr, sizeof(struct sockaddr_in6));
	else if (addr && addr->sa_family == AF_INET)
		memcpy(&c->addr, addr, sizeof(struct sockaddr_in));
	hub_conn_phase(c, HUB_PHASE_HEAD, 0);
	pthread_mutex_lock(&g->lock);
	c->next = g->head;
	if (g->head)
		g->head->prev = c;
	g->head = c;
	pthread_mutex_unlock(&g->lock);
	return c;
}

void hub_conn_closed(struct hub_guard *g, struct hub_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&g->lock);
	free(c);
}

const struct sockaddr *hub_conn_addr(const struct hub_conn *c)
{
	return c && c->addr.ss_family ? (const struct sockaddr *)&c->addr : NULL;
}

/* The time `bytes` may take at HUB_MIN_RATE, in ms. */
static uint64_t rate_ms(size_t bytes)
{
	return (uint64_t)bytes * MS_PER_S / HUB_MIN_RATE;
}

void hub_conn_phase(struct hub_conn *c, enum hub_phase p, size_t bytes)
{
	uint64_t now = now_ms();

	if (!c)
		return;
	atomic_store(&c->phase, (int)p);
	switch (p) {
	case HUB_PHASE_HEAD:
		atomic_store(&c->deadline_ms, now + (uint64_t)HUB_HEAD_S * MS_PER_S);
		break;
	case HUB_PHASE_BODY:
		atomic_store(&c->body_start_ms, now);
		atomic_store(&c->deadline_ms, now + (uint64_t)HUB_RATE_GRACE_S * MS_PER_S);
		break;
	case HUB_PHASE_WORK:
		atomic_store(&c->deadline_ms, 0);
		break;
	case HUB_PHASE_ANSWER:
		atomic_store(&c->deadline_ms, now + (uint64_t)HUB_RATE_GRACE_S * MS_PER_S +
			     rate_ms(bytes));
		break;
	}
}

void hub_conn_progress(struct hub_conn *c, size_t total)
{
	if (!c)
		return;
	atomic_store(&c->deadline_ms, atomic_load(&c->body_start_ms) +
		     (uint64_t)HUB_RATE_GRACE_S * MS_PER_S + rate_ms(total));
}

int hub_conn_killed(const struct hub_conn *c)
{
	return c && atomic_load(&c->killed);
}

int hub_body_reserve(struct hub_guard *g, size_t n)
{
	size_t had = atomic_load(&g->bodies);

	do {
		if (n > HUB_BODIES_MAX || had > HUB_BODIES_MAX - n)
			return 0;
	} while (!atomic_compare_exchange_weak(&g->bodies, &had, had + n));
	return 1;
}

void hub_body_release(struct hub_guard *g, size_t n)
{
	atomic_fetch_sub(&g->bodies, n);
}

/* The slot of token id: its own, a free one, or the one seen longest
 * ago among those it may take that has nothing under way (that token's
 * bucket starts full again); NULL when each it may take is busy. */
static struct rate_slot *rate_slot(struct hub_guard *g, long long id, long long burst,
				   uint64_t now)
{
	size_t start = (size_t)((unsigned long long)id % HUB_TOKEN_SLOTS), i;
	struct rate_slot *oldest = NULL;

	for (i = 0; i < RATE_PROBES; i++) {
		struct rate_slot *s = &g->slots[(start + i) % HUB_TOKEN_SLOTS];

		if (s->id == id)
			return s;
		if (!s->id) {
			oldest = s;
			break;
		}
		if (!s->inflight && (!oldest || s->last_ms < oldest->last_ms))
			oldest = s;
	}
	if (!oldest)
		return NULL;
	oldest->id = id;
	oldest->last_ms = now;
	oldest->milli = burst * MILLI;
	oldest->inflight = 0;
	return oldest;
}

enum hub_token_verdict hub_token_enter(struct hub_guard *g, long long id, int relay,
				       int *slot, int *retry_after)
{
	long long burst = relay ? HUB_RELAY_BURST : HUB_TOKEN_BURST;
	long long per_s = relay ? HUB_RELAY_RATE : HUB_TOKEN_RATE;
	enum hub_token_verdict v = HUB_TOKEN_GO;
	uint64_t now = now_ms();
	struct rate_slot *s;
	long long wait_s = 0;

	*slot = -1;
	*retry_after = 0;
	pthread_mutex_lock(&g->rate_lock);
	s = rate_slot(g, id, burst, now);
	if (!s) {
		v = HUB_TOKEN_FULL;
		wait_s = HUB_RETRY_AFTER_S;
		goto out;
	}
	if (s->inflight >= HUB_TOKEN_INFLIGHT) {
		v = HUB_TOKEN_BUSY;
		wait_s = 1;
		goto out;
	}
	/* per_s requests a second: that many MILLI a second, so per_s a
	 * millisecond. */
	s->milli += (long long)(now - s->last_ms) * per_s;
	if (s->milli > burst * MILLI)
		s->milli = burst * MILLI;
	s->last_ms = now;
	if (s->milli < MILLI) {
		v = HUB_TOKEN_TOO_FAST;
		wait_s = (MILLI - s->milli + per_s * MILLI - 1) / (per_s * MILLI);
		goto out;
	}
	s->milli -= MILLI;
	s->inflight++;
	*slot = (int)(s - g->slots);
out:
	pthread_mutex_unlock(&g->rate_lock);
	if (v != HUB_TOKEN_GO)
		*retry_after = (int)(wait_s < 1 ? 1 : wait_s > HUB_RETRY_AFTER_MAX ?
				     HUB_RETRY_AFTER_MAX : wait_s);
	return v;
}

void hub_token_leave(struct hub_guard *g, int slot)
{
	if (slot < 0 || slot >= HUB_TOKEN_SLOTS)
		return;
	pthread_mutex_lock(&g->rate_lock);
	if (g->slots[slot].inflight > 0)
		g->slots[slot].inflight--;
	pthread_mutex_unlock(&g->rate_lock);
}

void hub_conn_request_began(struct hub_conn *c)
{
	if (c)
		atomic_fetch_add(&c->requests, 1);
}

const char *hub_conn_close_reason(const struct hub_conn *c)
{
	if (!c || atomic_load(&c->killed) || atomic_load(&c->requests))
		return NULL;
	return "no request line libmicrohttpd could read (bytes that are not HTTP,"
	       " a request line over " FB_STR(HUB_CONN_MEMORY_KIB) " KiB, an HTTP"
	       " version other than 1.0 or 1.1, a TLS handshake refused, or a"
	       " client that left); connection closed";
}
