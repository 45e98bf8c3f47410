/*
 * hub_head.c - the strict checks of a request's head (hub_head.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hub_head.h"

#define CHUNKED      "chunked"
#define LINE_END_MIN 1   /* a bare LF */
#define LINE_END_MAX 2   /* CRLF */
#define HEADER_NAME_LOG 48 /* a header's name, as a message names it */

static int hex_value(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* The n bytes of the path p, %XX decoded as libmicrohttpd decodes the
 * URL it hands over (but %00, kept as sent so that the log shows it),
 * into out, cut to fit: the log writes every path in this one form. */
static void decode_path(const char *p, size_t n, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < size; i++) {
		if (p[i] == '%' && i + 2 < n && isxdigit((unsigned char)p[i + 1]) &&
		    isxdigit((unsigned char)p[i + 2]) && (p[i + 1] != '0' || p[i + 2] != '0')) {
			out[o++] = (char)(hex_value(p[i + 1]) * 16 + hex_value(p[i + 2]));
			i += 2;
		} else {
			out[o++] = p[i];
		}
	}
	out[o] = '\0';
}

void hub_head_target(char *uri, struct hub_target *t)
{
	size_t n = strlen(uri), plen, i, args = 0;
	char *q = memchr(uri, '?', n);

	memset(t, 0, sizeof(*t));
	t->start = uri;
	t->end = uri + n;
	plen = q ? (size_t)(q - uri) : n;
	t->too_long = n > HUB_URI_MAX;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)uri[i];

		if (ch <= ' ' || ch == 0x7f)
			t->bad_byte = 1;
		if (i + 2 < plen && ch == '%' && uri[i + 1] == '0' && uri[i + 2] == '0')
			t->nul_in_path = 1;
	}
	decode_path(uri, plen, t->path, sizeof(t->path));
	if (!q || !q[1])
		return;
	for (i = 1; q[i]; i++)
		if (q[i] == '&')
			args++;
	if (args + 1 > HUB_QUERY_ARGS_MAX) {
		t->too_many_args = 1;
		q[1] = '\0';
	}
}

/* What the headers hold, gathered in one pass. */
struct scan {
	const char *lo, *hi;     /* the head in libmicrohttpd's buffer */
	const char *prev_end;    /* where the line before ended (its value's end) */
	int hidden;              /* bytes cut from a value, or a folded line */
	int bad_byte;            /* a control byte in a name or value */
	int n_cl, cl_differ, n_te, n_auth, n_host;
	const char *cl;
	size_t cl_len;
	const char *te;
	size_t te_len;
	char what[HEADER_NAME_LOG];     /* the header at fault */
	char prev_key[HEADER_NAME_LOG]; /* the header before this one */
};

static int has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < ' ' && ch != '\t') || ch == 0x7f)
			return 1;
	}
	return 0;
}

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind,
				   const char *key, size_t key_size,
				   const char *value, size_t value_size)
{
	struct scan *s = cls;
	size_t gap;

	(void)kind;
	/* The line before ends right where this one starts. */
	/* The line before ends right where this one starts: if not, it
	 * (or this one, folded) hid bytes. */
	if (!s->hidden &&
	    (key < s->prev_end || key > s->hi || value < key || value > s->hi ||
	     (gap = (size_t)(key - s->prev_end)) < LINE_END_MIN || gap > LINE_END_MAX)) {
		s->hidden = 1;
		snprintf(s->what, sizeof(s->what), "%s", s->prev_key[0] ? s->prev_key :
			 "the request line");
	}
	if (!s->hidden && !s->bad_byte &&
	    (has_control(key, key_size) || has_control(value, value_size))) {
		s->bad_byte = 1;
		snprintf(s->what, sizeof(s->what), "%.*s", (int)key_size, key);
	}
	snprintf(s->prev_key, sizeof(s->prev_key), "%.*s", (int)key_size, key);
	s->prev_end = value + value_size;
	if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH)) {
		if (s->n_cl++ && (value_size != s->cl_len || memcmp(value, s->cl, value_size)))
			s->cl_differ = 1;
		s->cl = value;
		s->cl_len = value_size;
	} else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
		s->n_te++;
		s->te = value;
		s->te_len = value_size;
	} else if (!strcasecmp(key, MHD_HTTP_HEADER_AUTHORIZATION)) {
		s->n_auth++;
	} else if (!strcasecmp(key, MHD_HTTP_HEADER_HOST)) {
		s->n_host++;
	}
	return MHD_YES;
}

