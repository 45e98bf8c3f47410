/* client.c - push and pull over HTTP with libcurl. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/crypto.h>
#include <curl/curl.h>
#include <cjson/cJSON.h>

#include "backoff.h"
#include "book_view.h"
#include "client.h"
#include "i18n.h"
#include "sync_local.h"
#include "token.h"
#include "wire.h"
#include "zbuf.h"

struct conn {
	CURL *curl;
	struct curl_slist *headers;
	char *url;
	struct fb_buf body;          /* answer, capped */
	struct sync_stats *st;
	/* The request under way (request_begin .. request_end). */
	struct curl_slist *req_headers;
	CURLcode cr;
	int retry_after;             /* the last answer was a 429: wait this */
	int throttle_waits;          /* 429s waited out in this sync */
	/* What the hub said of this device's history (docs/PROTOCOL.md §13.4). */
	uint64_t fork;               /* a push met other content from here */
	int relay_all;               /* SYNC_RELAY_ALL: a hub's relay */
	int held_known;              /* a pull said how much it holds: */
	uint64_t held;
	unsigned char held_hash[JOURNAL_HASH_LEN];
	/* The step under way, as reported to sink (step_begin). */
	const struct progress_sink *sink;  /* NULL: no reports */
	struct progress prog;        /* as of the last request's end */
	uint64_t batch;              /* entries the request under way sends */
	size_t step_bytes0;          /* bytes moved before the step began */
	/* The last error answer: its code ("clock_ahead") and hub time. */
	char err_code[64];
	fb_hlc err_hub_time;
	/* The hub's clock as last seen, and this laptop's then. */
	int clock_known;
	struct book_clock_note clock;
	struct sync_local *l;        /* what this end syncs */
	struct book *b;              /* its book, or NULL (a PostgreSQL hub) */
	/* Pacing by time on the link (client.h, sync_pace). */
	uint64_t req_start_ms;       /* the request under way began */
	uint64_t took_ms;            /* the last request took */
	uint64_t conn_born_ms;       /* the connection in use opened; 0: none */
	uint64_t conn_life_ms;       /* the shortest life of one cut; 0: none */
	int pushes;                  /* push requests in this sync */
	double rate[2];              /* changes a ms the last push [0] or
					pull [1] moved, for the first size of
					a go tried again (0: none yet) */
	/* A push may bring the pull's first page (§6.2): */
	int ask_page;                /* this sync pulls after it pushes */
	struct fb_buf page;          /* the page a push answer brought */
	int page_taken, page_more;   /* applied; more to pull after it */
};

static const volatile sig_atomic_t *stop_flag;

void sync_set_stop(const volatile sig_atomic_t *flag)
{
	stop_flag = flag;
}

static int stopping(void)
{
	return stop_flag && *stop_flag;
}

/* The failure of a sync stopped at a safe point (sync_set_stop). */
static enum fb_code stopped(struct conn *c, const char *step, struct fb_error *err)
{
	c->st->stopped = 1;
	return fb_fail(err, FB_ENET, _("%s: stopped; nothing is lost, the next sync goes"
		       " on from here"), _(step));
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * How long a request should take on this link (client.h): two fifths
 * of the shortest life of a connection seen cut; else SYNC_TARGET_MS,
 * or as long as the connection in use has lived already, up to
 * SYNC_TARGET_MAX_MS: one that has held that long is likely to hold as
 * long again, and longer requests waste fewer round trips.
 */
static uint64_t target_ms(const struct conn *c)
{
	uint64_t t = SYNC_TARGET_MS;

	if (c->conn_life_ms) {
		t = c->conn_life_ms * 2 / 5;
		return t < SYNC_TARGET_MIN_MS ? SYNC_TARGET_MIN_MS : t;
	}
	if (c->conn_born_ms) {
		uint64_t age = mono_ms() - c->conn_born_ms;

		if (age > t)
			t = age < SYNC_TARGET_MAX_MS ? age : SYNC_TARGET_MAX_MS;
	}
	return t;
}

/* The size of the next batch or page after one of `size`; which: 0 a
 * push, 1 a pull, whose rate is kept. */
static size_t next_size(struct conn *c, int which, size_t size)
{
	if (c->took_ms)
		c->rate[which] = (double)size / (double)c->took_ms;
	return sync_pace(size, c->took_ms, target_ms(c));
}

/* The first size of a push or pull: what the link moved last time in
 * this sync, for the target now; SYNC_BATCH_FIRST at first. */
static size_t first_size(const struct conn *c, int which)
{
	double want = c->rate[which] * (double)target_ms(c);

	if (c->rate[which] <= 0)
		return SYNC_BATCH_FIRST;
	if (want > SYNC_BATCH_MAX)
		return SYNC_BATCH_MAX;
	return want < SYNC_BATCH_MIN ? SYNC_BATCH_MIN : (size_t)want;
}

static size_t on_data(char *p, size_t size, size_t n, void *cls)
{
	struct conn *c = cls;

	/* Returning less than given makes curl stop: the cap holds. */
	return buf_add(&c->body, p, size * n) == FB_OK ? size * n : 0;
}

static int on_transfer(void *cls, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow);

static enum fb_code conn_open(struct sync_local *l, struct conn *c, struct fb_error *err)
{
	char *url = NULL, *token = NULL, *cacert = NULL, *auth = NULL;
	enum fb_code rc;

	memset(c, 0, sizeof(*c));
	c->l = l;
	c->b = l->book;
	c->body.cap = WIRE_BODY_MAX;
	if ((rc = l->ops->meta_get(l->ctx, "remote_url", &url, err)) != FB_OK ||
	    (rc = l->ops->meta_get(l->ctx, "remote_token", &token, err)) != FB_OK ||
	    (rc = l->ops->meta_get(l->ctx, "remote_cacert", &cacert, err)) != FB_OK)
		goto out;
	if (!url || !token) {
		rc = fb_fail(err, FB_EUSAGE,
			     _("no hub set up: run 'fieldbook remote set URL --token-file FILE'"));
		goto out;
	}
	c->curl = curl_easy_init();
	if (!c->curl || asprintf(&auth, "Authorization: Bearer %s", token) < 0) {
		auth = NULL;
		rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
		goto out;
	}
	/* Each byte of a header goes over the link with every request:
	 * only what the hub reads (curl's default Accept is dropped). */
	c->headers = curl_slist_append(NULL, auth);
	c->headers = curl_slist_append(c->headers, "Accept:");
	c->url = url;
	url = NULL;
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT, (long)SYNC_CONNECT_TIMEOUT);
	curl_easy_setopt(c->curl, CURLOPT_EXPECT_100_TIMEOUT_MS, (long)SYNC_EXPECT_100_MS);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_LIMIT, (long)SYNC_LOW_SPEED_BYTES);
	curl_easy_setopt(c->curl, CURLOPT_LOW_SPEED_TIME, (long)SYNC_LOW_SPEED_TIME);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, "deflate");
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_data);
	/* Progress for a sink, and the check of a stop (sync_set_stop). */
	curl_easy_setopt(c->curl, CURLOPT_XFERINFOFUNCTION, on_transfer);
	curl_easy_setopt(c->curl, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(c->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	if (cacert && *cacert)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, cacert);
out:
	if (token)
		OPENSSL_cleanse(token, strlen(token));
	if (auth)
		OPENSSL_cleanse(auth, strlen(auth));
	free(url);
	free(token);
	free(cacert);
	free(auth);
	return rc;
}

/* --- progress (progress.h) ---------------------------------------- */

static size_t bytes_moved(const struct conn *c)
{
	return c->st->bytes_sent + c->st->bytes_received;
}

