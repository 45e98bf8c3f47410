/*
 * test_jscan.c - the strict JSON check and the in-place cursor (jscan.h):
 * what is refused and why, strings with their escapes, whole numbers,
 * skipping, and agreement with cJSON on what both accept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "jscan.h"
#include "tap.h"

static enum fb_code check(const char *s, int depth, struct fb_error *err)
{
	fb_error_clear(err);
	return jscan_check(s, strlen(s), depth, err);
}

static void accepts(const char *s, const char *name)
{
	struct fb_error err;
	enum fb_code rc = check(s, 8, &err);

	if (rc != FB_OK)
		printf("# %s\n", err.msg);
	is_int(rc, FB_OK, "accepted: %s", name);
}

static void refuses(const char *s, const char *msg_part, const char *name)
{
	struct fb_error err;
	enum fb_code rc = check(s, 8, &err);

	is_int(rc, FB_EINVAL, "refused: %s", name);
	ok(strstr(err.msg, msg_part) != NULL, "...saying '%s' (%s)", msg_part, err.msg);
}

static void test_check(void)
{
	char deep[64];

	accepts("{}", "an empty object");
	accepts(" [ 1 , -0.5e+3 , \"x\" , true , false , null ] \n", "an array of each kind");
	accepts("{\"a\":{\"b\":[[]]},\"c\":\"\\u00e9\\ud83c\\udf38\\n\\/\"}", "escapes and a surrogate pair");
	accepts("\"Nguy\xe1\xbb\x85n\"", "a bare string of UTF-8");
	accepts("0", "a bare number");
	refuses("", "not valid JSON", "empty text");
	refuses("{", "not valid JSON", "an open object");
	refuses("{\"a\" 1}", "not valid JSON", "a missing colon");
	refuses("{\"a\":1,}", "not valid JSON", "a trailing comma");
	refuses("[1 2]", "not valid JSON", "a missing comma");
	refuses("{1:2}", "not valid JSON", "a key that is not a string");
	refuses("[01]", "not valid JSON", "a leading zero");
	refuses("[1.]", "not valid JSON", "a bare decimal point");
	refuses("[+1]", "not valid JSON", "a plus sign");
	refuses("[tru]", "not valid JSON", "a cut literal");
	refuses("[\"a\tb\"]", "not valid JSON", "a raw tab in a string");
	refuses("[\"\\x\"]", "not valid JSON", "an unknown escape");
	refuses("[\"\\u12\"]", "not valid JSON", "a short \\u escape");
	refuses("[\"\\ud83c\"]", "not valid JSON", "a lone high surrogate");
	refuses("[\"\\udf38\"]", "not valid JSON", "a lone low surrogate");
	refuses("[\"a\\u0000b\"]", "\\u0000", "\\u0000 in a string");
	refuses("{\"k\\u0000\":1}", "\\u0000", "\\u0000 in a key");
	refuses("[1] x", "not valid JSON", "text after the value");
	refuses("[1][2]", "not valid JSON", "two values");
	refuses("\"abc", "not valid JSON", "an unterminated string");
	memset(deep, '[', 9);
	memset(deep + 9, ']', 9);
	deep[18] = '\0';
	refuses(deep, "nests deeper than 8", "nine levels when eight are allowed");
	deep[0] = ' ';
	deep[17] = ' ';
	accepts(deep, "eight levels");
	accepts("{\"a\":\"[[[[[[[[[[[[\"}", "brackets inside strings do not count");
	{
		struct fb_error err;

		fb_error_clear(&err);
		is_int(jscan_check("[1]xyz", 3, 8, &err), FB_OK,
		       "only the given length is checked");
	}
}

/* The string at the start of s, read through a cursor. */
static void str_is(const char *s, size_t cap, enum fb_code want_rc,
		   const char *want, const char *name)
{
	struct jscan j = { s, s + strlen(s) };
	struct fb_buf b = FB_BUF_INIT(cap);
	enum fb_code rc = jscan_str(&j, &b);

	is_int(rc, want_rc, "%s: code", name);
	if (want)
		is_str(buf_str(&b), want, "%s: text", name);
	buf_release(&b);
}

static void test_str(void)
{
	struct jscan j;
	struct fb_buf b = FB_BUF_INIT(0);
	const char *s = "[\"one\", 2, \"th\\\"ree\"]";

	str_is("\"plain\"", 0, FB_OK, "plain", "a plain string");
	str_is("\"\"", 0, FB_OK, "", "an empty string");
	str_is("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", 0, FB_OK, "a\"b\\c/d\b\f\n\r\t",
	       "every short escape");
	str_is("\"\\u00e9\\u1ec5\\ud83c\\udf38\"", 0, FB_OK,
	       "\xc3\xa9\xe1\xbb\x85\xf0\x9f\x8c\xb8", "\\u escapes of 2, 3 and 4 UTF-8 bytes");
	str_is("\"Nguy\xe1\xbb\x85n\"", 0, FB_OK, "Nguy\xe1\xbb\x85n", "UTF-8 as it is");
	str_is("\"12345\"", 5, FB_OK, "12345", "a string as long as the cap");
	str_is("\"123456\"", 5, FB_ETOOBIG, NULL, "a string past the cap");
	str_is("\"ab\\u0041\\u0042cdef\"", 4, FB_ETOOBIG, NULL,
	       "a string past the cap after escapes");
	str_is("42", 0, FB_EINVAL, NULL, "a number is not a string");

	j.p = s;
	j.end = s + strlen(s);
	ok(jscan_eat(&j, '[') && jscan_str(&j, &b) == FB_OK && !strcmp(buf_str(&b), "one") &&
	   jscan_eat(&j, ',') && jscan_str(&j, &b) == FB_EINVAL && jscan_eat(&j, ',') &&
	   jscan_str(&j, &b) == FB_OK && !strcmp(buf_str(&b), "th\"ree") &&
	   jscan_eat(&j, ']') && jscan_peek(&j) == '\0',
	   "a cursor walks an array: string, (not a string, skipped), string, end");
	buf_release(&b);
}

