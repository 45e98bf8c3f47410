/*
 * value.c - dates, amounts and phone numbers as people and spreadsheets
 * write them.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limits.h"
#include "model.h"
#include "text.h"
#include "value.h"

int value_this_year(void)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm))
		return FB_YEAR_MIN;
	return tm.tm_year + 1900;
}

/* Up to `most` digits at *p into *v; how many were read. */
static int digits(const char **p, int most, int *v)
{
	int n = 0;

	*v = 0;
	while (n < most && isdigit((unsigned char)**p)) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

enum fb_code value_date(const char *typed, int this_year,
			char out[VALUE_DATE_LEN + 1])
{
	const char *p = typed;
	int d, m, y, nd, nm, ny, low;
	char sep, iso[32];

	if (model_valid_date(typed)) {
		memcpy(out, typed, VALUE_DATE_LEN + 1);
		return FB_OK;
	}
	nd = digits(&p, 2, &d);
	sep = *p;
	if (nd == 0 || (sep != '/' && sep != '-' && sep != '.'))
		return FB_EINVAL;
	p++;
	nm = digits(&p, 2, &m);
	if (nm == 0 || *p != sep)
		return FB_EINVAL;
	p++;
	ny = digits(&p, 4, &y);
	if (*p != '\0' || !(ny == 4 || (ny == 2 && sep == '/')))
		return FB_EINVAL;
	if (ny == 2) {
		/* The year ending in those digits, at most
		 * VALUE_YY_AHEAD years from now. */
		low = this_year + VALUE_YY_AHEAD - 99;
		y = low + ((y - low % 100) % 100 + 100) % 100;
	}
	if (y < FB_YEAR_MIN || y > FB_YEAR_MAX)
		return FB_EINVAL;
	/* Each part is in range, so the text is exactly VALUE_DATE_LEN. */
	snprintf(iso, sizeof(iso), "%04d-%02d-%02d", y, m, d);
	if (!model_valid_date(iso))
		return FB_EINVAL;
	memcpy(out, iso, VALUE_DATE_LEN + 1);
	return FB_OK;
}

/* The currency marks an amount may end with, folded (text.h). */
static int currency_mark(const char *s)
{
	static const char *const marks[] = { "d", "vnd", "dong", NULL };
	char *f = NULL;
	int i, yes = 0;

	if (!strcmp(s, "₫"))
		return 1;
	if (text_fold(s, TEXT_FOLD_ACCENTS, &f) != FB_OK)
		return 0;
	for (i = 0; marks[i] && !yes; i++)
		yes = !strcmp(f, marks[i]);
	free(f);
	return yes;
}

/* Is c a thousands separator (a space here: NBSP is turned to one)? */
static int group_sep(char c)
{
	return c == '.' || c == ',' || c == ' ';
}

/*
 * s[0..n) as digits grouped by `sep` in threes (the first group 1 to 3
 * digits), or plain digits when sep is 0, into *v.
 */
static enum fb_code grouped(const char *s, size_t n, char sep, long long max,
			    long long *v)
{
	size_t i, run = 0, groups = 0;

	*v = 0;
	if (n == 0)
		return FB_EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] == sep && sep) {
			if (run == 0 || (groups ? run != 3 : run > 3))
				return FB_EINVAL;
			groups++;
			run = 0;
			continue;
		}
		if (!isdigit((unsigned char)s[i]))
			return FB_EINVAL;
		if (*v > (max - (s[i] - '0')) / 10)
			return FB_EINVAL;
		*v = *v * 10 + (s[i] - '0');
		run++;
	}
	return run == 0 || (groups && run != 3) ? FB_EINVAL : FB_OK;
}

enum fb_code value_amount(const char *typed, long long max, long long *out)
{
	char num[64], *p;
	const char *s = typed, *rest;
	size_t n = 0, i, last = 0;
	char sep = 0, dec = 0;
	int nseps = 0;

	while (*s == ' ')
		s++;
	/* The number: digits and separators; a no-break space (C2 A0) is
	 * a space. */
	for (; *s && n < sizeof(num) - 1; s++) {
		if (isdigit((unsigned char)*s) || *s == '.' || *s == ',' || *s == ' ') {
			num[n++] = *s;
		} else if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0) {
			num[n++] = ' ';
			s++;
		} else {
			break;
		}
	}
	if (*s && n == sizeof(num) - 1)
		return FB_EINVAL;
	rest = s;
	while (n > 0 && num[n - 1] == ' ')
		n--;
	num[n] = '\0';
	if (*rest && !currency_mark(rest))
		return FB_EINVAL;
	/* The separators: one kind groups; a second, once and last, is
	 * a decimal point. */
	for (i = 0; i < n; i++) {
		if (!group_sep(num[i]))
			continue;
		if (!sep)
			sep = num[i];
		else if (num[i] != sep && !dec)
			dec = num[i];
		else if (num[i] != sep || dec)
			return FB_EINVAL;
		nseps += num[i] == sep;
		last = i;
	}
	if (dec) {
		/* 500.000,00: what follows the point must be zeros. */
		p = strchr(num, dec);
		if (dec == ' ' || p != num + last || !p[1])
			return FB_EINVAL;
		for (i = 1; p[i]; i++)
			if (p[i] != '0')
				return FB_EINVAL;
		return grouped(num, (size_t)(p - num), sep, max, out);
	}
	if (nseps == 1 && n - last - 1 != 3)
		return FB_EINVAL;       /* 1.5, 1,50: perhaps a decimal */
	return grouped(num, n, sep, max, out);
}

int value_phone_zero(const char *typed, char *out, size_t outsz)
{
	size_t n = strlen(typed), i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)typed[i]))
			return 0;
	if (!((n == 9 && strchr("35789", typed[0])) || (n == 10 && typed[0] == '2')))
		return 0;
	if (outsz < n + 2)
		return 0;
	out[0] = '0';
	memcpy(out + 1, typed, n + 1);
	return 1;
}
