/*
 * hub_http.c - requests in, JSON answers out.  A request is judged by
 * its head before a byte of its body is read (libmicrohttpd calls the
 * handler first with the head alone): strict HTTP (hub_head.c), the
 * size, the path, the token and its rate, and room in the bodies'
 * budget; a refusal there is answered at once and the connection
 * closed, so no body is read for a client without a good token.  The
 * body is then read into a capped buffer, inflated with a running cap,
 * decoded defensively (wire.h), checked against the token's scope and
 * the hub's clock, and only then handed to the store.  An answer is
 * built whole before a byte of it is sent: a body that cannot be built
 * is a 500, never half a body.  Deadlines, the budget and the rates are
 * hub_guard.c; the request log is hub_log.c; what serve needs before it
 * listens is hub_setup.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>
#include <gnutls/gnutls.h>
#include <openssl/evp.h>

#include "hlc.h"
#include "hub_clock.h"
#include "hub_guard.h"
#include "hub_head.h"
#include "hub_http.h"
#include "hub_limits.h"
#include "token.h"
#include "limits.h"
#include "zbuf.h"

#define BEARER        "Bearer "   /* the Authorization scheme, with its space */
#define MS_PER_S      1000u
#define NS_PER_MS     1000000u
#define US_PER_MS     1000u
#define METHOD_MAX    16          /* a method, as the log keeps it */
#define AUTH_FAILED   "unknown or revoked token" /* the same for both */

_Static_assert(((size_t)HUB_ZBODY_MIB << 20) == WIRE_ZBODY_MAX,
	       "HUB_ZBODY_MIB is WIRE_ZBODY_MAX in MiB, for the too_large message");

struct server {
	struct hub_store *store;
	struct hub_guard *guard;
	atomic_int active;         /* requests received whole, not yet done */
	atomic_int pushes;         /* pushes waiting for or holding the writer */
	unsigned int conns, per_ip; /* connections it takes, in all and from
				      one address (fit_connections) */
};

/* One request, from its request line (uri_seen) to its end (completed). */
struct request {
	struct fb_buf body;
	uint64_t started_ms;
	struct hub_conn *conn;     /* its connection's deadlines (NULL: none) */
	struct hub_target target;  /* the request target as sent */
	char method[METHOD_MAX];
	size_t in_bytes;           /* body bytes received, kept or not */
	size_t reserved;           /* of the bodies' budget */
	int head_done;             /* the head was judged (the first call) */
	int answered;              /* an answer is queued (and logged) */
	int too_big;
	int over_budget;           /* a chunked body outgrew the budget */
	int counted;               /* in srv->active: its body is all here */
	int push, proto;
	int heads;                 /* POST /v2/heads (push is set too) */
	int retry_after;           /* of a 429 */
	int token_slot;            /* hub_token_enter's, -1: none to leave */
	struct hub_device dev;     /* the token's, once known */
	long long device_id;       /* for the log, 0 before auth */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * MS_PER_S + (uint64_t)ts.tv_nsec / NS_PER_MS;
}

static fb_hlc hub_time(void)
{
	return HLC_MAKE(hlc_wall_ms(), 0);
}

/* One line of the request log, with what r knows (NULL: nothing yet). */
static void log_line(struct MHD_Connection *conn, const char *method,
		     const char *url, int status, const struct request *r,
		     size_t out_bytes, const char *reason)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	struct hub_log_entry e = {
		ci ? ci->client_addr : NULL, method, url, status,
		r ? r->device_id : 0, r ? r->in_bytes : 0, out_bytes,
		r ? now_ms() - r->started_ms : 0, reason,
	};

	hub_log(&e);
}

static enum MHD_Result reply(struct MHD_Connection *conn, const char *method,
			     const char *url, struct request *r, int status,
			     const struct fb_buf *body, int deflated,
			     const char *reason)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(body->len, body->data,
					       MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/json");
	/* The version a laptop reads on a refusal and on /v1/ (an older
	 * release); a v2 answer of 200 says it in its body ("v"). */
	if (status != MHD_HTTP_OK || strncmp(url, "/v2/", 4) != 0)
		MHD_add_response_header(resp, WIRE_PROTOCOL_HEADER, FB_STR(WIRE_VERSION));
	if (deflated)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "deflate");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE || status == MHD_HTTP_TOO_MANY_REQUESTS) {
		char ra[HUB_NUM_TEXT_MAX];

		snprintf(ra, sizeof(ra), "%d", status == MHD_HTTP_TOO_MANY_REQUESTS &&
			 r && r->retry_after ? r->retry_after : HUB_RETRY_AFTER_S);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
	}
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"fieldbook\"");
	/* A refusal ends its connection: nothing the client sent after it
	 * (a body, a request hidden in one) is read as a request. */
	if (status >= MHD_HTTP_BAD_REQUEST)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	/* Over TLS: browsers (and proxies that heed it) keep to https. */
	if (MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_STRICT_TRANSPORT_SECURITY,
					HUB_HSTS);
	ret = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	log_line(conn, method, r ? r->target.path : url, status, r, body->len, reason);
	if (r) {
		r->answered = 1;
		hub_conn_phase(r->conn, HUB_PHASE_ANSWER, body->len);
	}
	return ret;
}

