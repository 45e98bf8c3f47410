/*
 * buf.h - a growable byte buffer with a hard size cap.
 *
 * The contents are always NUL-terminated so they can be used as a C
 * string when no NUL was appended.  Every buffer that grows from input
 * has a cap: appending past it fails with FB_ETOOBIG and leaves the
 * buffer as it was.  Memory is owned by the buffer; buf_release() frees
 * it, buf_detach() hands it to the caller (who then free()s it).
 *
 *     struct fb_buf b = FB_BUF_INIT(1 << 20);
 *     if (buf_printf(&b, "%d", n) != FB_OK) ...
 *     use(b.data, b.len);
 *     buf_release(&b);
 */
#ifndef FB_BUF_H
#define FB_BUF_H

#include <stddef.h>
#include "error.h"

struct fb_buf {
	char *data;     /* NULL until the first append, then NUL-terminated */
	size_t len;     /* bytes used, not counting the terminator */
	size_t alloc;   /* bytes allocated */
	size_t cap;     /* most bytes len may reach; 0 means FB_BUF_DEFAULT_CAP */
};

#define FB_BUF_DEFAULT_CAP ((size_t)64 * 1024 * 1024)
#define FB_BUF_INIT(capacity) { NULL, 0, 0, (capacity) }

/* Append n bytes.  FB_ETOOBIG past the cap, FB_ENOMEM if malloc fails. */
enum fb_code buf_add(struct fb_buf *b, const void *p, size_t n);
enum fb_code buf_adds(struct fb_buf *b, const char *s);
enum fb_code buf_addc(struct fb_buf *b, char c);
enum fb_code buf_printf(struct fb_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Append s as a quoted JSON string: '"', '\\' and control characters
 * escaped, every other byte (UTF-8 included) as it is.
 */
enum fb_code buf_json_str(struct fb_buf *b, const char *s);

/* The contents as a string: "" for an empty buffer, never NULL. */
const char *buf_str(const struct fb_buf *b);

/* Forget the contents, keep the memory. */
void buf_reset(struct fb_buf *b);

/* Free the memory; the buffer is empty and usable again. */
void buf_release(struct fb_buf *b);

/* Give the memory to the caller (NUL-terminated, possibly NULL if never
 * appended to) and leave the buffer empty. */
char *buf_detach(struct fb_buf *b, size_t *len);

#endif
