/* jscan.c - a strict JSON check, then a cursor over the checked text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "jscan.h"

#define JSCAN_DEPTH_LIMIT 64    /* the most max_depth may ask for */

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

/* The value of 4 hex digits at p, or -1. */
static long hex4(const char *p, const char *end)
{
	long v = 0;
	int i;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		char c = p[i];
		int d = is_digit(c) ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/*
 * p is at an opening quote: the position after the closing one, or NULL
 * for a bad string (*nul set when the fault is \u0000).
 */
static const char *check_string(const char *p, const char *end, int *nul)
{
	for (p++; p < end; ) {
		unsigned char c = (unsigned char)*p;
		long u, lo;

		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c != '\\') {
			p++;
			continue;
		}
		if (++p >= end)
			return NULL;
		switch (*p) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p++;
			break;
		case 'u':
			if ((u = hex4(p + 1, end)) < 0)
				return NULL;
			p += 5;
			if (u == 0) {
				*nul = 1;
				return NULL;
			}
			if (u >= 0xDC00 && u <= 0xDFFF)
				return NULL;            /* a low surrogate alone */
			if (u >= 0xD800 && u <= 0xDBFF) {
				if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
					return NULL;
				lo = hex4(p + 2, end);
				if (lo < 0xDC00 || lo > 0xDFFF)
					return NULL;
				p += 6;
			}
			break;
		default:
			return NULL;
		}
	}
	return NULL;
}

/* p is at a number's first character: the position after it, or NULL. */
static const char *check_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		while (p < end && is_digit(*p))
			p++;
	else
		return NULL;
	if (p < end && *p == '.') {
		if (++p >= end || !is_digit(*p))
			return NULL;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
			return NULL;
		while (p < end && is_digit(*p))
			p++;
	}
	return p;
}

static const char *check_literal(const char *p, const char *end)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t i, n;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i]);
		if ((size_t)(end - p) >= n && !memcmp(p, words[i], n))
			return p + n;
	}
	return NULL;
}

enum fb_code jscan_check(const char *s, size_t len, int max_depth,
			 struct fb_error *err)
{
	char closer[JSCAN_DEPTH_LIMIT];
	const char *p = s, *end = s + len;
	int depth = 0, nul = 0;

	if (max_depth > JSCAN_DEPTH_LIMIT)
		max_depth = JSCAN_DEPTH_LIMIT;
	for (;;) {
		/* A value is expected at p. */
		p = skip_ws(p, end);
		if (p >= end)
			goto bad;
		if (*p == '{' || *p == '[') {
			if (depth >= max_depth)
				return fb_fail(err, FB_EINVAL, _("JSON nests deeper than %d"),
					       max_depth);
			closer[depth++] = *p == '{' ? '}' : ']';
			p = skip_ws(p + 1, end);
			if (p < end && *p == closer[depth - 1]) {
				depth--;
				p++;
			} else if (closer[depth - 1] == '}') {
				goto key;
			} else {
				continue;
			}
		} else if (*p == '"') {
			p = check_string(p, end, &nul);
		} else if (*p == '-' || is_digit(*p)) {
			p = check_number(p, end);
		} else {
			p = check_literal(p, end);
		}
		if (!p)
			goto bad;
		/* After a value: a separator, a closer or the end. */
		for (;;) {
			p = skip_ws(p, end);
			if (depth == 0) {
				if (p != end)
					goto bad;
				return FB_OK;
			}
			if (p >= end)
				goto bad;
			if (*p == closer[depth - 1]) {
				depth--;
				p++;
				continue;
			}
			if (*p != ',')
				goto bad;
			p++;
			if (closer[depth - 1] == ']')
				break;
			goto key;
		}
		continue;
key:
		/* An object's key and its colon; its value follows. */
		p = skip_ws(p, end);
		if (p >= end || *p != '"' || !(p = check_string(p, end, &nul)))
			goto bad;
		p = skip_ws(p, end);
		if (p >= end || *p != ':')
			goto bad;
		p++;
	}
bad:
	if (nul)
		return fb_fail(err, FB_EINVAL, _("a string holds \\u0000"));
	return fb_fail(err, FB_EINVAL, _("body is not valid JSON (near byte %zu)"),
		       (size_t)((p ? p : end) - s) + 1);
}

/* --- the cursor ----------------------------------------------------- */

char jscan_peek(struct jscan *j)
{
	j->p = skip_ws(j->p, j->end);
	return j->p < j->end ? *j->p : '\0';
}

int jscan_eat(struct jscan *j, char c)
{
	if (jscan_peek(j) != c)
		return 0;
	j->p++;
	return 1;
}