/*
 * A 200 with body, deflated when the client takes deflate and the body
 * is big enough for deflate to pay (HUB_DEFLATE_MIN).
 */
static enum MHD_Result reply_maybe_deflated(struct MHD_Connection *conn, const char *method,
					    const char *url, struct request *r,
					    const struct fb_buf *body)
{
	const char *acc = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_ACCEPT_ENCODING);
	struct fb_buf z = FB_BUF_INIT(WIRE_BODY_MAX);
	enum MHD_Result ret;

	if (acc && strstr(acc, "deflate") && body->len >= HUB_DEFLATE_MIN &&
	    zbuf_deflate(body->data, body->len, ZBUF_LEVEL, &z, NULL) == FB_OK &&
	    z.len < body->len)
		ret = reply(conn, method, url, r, MHD_HTTP_OK, &z, 1, NULL);
	else
		ret = reply(conn, method, url, r, MHD_HTTP_OK, body, 0, NULL);
	buf_release(&z);
	return ret;
}

static enum MHD_Result fail(struct MHD_Connection *conn, const char *method,
			    const char *url, struct request *r, int status,
			    const char *code, const char *msg)
{
	struct fb_buf b = FB_BUF_INIT(0);
	enum MHD_Result ret;

	if (wire_error(&b, code, msg, hub_time()) != FB_OK)
		return MHD_NO;
	ret = reply(conn, method, url, r, status, &b, 0, msg);
	buf_release(&b);
	return ret;
}

/* A token in the URL's path, or under a name a token goes by, is
 * refused, whatever else the request is. */
static int token_in_url(struct MHD_Connection *conn, const char *url)
{
	static const char *const names[] = { "token", "access_token", "auth",
					     "bearer", NULL };
	const char *const *n;

	if (strcasestr(url, TOKEN_PREFIX))
		return 1;
	for (n = names; *n; n++)
		if (MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, *n))
			return 1;
	return 0;
}

/* A query argument whose name or value looks like one of our tokens. */
struct arg_scan { int found; };

static enum MHD_Result scan_arg(void *cls, enum MHD_ValueKind kind,
				const char *key, const char *value)
{
	struct arg_scan *s = cls;

	(void)kind;
	if ((key && strcasestr(key, TOKEN_PREFIX)) ||
	    (value && strcasestr(value, TOKEN_PREFIX)))
		s->found = 1;
	return MHD_YES;
}

/* Bearer token -> device, or an HTTP status with the reason. */
static int authenticate(struct server *srv, struct MHD_Connection *conn,
			struct hub_device *dev, struct fb_error *err)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	unsigned char hash[TOKEN_HASH_LEN];
	unsigned int hl = 0;
	size_t n;

	if (!h || strncasecmp(h, BEARER, sizeof(BEARER) - 1)) {
		fb_fail(err, FB_EAUTH, "no bearer token");
		return MHD_HTTP_UNAUTHORIZED;
	}
	h += sizeof(BEARER) - 1;
	n = strlen(h);
	if (n == 0 || n > TOKEN_TEXT_MAX) {
		fb_fail(err, FB_EAUTH, "malformed token");
		return MHD_HTTP_UNAUTHORIZED;
	}
	if (EVP_Digest(h, n, hash, &hl, EVP_sha256(), NULL) != 1) {
		fb_fail(err, FB_EINTERNAL, "hashing failed");
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	if (srv->store->ops->auth(srv->store, hash, dev, err) == FB_OK)
		return 0;
	if (err->code != FB_EAUTH)
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	/* Unknown and revoked read the same: an answer tells a caller
	 * nothing of which tokens were ever good, nor the hub's numbers. */
	fb_fail(err, FB_EAUTH, AUTH_FAILED);
	return MHD_HTTP_UNAUTHORIZED;
}

