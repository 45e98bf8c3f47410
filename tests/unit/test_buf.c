/* test_buf.c - the capped growable buffer. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "tap.h"

/* buf_json_str of s gives want, and JSON reads it back as s. */
static void json_str_is(const char *s, const char *want, const char *name)
{
	struct fb_buf b = FB_BUF_INIT(0);
	cJSON *back;

	is_int(buf_json_str(&b, s), FB_OK, "%s: written", name);
	is_str(buf_str(&b), want, "%s: as JSON", name);
	back = cJSON_Parse(buf_str(&b));
	ok(cJSON_IsString(back) && !strcmp(back->valuestring, s),
	   "%s: a JSON parser reads back the same bytes", name);
	cJSON_Delete(back);
	buf_release(&b);
}

static void test_json_str(void)
{
	struct fb_buf b = FB_BUF_INIT(8);
	char all[32];
	int i;

	json_str_is("", "\"\"", "empty string");
	json_str_is("Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Hoa", "\"Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Hoa\"",
		    "Vietnamese UTF-8 as it is");
	json_str_is("say \"hi\" \\ / end", "\"say \\\"hi\\\" \\\\ / end\"",
		    "quote and backslash escaped, slash not");
	json_str_is("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\"",
		    "the short escapes");
	json_str_is("\x01x\x1f\x7f", "\"\\u0001x\\u001f\x7f\"",
		    "other control bytes as \\u00XX, DEL as it is");
	for (i = 1; i < 32; i++)
		all[i - 1] = (char)i;
	all[31] = '\0';
	{
		struct fb_buf o = FB_BUF_INIT(0);
		cJSON *back;

		buf_json_str(&o, all);
		back = cJSON_Parse(buf_str(&o));
		ok(cJSON_IsString(back) && !strcmp(back->valuestring, all),
		   "every control byte 1..31 reads back");
		cJSON_Delete(back);
		buf_release(&o);
	}
	is_int(buf_json_str(&b, "0123456789"), FB_ETOOBIG,
	       "a string past the buffer's cap is refused");
	buf_release(&b);
}

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
	test_json_str();
	return tap_done();
}