static int uint_of(const char *s, uint64_t *v)
{
	struct jscan j = { s, s + strlen(s) };

	*v = 12345;
	return jscan_uint(&j, v);
}

static void test_uint(void)
{
	static const struct { const char *text; int whole; uint64_t value; } cases[] = {
		{ "0", 1, 0 }, { "-0", 1, 0 }, { "1", 1, 1 }, { "1.0", 1, 1 },
		{ "1.000", 1, 1 }, { "1e0", 1, 1 }, { "10e-1", 1, 1 }, { "1E+3", 1, 1000 },
		{ "9007199254740992", 1, 9007199254740992ULL },
		{ "9007199254740993", 0, 0 }, { "1e100", 0, 0 }, { "1.5", 0, 0 },
		{ "15e-1", 0, 0 }, { "-1", 0, 0 }, { "\"1\"", 0, 0 }, { "true", 0, 0 },
		{ "123456789012345678901234567890", 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v;
		int got = uint_of(cases[i].text, &v);

		ok(got == cases[i].whole && (!got || v == cases[i].value),
		   "%s is %s", cases[i].text, cases[i].whole ? "that whole number" : "not a whole number up to 2^53");
	}
}

static void test_skip(void)
{
	const char *s = "{\"a\":[1,{\"b\":\"]}\\\"\"},[]],\"c\":-1.5e3,\"d\":null} tail";
	struct jscan j = { s, s + strlen(s) };

	jscan_skip(&j);
	ok(!strcmp(j.p, " tail"), "skipping a value steps over nested arrays, objects and"
	   " strings holding brackets and quotes");
}

static unsigned long rng_state = 20261127;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(rng_state >> 33) % n;
}

/* A random JSON value of at most `depth` levels, appended to out. */
static void gen_value(char *out, size_t cap, int depth)
{
	static const char *const scalars[] = {
		"1", "72", "true", "false", "null", "\"a\"",
		"\"\\\"q\\\"\"", "\"Nguy\xe1\xbb\x85n\"", "\"\"", "\"-2.5e1\"",
	};
	unsigned k = depth > 0 ? rnd(4) : 2, n, i;

	if (strlen(out) + 64 > cap)
		k = 2;
	if (k == 0 || k == 1) {
		strcat(out, k ? "[" : "{");
		n = rnd(4);
		for (i = 0; i < n; i++) {
			if (i)
				strcat(out, rnd(8) ? "," : " , ");
			if (!k)
				strcat(out, rnd(2) ? "\"k\":" : "\"key\" : ");
			gen_value(out, cap, depth - 1);
		}
		strcat(out, k ? "]" : "}");
	} else {
		strcat(out, scalars[rnd(sizeof(scalars) / sizeof(scalars[0]))]);
	}
}

/*
 * On random JSON, whole or with one byte changed, cJSON and jscan agree
 * on what is a document.  Numbers are whole and never damaged: cJSON
 * reads them with strtod and so also takes "-.5", "1." or "01", which
 * JSON (and jscan, test_check) refuses.  No \u escapes either: cJSON
 * reads a damaged one ("\u0\e9") as U+0000.
 */
static void test_against_cjson(void)
{
	static const char bytes[] = "{}[],:\" \\tx";
	int i, agree = 1, valid = 0, tried = 0;
	char first[600] = "";

	for (i = 0; i < 20000; i++) {
		char text[512] = "";
		size_t len;
		int mine, theirs;
		struct fb_error err;
		cJSON *doc;
		const char *end = NULL;

		gen_value(text, sizeof(text), 4);
		len = strlen(text);
		if (rnd(2) && len > 1) {
			size_t at = rnd((unsigned)len);
			char c = bytes[rnd(sizeof(bytes) - 1)];

			if (rnd(2))
				text[at] = c;
			else
				memmove(text + at, text + at + 1, len - at);
		}
		len = strlen(text);
		if (strstr(text, "\\u"))
			continue;       /* see above */
		tried++;
		mine = jscan_check(text, len, 8, &err) == FB_OK;
		doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
		theirs = doc != NULL;
		if (doc) {
			while (*end == ' ' || *end == '\n')
				end++;
			theirs = *end == '\0';
		}
		cJSON_Delete(doc);
		valid += mine;
		if (mine != theirs && agree) {
			agree = 0;
			snprintf(first, sizeof(first), "%s (jscan %d, cJSON %d)", text, mine, theirs);
		}
	}
	ok(agree && valid > tried / 4 && valid < tried,
	   "jscan and cJSON agree on %d random texts, whole or damaged (%d valid)%s%s",
	   tried, valid, agree ? "" : "; first difference: ", first);
}

int main(void)
{
	test_check();
	test_str();
	test_uint();
	test_skip();
	test_against_cjson();
	return tap_done();
}
