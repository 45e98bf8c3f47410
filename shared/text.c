/* text.c - UTF-8 validation, NFC normalisation and display width (utf8proc). */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
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

enum fb_code text_clean(const char *s, size_t len, int flags,
			const char *what, char **out, struct fb_error *err)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_uint8_t *nfc = NULL;
	struct fb_buf b = FB_BUF_INIT(len + 1);
	size_t i = 0, start, end;
	utf8proc_ssize_t n;
	utf8proc_int32_t cp;
	enum fb_code rc;

	*out = NULL;
	while (i < len) {
		n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			return fb_fail(err, FB_EINVAL,
				       "%s: invalid UTF-8 at byte %zu", what, i + 1);
		if (cp == '\r' && i + 1 < len && p[i + 1] == '\n') {
			i++;    /* CR LF -> LF */
			continue;
		}
		if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
			int allowed = (flags & TEXT_MULTILINE) &&
				      (cp == '\n' || cp == '\t');
			if (!allowed)
				return fb_fail(err, FB_EINVAL,
					       "%s: control character at byte %zu%s",
					       what, i + 1,
					       cp == '\n' ? " (line breaks only in notes)" : "");
		}
		i += (size_t)n;
	}
	nfc = utf8proc_NFC((const utf8proc_uint8_t *)s);
	if (!nfc) {
		/* s may hold a NUL past which utf8proc stops; we refused
		 * those above, so only memory is left to fail. */
		return fb_fail(err, FB_ENOMEM, "%s: out of memory", what);
	}
	/* Trim white space at both ends, by code point. */
	len = strlen((char *)nfc);
	start = 0;
	while (start < len) {
		n = utf8proc_iterate(nfc + start, (utf8proc_ssize_t)(len - start), &cp);
		if (n <= 0 || !is_space(cp))
			break;
		start += (size_t)n;
	}
	end = start;
	for (i = start; i < len;) {
		n = utf8proc_iterate(nfc + i, (utf8proc_ssize_t)(len - i), &cp);
		if (n <= 0)
			break;
		i += (size_t)n;
		if (!is_space(cp))
			end = i;
	}
	rc = buf_add(&b, nfc + start, end - start);
	free(nfc);
	if (rc != FB_OK) {
		buf_release(&b);
		return fb_fail(err, rc, "%s: out of memory", what);
	}
	*out = buf_detach(&b, NULL);
	if (!*out)
		*out = strdup("");
	return *out ? FB_OK : fb_fail(err, FB_ENOMEM, "%s: out of memory", what);
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