/* A step begins: its first report, before anything is sent. */
static void step_begin(struct conn *c, const char *step, uint64_t total)
{
	c->prog.step = step;
	c->prog.done = 0;
	c->prog.total = total;
	c->prog.bytes = 0;
	c->prog.fraction = progress_fraction(0, total);
	c->batch = 0;
	c->step_bytes0 = bytes_moved(c);
	progress_report(c->sink, &c->prog);
}

/* After a request: done entries of the step, and its bytes. */
static void step_advance(struct conn *c, uint64_t done)
{
	c->prog.done = done;
	c->prog.bytes = bytes_moved(c) - c->step_bytes0;
	c->prog.fraction = progress_fraction(done, c->prog.total);
	c->batch = 0;
	progress_report(c->sink, &c->prog);
}

/* The step is over: done entries were all there was to do. */
static void step_finish(struct conn *c, uint64_t done)
{
	c->prog.done = c->prog.total = done;
	c->prog.bytes = bytes_moved(c) - c->step_bytes0;
	c->prog.fraction = 1.0;
	c->batch = 0;
	progress_report(c->sink, &c->prog);
}

/*
 * curl's transfer callback: the bytes of the request under way, and
 * for a push the part of its batch sent.  Called on the transfer's
 * thread, at least once a second even while nothing moves, so that a
 * slow or stalled link still shows its rate falling.
 */
static int on_transfer(void *cls, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct conn *c = cls;
	struct progress p = c->prog;

	(void)dltotal;
	if (stopping())
		return 1;       /* curl abandons the transfer */
	if (!p.step)
		return 0;
	p.bytes += (uint64_t)(ulnow > 0 ? ulnow : 0) + (uint64_t)(dlnow > 0 ? dlnow : 0);
	if (c->batch && ultotal > 0 && ulnow > 0) {
		p.done += (uint64_t)((double)c->batch * (double)ulnow / (double)ultotal);
		p.fraction = progress_fraction(p.done, p.total);
	}
	progress_report(c->sink, &p);
	return 0;
}

static void conn_close(struct conn *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->headers);
	free(c->url);
	buf_release(&c->body);
	buf_release(&c->page);
}

/*
 * Note the hub's time t, read now: how this laptop's clock compares
 * with the hub's is kept at the end of the sync (book_note_hub_clock).
 */
static void note_hub_time(struct conn *c, fb_hlc t)
{
	if (!t || !c->b)        /* a book's clock alone is kept */
		return;
	c->clock_known = 1;
	c->clock.hub_ms = HLC_MS(t);
	c->clock.local_ms = book_wall_ms(c->b);
	c->clock.boot_ms = hlc_boot_ms();
}

/* The "message" of a JSON error answer, or a fallback; its code and
 * hub time are kept in c. */
static void answer_message(struct conn *c, char *out, size_t n)
{
	cJSON *doc = cJSON_ParseWithLength(buf_str(&c->body), c->body.len);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "message");
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
	const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc, "hub_time"));
	fb_hlc h = 0;

	snprintf(out, n, "%s", cJSON_IsString(m) ? m->valuestring : _("no explanation"));
	snprintf(c->err_code, sizeof(c->err_code), "%s",
		 cJSON_IsString(e) ? e->valuestring : "");
	c->err_hub_time = 0;
	if (t && hlc_parse(t, &h) == FB_OK) {
		c->err_hub_time = h;
		note_hub_time(c, h);
	}
	cJSON_Delete(doc);
}

/*
 * A request is request_begin(), the transfer (perform(), on this thread
 * or another), then request_end().  Between begin and end the transfer
 * owns c->curl and c->body; the caller touches neither.
 */
static void request_begin(struct conn *c, const char *path,
			  const struct fb_buf *zbody)
{
	char url[2048];

	uint64_t now = mono_ms();

	buf_reset(&c->body);
	c->req_headers = NULL;
	c->cr = CURLE_OK;
	c->retry_after = 0;
	c->req_start_ms = now;
	/* A request that would outlive its connection goes on a new one. */
	curl_easy_setopt(c->curl, CURLOPT_FRESH_CONNECT,
			 c->conn_born_ms && c->conn_life_ms &&
			 now - c->conn_born_ms + target_ms(c) > c->conn_life_ms * 9 / 10 ? 1L : 0L);
	snprintf(url, sizeof(url), "%s%s", c->url, path);
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	if (zbody) {
		struct curl_slist *it;

		curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, zbody->data);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)zbody->len);
		/* per-request header on top of the common ones */
		for (it = c->headers; it; it = it->next)
			c->req_headers = curl_slist_append(c->req_headers, it->data);
		/* A GET names its version in its path alone (/v2/pull). */
		c->req_headers = curl_slist_append(c->req_headers,
						   WIRE_PROTOCOL_HEADER ": " FB_STR(WIRE_VERSION));
		c->req_headers = curl_slist_append(c->req_headers,
						   "Content-Type: application/json");
		c->req_headers = curl_slist_append(c->req_headers,
						   "Content-Encoding: deflate");
		/* The hub judges a sync's first push by its head, before the
		 * body goes (a refused token costs no upload); later ones on
		 * a slow link would each lose a round trip waiting for it,
		 * and a small body costs less than the wait. */
		c->req_headers = curl_slist_append(c->req_headers,
						   c->pushes == 0 && zbody->len >= SYNC_EXPECT_MIN
						   ? "Expect: 100-continue" : "Expect:");
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->req_headers);
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	}
}

/* After a transfer: how long it took, and what it says of the link. */
static void note_link(struct conn *c)
{
	uint64_t now = mono_ms();
	long connects = 0;

	c->took_ms = now - c->req_start_ms;
	curl_easy_getinfo(c->curl, CURLINFO_NUM_CONNECTS, &connects);
	/* A new connection where the one in use was to carry the request:
	 * that one died on the way (curl sent the request again, whole, on
	 * a new one).  It lived at least until the request began. */
	if (connects > 0 && c->conn_born_ms) {
		uint64_t age = c->req_start_ms - c->conn_born_ms;

		if (age >= SYNC_LIFE_MIN_MS && (!c->conn_life_ms || age < c->conn_life_ms))
			c->conn_life_ms = age;
	}
	if (connects > 0)
		c->conn_born_ms = c->req_start_ms;
	if (c->cr == CURLE_OK || c->cr == CURLE_ABORTED_BY_CALLBACK)
		return;
	/* Cut in its middle: connections on this link live about so long. */
	if (c->conn_born_ms && now - c->conn_born_ms >= SYNC_LIFE_MIN_MS &&
	    (!c->conn_life_ms || now - c->conn_born_ms < c->conn_life_ms))
		c->conn_life_ms = now - c->conn_born_ms;
	c->conn_born_ms = 0;
}

static void *perform(void *arg)
{
	struct conn *c = arg;

	c->cr = curl_easy_perform(c->curl);
	return NULL;
}

/*
 * The end of a request.  *status is the HTTP status; transport failures
 * and error statuses other than those the caller handles become codes.
 * step ("push", "pull", "relay", marked N_()) begins their messages.
 */
