/* test_zbuf.c - deflate and the capped inflate. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "zbuf.h"

int main(void)
{
	struct fb_buf z = FB_BUF_INIT(0), out = FB_BUF_INIT(0), big = FB_BUF_INIT(0);
	struct fb_error err;
	const char *text = "Phòng chống bạo lực gia đình; Nguyễn Thị Hồng Nhung";
	size_t i, zlen;
	int bad = 0;

	is_int(zbuf_deflate(text, strlen(text), ZBUF_LEVEL, &z, &err), FB_OK, "deflate");
	ok(z.len > 2 && (unsigned char)z.data[0] == 0x78, "a zlib stream (RFC 1950 header)");
	is_int(zbuf_inflate(z.data, z.len, 1024, &out, &err), FB_OK, "inflate");
	is_str(buf_str(&out), text, "round trip is exact");
	buf_reset(&out);
	is_int(zbuf_inflate(z.data, z.len, 10, &out, &err), FB_ETOOBIG,
	       "inflating past the cap is refused");
	is_int(out.len, 0, "a refused inflate leaves the output as it was");
	ok(strstr(err.msg, "limit") != NULL, "the message names the limit");

	/* Every truncation of a stream is refused, never a crash. */
	zlen = z.len;
	for (i = 0; i < zlen; i++) {
		buf_reset(&out);
		if (zbuf_inflate(z.data, i, 1024, &out, &err) != FB_EINVAL || out.len)
			bad++;
	}
	is_int(bad, 0, "each of %zu truncations is refused as invalid", zlen);
	buf_reset(&out);
	buf_add(&z, "xx", 2);
	is_int(zbuf_inflate(z.data, z.len, 1024, &out, &err), FB_EINVAL,
	       "bytes after the end of the stream are refused");
	buf_reset(&out);
	is_int(zbuf_inflate("not deflate", 11, 1024, &out, &err), FB_EINVAL,
	       "garbage is refused");

	/* A bomb: 64 MiB of zeros, a few KiB compressed, capped at 1 MiB. */
	buf_release(&z);
	{
		char *zeros = calloc(1, 64u << 20);

		ok(zeros != NULL, "allocated the bomb's plain text");
		if (zeros)
			zbuf_deflate(zeros, 64u << 20, 9, &z, &err);
		free(zeros);
	}
	ok(z.len < 128 * 1024, "the bomb is small (%zu bytes)", z.len);
	is_int(zbuf_inflate(z.data, z.len, 1u << 20, &big, &err), FB_ETOOBIG,
	       "the bomb stops at the cap");
	ok(big.alloc <= (2u << 20), "memory used stayed near the cap (%zu)", big.alloc);
	buf_release(&z);
	buf_release(&out);
	buf_release(&big);
	return tap_done();
}
