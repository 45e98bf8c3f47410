/* seen.c - a delete's seen vector: writing it and reading it back. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "label.h"
#include "journal.h"
#include "limits.h"
#include "seen.h"

/* The fields a vector may list: those a user writes. */
static int listed(const struct field_def *f)
{
	return !f->internal && strcmp(f->name, FIELD_DELETED) != 0;
}

enum fb_code seen_format(const struct type_def *t, char *const val[],
			 const struct fb_stamp stamp[], char **out)
{
	struct fb_buf b = FB_BUF_INIT(FB_SEEN_MAX);
	char st[STAMP_TEXT_MAX];
	enum fb_code rc = FB_OK;
	int i;

	*out = NULL;
	for (i = 0; rc == FB_OK && t->fields[i].name; i++) {
		if (!val[i] || !listed(&t->fields[i]))
			continue;
		stamp_format(&stamp[i], st);
		if (b.len)
			rc = buf_addc(&b, SEEN_ITEM_SEP);
		if (rc == FB_OK)
			rc = buf_printf(&b, "%s%c%s", t->fields[i].name,
					SEEN_STAMP_SEP, st);
	}
	if (rc == FB_OK) {
		*out = b.len ? buf_detach(&b, NULL) : strdup("");
		if (!*out)
			rc = FB_ENOMEM;
	}
	buf_release(&b);
	return rc;
}

/* One "field@stamp" of n bytes at item; *last is the index before it. */
static enum fb_code read_item(const struct type_def *t, const char *item,
			      size_t n, int *last, struct fb_stamp *out,
			      struct fb_error *err)
{
	char name[FB_SEEN_MAX + 1], text[FB_SEEN_MAX + 1], again[STAMP_TEXT_MAX];
	const char *at = memchr(item, SEEN_STAMP_SEP, n);
	size_t k;
	int fi;

	if (!at)
		return fb_fail(err, FB_EINVAL, _("%s: '%.*s' is not field%cstamp"),
			       FIELD_SEEN, (int)n, item, SEEN_STAMP_SEP);
	k = (size_t)(at - item);
	memcpy(name, item, k);
	name[k] = '\0';
	memcpy(text, at + 1, n - k - 1);
	text[n - k - 1] = '\0';
	fi = model_field_index(t, name);
	if (fi < 0 || !listed(&t->fields[fi]))
		return fb_fail(err, FB_EINVAL, _("%s: a %s has no field '%s' to have seen"),
			       FIELD_SEEN, label_type(t->type), name);
	if (fi <= *last)
		return fb_fail(err, FB_EINVAL, _("%s: '%s' is repeated or out of the"
			         " type's order"), FIELD_SEEN, name);
	*last = fi;
	if (stamp_parse(text, out) != FB_OK || out->hlc == 0)
		return fb_fail(err, FB_EINVAL, _("%s: '%s' is not a stamp of %s"),
			       FIELD_SEEN, text, name);
	stamp_format(out, again);
	if (strcmp(again, text))
		return fb_fail(err, FB_EINVAL, _("%s: stamp '%s' of %s is not in"
			         " canonical form"), FIELD_SEEN, text, name);
	return FB_OK;
}

enum fb_code seen_parse(const struct type_def *t, const char *text,
			struct fb_stamp stamp[], size_t nstamp,
			struct fb_error *err)
{
	size_t len = strlen(text), n;
	const char *p = text, *end;
	struct fb_stamp one;
	enum fb_code rc;
	int last = -1;

	if (stamp) {
		if (nstamp < model_nfields(t))
			return fb_fail(err, FB_EINTERNAL, _("%s: no room for the fields of a %s"),
				       FIELD_SEEN, label_type(t->type));
		memset(stamp, 0, nstamp * sizeof(*stamp));
	}
	if (len > FB_SEEN_MAX)
		return fb_fail(err, FB_ETOOBIG, _("%s: too long (%zu bytes, at most %d)"),
			       FIELD_SEEN, len, FB_SEEN_MAX);
	while (*p) {
		end = strchr(p, SEEN_ITEM_SEP);
		n = end ? (size_t)(end - p) : strlen(p);
		if (n == 0 || (end && !end[1]))
			return fb_fail(err, FB_EINVAL, _("%s: an empty item"), FIELD_SEEN);
		rc = read_item(t, p, n, &last, &one, err);
		if (rc != FB_OK)
			return rc;
		if (stamp)
			stamp[last] = one;
		p += n + (end != NULL);
	}
	return FB_OK;
}

enum fb_code seen_rewrite(const struct type_def *t, const char *text,
			  seen_stamp_fn fn, void *ctx, char **out,
			  struct fb_error *err)
{
	struct fb_stamp stamp[FB_EDIT_FIELDS_MAX];
	char *held[FB_EDIT_FIELDS_MAX] = { 0 };
	enum fb_code rc;
	size_t i, n = model_nfields(t);

	*out = NULL;
	rc = seen_parse(t, text, stamp, FB_EDIT_FIELDS_MAX, err);
	if (rc != FB_OK)
		return rc;
	for (i = 0; i < n; i++)
		if (stamp[i].hlc) {
			fn(&stamp[i], ctx);
			held[i] = (char *)"";   /* listed: its value is not read */
		}
	rc = seen_format(t, held, stamp, out);
	return rc == FB_OK ? FB_OK
		: fb_fail(err, rc, "%s: %s", FIELD_SEEN, fb_strerror(rc));
}

size_t seen_count(const char *text)
{
	size_t n = *text ? 1 : 0;

	for (; *text; text++)
		n += *text == SEEN_ITEM_SEP;
	return n;
}