static enum fb_code request_end(struct conn *c, const char *step,
				const struct fb_buf *zbody, long *status,
				struct fb_error *err)
{
	char msg[FB_ERRMSG_MAX];
	const char *code = c->err_code;
	curl_off_t up = 0, down = 0, hdr = 0;
	CURLcode cr = c->cr;

	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, c->headers);
	curl_slist_free_all(c->req_headers);
	c->req_headers = NULL;
	c->err_code[0] = '\0';
	c->st->requests++;
	note_link(c);
	if (zbody)
		c->pushes++;
	step = _(step);
	/* REQUEST_SIZE already holds a body sent with the headers, as
	 * curl sends ours; the upload count is added only when it is not. */
	curl_easy_getinfo(c->curl, CURLINFO_REQUEST_SIZE, &hdr);
	curl_easy_getinfo(c->curl, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(c->curl, CURLINFO_SIZE_DOWNLOAD_T, &down);
	c->st->bytes_sent += (size_t)hdr + (zbody && (size_t)hdr < zbody->len ? (size_t)up : 0);
	{
		long hs = 0;

		curl_easy_getinfo(c->curl, CURLINFO_HEADER_SIZE, &hs);
		c->st->bytes_received += (size_t)hs + (size_t)down;
	}
	if (cr != CURLE_OK) {
		switch (cr) {
		case CURLE_ABORTED_BY_CALLBACK:
			return stopped(c, step, err);
		case CURLE_WRITE_ERROR:
			return fb_fail(err, FB_EINVAL, _("%s: the hub's answer is over %zu bytes"),
				       step, (size_t)WIRE_BODY_MAX);
		case CURLE_PEER_FAILED_VERIFICATION:
		case CURLE_SSL_CACERT_BADFILE:
		case CURLE_SSL_CONNECT_ERROR:
			return fb_fail(err, FB_ENET,
				       _("%s: TLS with the hub failed (%s); if it uses a private CA, "
				         "give it with 'remote set ... --cacert FILE'"), step,
				       curl_easy_strerror(cr));
		default:
			return fb_fail(err, FB_ENET,
				       _("%s: hub unreachable or connection dropped (%s); nothing is lost, run sync again"),
				       step, curl_easy_strerror(cr));
		}
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, status);
	{
		curl_off_t want = -1;

		/* A body shorter than its Content-Length was cut. */
		curl_easy_getinfo(c->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &want);
		if (want >= 0 && down < want)
			return fb_fail(err, FB_ENET, _("%s: the connection dropped during the hub's"
				         " answer; nothing is lost, run sync again"), step);
	}
	if (*status == 200 || *status == 409)
		return FB_OK;
	answer_message(c, msg, sizeof(msg));
	{
		struct curl_header *h = NULL;
		long proto = 0;

		if (curl_easy_header(c->curl, WIRE_PROTOCOL_HEADER, 0, CURLH_HEADER, -1,
				     &h) == CURLHE_OK)
			proto = strtol(h->value, NULL, 10);
		/* A hub of the release before has no /v2/ and says no version. */
		if (*status == 404 && proto == 0)
			return fb_fail(err, FB_EPROTO, _("%s: the hub runs an older release of"
				         " Fieldbook (protocol %d); ask its operator to upgrade it."
				         " Nothing was sent and nothing is lost"), step,
				       WIRE_VERSION_OLD);
		if (proto > WIRE_VERSION)
			return fb_fail(err, FB_EPROTO, _("%s: the hub speaks protocol %ld, newer"
				         " than this laptop's %d (%s); upgrade Fieldbook here."
				         " Nothing is lost"), step, proto, WIRE_VERSION, msg);
	}
	if (*status == 429 || *status == 503) {
		struct curl_header *h = NULL;
		long s = *status == 429 ? 1 : 0;

		if (curl_easy_header(c->curl, "Retry-After", 0, CURLH_HEADER, -1,
				     &h) == CURLHE_OK)
			s = strtol(h->value, NULL, 10);
		/* What the hub asked for, for a loop's next try (backoff.h). */
		if (s > 0)
			c->st->retry_after = s > (long)BACKOFF_RETRY_AFTER_MAX
					     ? BACKOFF_RETRY_AFTER_MAX : (unsigned)s;
	}
	if (*status == 429) {
		long s = c->st->retry_after ? (long)c->st->retry_after : 1;

		c->retry_after = s < 1 ? 1 : s > SYNC_RETRY_AFTER_MAX ? SYNC_RETRY_AFTER_MAX
								 : (int)s;
		return fb_fail(err, FB_EBUSY, _("%s: the hub limits this laptop's requests"
			         " (HTTP 429: %s); run sync again in a minute"), step, msg);
	}
	if (*status == 401)
		return fb_fail(err, FB_EAUTH, _("%s: the hub refused the token (%s); "
			         "check 'fieldbook remote set'"), step, msg);
	if (*status == 403)
		return fb_fail(err, FB_EAUTH, _("%s: the hub refused: %s; nothing was applied "
			         "and your records are kept here"), step, msg);
	if (*status >= 500)
		return fb_fail(err, FB_EBUSY, _("%s: the hub is busy or failing (HTTP %ld: %s); "
			         "run sync again later"), step, *status, msg);
	return fb_fail(err, FB_EINVAL, _("%s: the hub refused the data (HTTP %ld %s: %s)"),
		       step, *status, code, msg);
}

/*
 * After a request that ended in rc: 1 if it was a 429 that this sync
 * may still wait out (it then has waited, and the request is to be sent
 * again), 0 if not.
 */
static int throttle_wait(struct conn *c, enum fb_code rc)
{
	struct timespec ts = { 0, 0 };

	if (rc != FB_EBUSY || !c->retry_after || c->throttle_waits >= SYNC_THROTTLE_RETRIES)
		return 0;
	c->throttle_waits++;
	ts.tv_sec = c->retry_after;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return 1;
}

/* 1 when a transfer failed before any byte of it reached the hub. */
static int never_sent(CURLcode cr)
{
	return cr == CURLE_COULDNT_CONNECT || cr == CURLE_COULDNT_RESOLVE_HOST ||
	       cr == CURLE_COULDNT_RESOLVE_PROXY || cr == CURLE_UNSUPPORTED_PROTOCOL ||
	       cr == CURLE_URL_MALFORMAT;
}

/* One request, start to end, on this thread (429s waited out). */
static enum fb_code request(struct conn *c, const char *step, const char *path,
			    const struct fb_buf *zbody, long *status,
			    struct fb_error *err)
{
	enum fb_code rc;

	do {
		if (stopping())
			return stopped(c, step, err);
		request_begin(c, path, zbody);
		perform(c);
		rc = request_end(c, step, zbody, status, err);
	} while (throttle_wait(c, rc));
	return rc;
}

/* 1 when a JSON answer is the error `code`. */
static int is_error(const cJSON *ans, const char *code)
{
	const char *e = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ans, "error"));

	return e && !strcmp(e, code);
}

/* Take in the hub's time t: a book's HLC advances past it. */
static void observe_time(struct conn *c, fb_hlc t)
{
	if (c->b)
		book_observe(c->b, t);
	note_hub_time(c, t);
}

/* The same, from an answer's text. */
static void observe_hub_time(struct conn *c, const char *hex)
{
	fb_hlc t;

	if (hex && hlc_parse(hex, &t) == FB_OK)
		observe_time(c, t);
}

/* Keep the hub's reasons for entries it set aside, for `status`. */
static enum fb_code note_rejected(struct book *b, const cJSON *rejected,
				  struct fb_error *err)
{
	const cJSON *it;
	enum fb_code rc = FB_OK;

	if (!cJSON_IsArray(rejected))
		return FB_OK;
	cJSON_ArrayForEach(it, rejected) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "seq");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(it, "reason");

		if (rc != FB_OK)
			break;
		if (cJSON_IsNumber(s) && cJSON_IsString(r))
			rc = book_note_rejected(b, (long long)s->valuedouble, r->valuestring, err);
	}
	return rc;
}

