/* test_error.c - error messages: one line of whole UTF-8, even when cut. */
#include <string.h>

#include "error.h"
#include "tap.h"

/* 1 if s is whole UTF-8 (no sequence cut short). */
static int whole_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 :
			(*p & 0xF8) == 0xF0 ? 4 : 0, i;

		if (!n)
			return 0;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return 0;
		p += n;
	}
	return 1;
}

int main(void)
{
	char longvi[FB_ERRMSG_MAX * 2];
	struct fb_error err;
	size_t i, shift;
	int bad_prefix = 0, bad_fail = 0, cut = 0;

	/* "ệ" is 3 bytes: across every alignment with the limit, a long
	 * Vietnamese message cut by fb_prefix or fb_fail must end whole. */
	for (shift = 0; shift < 3; shift++) {
		char prefix[8] = "";

		for (i = 0; i < shift; i++)
			prefix[i] = 'x';
		longvi[0] = '\0';
		while (strlen(longvi) + 3 < sizeof(longvi) - 1)
			strcat(longvi, "\xe1\xbb\x87");
		fb_fail(&err, FB_EINVAL, "%s", longvi);
		if (!whole_utf8(err.msg) || strchr(err.msg, '?'))
			bad_fail++;
		fb_prefix(&err, prefix);
		cut += strlen(err.msg) < FB_ERRMSG_MAX - 1;
		if (!whole_utf8(err.msg) || strchr(err.msg, '?'))
			bad_prefix++;
	}
	is_int(bad_fail, 0, "fb_fail cuts a long message on a character boundary");
	is_int(bad_prefix, 0, "fb_prefix keeps a long message whole UTF-8 at every alignment");
	ok(cut > 0, "at some alignment a partial character was dropped (%d)", cut);
	is_int(fb_prefix(NULL, "x: "), FB_EINTERNAL, "fb_prefix of no error is an internal error");
	fb_fail(&err, FB_EIO, "a\nb\rc");
	is_str(err.msg, "a b c", "line breaks become spaces");
	fb_fail(&err, FB_EIO, "bad \xff byte");
	is_str(err.msg, "bad ? byte", "a byte that is not UTF-8 shows as '?'");
	return tap_done();
}
