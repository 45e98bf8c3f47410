/*
 * test_text.c - UTF-8 at the edges (text.h): validation, cleaning to
 * NFC, display width and padding for tables.
 *
 * Vietnamese is written with explicit bytes where the form matters:
 * "ễ" precomposed is U+1EC5 (e1 bb 85); decomposed it is e + U+0302
 * (cc 82) + U+0303 (cc 83).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "buf.h"
#include "text.h"
#include "tap.h"

#define NGUYEN_NFC "Nguy\xe1\xbb\x85n"          /* Nguyễn, precomposed */
#define NGUYEN_NFD "Nguye\xcc\x82\xcc\x83n"     /* Nguyễn, decomposed */
#define E_NFD      "e\xcc\x82\xcc\x83"          /* ễ decomposed */
#define ELLIPSIS   "\xe2\x80\xa6"               /* … */

/* text_clean on a NUL-terminated string; returns the code, *out owned. */
static enum fb_code clean(const char *s, int flags, char **out,
			  struct fb_error *err)
{
	fb_error_clear(err);
	return text_clean(s, strlen(s), flags, "field", out, err);
}

/* Run text_clean and compare the result; frees it. */
static void clean_is(const char *in, int flags, const char *want,
		     const char *name)
{
	struct fb_error err;
	char *out = NULL;
	enum fb_code rc = clean(in, flags, &out, &err);

	if (rc != FB_OK)
		printf("# %s: %s\n", name, err.msg);
	is_str(rc == FB_OK ? out : NULL, want, "%s", name);
	free(out);
}

/* Run text_clean and expect FB_EINVAL; msg_part must be in the message. */
static void clean_refuses(const char *in, size_t len, int flags,
			  const char *msg_part, const char *name)
{
	struct fb_error err;
	char *out = (char *)"untouched";
	enum fb_code rc;

	fb_error_clear(&err);
	rc = text_clean(in, len, flags, "notes", &out, &err);
	is_int(rc, FB_EINVAL, "%s: refused", name);
	ok(out == NULL, "%s: *out is NULL", name);
	ok(strstr(err.msg, "notes") && strstr(err.msg, msg_part),
	   "%s: message '%s' names the field and '%s'", name, err.msg, msg_part);
	if (rc == FB_OK)
		free(out);
}