/* Map a store failure to a status and an error code. */
static int status_of(enum fb_code rc, const char **code)
{
	switch (rc) {
	case FB_EAUTH:     *code = "out_of_scope";   return MHD_HTTP_FORBIDDEN;
	case FB_ECONFLICT: *code = "gap";            return MHD_HTTP_CONFLICT;
	case FB_ECORRUPT:  *code = "chain_mismatch"; return MHD_HTTP_BAD_REQUEST;
	case FB_EINVAL:    *code = "malformed";      return MHD_HTTP_BAD_REQUEST;
	case FB_ETOOBIG:   *code = "too_large";      return MHD_HTTP_CONTENT_TOO_LARGE;
	case FB_EIO:
	case FB_EBUSY:
	case FB_ENOMEM:    *code = "busy";           return MHD_HTTP_SERVICE_UNAVAILABLE;
	default:           *code = "internal";       return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

/* 409 fork: the sender's history parted from the hub's at `seq`. */
static enum MHD_Result fork_answer(struct MHD_Connection *conn, const char *url,
				   struct request *r, const struct hub_push_result *res,
				   const char *reason)
{
	struct fb_buf out = FB_BUF_INIT(0);
	char hex[FB_HLC_HEX_LEN + 1];
	enum MHD_Result ret;

	hlc_format(hub_time(), hex);
	if (buf_printf(&out, "{\"error\":\"fork\",\"message\":\"entry %llu differs from"
		       " the one this hub holds\",\"seq\":%llu,\"held\":%llu,"
		       "\"hub_time\":\"%s\"}", (unsigned long long)res->fork,
		       (unsigned long long)res->fork, (unsigned long long)res->held,
		       hex) != FB_OK)
		ret = fail(conn, "POST", url, r, MHD_HTTP_INTERNAL_SERVER_ERROR,
			   "internal", "out of memory");
	else
		ret = reply(conn, "POST", url, r, MHD_HTTP_CONFLICT, &out, 0, reason);
	buf_release(&out);
	return ret;
}

/*
 * The body of a POST, inflated when it says so, into json.  0 when it
 * cannot be read, *ret then the answer sent.
 */
static int body_json(struct MHD_Connection *conn, const char *url, struct request *r,
		     struct fb_buf *json, enum MHD_Result *ret)
{
	const char *enc = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_CONTENT_ENCODING);
	struct fb_error err;
	enum fb_code rc;

	fb_error_clear(&err);
	if (enc && !strcasecmp(enc, "deflate")) {
		rc = zbuf_inflate(r->body.data, r->body.len, WIRE_BODY_MAX, json, &err);
		if (rc == FB_OK)
			return 1;
		*ret = fail(conn, "POST", url, r, rc == FB_ETOOBIG ?
			    MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_BAD_REQUEST,
			    rc == FB_ETOOBIG ? "inflated_too_large" : "bad_deflate", err.msg);
		return 0;
	}
	if (enc && strcasecmp(enc, "identity")) {
		*ret = fail(conn, "POST", url, r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
			    "bad_encoding", "Content-Encoding must be deflate");
		return 0;
	}
	if (buf_add(json, r->body.data ? r->body.data : "", r->body.len) == FB_OK)
		return 1;
	*ret = fail(conn, "POST", url, r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
		    "body over the limit");
	return 0;
}

static enum MHD_Result do_push(struct server *srv, struct MHD_Connection *conn,
			       const char *url, struct request *r,
			       struct hub_device *dev, int version)
{
	struct fb_buf json = FB_BUF_INIT(WIRE_BODY_MAX + 1);
	struct fb_buf out = FB_BUF_INIT(0);
	struct hub_push_result res;
	struct wire_batch batch;
	struct fb_error err;
	const char *code;
	char msg[HUB_CLOCK_MSG_MAX], hex[FB_HLC_HEX_LEN + 1];
	fb_hlc now = hub_time();
	enum MHD_Result ret;
	enum fb_code rc;
	size_t i;
	int status;

	memset(&batch, 0, sizeof(batch));
	fb_error_clear(&err);
	if (!body_json(conn, url, r, &json, &ret))
		goto out;
	rc = wire_push_decode(buf_str(&json), json.len, &batch, &err);
	if (rc == FB_OK && batch.version != version)
		rc = fb_fail(&err, FB_EINVAL, "a version %d push goes to /v%d/push",
			     batch.version, batch.version);
	if (rc != FB_OK) {
		ret = fail(conn, "POST", url, r, rc == FB_ETOOBIG ?
			   MHD_HTTP_CONTENT_TOO_LARGE : MHD_HTTP_BAD_REQUEST,
			   rc == FB_ETOOBIG ? "too_large" : "malformed", err.msg);
		goto out;
	}
	/* A laptop whose clock runs ahead would win every merge: refuse. */
	if (hub_batch_ahead(&batch, now, msg)) {
		ret = fail(conn, "POST", url, r, MHD_HTTP_BAD_REQUEST, "clock_ahead", msg);
		goto out;
	}
	if (atomic_fetch_add(&srv->pushes, 1) >= HUB_PUSH_WAITING_MAX) {
		atomic_fetch_sub(&srv->pushes, 1);
		ret = fail(conn, "POST", url, r, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
			   "the hub is busy; sync again shortly");
		goto out;
	}
	rc = srv->store->ops->push(srv->store, dev, &batch, &res, &err);
	atomic_fetch_sub(&srv->pushes, 1);
	if (rc != FB_OK) {
		status = status_of(rc, &code);
		if (rc == FB_EAUTH && res.revoked) {
			ret = fail(conn, "POST", url, r, MHD_HTTP_UNAUTHORIZED, "unauthorized",
				   AUTH_FAILED);
			goto out;
		}
		if (rc == FB_EAUTH && !res.out_of_scope[0])
			code = "device_mismatch";
		/* The release before knows no fork: it hears chain_mismatch. */
		if (rc == FB_ECORRUPT && res.fork && version != WIRE_VERSION_OLD) {
			ret = fork_answer(conn, url, r, &res, err.msg);
			goto out;
		}
		if (rc == FB_ECONFLICT) {
			hlc_format(hub_time(), hex);
			if (buf_printf(&out, "{\"error\":\"gap\",\"message\":\"expected entry %llu\","
				       "\"expected\":%llu,\"hub_time\":\"%s\"}",
				       (unsigned long long)res.expected,
				       (unsigned long long)res.expected, hex) != FB_OK)
				ret = fail(conn, "POST", url, r, MHD_HTTP_INTERNAL_SERVER_ERROR,
					   "internal", "out of memory");
			else
				ret = reply(conn, "POST", url, r, status, &out, 0, err.msg);
			goto out;
		}
		ret = fail(conn, "POST", url, r, status, code, err.msg);
		goto out;
	}
	hlc_format(hub_time(), hex);
	rc = buf_printf(&out, "{\"v\":%d,\"ack\":%llu,\"applied\":%zu,\"replayed\":%zu,"
			"\"hub_time\":\"%s\",\"rejected\":[", version,
			(unsigned long long)res.ack, res.applied, res.replayed, hex);
	for (i = 0; rc == FB_OK && i < res.nrejects; i++) {
		rc = buf_printf(&out, "%s{\"seq\":%llu,\"reason\":", i ? "," : "",
				(unsigned long long)res.rejects[i].seq);
		if (rc == FB_OK)
			rc = buf_json_str(&out, res.rejects[i].reason);
		if (rc == FB_OK)
			rc = buf_addc(&out, '}');
	}
	if (rc == FB_OK)
		rc = buf_printf(&out, "],\"rejected_total\":%zu", res.rejected);
	/* Version 2: the hash there, so that a laptop can tell an ack past
	 * its batch (an answer lost before) from another history's. */
	if (rc == FB_OK && version != WIRE_VERSION_OLD) {
		char hash[2 * JOURNAL_HASH_LEN + 1];

		wire_hex(res.ack_hash, JOURNAL_HASH_LEN, hash);
		rc = buf_printf(&out, ",\"ack_hash\":\"%s\"", hash);
	}
	/* The first page of the pull that follows, when asked (§6.2): a
	 * sync with little to do is then one request.  A page that cannot
	 * be made is left out; the laptop's pull asks again and hears why. */
	if (rc == FB_OK && batch.pull) {
		struct fb_buf page = FB_BUF_INIT(WIRE_BODY_MAX);
		struct hub_pull req = { version, batch.pull->after, batch.pull->epoch,
					batch.pull->limit, batch.device };
		struct fb_error perr;

		if (srv->store->ops->pull(srv->store, dev, &req, hub_time(), &page,
					  &perr) == FB_OK) {
			rc = buf_adds(&out, ",\"page\":");
			if (rc == FB_OK)
				rc = buf_add(&out, page.data, page.len);
		}
		buf_release(&page);
	}
	if (rc == FB_OK)
		rc = buf_addc(&out, '}');
	if (rc == FB_OK)
		ret = reply_maybe_deflated(conn, "POST", url, r, &out);
	else
		ret = fail(conn, "POST", url, r, MHD_HTTP_INTERNAL_SERVER_ERROR,
			   "internal", "out of memory");
out:
	wire_batch_release(&batch);
	buf_release(&json);
	buf_release(&out);
	return ret;
}

/* POST /v2/heads: how much of each named device's chain the hub holds. */
static enum MHD_Result do_heads(struct server *srv, struct MHD_Connection *conn,
				const char *url, struct request *r,
				const struct hub_device *dev)
{
	struct fb_buf json = FB_BUF_INIT(WIRE_BODY_MAX + 1), out = FB_BUF_INIT(0);
	struct wire_heads h;
	struct fb_error err;
	const char *code;
	enum MHD_Result ret;
	enum fb_code rc;

	memset(&h, 0, sizeof(h));
	fb_error_clear(&err);
	if (!body_json(conn, url, r, &json, &ret))
		goto out;
	rc = wire_heads_request_decode(buf_str(&json), json.len, &h, &err);
	if (rc == FB_OK)
		rc = srv->store->ops->heads(srv->store, dev, &h, &err);
	if (rc == FB_OK && (rc = wire_heads_answer_encode(&h, hub_time(), &out)) != FB_OK)
		fb_fail(&err, rc, "out of memory");
	if (rc == FB_OK) {
		ret = reply(conn, "POST", url, r, MHD_HTTP_OK, &out, 0, NULL);
	} else {
		int status = status_of(rc, &code);

		ret = fail(conn, "POST", url, r, status, code, err.msg);
	}
out:
	wire_heads_release(&h);
	buf_release(&json);
	buf_release(&out);
	return ret;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > HUB_NUMBER_MAX)
		return 0;
	*out = v;
	return 1;
}

