/*
 * bundle.h - a bundle: sync carried on a USB stick where there is no
 * link (docs/PROTOCOL.md §16).  The same messages as over HTTP, one per
 * line after a header line, deflated, behind a line that names the
 * format and holds the SHA-256 and length of what follows:
 *
 *     FIELDBOOK-BUNDLE 1 <64 hex: SHA-256 of the zlib stream> <its length>\n
 *     <zlib stream of: header JSON \n message \n message ...>
 *
 * A bundle damaged, cut short, or of another program is refused whole
 * before anything in it is read.
 */
#ifndef FB_BUNDLE_H
#define FB_BUNDLE_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

#define BUNDLE_MAGIC      "FIELDBOOK-BUNDLE"
#define BUNDLE_VERSION    1
#define BUNDLE_ZMAX       ((size_t)256 << 20)   /* compressed bytes */
#define BUNDLE_TEXT_MAX   ((size_t)1 << 30)     /* inflated bytes */

/*
 * Write text (the header line and the messages, each ending with '\n')
 * as a bundle at path: owner-only, written whole under another name and
 * then renamed, so that a bundle is never seen half written.
 */
enum fb_code bundle_write(const char *path, const struct fb_buf *text,
			  struct fb_error *err)
	FB_MUST_CHECK;

/* Read and check the bundle at path; its text into out (emptied first). */
enum fb_code bundle_read(const char *path, struct fb_buf *out, struct fb_error *err)
	FB_MUST_CHECK;

/* The next line of text from *pos (its '\n' replaced by NUL); NULL at
 * the end.  Lines are the header, then one message each. */
char *bundle_next_line(struct fb_buf *text, size_t *pos);

#endif