static void test_width(void)
{
	is_int(text_width(""), 0, "width of empty");
	is_int(text_width("abc"), 3, "width of ASCII");
	is_int(text_width(NGUYEN_NFC), 6, "width of precomposed Nguyễn");
	is_int(text_width(NGUYEN_NFD), 6, "width of decomposed Nguyễn: marks are 0");
	is_int(text_width("Hội Liên hiệp Phụ nữ"), 20, "width of a Vietnamese phrase");
	is_int(text_width("a\xcc\x81\xcc\x80\xcc\x83"), 1, "a base with three marks is 1");
	is_int(text_width("\xe4\xb8\xad\xe6\x96\x87"), 4, "two CJK characters are 4");
	is_int(text_width("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), 6, "日本語 is 6");
	is_int(text_width("a\xe4\xb8\xad" "b"), 4, "a中b is 4");
	is_int(text_width("\xef\xbc\xa1"), 2, "a full-width Latin A is 2");
	is_int(text_width(ELLIPSIS), 1, "the ellipsis is 1");
}

/* text_pad into a fresh buffer; returns a malloc'd copy. */
static char *pad(const char *s, size_t cols)
{
	struct fb_buf b = FB_BUF_INIT(0);
	char *out;

	if (text_pad(&b, s, cols) != FB_OK) {
		buf_release(&b);
		return NULL;
	}
	out = strdup(buf_str(&b));
	buf_release(&b);
	return out;
}

static void pad_is(const char *s, size_t cols, const char *want, const char *name)
{
	char *got = pad(s, cols);

	is_str(got, want, "%s", name);
	ok(got && text_width(got) == cols, "%s: exactly %zu columns (got %zu)", name,
	   cols, got ? text_width(got) : 0);
	free(got);
}

static void test_pad(void)
{
	struct fb_buf b = FB_BUF_INIT(0);

	pad_is("abc", 6, "abc   ", "ASCII padded with spaces");
	pad_is("abcdef", 6, "abcdef", "exact fit is unchanged");
	pad_is("abcdefgh", 6, "abcde" ELLIPSIS, "too wide: cut and ends with …");
	pad_is("", 3, "   ", "empty becomes spaces");
	pad_is(NGUYEN_NFC, 8, NGUYEN_NFC "  ", "precomposed Vietnamese padded by width");
	pad_is(NGUYEN_NFD, 8, NGUYEN_NFD "  ", "decomposed Vietnamese padded by width, not bytes");
	pad_is(NGUYEN_NFC, 5, "Nguy" ELLIPSIS, "Vietnamese cut");
	pad_is(E_NFD E_NFD E_NFD E_NFD, 3, E_NFD E_NFD ELLIPSIS,
	       "a cut keeps the marks with their base letter");
	pad_is("\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97\xe7\xac\xa6", 5,
	       "\xe4\xb8\xad\xe6\x96\x87" ELLIPSIS, "CJK cut to 5: two wide + …");
	pad_is("\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97\xe7\xac\xa6", 4,
	       "\xe4\xb8\xad" ELLIPSIS " ",
	       "CJK cut to 4: a wide one that would not fit leaves a space");
	pad_is("\xe4\xb8\xad" "a", 3, "\xe4\xb8\xad" "a", "wide + narrow fits 3 exactly");
	pad_is("abc", 1, ELLIPSIS, "one column: just …");
	pad_is("abc", 0, "", "zero columns: nothing");

	/* text_pad appends to what is there. */
	buf_adds(&b, "[");
	text_pad(&b, "ab", 4);
	buf_adds(&b, "]");
	is_str(buf_str(&b), "[ab  ]", "text_pad appends to the buffer");
	buf_release(&b);

	/* The cap of the buffer is honoured. */
	{
		struct fb_buf small = FB_BUF_INIT(4);

		is_int(text_pad(&small, "abcdef", 10), FB_ETOOBIG,
		       "text_pad past the buffer's cap is FB_ETOOBIG");
		buf_release(&small);
	}
}

static void test_clean_basics(void)
{
	clean_is("  Nguyễn Thị Hoa  ", 0, "Nguyễn Thị Hoa", "surrounding spaces trimmed");
	clean_is("a  b", 0, "a  b", "inner spaces kept");
	clean_is("", 0, "", "empty stays empty");
	clean_is("   ", 0, "", "only spaces becomes empty");
	clean_is("\xc2\xa0" "x" "\xe3\x80\x80", 0, "x", "no-break and ideographic spaces trimmed");
	clean_is(NGUYEN_NFD, 0, NGUYEN_NFC, "decomposed becomes NFC");
	clean_is("Nguy\xc3\xaa\xcc\x83n", 0, NGUYEN_NFC, "ê + combining tilde becomes NFC ễ");
	clean_is(NGUYEN_NFC, 0, NGUYEN_NFC, "NFC input unchanged");
	clean_is("\"quoted\" 'single' \\back", 0, "\"quoted\" 'single' \\back",
		 "quotes and backslashes are ordinary text");
	clean_is("\xf0\x9f\x8c\xb8 hoa", 0, "\xf0\x9f\x8c\xb8 hoa", "4-byte UTF-8 kept");
}

static void test_clean_controls(void)
{
	clean_refuses("a\x01" "b", 3, 0, "control character at byte 2", "\\x01");
	clean_refuses("a\x7f", 2, 0, "control character", "DEL");
	clean_refuses("a\xc2\x85" "b", 4, TEXT_MULTILINE, "control character",
		      "C1 control U+0085 even in notes");
	clean_refuses("a\nb", 3, 0, "line breaks only in notes", "LF without MULTILINE");
	clean_refuses("a\tb", 3, 0, "control character", "TAB without MULTILINE");
	clean_refuses("a\rb", 3, TEXT_MULTILINE, "control character",
		      "a lone CR even in notes");
	clean_refuses("a\r\nb", 4, 0, "control character", "CR LF without MULTILINE");
	clean_refuses("a\0b", 3, TEXT_MULTILINE, "control character",
		      "an embedded NUL");
	clean_is("line 1\nline 2\tend", TEXT_MULTILINE, "line 1\nline 2\tend",
		 "LF and TAB allowed with TEXT_MULTILINE");
	clean_is("\n  notes  \n\n", TEXT_MULTILINE, "notes",
		 "notes trimmed of surrounding line breaks");
	/* Header: "A CR LF pair becomes LF." */
	clean_is("line 1\r\nline 2\r\n", TEXT_MULTILINE, "line 1\nline 2",
		 "CR LF becomes LF (and the trailing one is trimmed)");
	clean_is("a\r\nb", TEXT_MULTILINE, "a\nb", "CR LF inside notes becomes LF");
}

static void test_clean_utf8(void)
{
	clean_refuses("\xff", 1, 0, "invalid UTF-8 at byte 1", "0xff");
	clean_refuses("ab\xc0\xaf", 4, 0, "invalid UTF-8 at byte 3", "overlong '/'");
	clean_refuses("\xed\xa0\x80", 3, 0, "invalid UTF-8", "a UTF-16 surrogate");
	clean_refuses("Nguy\xe1\xbb", 6, 0, "invalid UTF-8 at byte 5", "truncated sequence");
	clean_refuses("\xf4\x90\x80\x80", 4, 0, "invalid UTF-8", "past U+10FFFF");
	clean_refuses("a\x80", 2, 0, "invalid UTF-8 at byte 2", "a lone continuation byte");

	ok(text_valid_utf8("Hội Liên hiệp", strlen("Hội Liên hiệp")),
	   "text_valid_utf8: Vietnamese is valid");
	ok(text_valid_utf8("", 0), "text_valid_utf8: empty is valid");
	ok(!text_valid_utf8("\xff", 1), "text_valid_utf8: 0xff is not");
	ok(!text_valid_utf8("ab\0cd", 5), "text_valid_utf8: an embedded NUL is not");
	ok(text_valid_utf8("ab\xff", 2), "text_valid_utf8 reads only len bytes");
}

static void test_clean_len(void)
{
	struct fb_error err;
	char *out = NULL;
	enum fb_code rc;

	/* Only s[0..len) is the input: what follows is not ours. */
	fb_error_clear(&err);
	rc = text_clean("abc\x01" "def", 3, 0, "field", &out, &err);
	is_int(rc, FB_OK, "text_clean of the first 3 bytes of a longer string");
	is_str(out, "abc", "...gives just those 3 bytes");
	free(out);

	out = NULL;
	rc = text_clean(NGUYEN_NFD " tail", strlen(NGUYEN_NFD), 0, "field", &out, &err);
	is_str(rc == FB_OK ? out : NULL, NGUYEN_NFC,
	       "NFC of a prefix does not pick up the bytes after len");
	free(out);

	/* NFC may need more bytes than the input: U+0958 is excluded from
	 * composition and becomes U+0915 U+093C (3 bytes -> 6). */
	out = NULL;
	fb_error_clear(&err);
	rc = text_clean("\xe0\xa5\x98", 3, 0, "field", &out, &err);
	if (rc != FB_OK)
		printf("# %s\n", err.msg);
	is_str(rc == FB_OK ? out : NULL, "\xe0\xa4\x95\xe0\xa4\xbc",
	       "text whose NFC is longer than the input is cleaned, not refused");
	free(out);
}

/* UTF-8 of cp into out (5 bytes), NUL-terminated; its length. */
static size_t put_cp(long cp, char *out)
{
	utf8proc_ssize_t n = utf8proc_encode_char((utf8proc_int32_t)cp,
						  (utf8proc_uint8_t *)out);

	out[n] = '\0';
	return (size_t)n;
}

/* utf8proc's NFC of s, as text_clean would give it (STABLE | COMPOSE). */
static char *nfc_of(const char *s)
{
	utf8proc_uint8_t *r = NULL;

	if (utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)strlen(s),
			 &r, UTF8PROC_STABLE | UTF8PROC_COMPOSE) < 0)
		return NULL;
	return (char *)r;
}

