/* error.c - error codes, their text and their exit statuses. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "error.h"
#include "i18n.h"

static const struct {
	const char *text;
	int status;
} codes[FB_NCODES] = {
	[FB_OK]        = { N_("success"),                  EX_OK },
	[FB_EUSAGE]    = { N_("usage error"),              EX_USAGE },
	[FB_EINVAL]    = { N_("bad data"),                 EX_DATAERR },
	[FB_ENOENT]    = { N_("no such record"),           EX_DATAERR },
	[FB_EEXIST]    = { N_("already exists"),           EX_DATAERR },
	[FB_ENOINPUT]  = { N_("cannot open input"),        EX_NOINPUT },
	[FB_ECORRUPT]  = { N_("data damaged"),             EX_DATAERR },
	[FB_EIO]       = { N_("I/O error"),                EX_IOERR },
	[FB_ENOMEM]    = { N_("out of memory"),            EX_SOFTWARE },
	[FB_ENET]      = { N_("hub unreachable"),          EX_UNAVAILABLE },
	[FB_EBUSY]     = { N_("busy, try again later"),    EX_TEMPFAIL },
	[FB_EAUTH]     = { N_("refused by hub"),           EX_NOPERM },
	[FB_ECONFLICT] = { N_("protocol conflict"),        EX_DATAERR },
	[FB_ETOOBIG]   = { N_("over a limit"),             EX_DATAERR },
	[FB_EINTERNAL] = { N_("internal error"),           EX_SOFTWARE },
	[FB_EPROTO]    = { N_("protocol mismatch"),        EX_PROTOCOL },
};

const char *fb_strerror(enum fb_code code)
{
	if ((unsigned)code >= FB_NCODES)
		return _("unknown error");
	return _(codes[code].text);
}

int fb_exit_status(enum fb_code code)
{
	if ((unsigned)code >= FB_NCODES)
		return EX_SOFTWARE;
	return codes[code].status;
}

/*
 * Bytes that are not UTF-8 (a value quoted from bad input, or cut at the
 * message's end) become '?', so that the line a terminal shows is text.
 */
static void printable_utf8(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 :
			(*p & 0xF0) == 0xE0 ? 3 : (*p & 0xF8) == 0xF0 ? 4 : 0;
		int i;

		for (i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				n = 0;
		if (n == 2 && *p < 0xC2)
			n = 0;  /* overlong */
		if (n == 0 || (*p < 0x20 && *p != '\t')) {
			*p++ = '?';
			continue;
		}
		p += n;
	}
}

/*
 * A message cut at its size limit may end inside a multi-byte character:
 * drop that partial character, so the line ends on whole text.
 */
static void cut_partial_tail(char *s)
{
	size_t n = strlen(s), i = n;
	unsigned char lead;
	size_t want;

	while (i > 0 && n - i < 4 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	if (i == 0)
		return;
	lead = (unsigned char)s[i - 1];
	want = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 :
	       (lead & 0xF8) == 0xF0 ? 4 : 1;
	if (n - (i - 1) < want)
		s[i - 1] = '\0';
}

/* One line of printable UTF-8, whatever was formatted into msg. */
static void tidy(char *msg, int formatted_len, size_t size)
{
	char *nl;

	if (formatted_len >= 0 && (size_t)formatted_len >= size)
		cut_partial_tail(msg);
	/* One line: a value quoted into a message must not break it. */
	while ((nl = strpbrk(msg, "\r\n")))
		*nl = ' ';
	printable_utf8(msg);
}

enum fb_code fb_fail(struct fb_error *err, enum fb_code code,
		     const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	tidy(err->msg, n, sizeof(err->msg));
	return code;
}

void fb_error_clear(struct fb_error *err)
{
	if (!err)
		return;
	err->code = FB_OK;
	err->msg[0] = '\0';
}

enum fb_code fb_prefix(struct fb_error *err, const char *prefix)
{
	char old[FB_ERRMSG_MAX];

	if (!err)
		return FB_EINTERNAL;
	memcpy(old, err->msg, sizeof(old));
	tidy(err->msg, snprintf(err->msg, sizeof(err->msg), "%s%s", prefix, old),
	     sizeof(err->msg));
	return err->code;
}