int sync_same_head(struct book *b, uint64_t seq, const char *hex)
{
	unsigned char want[JOURNAL_HASH_LEN], mine[JOURNAL_HASH_LEN];
	int found = 0;

	return hex && wire_unhex(hex, want, sizeof(want)) == FB_OK &&
	       book_chain_at(b, book_device(b), seq, mine, &found, NULL) == FB_OK &&
	       found && !memcmp(mine, want, sizeof(mine));
}

/* A push batch, ready to send: n changes, its last entry `last`. */
struct batch {
	size_t n;
	uint64_t last;
	struct fb_buf z;             /* the deflated body */
	enum fb_code rc;             /* preparing it failed: this, and err */
	struct fb_error err;
	int asked;                   /* it asks for the pull's first page */
};

/* meta key: the hub history (pull_epoch) of a hub that refused a push
 * asking for a page (a hub of an earlier release); such a hub is asked
 * again only once it has restarted, maybe upgraded (a new epoch). */
#define SYNC_ASK_REFUSED "push_ask_refused"

/*
 * Read up to `size` unsent changes after entry `after` and deflate them
 * into out.  changes is scratch room for SYNC_BATCH_MAX changes, json
 * for the text; both are left empty for the next call.
 */
static enum fb_code prepare(struct book *b, uint64_t after, size_t size,
			    const char *parent, const struct wire_pull_ask *ask,
			    struct jchange *changes, struct fb_buf *json, struct batch *out)
{
	size_t i;

	out->n = 0;
	out->last = after;
	out->asked = 0;
	buf_reset(&out->z);
	buf_reset(json);
	fb_error_clear(&out->err);
	out->rc = book_own_changes(b, after, changes, size, SYNC_PUSH_BYTES, &out->n,
				   &out->err);
	if (out->rc == FB_OK && out->n > 0) {
		out->last = changes[out->n - 1].seq + changes[out->n - 1].n - 1;
		/* The last batch asks for the pull's first page too. */
		if (out->last < book_last_seq(b))
			ask = NULL;
		out->asked = ask != NULL;
		if ((out->rc = wire_push_encode_ask(changes, out->n, parent, ask,
						    json)) != FB_OK ||
		    (out->rc = zbuf_deflate(json->data, json->len, ZBUF_LEVEL, &out->z,
					    &out->err)) != FB_OK)
			fb_fail(&out->err, out->rc, _("push: preparing the batch: %s"),
				fb_strerror(out->rc));
	}
	/* Read, also in part on failure: released either way. */
	for (i = 0; i < out->n; i++)
		jchange_release(&changes[i]);
	return out->rc;
}

static enum fb_code take_page(struct conn *c, const char *json, size_t len,
			      int *more, uint64_t *received, struct fb_error *err);

/* Mark sent what the hub says it holds (ack), with its reasons for what
 * it set aside, in one transaction. */
static enum fb_code save_ack(struct book *b, const cJSON *ans, struct fb_error *err)
{
	const cJSON *ack = cJSON_GetObjectItemCaseSensitive(ans, "ack");
	enum fb_code rc = book_begin(b, err);

	if (rc != FB_OK)
		return rc;
	rc = book_meta_set_int(b, "acked_seq", (long long)ack->valuedouble, err);
	if (rc == FB_OK)
		rc = note_rejected(b, cJSON_GetObjectItemCaseSensitive(ans, "rejected"), err);
	if (rc == FB_OK)
		rc = book_commit(b, err);
	else
		book_rollback(b);
	return rc;
}

/*
 * Push the unsent journal, batch after batch.  While the hub takes one
 * batch, this side saves the hub's acknowledgement of the one before
 * and reads and deflates the next (the transfer runs on a thread of its
 * own), on the guess that the hub will take all of the current batch;
 * when it does not (a gap, a short acknowledgement), the guess is
 * dropped and the next batch is read from what the hub says it holds.
 * An acknowledgement saved late costs nothing if the sync stops first:
 * the hub takes a batch sent twice as a replay.
 */
static enum fb_code push(struct book *b, struct conn *c, struct fb_error *err)
{
	struct jchange *changes = calloc(SYNC_BATCH_MAX, sizeof(*changes));
	struct fb_buf json = FB_BUF_INIT(0);
	struct batch two[2], *cur = &two[0], *next = &two[1], *t;
	cJSON *unsaved = NULL;       /* an answer whose ack is not saved yet */
	char parent[FB_DEVICE_ID_MAX + 1];
	long long acked = 0, acked0 = 0;
	size_t rounds, gaps = 0, size = first_size(c, 0);
	enum fb_code rc = FB_OK, sent;
	long status = 0;
	int guessed = 0, unsure = 0;

	struct wire_pull_ask ask_buf, *ask = NULL;