/* An epoch as a v2 cursor names it: WIRE_EPOCH_LEN lower-case hex. */
static int valid_epoch(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == WIRE_EPOCH_LEN && !s[n];
}

static enum MHD_Result do_pull(struct server *srv, struct MHD_Connection *conn,
			       const char *url, struct request *r,
			       const struct hub_device *dev, int version)
{
	const char *after_s = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "after");
	const char *limit_s = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "limit");
	const char *epoch = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "epoch");
	const char *device = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "device");
	struct fb_buf out = FB_BUF_INIT(WIRE_BODY_MAX);
	uint64_t after = 0, limit = HUB_PULL_DEFAULT;
	struct fb_error err;
	const char *code;
	enum MHD_Result ret;
	enum fb_code rc;

	fb_error_clear(&err);
	if ((after_s && !parse_u64(after_s, &after)) ||
	    (limit_s && (!parse_u64(limit_s, &limit) || limit < 1 ||
			 limit > WIRE_BATCH_MAX)))
		return fail(conn, "GET", url, r, MHD_HTTP_BAD_REQUEST, "malformed",
			    "after must be a cursor and limit 1 to " FB_STR(WIRE_BATCH_MAX));
	if (version != WIRE_VERSION_OLD &&
	    ((epoch && *epoch && !valid_epoch(epoch)) || !device ||
	     !journal_valid_device(device)))
		return fail(conn, "GET", url, r, MHD_HTTP_BAD_REQUEST, "malformed",
			    "a version 2 pull needs device=ID, and epoch= 16 hex digits or none");
	{
		struct hub_pull req = { version, after, epoch ? epoch : "", (size_t)limit,
					version != WIRE_VERSION_OLD ? device : NULL };

		rc = srv->store->ops->pull(srv->store, dev, &req, hub_time(), &out, &err);
	}
	if (rc != FB_OK) {
		int status = status_of(rc, &code);

		if (rc == FB_EAUTH)
			code = "device_mismatch";
		buf_release(&out);
		return fail(conn, "GET", url, r, status, code, err.msg);
	}
	ret = reply_maybe_deflated(conn, "GET", url, r, &out);
	buf_release(&out);
	return ret;
}

