/* shortid.c - short ids from the random end of UUIDs (shortid.h). */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "shortid.h"

/* The 32 hex digits of a UUID, without its dashes. */
static void undash(const char *id, char out[SHORTID_HEX + 1])
{
	size_t k = 0;

	for (; *id && k < SHORTID_HEX; id++)
		if (*id != '-')
			out[k++] = *id;
	out[k] = '\0';
}

static void reverse(const char *s, char out[SHORTID_HEX + 1])
{
	size_t n = strlen(s), i;

	for (i = 0; i < n; i++)
		out[i] = s[n - 1 - i];
	out[n] = '\0';
}

static int cmp_hex(const void *a, const void *b)
{
	return strcmp(a, b);
}

enum fb_code shortid_set_init(struct shortid_set *s, const char *const *ids, size_t n)
{
	size_t i, k = 0;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return FB_OK;
	s->head = calloc(n, sizeof(*s->head));
	s->tail = calloc(n, sizeof(*s->tail));
	if (!s->head || !s->tail) {
		shortid_set_release(s);
		return FB_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		if (!model_valid_uuid(ids[i]))
			continue;
		undash(ids[i], s->head[k]);
		reverse(s->head[k], s->tail[k]);
		k++;
	}
	s->n = k;
	qsort(s->head, k, sizeof(*s->head), cmp_hex);
	qsort(s->tail, k, sizeof(*s->tail), cmp_hex);
	return FB_OK;
}

void shortid_set_release(struct shortid_set *s)
{
	free(s->head);
	free(s->tail);
	memset(s, 0, sizeof(*s));
}

int shortid_parse(const char *ref, char hex[SHORTID_HEX + 1])
{
	size_t k = 0;
	const char *p;

	for (p = ref; *p; p++) {
		char ch = *p;

		if (ch == '-' && p != ref && p[1] && p[1] != '-')
			continue;
		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) ||
		    k == SHORTID_HEX)
			return 0;
		hex[k++] = ch;
	}
	hex[k] = '\0';
	return k >= SHORTID_TYPED;
}

int shortid_match(const char *id, const char *hex)
{
	char d[SHORTID_HEX + 1];
	size_t n = strlen(hex), len;

	undash(id, d);
	len = strlen(d);
	return n <= len && (!strncmp(d, hex, n) || !strcmp(d + len - n, hex));
}

/* The first of the sorted rows a[0..n) not below key, or, with `after`,
 * the first that does not start with key (key's prefix range ends). */
static size_t bound(const char (*a)[SHORTID_HEX + 1], size_t n, const char *key,
		    int after)
{
	size_t lo = 0, hi = n, len = strlen(key);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strncmp(a[mid], key, len);

		if (c < 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t shortid_count(const struct shortid_set *s, const char *hex)
{
	char rev[SHORTID_HEX + 1];
	size_t h0, h1, t0, t1, i, both = 0, n = strlen(hex);

	if (s->n == 0)
		return 0;
	reverse(hex, rev);
	h0 = bound(s->head, s->n, hex, 0);
	h1 = bound(s->head, s->n, hex, 1);
	t0 = bound(s->tail, s->n, rev, 0);
	t1 = bound(s->tail, s->n, rev, 1);
	/* An id that starts and ends with hex is in both ranges. */
	for (i = h0; i < h1; i++)
		if (!strcmp(s->head[i] + strlen(s->head[i]) - n, hex))
			both++;
	return (h1 - h0) + (t1 - t0) - both;
}

void shortid_of(const struct shortid_set *s, const char *id, char out[SHORTID_HEX + 1])
{
	char d[SHORTID_HEX + 1];
	size_t len, n;

	undash(id, d);
	len = strlen(d);
	for (n = SHORTID_MIN < len ? SHORTID_MIN : len; n < len; n++)
		if (shortid_count(s, d + len - n) <= 1)
			break;
	memcpy(out, d + len - n, n + 1);
}