	memset(two, 0, sizeof(two));
	two[0].z.cap = two[1].z.cap = WIRE_ZBODY_MAX;
	if (!changes)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	c->fork = 0;
	buf_reset(&c->page);
	if (c->ask_page) {
		long long cursor = 0;
		char *epoch = NULL;

		if ((rc = book_meta_int(b, "pull_cursor", 0, &cursor, err)) != FB_OK ||
		    (rc = book_meta_get(b, "pull_epoch", &epoch, err)) != FB_OK) {
			free(changes);
			return rc;
		}
		char *refused = NULL;

		memset(&ask_buf, 0, sizeof(ask_buf));
		ask_buf.after = (uint64_t)cursor;
		snprintf(ask_buf.epoch, sizeof(ask_buf.epoch), "%s", epoch ? epoch : "");
		ask_buf.limit = SYNC_BATCH_FIRST;
		if (book_meta_get(b, SYNC_ASK_REFUSED, &refused, NULL) != FB_OK ||
		    !refused || strcmp(refused, ask_buf.epoch))
			ask = &ask_buf;
		free(refused);
		free(epoch);
	}
	if ((rc = book_forked_from(b, parent, err)) != FB_OK ||
	    (rc = book_meta_int(b, "acked_seq", 0, &acked0, err)) != FB_OK) {
		free(changes);
		return rc;
	}
	if (book_last_seq(b) > (uint64_t)acked0)
		step_begin(c, N_("sending"), book_last_seq(b) - (uint64_t)acked0);
	for (rounds = 0; rounds < SYNC_ROUNDS_MAX; rounds++) {
		cJSON *ans = NULL;
		const cJSON *ack, *exp;
		pthread_t thread;
		int threaded;

		if (guessed) {
			t = cur, cur = next, next = t;
			guessed = 0;
		} else {
			if (unsaved) {
				rc = save_ack(b, unsaved, err);
				cJSON_Delete(unsaved);
				unsaved = NULL;
				if (rc != FB_OK)
					break;
			}
			if ((rc = book_meta_int(b, "acked_seq", 0, &acked, err)) != FB_OK)
				break;
			prepare(b, (uint64_t)acked, size, parent, ask, changes, &json, cur);
		}
		if (cur->rc != FB_OK) {
			rc = fb_fail(err, cur->rc, "%s", cur->err.msg);
			break;
		}
		if (cur->n == 0)
			break;
		c->batch = cur->last - (uint64_t)acked;
		/* The book's first entries going out: until an answer says
		 * what the hub did, it may hold them (book_set_branch asks). */
		if (acked == 0 && !unsure) {
			if ((rc = book_meta_set_int(b, BOOK_PUSH_UNSURE, 1, err)) != FB_OK)
				break;
			unsure = 1;
		}
		if (stopping()) {
			rc = stopped(c, N_("push"), err);
			break;
		}
		status = 0;
		request_begin(c, "/v2/push", &cur->z);
		threaded = pthread_create(&thread, NULL, perform, c) == 0;
		if (unsaved) {
			rc = save_ack(b, unsaved, err);
			cJSON_Delete(unsaved);
			unsaved = NULL;
		}
		if (threaded) {
			if (rc == FB_OK)
				prepare(b, cur->last, size, parent, ask,
					changes, &json, next);
			pthread_join(thread, NULL);
		} else if (rc == FB_OK) {
			perform(c);
		}
		sent = request_end(c, N_("push"), &cur->z, &status, rc == FB_OK ? err : NULL);
		/* Refused for its rate: the same batch again, once waited. */
		while (rc == FB_OK && throttle_wait(c, sent)) {
			request_begin(c, "/v2/push", &cur->z);
			perform(c);
			sent = request_end(c, N_("push"), &cur->z, &status, err);
		}
		/* An answer came, or the request never left: whatever it
		 * says, what the hub holds is no longer unknown. */
		if (unsure && ((status > 0 && sent != FB_ENET) || never_sent(c->cr))) {
			enum fb_code cleared = book_meta_set_int(b, BOOK_PUSH_UNSURE, 0, NULL);

			unsure = 0;
			if (rc == FB_OK && sent == FB_OK && cleared != FB_OK)
				sent = fb_fail(err, cleared, _("push: cannot save what the hub answered"));
		}
		/* A hub of an earlier release refuses the key it does not
		 * know: the same batch again without it, and not asked again
		 * of this hub history. */
		if (rc == FB_OK && sent == FB_EINVAL && status == 400 && cur->asked &&
		    !strcmp(c->err_code, "malformed")) {
			if ((rc = book_meta_set(b, SYNC_ASK_REFUSED, ask_buf.epoch, err)) != FB_OK)
				break;
			ask = NULL;
			guessed = 0;
			if (err)
				fb_error_clear(err);
			continue;
		}
		if (rc != FB_OK || (rc = sent) != FB_OK)
			break;
		ans = cJSON_ParseWithLength(buf_str(&c->body), c->body.len);
		ack = cJSON_GetObjectItemCaseSensitive(ans, "ack");
		/* The pull's first page, the last key of the answer (§6.2),
		 * kept as the hub wrote it: the pull's own strict decoder
		 * reads it once the push is done. */
		if (ans && status == 200 && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(ans, "page"))) {
			const char *at = strstr(buf_str(&c->body), ",\"page\":{");

			buf_reset(&c->page);
			if (at && c->body.len > 0 && c->body.data[c->body.len - 1] == '}' &&
			    buf_add(&c->page, at + 8, (size_t)(c->body.data + c->body.len - 1 -
							      (at + 8))) != FB_OK)
				buf_reset(&c->page);
		}
		exp = cJSON_GetObjectItemCaseSensitive(ans, "expected");
		observe_hub_time(c, cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(ans, "hub_time")));
		if (status == 409 && is_error(ans, "fork")) {
			/* The hub holds other content under our numbers: this
			 * book was restored from a copy, or copied.  The caller
			 * continues it under a new id (book_fork). */
			const cJSON *at = cJSON_GetObjectItemCaseSensitive(ans, "seq");

			if (!cJSON_IsNumber(at) || at->valuedouble <= (double)acked ||
			    at->valuedouble > (double)book_last_seq(b))
				rc = fb_fail(err, FB_EINVAL, _("push: the hub's fork answer makes"
					       " no sense (entry %.0f)"),
					     cJSON_IsNumber(at) ? at->valuedouble : 0.0);
			else
				c->fork = (uint64_t)at->valuedouble;
			cJSON_Delete(ans);
			break;
		}
		if (status == 409) {
			/* The hub lacks entries we thought it had (restored
			 * from a backup?): send again from where it stands. */
			if (!cJSON_IsNumber(exp) || exp->valuedouble < 1 ||
			    exp->valuedouble > (double)acked + 1 || ++gaps > 3) {
				rc = fb_fail(err, FB_EINVAL, _("push: the hub and this laptop disagree"
					       " on what was sent (hub expects entry %.0f)"),
					     cJSON_IsNumber(exp) ? exp->valuedouble : 0.0);
				cJSON_Delete(ans);
				break;
			}
			rc = book_meta_set_int(b, "acked_seq",
						(long long)exp->valuedouble - 1, err);
			if (rc == FB_OK)
				rc = book_meta_set_int(b, SYNC_RELAY_DUE, 1, err);
			cJSON_Delete(ans);
			if (rc != FB_OK)
				break;
			continue;
		}
		if (!ans) {
			rc = fb_fail(err, FB_ENET, _("push: the hub's answer arrived damaged or cut"
				       " short; nothing is lost, run sync again"));
			break;
		}
		/* The hub may hold more than this batch (a resend after a
		 * lost answer). */
		if (!cJSON_IsNumber(ack) || ack->valuedouble < (double)acked) {
			rc = fb_fail(err, FB_EINVAL, _("push: the hub's acknowledgement makes no sense"));
			cJSON_Delete(ans);
			break;
		}
		/* More than this book ever wrote: it was restored from an
		 * older copy, or copied, and the hub holds the rest. */
		if (ack->valuedouble > (double)book_last_seq(b)) {
			c->fork = book_last_seq(b) + 1;
			cJSON_Delete(ans);
			break;
		}
		/* Past this batch: ours only if the chain there is ours (an
		 * answer lost before).  Otherwise only the batch is taken, and
		 * the next batch, sent from there, meets the hub's replay check,
		 * which says where the two histories part. */
		if ((uint64_t)ack->valuedouble > cur->last &&
		    !sync_same_head(b, (uint64_t)ack->valuedouble, cJSON_GetStringValue(
			    cJSON_GetObjectItemCaseSensitive(ans, "ack_hash")))) {
			cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(ans, "ack"),
					     (double)cur->last);
			ack = cJSON_GetObjectItemCaseSensitive(ans, "ack");
		}
		c->st->pushed += cur->n;
		c->st->acked = (uint64_t)ack->valuedouble;
		{
			const cJSON *rt = cJSON_GetObjectItemCaseSensitive(ans, "rejected_total");

			if (cJSON_IsNumber(rt))
				c->st->rejected += (size_t)rt->valuedouble;
		}
		acked = (long long)ack->valuedouble;
		size = next_size(c, 0, cur->n);
		/* The batch read while the hub worked follows exactly this one,
		 * and is about the size the link now asks for (on a slow link
		 * the first batches grow from what each request took). */
		guessed = threaded && next->rc == FB_OK &&
			  (uint64_t)ack->valuedouble == cur->last &&
			  (next->asked || next->n * 3 / 2 >= size);
		unsaved = ans;
		step_advance(c, acked > acked0 ? (uint64_t)(acked - acked0) : 0);
	}
	if (unsaved) {
		/* What the hub took is saved even when a later step failed;
		 * the first failure is the one reported. */
		struct fb_error e;
		enum fb_code saved = save_ack(b, unsaved, &e);

		if (rc == FB_OK && saved != FB_OK) {
			rc = saved;
			*err = e;
		}
		cJSON_Delete(unsaved);
	}
	free(changes);
	buf_release(&json);
	buf_release(&two[0].z);
	buf_release(&two[1].z);
	if (rc == FB_OK && !c->fork && c->page.len) {
		uint64_t received = 0;
		int joining = 0;

		step_begin(c, "receiving", 0);
		rc = book_pull_joining(b, &joining, err);
		if (rc == FB_OK)
			rc = take_page(c, buf_str(&c->page), c->page.len, &c->page_more,
				       &received, err);
		if (rc == FB_OK) {
			c->page_taken = 1;
			if (c->page_more)
				step_advance(c, received);
			else
				step_finish(c, received);
		}
	}
	buf_reset(&c->page);
	return rc;
}