/* The guard's record of conn (NULL when it has none). */
static struct hub_conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* libmicrohttpd's URI log hook: a request line has come, nothing of it
 * decoded yet.  The request begins here, so that every one, even one
 * libmicrohttpd refuses itself later, ends in completed() and the log. */
static void *uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct request *r = calloc(1, sizeof(*r));

	(void)cls;
	if (!r)
		return NULL;
	r->body.cap = WIRE_ZBODY_MAX;
	r->started_ms = now_ms();
	r->conn = conn_of(conn);
	r->token_slot = -1;
	hub_conn_request_began(r->conn);
	snprintf(r->method, sizeof(r->method), "-");
	/* The one place the buffer is written: see hub_head_target. */
	hub_head_target((char *)uri, &r->target);
	return r;
}

/* Connections come and go: the guard keeps their deadlines. */
static void conn_notify(void *cls, struct MHD_Connection *conn, void **ctx,
			enum MHD_ConnectionNotificationCode code)
{
	struct server *srv = cls;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		*ctx = fd ? hub_conn_opened(srv->guard, fd->connect_fd,
					    ad ? ad->client_addr : NULL) : NULL;
	} else {
		const char *why = hub_conn_close_reason(*ctx);

		if (why) {
			struct hub_log_entry e = { 0 };

			e.client = hub_conn_addr(*ctx);
			e.method = "-";
			e.url = "-";
			e.reason = why;
			hub_log(&e);
		}
		hub_conn_closed(srv->guard, *ctx);
		*ctx = NULL;
	}
}

/*
 * What libmicrohttpd says of a request or a connection that has, or will
 * have, a line of its own: the request's (completed) or the connection's
 * (conn_notify).  Written too, it would be two lines for one refusal.
 */
static const char *const mhd_told_elsewhere[] = {
	"Error processing request",            /* its own 4xx/5xx answers */
	"Too large value of 'Content-Length'", /* each before one of those */
	"Failed to parse `Content-Length'",
	"Received HTTP/1.1 request without",
	"Not enough memory in pool",
	"Error: received handshake message",   /* a TLS handshake refused */
	"Socket has been disconnected",        /* the client left */
	"Connection socket is closed",
	"Connection was closed by remote side",
	"The connection was forcibly closed",
	"Failed to send",
	NULL
};

/* libmicrohttpd's own words: one log line each, but for those above. */
#define MHD_AT_LIMIT "Server reached connection limit"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void mhd_said(void *cls, const char *fmt, va_list ap)
{
	const struct server *srv = cls;
	char text[HUB_LOG_REASON_MAX], reason[HUB_LOG_REASON_MAX + 16];
	struct hub_log_entry e = { 0 };
	const char *const *t;
	size_t n;

	vsnprintf(text, sizeof(text), fmt, ap);
	for (t = mhd_told_elsewhere; *t; t++)
		if (!strncmp(text, *t, strlen(*t)))
			return;
	n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		text[--n] = '\0';
	if (!strncmp(text, MHD_AT_LIMIT, sizeof(MHD_AT_LIMIT) - 1))
		snprintf(reason, sizeof(reason), "refused a connection: the hub holds"
			 " as many as it may, from this address (%u) or in all (%u); closed",
			 srv->per_ip, srv->conns);
	else
		snprintf(reason, sizeof(reason), "libmicrohttpd: %s", text);
	e.method = "-";
	e.url = "-";
	e.reason = reason;
	hub_log(&e);
}
#pragma GCC diagnostic pop

/* The request's body has bytes: keep them within the caps and budget. */
static void take_body(struct server *srv, struct request *r, const char *p, size_t n)
{
	size_t want;

	r->in_bytes += n;
	hub_conn_progress(r->conn, r->in_bytes);
	/* Past the cap (or the budget) the rest is read and dropped, not
	 * kept: an answer sent while the client is still sending would be
	 * lost to the reset that closing an unread socket causes. */
	if (r->too_big || r->over_budget)
		return;
	if (r->body.len + n > WIRE_ZBODY_MAX) {
		r->too_big = 1;
		buf_release(&r->body);
		return;
	}
	want = r->body.len + n;
	if (want > r->reserved) {
		size_t more = (want - r->reserved + HUB_BODY_STEP - 1) / HUB_BODY_STEP *
			      HUB_BODY_STEP;

		if (!hub_body_reserve(srv->guard, more)) {
			r->over_budget = 1;
			buf_release(&r->body);
			return;
		}
		r->reserved += more;
	}
	if (buf_add(&r->body, p, n) != FB_OK) {
		r->too_big = 1;
		buf_release(&r->body);
	}
}

