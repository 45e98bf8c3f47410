/* text.c - UTF-8 validation, NFC normalisation and display width (utf8proc). */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
#include "i18n.h"
#include "text.h"

int text_valid_utf8(const char *s, size_t len)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t n;
	utf8proc_int32_t cp;

	while (len > 0) {
		n = utf8proc_iterate(p, (utf8proc_ssize_t)len, &cp);
		if (n <= 0 || cp == 0)
			return 0;
		p += n;
		len -= (size_t)n;
	}
	return 1;
}

static int is_space(utf8proc_int32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == 0xA0 ||
	       cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200A);
}

int text_nfc_inert(long cp)
{
	return (cp >= 0 && cp < 0x300) || (cp >= 0x1E00 && cp <= 0x1EFF);
}

enum fb_code text_clean(const char *s, size_t len, int flags,
			const char *what, char **out, struct fb_error *err)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_uint8_t *nfc = NULL;
	const utf8proc_uint8_t *t = p;  /* the text to normalise and trim */
	char *copy = NULL;              /* s without the CR of each CR LF */
	size_t i = 0, start, end, tlen = len;
	utf8proc_ssize_t n;
	utf8proc_int32_t cp;
	enum fb_code rc = FB_OK;
	int inert = 1, crlf = 0;

	*out = NULL;
	/* Check first; most text is then used as it came. */
	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			return fb_fail(err, FB_EINVAL,
				       _("%s: invalid UTF-8 at byte %zu"), what, i + 1);
		if (cp == '\r' && i + 1 < len && p[i + 1] == '\n') {
			crlf = 1;       /* CR LF -> LF: the CR is dropped */
			i++;
			continue;
		}
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
			int allowed = (flags & TEXT_MULTILINE) &&
				      (cp == '\n' || cp == '\t');

			if (!allowed)
				return fb_fail(err, FB_EINVAL,
					       _("%s: control character at byte %zu%s"),
					       what, i + 1,
					       cp == '\n' ? _(" (line breaks only in notes)") : "");
		}
		inert = inert && text_nfc_inert(cp);
		i += (size_t)n;
	}
	if (crlf) {
		if (!(copy = malloc(len + 1)))
			return fb_fail(err, FB_ENOMEM, _("%s: out of memory"), what);
		for (i = 0, tlen = 0; i < len; i++)
			if (!(s[i] == '\r' && i + 1 < len && s[i + 1] == '\n'))
				copy[tlen++] = s[i];
		t = (const utf8proc_uint8_t *)copy;
	}
	/* Text of inert code points is already NFC. */
	if (!inert) {
		/* Exactly tlen bytes, not up to a NUL of the caller's. */
		n = utf8proc_map(t, (utf8proc_ssize_t)tlen, &nfc,
				 UTF8PROC_STABLE | UTF8PROC_COMPOSE);
		if (n < 0) {
			nfc = NULL;
			rc = fb_fail(err, FB_ENOMEM, _("%s: out of memory"), what);
			goto out;
		}
		t = nfc;
		tlen = (size_t)n;   /* NFC may be longer than the input */
	}
	start = 0;
	while (start < tlen) {
		n = utf8proc_iterate(t + start, (utf8proc_ssize_t)(tlen - start), &cp);
		if (n <= 0 || !is_space(cp))
			break;
		start += (size_t)n;
	}
	end = start;
	for (i = start; i < tlen;) {
		n = utf8proc_iterate(t + i, (utf8proc_ssize_t)(tlen - i), &cp);
		if (n <= 0)
			break;
		i += (size_t)n;
		if (!is_space(cp))
			end = i;
	}
	*out = strndup((const char *)t + start, end - start);
	if (!*out)
		rc = fb_fail(err, FB_ENOMEM, _("%s: out of memory"), what);
out:
	free(nfc);
	free(copy);
	return rc;
}

/* Width of one code point, 0 for marks and controls, 2 for wide. */
static size_t cp_width(utf8proc_int32_t cp)
{
	int w = utf8proc_charwidth(cp);

	return w > 0 ? (size_t)w : 0;
}

size_t text_width(const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t len = strlen(s), i = 0, w = 0;
	utf8proc_ssize_t n;
	utf8proc_int32_t cp;

	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0) {
			i++;
			w++;
			continue;
		}
		w += cp_width(cp);
		i += (size_t)n;
	}
	return w;
}