/* Past the string whose opening quote is at j->p. */
static void skip_string(struct jscan *j)
{
	for (j->p++; j->p < j->end; j->p++) {
		if (*j->p == '\\')
			j->p++;
		else if (*j->p == '"')
			break;
	}
	if (j->p < j->end)
		j->p++;
}

void jscan_skip(struct jscan *j)
{
	int depth = 0;

	do {
		char c = jscan_peek(j);

		if (c == '\0')
			return;
		if (c == '"') {
			skip_string(j);
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		j->p++;
		/* A scalar at depth 0 ends at the next structural byte. */
		if (depth == 0 && c != '}' && c != ']')
			while (j->p < j->end && !is_ws(*j->p) && !strchr(",:]}", *j->p))
				j->p++;
	} while (depth > 0);
}

/* Append code point u as UTF-8. */
static enum fb_code put_utf8(struct fb_buf *out, long u)
{
	char b[4];
	size_t n;

	if (u < 0x80) {
		b[0] = (char)u;
		n = 1;
	} else if (u < 0x800) {
		b[0] = (char)(0xC0 | u >> 6);
		b[1] = (char)(0x80 | (u & 0x3F));
		n = 2;
	} else if (u < 0x10000) {
		b[0] = (char)(0xE0 | u >> 12);
		b[1] = (char)(0x80 | (u >> 6 & 0x3F));
		b[2] = (char)(0x80 | (u & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | u >> 18);
		b[1] = (char)(0x80 | (u >> 12 & 0x3F));
		b[2] = (char)(0x80 | (u >> 6 & 0x3F));
		b[3] = (char)(0x80 | (u & 0x3F));
		n = 4;
	}
	return buf_add(out, b, n);
}

enum fb_code jscan_str(struct jscan *j, struct fb_buf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	enum fb_code rc = FB_OK;
	const char *run;

	buf_reset(out);
	if (jscan_peek(j) != '"') {
		jscan_skip(j);
		return FB_EINVAL;
	}
	run = ++j->p;
	while (j->p < j->end && *j->p != '"') {
		const char *esc;
		long u, lo;

		if (*j->p != '\\') {
			j->p++;
			continue;
		}
		if (rc == FB_OK)
			rc = buf_add(out, run, (size_t)(j->p - run));
		if (++j->p >= j->end)
			break;
		if (*j->p == 'u') {
			u = hex4(j->p + 1, j->end);
			j->p += 5;
			if (u >= 0xD800 && u <= 0xDBFF && j->end - j->p >= 6 &&
			    (lo = hex4(j->p + 2, j->end)) >= 0xDC00 && lo <= 0xDFFF) {
				u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				j->p += 6;
			}
			if (rc == FB_OK && u > 0)
				rc = put_utf8(out, u);
		} else {
			esc = strchr(from, *j->p);
			if (rc == FB_OK && esc && *esc)
				rc = buf_addc(out, to[esc - from]);
			j->p++;
		}
		run = j->p;
	}
	if (rc == FB_OK)
		rc = buf_add(out, run, (size_t)((j->p < j->end ? j->p : j->end) - run));
	if (j->p < j->end)
		j->p++;                 /* the closing quote */
	/* buf_str() of an empty buffer is "", and buf_add keeps a NUL. */
	return rc;
}

int jscan_uint(struct jscan *j, uint64_t *out)
{
	const uint64_t max = (uint64_t)1 << 53;
	uint64_t v = 0;
	long exp = 0;
	int neg = 0, digits = 0;

	if (jscan_peek(j) != '-' && !is_digit(jscan_peek(j))) {
		jscan_skip(j);
		return 0;
	}
	/* Read by hand, not strtod: the locale's decimal point does not
	 * matter, and 1, 1.0, 10e-1 and -0 are all whole numbers. */
	if (*j->p == '-') {
		neg = 1;
		j->p++;
	}
	for (; j->p < j->end && is_digit(*j->p); j->p++)
		if (v <= max)
			v = v * 10 + (uint64_t)(*j->p - '0'), digits++;
	if (j->p < j->end && *j->p == '.')
		for (j->p++; j->p < j->end && is_digit(*j->p); j->p++)
			if (*j->p != '0' || v > max)
				v = max + 1;    /* a fraction: not whole */
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		int eneg = 0;

		if (++j->p < j->end && (*j->p == '+' || *j->p == '-'))
			eneg = *j->p++ == '-';
		for (; j->p < j->end && is_digit(*j->p); j->p++)
			if (exp < 100)
				exp = exp * 10 + (*j->p - '0');
		for (; exp > 0 && v != 0 && v <= max; exp--) {
			if (eneg && v % 10)
				v = max + 1;
			else
				v = eneg ? v / 10 : v * 10;
		}
	}
	if (!digits || v > max || (neg && v != 0))
		return 0;
	*out = v;
	return 1;
}
