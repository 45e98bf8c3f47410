/* buf.c - growable byte buffer with a hard cap. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

static size_t buf_cap(const struct fb_buf *b)
{
	return b->cap ? b->cap : FB_BUF_DEFAULT_CAP;
}

/* Make room for n more bytes plus the terminator. */
static enum fb_code buf_grow(struct fb_buf *b, size_t n)
{
	size_t want, alloc;
	char *p;

	if (n > buf_cap(b) || b->len > buf_cap(b) - n)
		return FB_ETOOBIG;
	want = b->len + n + 1;
	if (want <= b->alloc)
		return FB_OK;
	alloc = b->alloc ? b->alloc : 64;
	while (alloc < want)
		alloc = alloc > ((size_t)-1) / 2 ? want : alloc * 2;
	p = realloc(b->data, alloc);
	if (!p)
		return FB_ENOMEM;
	b->data = p;
	b->alloc = alloc;
	return FB_OK;
}

enum fb_code buf_add(struct fb_buf *b, const void *p, size_t n)
{
	enum fb_code rc = buf_grow(b, n);

	if (rc != FB_OK)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return FB_OK;
}

enum fb_code buf_adds(struct fb_buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

enum fb_code buf_addc(struct fb_buf *b, char c)
{
	return buf_add(b, &c, 1);
}

/* One escaped byte, in the short form where JSON has one. */
static enum fb_code json_escape(struct fb_buf *b, unsigned char ch)
{
	static const char shortform[] = "\"\"\\\\\bb\ff\nn\rr\tt";
	const char *p;

	for (p = shortform; *p; p += 2)
		if ((unsigned char)p[0] == ch)
			return buf_printf(b, "\\%c", p[1]);
	return buf_printf(b, "\\u%04x", ch);
}

enum fb_code buf_json_str(struct fb_buf *b, const char *s)
{
	const char *run = s;
	enum fb_code rc = buf_addc(b, '"');

	/* Bytes that need no escape are copied a run at a time. */
	for (; rc == FB_OK && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		rc = buf_add(b, run, (size_t)(s - run));
		if (rc == FB_OK)
			rc = json_escape(b, ch);
		run = s + 1;
	}
	if (rc == FB_OK)
		rc = buf_add(b, run, (size_t)(s - run));
	return rc == FB_OK ? buf_addc(b, '"') : rc;
}

enum fb_code buf_printf(struct fb_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	enum fb_code rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return FB_EINVAL;
	rc = buf_grow(b, (size_t)n);
	if (rc != FB_OK)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return FB_OK;
}

const char *buf_str(const struct fb_buf *b)
{
	return b->data ? b->data : "";
}

void buf_reset(struct fb_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_release(struct fb_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
}

char *buf_detach(struct fb_buf *b, size_t *len)
{
	char *p = b->data;

	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->alloc = 0;
	return p;
}
