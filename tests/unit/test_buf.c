/* test_buf.c - the capped growable buffer. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

int main(void)
{
	struct fb_buf b = FB_BUF_INIT(16);
	char *p;
	size_t len = 99;
	int i;

	is_str(buf_str(&b), "", "an empty buffer reads as \"\"");
	is_int(buf_adds(&b, "abc"), FB_OK, "append within the cap");
	is_int(buf_printf(&b, "%d-%s", 42, "x"), FB_OK, "printf within the cap");
	is_str(buf_str(&b), "abc42-x", "contents are the appends in order");
	is_int(buf_adds(&b, "0123456789"), FB_ETOOBIG, "an append past the cap is refused");
	is_str(buf_str(&b), "abc42-x", "a refused append leaves the buffer as it was");
	is_int(buf_printf(&b, "%s", "0123456789"), FB_ETOOBIG, "printf past the cap is refused");
	is_int(b.len, 7, "length unchanged after refusals");
	is_int(buf_add(&b, "123456789", 9), FB_OK, "an append that reaches the cap exactly");
	is_int(b.len, 16, "the buffer holds cap bytes");
	is_int(buf_addc(&b, 'x'), FB_ETOOBIG, "one byte more is refused");
	buf_reset(&b);
	is_int(b.len, 0, "reset empties");
	is_str(buf_str(&b), "", "reset reads as \"\"");
	buf_release(&b);

	b = (struct fb_buf)FB_BUF_INIT(0);
	for (i = 0; i < 10000; i++)
		if (buf_addc(&b, (char)('a' + i % 26)) != FB_OK)
			break;
	is_int(i, 10000, "the default cap lets a buffer grow");
	ok(b.data[9999] == 'a' + 9999 % 26 && b.data[10000] == '\0',
	   "grown contents are intact and terminated");
	p = buf_detach(&b, &len);
	is_int(len, 10000, "detach gives the length");
	ok(b.data == NULL && b.len == 0, "detach leaves the buffer empty");
	free(p);
	is_int(buf_add(&b, "", 0), FB_OK, "an empty append is fine");
	buf_release(&b);
	return tap_done();
}