/*
 * text_clean skips utf8proc for text of "inert" code points: check the
 * claim against utf8proc itself, for every one of them.
 */
static void test_nfc_inert(void)
{
	long cp, base, bad = -1, pair_bad = -1, checked = 0, pairs = 0;

	/* All of Unicode: whatever text_nfc_inert says yes to is checked. */
	for (cp = 0x20; cp <= 0x10FFFF; cp++) {
		{
			char one[8], two[16];
			char *n;

			if (!text_nfc_inert(cp) || (cp >= 0xD800 && cp <= 0xDFFF))
				continue;
			if ((cp >= 0x7F && cp < 0xA0))
				continue;       /* controls: refused before NFC */
			checked++;
			put_cp(cp, one);
			n = nfc_of(one);
			if (utf8proc_get_property((utf8proc_int32_t)cp)->combining_class ||
			    !n || strcmp(n, one))
				bad = cp;
			free(n);
			/* It does not compose with a starter before it. */
			for (base = 0x41; base <= 0x1EF9; base += base < 0x7B ? 1 : 13) {
				if (!text_nfc_inert(base) || (base >= 0x7F && base < 0xA0))
					continue;
				put_cp(cp, two + put_cp(base, two));
				n = nfc_of(two);
				if (!n || strcmp(n, two))
					pair_bad = cp;
				free(n);
				pairs++;
			}
		}
	}
	if (bad >= 0 || pair_bad >= 0)
		printf("# first wrong: U+%04lX alone, U+%04lX after a letter\n", bad, pair_bad);
	ok(bad < 0, "the %ld inert code points are starters NFC keeps as they are",
	   checked);
	ok(pair_bad < 0, "...and none composes with a starter before it (%ld pairs)",
	   pairs);
	ok(!text_nfc_inert(0x300) && !text_nfc_inert(0x302) && !text_nfc_inert(0x1161) &&
	   !text_nfc_inert(0x2126) && !text_nfc_inert(0x1F00),
	   "combining marks, Hangul vowels, the Ohm sign and Greek are not inert");
}