/*
 * The first call: the head is whole, no body byte is read yet.  Every
 * refusal is answered here (libmicrohttpd then reads no body and closes
 * the connection); a request that passes has its token's device and a
 * reservation for its body.  The checks run in the order of
 * docs/PROTOCOL.md §9.2.
 */
static enum MHD_Result judge_head(struct server *srv, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, struct request *r)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	char msg[FB_ERRMSG_MAX];
	struct arg_scan scan = { 0 };
	struct fb_error err;
	const char *code;
	int status;

	snprintf(r->method, sizeof(r->method), "%s", method);
	if ((status = hub_head_check(conn, method, version, &r->target, &code,
				     msg, sizeof(msg))) != 0)
		return fail(conn, method, url, r, status, code, msg);
	if (cl && strtoull(cl, NULL, 10) > WIRE_ZBODY_MAX)
		return fail(conn, method, url, r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
			    "compressed body over " FB_STR(HUB_ZBODY_MIB)
			    " MiB; push smaller batches");
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, scan_arg, &scan);
	if (token_in_url(conn, url) || scan.found)
		return fail(conn, method, url, r, MHD_HTTP_BAD_REQUEST, "token_in_url",
			    "a token must never be put in a URL; send it in the Authorization header");
	if (!strcmp(url, "/v1/health")) {
		struct fb_buf b = FB_BUF_INIT(0);
		char hex[FB_HLC_HEX_LEN + 1];
		int ok = srv->store->ops->healthy(srv->store);
		enum MHD_Result ret;

		hlc_format(hub_time(), hex);
		if (buf_printf(&b, "{\"status\":\"%s\",\"hub_time\":\"%s\"}",
			       ok ? "ok" : "unavailable", hex) != FB_OK)
			ret = fail(conn, method, url, r, MHD_HTTP_INTERNAL_SERVER_ERROR,
				   "internal", "out of memory");
		else
			ret = reply(conn, method, url, r, ok ? MHD_HTTP_OK
				    : MHD_HTTP_SERVICE_UNAVAILABLE, &b, 0, NULL);
		buf_release(&b);
		return ret;
	}
	/* /v1/ for laptops of the release before, /v2/ for this one. */
	if (strcmp(url, "/v1/push") && strcmp(url, "/v1/pull") &&
	    strcmp(url, "/v2/push") && strcmp(url, "/v2/pull") && strcmp(url, "/v2/heads"))
		return fail(conn, method, url, r, MHD_HTTP_NOT_FOUND, "not_found",
			    "no such endpoint");
	r->proto = url[2] == '2' ? WIRE_VERSION : WIRE_VERSION_OLD;
	r->push = strcmp(url + 3, "/pull") != 0;   /* push and heads are POSTs */
	r->heads = !strcmp(url, "/v2/heads");
	if (r->push ? strcmp(method, "POST") : strcmp(method, "GET"))
		return fail(conn, method, url, r, MHD_HTTP_METHOD_NOT_ALLOWED,
			    "method", "wrong method for this endpoint");
	if (!strcmp(method, "POST") && !cl &&
	    !MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					 MHD_HTTP_HEADER_TRANSFER_ENCODING))
		return fail(conn, method, url, r, MHD_HTTP_LENGTH_REQUIRED,
			    "length_required", "Content-Length is required");
	fb_error_clear(&err);
	status = authenticate(srv, conn, &r->dev, &err);
	/* A revoked token's number is for the log, never the answer. */
	r->device_id = r->dev.id;
	if (status)
		return fail(conn, method, url, r, status,
			    status == MHD_HTTP_UNAUTHORIZED ? "unauthorized" : "busy",
			    err.msg);
	switch (hub_token_enter(srv->guard, r->dev.id, r->dev.hub, &r->token_slot,
				&r->retry_after)) {
	case HUB_TOKEN_GO:
		break;
	case HUB_TOKEN_TOO_FAST:
		return fail(conn, method, url, r, MHD_HTTP_TOO_MANY_REQUESTS, "rate_limited",
			    r->dev.hub ? "this hub's token sends requests faster than "
			    FB_STR(HUB_RELAY_RATE) " a second; wait Retry-After seconds"
			    : "this token sends requests faster than " FB_STR(HUB_TOKEN_RATE)
			    " a second; wait Retry-After seconds");
	case HUB_TOKEN_BUSY:
		return fail(conn, method, url, r, MHD_HTTP_TOO_MANY_REQUESTS, "rate_limited",
			    "this token has " FB_STR(HUB_TOKEN_INFLIGHT) " requests under way"
			    " already; wait Retry-After seconds");
	case HUB_TOKEN_FULL:
		return fail(conn, method, url, r, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
			    "the hub follows as many tokens as it may; sync again shortly");
	}
	/* A body of known length is reserved whole before it is read. */
	if (r->push && cl) {
		size_t n = (size_t)strtoull(cl, NULL, 10);

		if (n && !hub_body_reserve(srv->guard, n))
			return fail(conn, method, url, r, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
				    "the hub holds as many bodies as it may; sync again shortly");
		r->reserved = n;
	}
	hub_conn_phase(r->conn, HUB_PHASE_BODY, 0);
	return MHD_YES;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	struct server *srv = cls;
	struct request *r = *state;

	/* No request record (out of memory at its request line): close. */
	if (!r)
		return MHD_NO;
	if (!r->head_done) {
		r->head_done = 1;
		return judge_head(srv, conn, url, method, version, r);
	}
	if (*upload_size) {
		take_body(srv, r, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->answered)
		return MHD_YES;
	/*
	 * The request is whole: from here until its answer is sent, a
	 * SIGTERM waits for it.  One whose body is still coming (or never
	 * will: a peer gone quiet) is not waited for; its sender got no
	 * answer and sends it again.
	 */
	hub_conn_phase(r->conn, HUB_PHASE_WORK, 0);
	if (!r->counted) {
		r->counted = 1;
		atomic_fetch_add(&srv->active, 1);
	}
	if (r->too_big)
		return fail(conn, method, url, r, MHD_HTTP_CONTENT_TOO_LARGE, "too_large",
			    "compressed body over " FB_STR(HUB_ZBODY_MIB)
			    " MiB; push smaller batches");
	if (r->over_budget)
		return fail(conn, method, url, r, MHD_HTTP_SERVICE_UNAVAILABLE, "busy",
			    "the hub holds as many bodies as it may; sync again shortly");
	if (r->heads)
		return do_heads(srv, conn, url, r, &r->dev);
	if (r->push)
		return do_push(srv, conn, url, r, &r->dev, r->proto);
	return do_pull(srv, conn, url, r, &r->dev, r->proto);
}

