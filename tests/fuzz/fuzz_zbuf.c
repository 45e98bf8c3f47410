/*
 * fuzz_zbuf.c - capped inflation of request bodies (zbuf_inflate).
 *
 * The promises checked: the output never grows past the cap, however
 * small the input; a refused body leaves what the buffer held before
 * untouched; a smaller cap refuses exactly the bodies that inflate past
 * it; an accepted body deflates and inflates back to the same bytes.
 */
#include "fuzz.h"
#include "zbuf.h"

#define FUZZ_ZCAP       ((size_t)1 << 20)   /* the cap under test */
#define FUZZ_ZCAP_SMALL ((size_t)100)       /* one that bodies do cross */
#define FUZZ_ZROUNDTRIP ((size_t)64 << 10)  /* re-deflate up to this */

static const char prefix[] = "kept";        /* already in the buffer */

static enum fb_code inflate_into(const uint8_t *data, size_t size, size_t cap,
				 struct fb_buf *out)
{
	struct fb_error err;
	enum fb_code rc;

	fb_error_clear(&err);
	FUZZ_CHECK(buf_adds(out, prefix) == FB_OK);
	rc = zbuf_inflate(data, size, cap, out, &err);
	FUZZ_CHECK(out->data != NULL);
	FUZZ_CHECK(!memcmp(out->data, prefix, sizeof(prefix) - 1));
	if (rc == FB_OK) {
		FUZZ_CHECK(out->len - (sizeof(prefix) - 1) <= cap);
		FUZZ_CHECK(out->data[out->len] == '\0');
	} else {
		FUZZ_CHECK(rc == FB_EINVAL || rc == FB_ETOOBIG);
		FUZZ_CHECK(err.code == rc && err.msg[0]);
		FUZZ_CHECK(out->len == sizeof(prefix) - 1);
		FUZZ_CHECK(out->data[out->len] == '\0');
	}
	return rc;
}

static void check_roundtrip(const char *p, size_t n)
{
	struct fb_buf z = FB_BUF_INIT(0), back = FB_BUF_INIT(0);
	struct fb_error err;

	FUZZ_CHECK(zbuf_deflate(p, n, ZBUF_LEVEL, &z, &err) == FB_OK);
	FUZZ_CHECK(zbuf_inflate(z.data, z.len, n, &back, &err) == FB_OK);
	FUZZ_CHECK(back.len == n);
	FUZZ_CHECK(n == 0 || !memcmp(back.data, p, n));
	buf_release(&z);
	buf_release(&back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fb_buf big = FB_BUF_INIT(0), small = FB_BUF_INIT(0);
	enum fb_code rc, rc_small;
	size_t len, skip = sizeof(prefix) - 1;

	rc = inflate_into(data, size, FUZZ_ZCAP, &big);
	rc_small = inflate_into(data, size, FUZZ_ZCAP_SMALL, &small);
	len = big.len - skip;
	switch (rc) {
	case FB_OK:
		if (len <= FUZZ_ZCAP_SMALL) {
			FUZZ_CHECK(rc_small == FB_OK);
			FUZZ_CHECK(small.len == big.len);
			FUZZ_CHECK(!memcmp(small.data, big.data, big.len));
		} else {
			FUZZ_CHECK(rc_small == FB_ETOOBIG);
		}
		if (len <= FUZZ_ZROUNDTRIP)
			check_roundtrip(big.data + skip, len);
		break;
	case FB_ETOOBIG:
		FUZZ_CHECK(rc_small == FB_ETOOBIG);
		break;
	default:
		break;
	}
	buf_release(&big);
	buf_release(&small);
	return 0;
}