/*
 * text_clean against utf8proc on random text of inert letters, marks
 * and what NFC changes: the fast path and the slow path give the same.
 */
static void test_clean_matches_utf8proc(void)
{
	static const char *const pool[] = {
		"a", "e", "o", "u", "y", "A", "D", " ", "-", ".",
		"\xc6\xb0", "\xc6\xa1", "\xc4\x91", "\xc4\x83", "\xc3\xa2", "\xc3\xaa",
		"\xe1\xbb\x85", "\xe1\xba\xa1", "\xe1\xbb\xb9", "\xe1\xbb\xa9",
		"\xcc\x80", "\xcc\x81", "\xcc\x82", "\xcc\x83", "\xcc\x89", "\xcc\xa3",
		"\xe2\x84\xa6", "\xe1\x84\x80", "\xe1\x85\xa1", "\xe6\xbc\xa2",
	};
	unsigned long x = 20261127;
	int i, k, same = 1, fast = 0;
	char first[128] = "";

	for (i = 0; i < 3000; i++) {
		char in[128] = "", *out = NULL, *want, *w, *e;
		struct fb_error err;
		int len = 1 + (int)(x % 10), inert = 1;

		for (k = 0; k < len; k++) {
			const char *p;

			x = x * 6364136223846793005UL + 1442695040888963407UL;
			p = pool[(x >> 33) % (sizeof(pool) / sizeof(pool[0]))];
			inert = inert && (unsigned char)p[0] < 0xCC;
			strcat(in, p);
		}
		fast += inert;
		want = nfc_of(in);
		/* text_clean trims the NFC text's outer spaces. */
		for (w = want; w && *w == ' '; w++)
			;
		for (e = w ? w + strlen(w) : NULL; e && e > w && e[-1] == ' '; e--)
			;
		if (e)
			*e = '\0';
		if (clean(in, 0, &out, &err) != FB_OK || !w || strcmp(out, w)) {
			if (same)
				snprintf(first, sizeof(first), "%s", in);
			same = 0;
		}
		free(out);
		free(want);
	}
	ok(same, "text_clean equals utf8proc's NFC, trimmed, on 3000 random texts"
	   " (%d of them inert only)%s%s", fast, same ? "" : "; first differing: ", first);
}