/* Why a request ended without an answer of ours, for its log line:
 * status is libmicrohttpd's answer to it (0: none). */
static const char *ended_why(enum MHD_RequestTerminationCode toe, int status)
{
	switch (status) {
	case 0:
		break;
	case MHD_HTTP_BAD_REQUEST:
		return "libmicrohttpd refused it: a header line, a Content-Length or a"
		       " chunk it could not read; connection closed";
	case MHD_HTTP_CONTENT_TOO_LARGE:
		return "libmicrohttpd refused it: a Content-Length or a chunk size past"
		       " what it can count; connection closed";
	case MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE:
		return "libmicrohttpd refused it: the head is over "
		       FB_STR(HUB_CONN_MEMORY_KIB) " KiB; connection closed";
	default:
		return "libmicrohttpd refused it; connection closed";
	}
	switch (toe) {
	case MHD_REQUEST_TERMINATED_COMPLETED_OK:
		return "ended";
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		return "silent for " FB_STR(HUB_CONN_TIMEOUT_S) " s; connection closed";
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		return "the hub stopped before the request was whole";
	case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
		return "the client closed the connection before the request was whole";
	case MHD_REQUEST_TERMINATED_READ_ERROR:
		return "the connection failed while reading the request";
	default:
		return "the request was broken or cut; connection closed";
	}
}

static void completed(void *cls, struct MHD_Connection *conn, void **state,
		      enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct request *r = *state;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
	int status = ci ? (int)ci->http_status : 0;

	if (!r)
		return;
	/* What it held is given back first: once its line is in the log, a
	 * test (or an operator) may count on the room being there again. */
	if (r->reserved)
		hub_body_release(srv->guard, r->reserved);
	hub_token_leave(srv->guard, r->token_slot);
	buf_release(&r->body);
	/* Every request leaves a line: those answered here have theirs; one
	 * refused by libmicrohttpd (its own 4xx) or cut off gets it now,
	 * unless the watchdog closed it (it wrote why). */
	if (!r->answered && !hub_conn_killed(r->conn))
		log_line(conn, r->method, r->target.path, status, r, 0,
			 ended_why(toe, status));
	/* Kept alive: the next request's head has HUB_HEAD_S from now. */
	hub_conn_phase(r->conn, HUB_PHASE_HEAD, 0);
	if (r->counted)
		atomic_fetch_sub(&srv->active, 1);
	free(r);
	*state = NULL;
}

/*
 * Open files for every connection: raise the soft limit as far as the
 * hard one allows, and the connections the hub takes to what fits.
 */
static unsigned int fit_connections(void)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)HUB_CONN_MAX + HUB_FD_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return HUB_CONN_MAX;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ?
			      want : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= want)
		return HUB_CONN_MAX;
	return rl.rlim_cur > 2 * HUB_FD_SPARE ? (unsigned int)(rl.rlim_cur - HUB_FD_SPARE)
					      : HUB_FD_SPARE;
}

/* FB_EUSAGE unless GnuTLS takes the priority string s. */
static enum fb_code check_priorities(const char *s, struct fb_error *err)
{
	gnutls_priority_t p;
	const char *at = NULL;

