/*
 * jscan.h - JSON read in place, without building a tree.
 *
 * jscan_check() decides once whether a text is one well-formed JSON
 * value (RFC 8259), strictly: no raw control characters in strings, no
 * \u0000, no lone surrogate escapes, nesting at most max_depth, nothing
 * but white space around it.  A struct jscan is then a cursor over that
 * checked text: the readers below assume it is well formed (they stay
 * inside its bounds whatever it holds) and copy out only what the caller
 * keeps.  A push of thousands of changes is decoded this way, one change
 * after the other, at a fraction of the time and memory a tree costs.
 */
#ifndef FB_JSCAN_H
#define FB_JSCAN_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "error.h"

/*
 * FB_OK if s[0..len) is one well-formed JSON value, else FB_EINVAL with
 * err saying what is wrong ("body is not valid JSON (byte 17)", "a
 * string holds \u0000", "JSON nests deeper than 8").
 */
enum fb_code jscan_check(const char *s, size_t len, int max_depth,
			 struct fb_error *err);

struct jscan {
	const char *p, *end;
};

/* The next character that is not white space, or '\0' at the end. */
char jscan_peek(struct jscan *j);

/* If the next character (after white space) is c, step over it: 1. */
int jscan_eat(struct jscan *j, char c);

/* Step over one value of any kind. */
void jscan_skip(struct jscan *j);

/*
 * Read the string value at the cursor into out (emptied first), escapes
 * resolved, NUL-terminated.  FB_EINVAL if the next value is not a
 * string (the cursor then skips it); FB_ETOOBIG past out's cap (the
 * cursor is past the string either way).
 */
enum fb_code jscan_str(struct jscan *j, struct fb_buf *out);

/*
 * Read the number at the cursor: 1 if it is a whole number in 0..2^53
 * (1, 1.0 and 1e0 alike), else 0; any other value is skipped.
 */
int jscan_uint(struct jscan *j, uint64_t *out);

#endif