#define REFUSE(status, c, ...) \
	do { *code = (c); snprintf(msg, n, __VA_ARGS__); return (status); } while (0)

int hub_head_check(struct MHD_Connection *conn, const char *method,
		   const char *version, const struct hub_target *t,
		   const char **code, char *msg, size_t n)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	struct scan s;
	size_t tail;

	memset(&s, 0, sizeof(s));
	if (t->too_long)
		REFUSE(MHD_HTTP_URI_TOO_LONG, "uri_too_long",
		       "the request target is over " FB_STR(HUB_URI_MAX) " bytes");
	if (t->too_many_args)
		REFUSE(MHD_HTTP_URI_TOO_LONG, "uri_too_long",
		       "more than " FB_STR(HUB_QUERY_ARGS_MAX) " query parameters");
	if (t->nul_in_path)
		REFUSE(MHD_HTTP_BAD_REQUEST, "bad_http", "a NUL (%%00) in the path");
	if (t->bad_byte)
		REFUSE(MHD_HTTP_BAD_REQUEST, "bad_http",
		       "a space or control byte in the request target");
	/* The request line is METHOD SP target SP version, one space each:
	 * nothing of it was cut at a NUL. */
	if (!ci || !t->start || t->start != method + strlen(method) + 1 ||
	    version != t->end + 1)
		REFUSE(MHD_HTTP_BAD_REQUEST, "bad_http", "a malformed request line");
	s.lo = method;
	s.hi = method + ci->header_size;
	s.prev_end = version + strlen(version);
	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, scan_header, &s);
	/* The last line, then the empty line that ends the head. */
	tail = s.prev_end <= s.hi ? (size_t)(s.hi - s.prev_end) : 0;
	if (!s.hidden && (tail < 2 * LINE_END_MIN || tail > 2 * LINE_END_MAX)) {
		s.hidden = 1;
		snprintf(s.what, sizeof(s.what), "%s", s.prev_key[0] ? s.prev_key :
			 "the request line");
	}
	if (s.hidden)
		REFUSE(MHD_HTTP_BAD_REQUEST, "bad_http",
		       "a header holds a NUL, or is folded over lines (%s)",
		       s.what[0] ? s.what : s.prev_key);
	if (s.bad_byte)
		REFUSE(MHD_HTTP_BAD_REQUEST, "bad_http", "a control byte in header %s", s.what);
	if (s.n_te && s.n_cl)
		REFUSE(MHD_HTTP_BAD_REQUEST, "bad_http",
		       "both Content-Length and Transfer-Encoding");
	if (s.n_te > 1 || (s.n_te && (s.te_len != sizeof(CHUNKED) - 1 ||
				      strncasecmp(s.te, CHUNKED, s.te_len))))
		REFUSE(MHD_HTTP_BAD_REQUEST, "bad_http",
		       "Transfer-Encoding must be chunked, once");
	if (s.cl_differ)
		REFUSE(MHD_HTTP_BAD_REQUEST, "bad_http", "two different Content-Length values");
	if (s.n_auth > 1)
		REFUSE(MHD_HTTP_BAD_REQUEST, "bad_http", "two Authorization headers");
	if (s.n_host > 1)
		REFUSE(MHD_HTTP_BAD_REQUEST, "bad_http", "two Host headers");
	if (!s.n_host && !strcmp(version, MHD_HTTP_VERSION_1_1))
		REFUSE(MHD_HTTP_BAD_REQUEST, "bad_http", "HTTP/1.1 without Host");
	return 0;
}