enum fb_code text_pad(struct fb_buf *out, const char *s, size_t cols)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	size_t len = strlen(s), i = 0, w = 0, cw;
	utf8proc_ssize_t n;
	utf8proc_int32_t cp;
	enum fb_code rc;

	if (text_width(s) <= cols) {
		rc = buf_adds(out, s);
		w = text_width(s);
	} else {
		/* Leave one column for the ellipsis. */
		rc = FB_OK;
		while (i < len && rc == FB_OK) {
			n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
			if (n <= 0)
				break;
			cw = cp_width(cp);
			if (w + cw + 1 > cols)
				break;
			rc = buf_add(out, p + i, (size_t)n);
			w += cw;
			i += (size_t)n;
		}
		if (rc == FB_OK && cols > 0) {
			rc = buf_adds(out, "…");
			w++;
		}
	}
	while (rc == FB_OK && w < cols) {
		rc = buf_addc(out, ' ');
		w++;
	}
	return rc;
}

/* The five Vietnamese tone marks, as combining characters, or 0. */
static char tone_of(utf8proc_int32_t cp)
{
	switch (cp) {
	case 0x300: return 'f';     /* huyền, grave */
	case 0x301: return 's';     /* sắc, acute */
	case 0x303: return 'x';     /* ngã, tilde */
	case 0x309: return 'r';     /* hỏi, hook above */
	case 0x323: return 'j';     /* nặng, dot below */
	}
	return 0;
}

/* '#' and the tone's letter: no folded word holds a '#'. */
static enum fb_code add_tone(struct fb_buf *b, char tone)
{
	enum fb_code rc = buf_addc(b, '#');

	return rc == FB_OK ? buf_addc(b, tone) : rc;
}

static int is_word_char(utf8proc_int32_t cp)
{
	utf8proc_category_t k = utf8proc_category(cp);

	return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_ME) ||
	       (k >= UTF8PROC_CATEGORY_ND && k <= UTF8PROC_CATEGORY_NO);
}

enum fb_code text_fold(const char *s, int flags, char **out)
{
	utf8proc_uint8_t *dec = NULL, enc[4];
	struct fb_buf b = FB_BUF_INIT(0);
	utf8proc_ssize_t n, i, step;
	utf8proc_int32_t cp;
	enum fb_code rc = FB_OK;
	int options = UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD;
	int in_word = 0, gap = 0;
	char tone = 0;

	*out = NULL;
	if (flags & TEXT_FOLD_ACCENTS)
		options |= UTF8PROC_STRIPMARK;
	n = utf8proc_map((const utf8proc_uint8_t *)s, 0, &dec,
			 options | UTF8PROC_NULLTERM);
	if (n < 0)
		return n == UTF8PROC_ERROR_NOMEM ? FB_ENOMEM : FB_EINVAL;
	for (i = 0; i < n && rc == FB_OK; i += step) {
		step = utf8proc_iterate(dec + i, n - i, &cp);
		if (step <= 0) {
			rc = FB_EINVAL;
			break;
		}
		if (!is_word_char(cp)) {
			/* A word ends: its tone goes after it. */
			if (in_word && tone)
				rc = add_tone(&b, tone);
			gap = in_word || gap;
			in_word = 0;
			tone = 0;
			continue;
		}
		if ((flags & TEXT_FOLD_TONES) && tone_of(cp)) {
			tone = tone_of(cp);
			continue;
		}
		if (gap && b.len)
			rc = buf_addc(&b, ' ');
		gap = 0;
		in_word = 1;
		if (rc == FB_OK && cp == 0x111 && (flags & TEXT_FOLD_ACCENTS))
			cp = 'd';   /* đ has no decomposition to strip */
		if (rc == FB_OK)
			rc = buf_add(&b, enc, (size_t)utf8proc_encode_char(cp, enc));
	}
	if (rc == FB_OK && in_word && tone)
		rc = add_tone(&b, tone);
	if (rc == FB_OK && !b.data)
		rc = buf_adds(&b, "");
	if (rc == FB_OK)
		*out = buf_detach(&b, NULL);
	buf_release(&b);
	free(dec);
	return rc;
}
