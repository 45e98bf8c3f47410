/* zbuf.c - deflate and capped inflate with zlib. */
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "i18n.h"
#include "zbuf.h"

#define ZBUF_CHUNK 65536

enum fb_code zbuf_deflate(const void *in, size_t len, int level,
			  struct fb_buf *out, struct fb_error *err)
{
	unsigned char chunk[ZBUF_CHUNK];
	z_stream z;
	enum fb_code rc = FB_OK;
	int zr;

	memset(&z, 0, sizeof(z));
	if (deflateInit(&z, level) != Z_OK)
		return fb_fail(err, FB_ENOMEM, _("compression: out of memory"));
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;     /* callers keep bodies far below 4 GiB */
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zr = deflate(&z, Z_FINISH);
		if (zr == Z_STREAM_ERROR) {
			rc = fb_fail(err, FB_EINTERNAL, _("compression failed"));
			break;
		}
		rc = buf_add(out, chunk, sizeof(chunk) - z.avail_out);
		if (rc != FB_OK) {
			fb_fail(err, rc, _("compressed body: %s"), fb_strerror(rc));
			break;
		}
	} while (zr != Z_STREAM_END);
	deflateEnd(&z);
	return rc;
}

enum fb_code zbuf_inflate(const void *in, size_t len, size_t cap,
			  struct fb_buf *out, struct fb_error *err)
{
	unsigned char chunk[ZBUF_CHUNK];
	size_t start = out->len, got;
	z_stream z;
	enum fb_code rc = FB_OK;
	int zr = Z_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return fb_fail(err, FB_ENOMEM, _("decompression: out of memory"));
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	while (zr != Z_STREAM_END) {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zr = inflate(&z, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END) {
			rc = fb_fail(err, FB_EINVAL, _("body is not a valid deflate stream%s"),
				     zr == Z_BUF_ERROR ? _(" (truncated)") : "");
			break;
		}
		got = sizeof(chunk) - z.avail_out;
		if (got > cap || out->len - start > cap - got) {
			rc = fb_fail(err, FB_ETOOBIG,
				     _("body inflates past the limit of %zu bytes"), cap);
			break;
		}
		if ((rc = buf_add(out, chunk, got)) != FB_OK) {
			fb_fail(err, rc, _("inflated body: %s"), fb_strerror(rc));
			break;
		}
		if (zr == Z_OK && z.avail_in == 0 && got == 0) {
			rc = fb_fail(err, FB_EINVAL, _("body is not a valid deflate stream (truncated)"));
			break;
		}
	}
	if (rc == FB_OK && z.avail_in != 0)
		rc = fb_fail(err, FB_EINVAL, _("bytes after the end of the deflate stream"));
	inflateEnd(&z);
	if (rc != FB_OK) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	return rc;
}