	if (strlen(s) > HUB_TLS_PRIORITIES_MAX)
		return fb_fail(err, FB_EUSAGE, "--tls-priorities is over %d bytes",
			       HUB_TLS_PRIORITIES_MAX);
	if (gnutls_priority_init(&p, s, &at) != GNUTLS_E_SUCCESS)
		return fb_fail(err, FB_EUSAGE, "--tls-priorities: GnuTLS does not take it,"
			       " from '%.40s'", at ? at : s);
	gnutls_priority_deinit(p);
	return FB_OK;
}

enum fb_code hub_serve(struct hub_store *store,
		       const struct hub_serve_config *cfg, struct fb_error *err)
{
	struct server srv = { store, NULL, 0, 0, 0, 0 };
	struct sockaddr_storage ss;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	const char *prio = cfg->tls_priorities ? cfg->tls_priorities
					       : HUB_TLS_PRIORITIES_DEFAULT;
	char *cert = NULL, *key = NULL;
	/* No Date header: every answer a laptop reads carries hub_time,
	 * and on a metered link each header is paid for (PROTOCOL.md §2). */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
			     MHD_USE_AUTO | MHD_USE_ERROR_LOG |
			     MHD_USE_SUPPRESS_DATE_NO_CLOCK;
	sigset_t set;
	enum fb_code rc;
	int sig, waited, n = 0;
	struct MHD_OptionItem opts[24];

	if ((rc = hub_parse_listen(cfg->listen, &ss, err)) != FB_OK)
		return rc;
	if (!!cfg->tls_cert != !!cfg->tls_key)
		return fb_fail(err, FB_EUSAGE, "--tls-cert and --tls-key go together");
	if (cfg->tls_priorities && !cfg->tls_cert)
		return fb_fail(err, FB_EUSAGE, "--tls-priorities needs --tls-cert and --tls-key");
	if (cfg->tls_cert) {
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS))
			return fb_fail(err, FB_EINVAL, "this libmicrohttpd has no TLS");
		if ((rc = check_priorities(prio, err)) != FB_OK ||
		    (rc = hub_read_pem(cfg->tls_cert, &cert, err)) != FB_OK ||
		    (rc = hub_read_pem(cfg->tls_key, &key, err)) != FB_OK)
			goto out;
		flags |= MHD_USE_TLS;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv.conns = fit_connections();
	/* One address holds half at most, whatever the open files allow. */
	srv.per_ip = srv.conns < HUB_CONN_MAX ? srv.conns / 2 : HUB_CONN_PER_IP;
	if (srv.conns < HUB_CONN_MAX)
		fprintf(stderr, "hub: the open files limit allows %u connections, not %d\n",
			srv.conns, HUB_CONN_MAX);
	/* Signals go to sigwait below, not to MHD's threads.  The caller
	 * blocked them before the store started its own; again here costs
	 * nothing and keeps hub_serve right for a caller that forgot. */
	hub_block_signals();
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	signal(SIGPIPE, SIG_IGN);
	if ((rc = hub_guard_new(&srv.guard, err)) != FB_OK)
		goto out;
#define OPT(o, v, p) (opts[n++] = (struct MHD_OptionItem){ (o), (intptr_t)(v), (p) })
	OPT(MHD_OPTION_EXTERNAL_LOGGER, mhd_said, &srv);
	OPT(MHD_OPTION_SOCK_ADDR, 0, &ss);
	OPT(MHD_OPTION_THREAD_POOL_SIZE, HUB_THREADS, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, HUB_CONN_TIMEOUT_S, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, srv.conns, NULL);
	OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv.per_ip, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, HUB_CONN_MEMORY, NULL);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, conn_notify, &srv);
	OPT(MHD_OPTION_URI_LOG_CALLBACK, uri_seen, &srv);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, completed, &srv);
	if (cert) {
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, cert);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, key);
		OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)prio);
	}
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	d = MHD_start_daemon(flags, 0, NULL, NULL, handle, &srv,
			     MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!d) {
		rc = fb_fail(err, FB_EIO, "cannot listen on %s (in use, or not an address here?)",
			     cfg->listen);
		goto out;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("listening on %s%s (port %u)\n", cfg->listen, cert ? " with TLS" : "",
	       info ? info->port : 0);
	fflush(stdout);
	/* Plain HTTP is for loopback: a proxy on this machine, or tests. */
	if (!cert && !hub_is_loopback(&ss))
		fprintf(stderr, HUB_NO_TLS_WARNING, cfg->listen);
	if (cfg->port_file && info) {
		FILE *pf = fopen(cfg->port_file, "w");

		if (pf) {
			fprintf(pf, "%u\n", info->port);
			fclose(pf);
		}
	}
	sigwait(&set, &sig);
	fprintf(stderr, "hub: signal %d, finishing requests in flight\n", sig);
	/* A second signal from here on stays pending (blocked, not waited
	 * for) and dies with the process: the drain and close run whole. */
	MHD_quiesce_daemon(d);
	for (waited = 0; atomic_load(&srv.active) > 0 &&
	     waited < HUB_DRAIN_S * (int)MS_PER_S / HUB_DRAIN_POLL_MS; waited++)
		usleep(HUB_DRAIN_POLL_MS * US_PER_MS);
	MHD_stop_daemon(d);
	hub_guard_free(srv.guard);
	srv.guard = NULL;
	fprintf(stderr, "hub: stopped\n");
out:
	hub_guard_free(srv.guard);
	free(cert);
	free(key);
	return rc;
}