/* wire_held_fn over this end: its own hash after a device's entry. */
static int held_here(void *ctx, const char *device, uint64_t seq,
		     unsigned char hash[JOURNAL_HASH_LEN])
{
	struct sync_local *l = ctx;
	int found = 0;

	return l->ops->chain_at(l->ctx, device, seq, hash, &found, NULL) == FB_OK && found;
}

enum fb_code sync_apply_page(struct sync_local *l, struct wire_page *page, int relay_all,
			     struct fb_error *err)
{
	enum fb_code rc;
	size_t i;

	if (page->version != WIRE_VERSION)
		return fb_fail(err, FB_EPROTO, _("pull: the hub answered in protocol %d, not %d"),
			       page->version, WIRE_VERSION);
	if ((rc = wire_page_verify(page, held_here, l, err)) != FB_OK)
		return fb_prefix(err, _("pull: the hub's page breaks a device's hash chain, so"
				   " nothing of it was applied: "));
	if (l->book)
		book_observe(l->book, page->hub_time);
	if ((rc = l->ops->begin(l->ctx, err)) != FB_OK)
		return rc;
	/* Verified: each change's hash is its chain's. */
	for (i = 0; rc == FB_OK && i < page->n; i++)
		rc = l->ops->apply(l->ctx, &page->changes[i], err);
	/* A relay never sends back what the upstream sent. */
	for (i = 0; rc == FB_OK && relay_all && i < page->n; i++)
		if (page->links[i].end)
			rc = l->ops->relay_known(l->ctx, page->changes[i].device,
					      page->changes[i].seq + page->changes[i].n - 1, err);
	/* The hub's cursor, even one lower than ours: a hub restored from a
	 * copy cuts back what it no longer holds, and may have lost other
	 * devices' changes this laptop holds. */
	if (rc == FB_OK && page->cut)
		rc = l->ops->meta_set_int(l->ctx, SYNC_RELAY_DUE, 1, err);
	if (rc == FB_OK)
		rc = l->ops->meta_set_int(l->ctx, "pull_cursor", (long long)page->next, err);
	if (rc == FB_OK)
		rc = l->ops->meta_set(l->ctx, "pull_epoch", page->epoch, err);
	/* The page that catches a new laptop up ends its first catch-up. */
	if (rc == FB_OK && !page->more && l->book)
		rc = book_pull_joined(l->book, err);
	if (rc == FB_OK)
		rc = l->ops->commit(l->ctx, err);
	else
		l->ops->rollback(l->ctx);
	return rc == FB_OK ? FB_OK : fb_prefix(err, _("pull: applying changes: "));
}

/*
 * Pull page after page, each checked against the chains (nothing of a
 * page that fails is applied) and applied in one transaction with the
 * cursor and the hub history it is of.  The last answer says how much
 * of this device's chain the hub holds (c->held).
 */
/*
 * Check a pull answer (json) and apply it whole (sync_apply_page); the
 * hub's time and what it holds of this device are noted, *more says
 * whether more pages follow, and *received counts the entries.
 */
static enum fb_code take_page(struct conn *c, const char *json, size_t len,
			      int *more, uint64_t *received, struct fb_error *err)
{
	struct wire_page page;
	enum fb_code rc;
	size_t i;

	if (wire_pull_decode(json, len, &page, err) != FB_OK) {
		/* The hub only sends whole answers: one that does not parse
		 * was cut or damaged on the way.  Nothing was applied; the
		 * next sync asks again. */
		fb_prefix(err, _("pull: the hub's answer arrived damaged or cut short"
			    " (nothing is lost, run sync again): "));
		if (err)
			err->code = FB_ENET;
		return FB_ENET;
	}
	rc = sync_apply_page(c->l, &page, c->relay_all, err);
	if (rc == FB_OK) {
		note_hub_time(c, page.hub_time);
		c->held_known = 1;
		c->held = page.held;
		memcpy(c->held_hash, page.held_hash, sizeof(c->held_hash));
		c->st->pulled += page.n;
		for (i = 0; i < page.n; i++)
			*received += page.changes[i].n;
		*more = page.more;
	}
	wire_page_release(&page);
	return rc;
}

static enum fb_code pull(struct conn *c, struct fb_error *err)
{
	struct sync_local *l = c->l;
	long long cursor = 0;
	char *epoch = NULL;
	size_t rounds, size = first_size(c, 1);
	uint64_t received = 0;
	enum fb_code rc = FB_OK;
	long status = 0;
	char path[256];
	int joining = 0, more = 0;

	c->held_known = 0;
	step_begin(c, N_("receiving"), 0);
	/* A first catch-up logs the branch's old conflicts between others:
	 * they are not this laptop's (book_each_conflict, inherited); the
	 * last page of it ends it (sync_apply_page). */
	if (c->b && (rc = book_pull_joining(c->b, &joining, err)) != FB_OK)
		return rc;
	for (rounds = 0; rounds < SYNC_ROUNDS_MAX; rounds++) {
		free(epoch);
		epoch = NULL;
		if ((rc = l->ops->meta_int(l->ctx, "pull_cursor", 0, &cursor, err)) != FB_OK ||
		    (rc = l->ops->meta_get(l->ctx, "pull_epoch", &epoch, err)) != FB_OK)
			break;
		/* Both are ours: digits, hex digits, [0-9a-z-].  The hub's
		 * page is 500 changes when no limit is given (§7): a few
		 * bytes less on each small sync. */
		if (size == WIRE_PULL_DEFAULT)
			snprintf(path, sizeof(path), "/v2/pull?after=%lld&epoch=%s&device=%s",
				 cursor, epoch ? epoch : "", l->ops->device(l->ctx));
		else
			snprintf(path, sizeof(path),
				 "/v2/pull?after=%lld&epoch=%s&limit=%zu&device=%s",
				 cursor, epoch ? epoch : "", size, l->ops->device(l->ctx));
		if ((rc = request(c, N_("pull"), path, NULL, &status, err)) != FB_OK)
			break;
		if (status != 200) {
			rc = fb_fail(err, FB_EINVAL, _("pull: unexpected HTTP %ld"), status);
			break;
		}
		if ((rc = take_page(c, buf_str(&c->body), c->body.len, &more, &received,
				    err)) != FB_OK)
			break;
		if (!more) {
			step_finish(c, received);
			break;
		}
		step_advance(c, received);
		size = next_size(c, 1, size);
	}
	free(epoch);
	return rc;
}

/* --- relay: other devices' changes a restored hub lost -------------- */

/* Ask the hub how much it holds of each device in h; h->seq then says. */
static enum fb_code ask_heads(struct conn *c, struct wire_heads *h,
			      struct fb_error *err)
{
	struct fb_buf json = FB_BUF_INIT(0), z = FB_BUF_INIT(WIRE_ZBODY_MAX);
	enum fb_code rc;
	long status = 0;
	fb_hlc t = 0;

	rc = wire_heads_request_encode(h, &json);
	if (rc == FB_OK)
		rc = zbuf_deflate(json.data, json.len, ZBUF_LEVEL, &z, err);
	if (rc == FB_OK)
		rc = request(c, N_("relay"), "/v2/heads", &z, &status, err);
	if (rc == FB_OK && status != 200)
		rc = fb_fail(err, FB_EINVAL, _("relay: unexpected HTTP %ld"), status);
	if (rc == FB_OK) {
		rc = wire_heads_answer_decode(buf_str(&c->body), c->body.len, h, &t, err);
		if (rc == FB_OK)
			observe_time(c, t);
		else
			fb_prefix(err, _("relay: "));
	}
	buf_release(&json);
	buf_release(&z);
	return rc;
}

