/*
 * hub_head.h - what a request's head must be before the hub reads a byte
 * of its body (docs/PROTOCOL.md §2, "Strict HTTP"): one framing (never
 * Content-Length and Transfer-Encoding together, only `chunked`), one
 * value for each header that decides something, a Host on HTTP/1.1, no
 * control byte and nothing hidden behind a NUL, and a request target
 * that is short and plain.
 *
 * libmicrohttpd 0.9 is lenient where this is strict, and keeps header
 * values as C strings: a value holding a NUL is cut there, silently.
 * It parses the head in place, in one buffer, so what it cut is seen as
 * a gap between one header's value and the next header's name; a gap
 * other than the line's end (CRLF, or a bare LF) is refused.
 */
#ifndef FB_HUB_HEAD_H
#define FB_HUB_HEAD_H

#include <stddef.h>
#include <microhttpd.h>
#include "hub_limits.h"

/* The request target as sent, taken from libmicrohttpd's URI log hook
 * before anything of it is decoded. */
struct hub_target {
	const char *start, *end;        /* in libmicrohttpd's buffer */
	int nul_in_path;                /* %00 in the path */
	int bad_byte;                   /* a space or control byte in it */
	int too_long;                   /* over HUB_URI_MAX */
	int too_many_args;              /* over HUB_QUERY_ARGS_MAX parameters */
	char path[HUB_TARGET_PATH_MAX]; /* the path, %XX decoded but %00, cut:
					   what the log writes */
};

/*
 * Look at the target uri (NUL-terminated where it ends) into *t.  When it
 * holds more than HUB_QUERY_ARGS_MAX parameters, the query is emptied in
 * place, before libmicrohttpd parses it: libmicrohttpd 0.9.75 keeps each
 * parameter in the connection's fixed memory and, when that runs out,
 * loses the request without an answer (the client waits for the
 * timeout).  The request is then refused at its head (414).
 */
void hub_head_target(char *uri, struct hub_target *t);

/*
 * 0 if the head of the request on conn may be read on, else the HTTP
 * status (400 or 414) with *code the error's code and msg why.  method
 * and version are the access handler's (they point into the head), t
 * what hub_head_target found.
 */
int hub_head_check(struct MHD_Connection *conn, const char *method,
		   const char *version, const struct hub_target *t,
		   const char **code, char *msg, size_t n);

#endif
