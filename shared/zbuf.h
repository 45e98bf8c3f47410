/*
 * zbuf.h - zlib (RFC 1950, HTTP "deflate") into and out of fb_buf.
 *
 * Inflation runs in a loop with a running cap on the output: a body
 * that would inflate past `cap` is refused as soon as it does, so a
 * small "deflate bomb" never costs more than cap bytes of memory.
 */
#ifndef FB_ZBUF_H
#define FB_ZBUF_H

#include <stddef.h>
#include "buf.h"
#include "error.h"

#define ZBUF_LEVEL 6

/* Append the zlib stream of in[0..len) to out. */
enum fb_code zbuf_deflate(const void *in, size_t len, int level,
			  struct fb_buf *out, struct fb_error *err);

/*
 * Append the inflated in[0..len) to out, at most cap bytes.  FB_ETOOBIG
 * past the cap, FB_EINVAL for a corrupt or truncated stream or for
 * bytes after its end.
 */
enum fb_code zbuf_inflate(const void *in, size_t len, size_t cap,
			  struct fb_buf *out, struct fb_error *err);

#endif