/* text_fold: what two spellings of one thing share. */
static void fold_is(const char *s, int flags, const char *want)
{
	char *f = NULL;

	if (text_fold(s, flags, &f) != FB_OK) {
		ok(0, "fold '%s'", s);
		return;
	}
	is_str(f, want, "fold '%s' (%d) is '%s'", s, flags, want);
	free(f);
}

static void test_fold(void)
{
	fold_is("  Họ và tên: ", TEXT_FOLD_ACCENTS, "ho va ten");
	fold_is("HỌ VÀ TÊN", TEXT_FOLD_ACCENTS, "ho va ten");
	fold_is("Số điện thoại", TEXT_FOLD_ACCENTS, "so dien thoai");
	fold_is("SĐT", TEXT_FOLD_ACCENTS, "sdt");
	fold_is("branch_head", TEXT_FOLD_ACCENTS, "branch head");
	fold_is("Dân số - Kế hoạch hóa gia đình", TEXT_FOLD_ACCENTS,
		"dan so ke hoach hoa gia dinh");
	/* Decomposed input (Windows-1258 writes tones as marks). */
	fold_is("Ho\xcc\xa3 va\xcc\x80 te\xcc\x82n", TEXT_FOLD_ACCENTS, "ho va ten");
	fold_is("", TEXT_FOLD_ACCENTS, "");
	fold_is(" - ", TEXT_FOLD_ACCENTS, "");
	/* Names: letters kept, tone placement does not matter. */
	fold_is("Nguyễn  Thị Lan", TEXT_FOLD_TONES, "nguye\xcc\x82n#x thi#j lan");
	{
		char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

		ok(text_fold("Thuỷ", TEXT_FOLD_TONES, &a) == FB_OK &&
		   text_fold("THỦY", TEXT_FOLD_TONES, &b) == FB_OK && !strcmp(a, b),
		   "names: Thuỷ and THỦY fold alike (%s, %s)", a ? a : "", b ? b : "");
		free(a);
		free(b);
		ok(text_fold("Hoà", TEXT_FOLD_TONES, &a) == FB_OK &&
		   text_fold("Hòa", TEXT_FOLD_TONES, &b) == FB_OK &&
		   text_fold("Hoa", TEXT_FOLD_TONES, &c) == FB_OK &&
		   text_fold("Hóa", TEXT_FOLD_TONES, &d) == FB_OK &&
		   !strcmp(a, b) && strcmp(b, c) && strcmp(b, d) && strcmp(c, d),
		   "names: Hoà is Hòa; Hoa, Hòa and Hóa differ");
		free(a);
		free(b);
		free(c);
		free(d);
		ok(text_fold("Lan", TEXT_FOLD_TONES, &a) == FB_OK &&
		   text_fold("Lân", TEXT_FOLD_TONES, &b) == FB_OK && strcmp(a, b),
		   "names: Lan and Lân differ");
		free(a);
		free(b);
	}
}

int main(void)
{
	test_fold();
	test_width();
	test_pad();
	test_clean_basics();
	test_clean_controls();
	test_clean_utf8();
	test_clean_len();
	test_nfc_inert();
	test_clean_matches_utf8proc();
	return tap_done();
}