/* relay_send_fn over HTTP: a relay push, its acknowledgement noted. */
static enum fb_code relay_over_http(void *ctx, struct sync_local *l, const char *device,
				    const struct fb_buf *json, uint64_t last,
				    uint64_t *held, int *refused, struct fb_error *err)
{
	struct conn *c = ctx;
	struct fb_buf z = FB_BUF_INIT(WIRE_ZBODY_MAX);
	const cJSON *ack;
	cJSON *ans = NULL;
	enum fb_code rc;
	long status = 0;

	(void)last;
	rc = zbuf_deflate(json->data, json->len, ZBUF_LEVEL, &z, err);
	if (rc == FB_OK)
		rc = request(c, N_("relay"), "/v2/push", &z, &status, err);
	if (rc == FB_EAUTH || rc == FB_EINVAL || (rc == FB_OK && status == 409)) {
		*refused = 1;
		rc = FB_OK;
		goto out;
	}
	if (rc != FB_OK)
		goto out;
	ans = cJSON_ParseWithLength(buf_str(&c->body), c->body.len);
	ack = cJSON_GetObjectItemCaseSensitive(ans, "ack");
	observe_hub_time(c, cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(ans, "hub_time")));
	if (!cJSON_IsNumber(ack)) {
		rc = fb_fail(err, FB_ENET, _("relay: the hub's answer arrived damaged or cut"
			       " short; nothing is lost, run sync again"));
		goto out;
	}
	*held = (uint64_t)ack->valuedouble;
	rc = l->ops->relay_known(l->ctx, device, *held, err);
	/* The changes of the batches before this one (the plan counts). */
	step_advance(c, c->st->relayed);
out:
	cJSON_Delete(ans);
	buf_release(&z);
	return rc;
}

/* The device of pending whose next change comes first here (-1: none),
 * and in *other the commit of the next change of any other (0: none). */
static int first_pending(const uint64_t *next, size_t n, uint64_t *other)
{
	size_t i;
	int best = -1;

	for (i = 0; i < n; i++)
		if (next[i] && (best < 0 || next[i] < next[best]))
			best = (int)i;
	*other = 0;
	for (i = 0; i < n; i++)
		if (next[i] && (int)i != best && (!*other || next[i] < *other))
			*other = next[i];
	return best;
}

enum fb_code sync_relay_plan(struct sync_local *l, struct wire_heads *h, const uint64_t *mine,
			     relay_send_fn send, void *ctx, struct sync_stats *st,
			     struct fb_error *err)
{
	struct jchange *changes = calloc(SYNC_BATCH_MAX, sizeof(*changes));
	uint64_t *next = calloc(h->n ? h->n : 1, sizeof(*next)); /* their next commit */
	size_t *sent = calloc(h->n ? h->n : 1, sizeof(*sent)), rounds, i, n;
	struct fb_buf json = FB_BUF_INIT(0);
	enum fb_code rc = FB_OK;

	if (!changes || !next || !sent)
		rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
	for (i = 0; rc == FB_OK && i < h->n; i++)
		if (mine[i] > h->seq[i])
			rc = l->ops->relay_first(l->ctx, h->device[i], h->seq[i], &next[i], err);
	for (rounds = 0; rc == FB_OK && rounds < SYNC_ROUNDS_MAX; rounds++) {
		uint64_t other, last, held;
		int k = first_pending(next, h->n, &other), refused = 0;

		if (k < 0)
			break;
		next[k] = 0;
		n = 0;
		buf_reset(&json);
		rc = l->ops->relay_changes(l->ctx, h->device[k], h->seq[k], other, changes,
					SYNC_BATCH_MAX, SYNC_PUSH_BYTES, &n, err);
		if (rc != FB_OK || n == 0) {
			for (i = 0; i < n; i++)
				jchange_release(&changes[i]);
			continue;
		}
		last = changes[n - 1].seq + changes[n - 1].n - 1;
		rc = wire_relay_encode(changes, n, &json);
		for (i = 0; i < n; i++)
			jchange_release(&changes[i]);
		if (rc != FB_OK) {
			fb_fail(err, rc, _("out of memory"));
			break;
		}
		held = h->seq[k];
		rc = send(ctx, l, h->device[k], &json, last, &held, &refused, err);
		st->relay_refused += refused;
		if (rc != FB_OK || refused)
			continue;
		sent[k] += n;
		st->relayed += n;
		h->seq[k] = held;
		/* Short of what was sent: the hub went no further. */
		if (held >= last)
			rc = l->ops->relay_first(l->ctx, h->device[k], held, &next[k], err);
	}
	for (i = 0; i < h->n; i++)
		st->relay_devices += sent && sent[i] > 0;
	buf_release(&json);
	free(changes);
	free(next);
	free(sent);
	return rc;
}

/*
 * Every other device's changes this laptop (or hub) holds and the hub
 * is not known to hold go to it (docs/PROTOCOL.md §13.5, §13.6), each
 * device's chain continuing from what the hub says it holds, in this
 * book's commit order (sync_relay_plan).  Done whole, the mark is
 * cleared; cut off, the next sync does it again.
 */
static enum fb_code relay(struct conn *c, struct fb_error *err)
{
	struct sync_local *l = c->l;
	uint64_t *mine = calloc(WIRE_HEADS_MAX, sizeof(*mine));  /* held here */
	struct wire_heads h;
	enum fb_code rc;
	size_t i;

	memset(&h, 0, sizeof(h));
	if (!mine || wire_heads_alloc(&h, WIRE_HEADS_MAX) != FB_OK) {
		rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
		goto out;
	}
	h.n = 0;
	rc = l->ops->each_relay_candidate(l->ctx, wire_heads_note, &h, err);
	if (rc == FB_ETOOBIG)
		rc = FB_OK;     /* the first WIRE_HEADS_MAX now, the rest next time */
	if (rc != FB_OK || h.n == 0)
		goto done;
	memcpy(mine, h.seq, h.n * sizeof(*h.seq));
	step_begin(c, N_("relaying"), 0);
	if ((rc = ask_heads(c, &h, err)) != FB_OK)
		goto out;
	for (i = 0; rc == FB_OK && i < h.n; i++)
		rc = l->ops->relay_known(l->ctx, h.device[i], h.seq[i], err);
	if (rc == FB_OK)
		rc = sync_relay_plan(l, &h, mine, relay_over_http, c, c->st, err);
	if (rc == FB_OK)
		step_finish(c, c->st->relayed);
done:
	if (rc == FB_OK)
		rc = l->ops->meta_set_int(l->ctx, SYNC_RELAY_DUE, 0, err);
out:
	wire_heads_release(&h);
	free(mine);
	return rc;
}

enum fb_code sync_set_remote(struct sync_local *l, const char *url, const char *token,
			     const char *cacert, struct fb_error *err)
{
	size_t n = strlen(url);
	enum fb_code rc;

	if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return fb_fail(err, FB_EINVAL, _("the hub URL must begin with http:// or https://"));
	if (strstr(url, TOKEN_PREFIX) || strchr(url, '?') || strchr(url, '@') ||
	    (token && strstr(url, token)))
		return fb_fail(err, FB_EINVAL, _("the hub URL must not hold a token, query or"
			         " credentials; give the token with --token-file"));
	if (n > 1024)
		return fb_fail(err, FB_EINVAL, _("the hub URL is too long"));
	if ((rc = l->ops->begin(l->ctx, err)) != FB_OK)
		return rc;
	{
		char *u = strndup(url, n - (n > 8 && url[n - 1] == '/' ? 1 : 0));

		rc = u ? l->ops->meta_set(l->ctx, "remote_url", u, err) : FB_ENOMEM;
		free(u);
	}
	/* What another hub was known to hold says nothing of this one. */
	if (rc == FB_OK)
		rc = l->ops->relay_forget(l->ctx, err);
	if (rc == FB_OK)
		rc = l->ops->meta_set(l->ctx, "remote_token", token, err);
	if (rc == FB_OK)
		rc = l->ops->meta_set(l->ctx, "remote_cacert", cacert ? cacert : "", err);
	if (rc == FB_OK)
		rc = l->ops->commit(l->ctx, err);
	else
		l->ops->rollback(l->ctx);
	return rc;
}

