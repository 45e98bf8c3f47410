/*
 * error.h - the one error vocabulary of Fieldbook.
 *
 * Library code (everything under shared/ and sync/ that is not a main)
 * never prints and never exits.  A function that can fail returns an
 * fb_code and, when given a non-NULL struct fb_error, writes one line of
 * human text into it saying what went wrong.  Codes of SQLite, zlib,
 * libcurl and errno are converted at the boundary where they are met.
 * Only a program's main() turns a code into an exit status with
 * fb_exit_status() and prints "fieldbook: <msg>".
 */
#ifndef FB_ERROR_H
#define FB_ERROR_H

#include <stdarg.h>
#include "limits.h"

enum fb_code {
	FB_OK = 0,
	FB_EUSAGE,      /* wrong command line                      -> 64 */
	FB_EINVAL,      /* bad data: field, date, UTF-8, CSV row    -> 65 */
	FB_ENOENT,      /* unknown id or record                     -> 65 */
	FB_EEXIST,      /* already there (init twice)               -> 65 */
	FB_ENOINPUT,    /* input file missing or unreadable         -> 66 */
	FB_ECORRUPT,    /* journal chain or database damaged        -> 65 */
	FB_EIO,         /* disk full, database unwritable           -> 74 */
	FB_ENOMEM,      /* out of memory                            -> 70 */
	FB_ENET,        /* hub unreachable or connection dropped    -> 69 */
	FB_EBUSY,       /* busy: the hub (5xx), or the database held
			 * by another command past the lock wait     -> 75 */
	FB_EAUTH,       /* token or scope refused                   -> 77 */
	FB_ECONFLICT,   /* sequence gap or other protocol conflict  -> 65 */
	FB_ETOOBIG,     /* over a documented limit                  -> 65 */
	FB_EINTERNAL,   /* a bug                                    -> 70 */
	FB_EPROTO,      /* the hub speaks another protocol version  -> 76 */
	FB_NCODES
};

/*
 * On a function whose fb_code is its outcome: a caller that drops the
 * result gets a compiler warning (an error under -Werror).  Not on
 * fb_fail and fb_prefix, which hand back the code they were given so
 * that `return fb_fail(...)` reads well; ignoring that is fine.
 */
#if defined(__GNUC__) || defined(__clang__)
#define FB_MUST_CHECK __attribute__((warn_unused_result))
#else
#define FB_MUST_CHECK
#endif

struct fb_error {
	enum fb_code code;
	char msg[FB_ERRMSG_MAX];
};

/* Short generic text for a code ("bad data", "I/O error"...). */
const char *fb_strerror(enum fb_code code);

/* The sysexits.h status a program exits with for a code. */
int fb_exit_status(enum fb_code code);

/*
 * Record a failure in err (which may be NULL) and return code, so that
 * callers can write `return fb_fail(err, FB_EINVAL, "bad date %s", s);`.
 * The message is formatted printf-style and truncated to one line.
 */
enum fb_code fb_fail(struct fb_error *err, enum fb_code code,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Put context before the message already in err ("pull: " + msg) and
 * return its code.  Safe where fb_fail(err, c, "x: %s", err->msg) is not.
 * Like fb_fail, the result is cut to whole UTF-8 characters at the
 * message limit.  err may be NULL (a caller that asked for no message):
 * then nothing is written and, there being no code to return, the
 * result is FB_EINTERNAL.
 */
enum fb_code fb_prefix(struct fb_error *err, const char *prefix);

/* Reset err to FB_OK with an empty message. */
void fb_error_clear(struct fb_error *err);

#endif