/* Continue this book under a new device id from entry `at` on. */
static enum fb_code fork_here(struct book *b, uint64_t at, struct sync_stats *st,
			      struct fb_error *err)
{
	size_t moved = 0;
	enum fb_code rc = book_fork(b, at, st->fork_old, &moved, err);

	if (rc != FB_OK)
		return fb_prefix(err, _("sync: continuing under a new device id: "));
	st->forked = 1;
	st->moved += moved;
	snprintf(st->fork_new, sizeof(st->fork_new), "%s", book_device(b));
	return FB_OK;
}

/*
 * The hub refused a push as stamped ahead of its clock (clock_ahead):
 * entries saved while this laptop's clock ran fast.  Dated again below
 * the latest stamp the hub takes now, max(this clock, the hub's) plus
 * the tolerance, they go out in the same sync (book_restamp).  *moved
 * 0: none could be (the clock is still fast), and the refusal stands.
 */
static enum fb_code redate(struct book *b, struct conn *c, struct sync_stats *st,
			   size_t *moved, struct fb_error *err)
{
	uint64_t now = book_wall_ms(b), hub = HLC_MS(c->err_hub_time);
	uint64_t ms = (now > hub ? now : hub) + FB_HLC_MAX_DRIFT_MS;
	enum fb_code rc;

	*moved = 0;
	if (!c->err_hub_time)
		return FB_OK;
	rc = book_restamp(b, HLC_MAKE(ms > HLC_MS_MAX ? HLC_MS_MAX : ms, 0), moved, err);
	if (rc != FB_OK)
		return fb_prefix(err, _("sync: dating again the changes made while the clock ran fast: "));
	st->redated += *moved;
	return FB_OK;
}

enum fb_code sync_run(struct book *b, int what, struct sync_stats *st,
		      struct fb_error *err)
{
	return sync_run_progress(b, what, NULL, st, err);
}

enum fb_code sync_run_progress(struct book *b, int what,
			       const struct progress_sink *progress,
			       struct sync_stats *st, struct fb_error *err)
{
	struct sync_local l;

	sync_local_of_book(b, &l);
	return sync_run_local(&l, what, progress, st, err);
}

/*
 * One go at the sync's steps: push, pull, and again where the hub's
 * answers show that a history changed: a fork, or entries the hub lost
 * (docs/PROTOCOL.md §13.4); then the relay when one is due.  Each step
 * goes on from what the book holds, so a go cut short is simply run
 * again.
 */
static enum fb_code sync_steps(struct conn *c, int what, int *redated,
			       struct fb_error *err)
{
	struct sync_local *l = c->l;
	struct book *b = c->b;
	struct sync_stats *st = c->st;
	enum fb_code rc = FB_OK;
	int round;

	for (round = 0; rc == FB_OK && round < SYNC_HISTORY_ROUNDS; round++) {
		uint64_t fork_at = 0, resend = 0;

		c->page_taken = c->page_more = 0;
		c->ask_page = (what & SYNC_PULL) && !c->relay_all;
		/* Only a book has a chain of its own to push. */
		if ((what & SYNC_PUSH) && b) {
			rc = push(b, c, err);
			if (rc == FB_EINVAL && !*redated && !strcmp(c->err_code, "clock_ahead")) {
				/* Once per sync: what it could not date, it never will. */
				struct fb_error why;
				size_t moved = 0;
				enum fb_code again;

				*redated = 1;
				why = *err;
				again = redate(b, c, st, &moved, err);
				if (again != FB_OK)
					rc = again;
				else if (moved)
					rc = push(b, c, err);
				else
					*err = why;
			}
			if (rc == FB_OK && c->fork) {
				rc = fork_here(b, c->fork, st, err);
				continue;
			}
		}
		/* A push answer that brought the whole pull spares the pull. */
		if (rc == FB_OK && (what & SYNC_PULL) && !(c->page_taken && !c->page_more))
			rc = pull(c, err);
		if (rc == FB_OK && c->held_known && b)
			rc = book_hub_holds(b, c->held, c->held_hash, &fork_at, &resend, err);
		if (rc == FB_OK && fork_at) {
			rc = fork_here(b, fork_at, st, err);
			continue;
		}
		st->resent += resend;
		/* The hub lost what it had acknowledged: others' too, maybe. */
		if (rc == FB_OK && resend)
			rc = l->ops->meta_set_int(l->ctx, SYNC_RELAY_DUE, 1, err);
		if (!resend || !(what & SYNC_PUSH))
			break;
	}
	if (rc == FB_OK && (what & SYNC_PUSH)) {
		long long due = 0;

		rc = l->ops->meta_int(l->ctx, SYNC_RELAY_DUE, 0, &due, err);
		if (rc == FB_OK && due)
			rc = l->ops->relay_forget(l->ctx, err);
		if (rc == FB_OK && (due || c->relay_all))
			rc = relay(c, err);
	}
	return rc;
}

/* What a go at the steps moved, to tell a go that made progress. */
static uint64_t moved_so_far(const struct sync_stats *st)
{
	return (uint64_t)st->pushed + st->pulled + st->relayed + st->redated + st->moved;
}

enum fb_code sync_run_local(struct sync_local *l, int what,
			    const struct progress_sink *progress,
			    struct sync_stats *st, struct fb_error *err)
{
	struct conn c;
	enum fb_code rc;
	char when[32];
	int redated = 0;
	uint64_t before = 0;

	memset(st, 0, sizeof(*st));
	if ((rc = conn_open(l, &c, err)) != FB_OK) {
		conn_close(&c);
		return rc;
	}
	c.st = st;
	c.relay_all = (what & SYNC_RELAY_ALL) != 0;
	if (progress && progress->fn)
		c.sink = progress;
	/* A connection dropped in the middle is tried again while each
	 * go moves something (client.h, SYNC_NET_RETRIES). */
	for (;;) {
		rc = sync_steps(&c, what, &redated, err);
		if (rc != FB_ENET || st->stopped || never_sent(c.cr) ||
		    moved_so_far(st) == before || st->net_retries >= SYNC_NET_RETRIES)
			break;
		before = moved_so_far(st);
		st->net_retries++;
		c.fork = 0;
		c.held_known = 0;
	}
	if (rc == FB_OK) {
		time_t t = time(NULL);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if ((rc = l->ops->begin(l->ctx, err)) == FB_OK) {
			rc = l->ops->meta_set(l->ctx, "last_sync", when, err);
			if (rc == FB_OK)
				rc = l->ops->commit(l->ctx, err);
			else
				l->ops->rollback(l->ctx);
		}
	}
	/* How the clocks compare, whatever else happened: every command
	 * warns from now on while they disagree. */
	if (c.clock_known) {
		st->clock_known = 1;
		st->clock_ahead_ms = (int64_t)c.clock.local_ms - (int64_t)c.clock.hub_ms;
		if (book_note_hub_clock(l->book, &c.clock, NULL) != FB_OK)
			st->clock_known = 0;
	}
	conn_close(&c);
	return rc;
}
