/*
 * collate.c - Vietnamese order with ICU (collate.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uclean.h>
#include <unicode/ucol.h>
#include <unicode/ustring.h>
#include <unicode/uvernum.h>

#include "collate.h"

/* The locale of the order, and how fine it looks (collate.h). */
#define COLLATE_LOCALE   "vi"
#define COLLATE_STRENGTH UCOL_TERTIARY

/* A word of a name and its ICU sort key, as the cache keeps them. */
struct word {
	uint32_t hash;          /* 0: an empty slot */
	uint32_t off;           /* the word's bytes in the arena, its key after */
	uint16_t len, keylen;
};

struct fb_collator {
	UCollator *coll;
	int refs;               /* the owner's, and each SQLite registration's */
	UChar *u16;             /* a text in UTF-16, for its sort key */
	int32_t u16cap;
	uint8_t *key;           /* one sort key */
	int32_t keycap;
	struct fb_buf blob;     /* the key fb_vi_key() gives SQL */
	struct fb_buf ka, kb;   /* two names' keys, to compare them */
	struct word *words;     /* the cache of words' keys, FB_COLLATE_WORDS_SLOTS */
	size_t nwords;
	struct fb_buf arena;    /* each cached word, then its key */
};

/* The process's first collator, cloned for each fb_collator. */
static pthread_mutex_t first_lock = PTHREAD_MUTEX_INITIALIZER;
static UCollator *first;
static long clones;

/* Called with first_lock held. */
static enum fb_code open_first(struct fb_error *err)
{
	UErrorCode st = U_ZERO_ERROR;

	if (first)
		return FB_OK;
	first = ucol_open(COLLATE_LOCALE, &st);
	/* A fallback to the root order means ICU has no Vietnamese data. */
	if (U_FAILURE(st) || st == U_USING_DEFAULT_WARNING) {
		ucol_close(first);
		first = NULL;
		return fb_fail(err, st == U_MEMORY_ALLOCATION_ERROR ? FB_ENOMEM : FB_EINTERNAL,
			       "Vietnamese order: ICU cannot open its collation: %s",
			       U_FAILURE(st) ? u_errorName(st) : "no Vietnamese data");
	}
	ucol_setStrength(first, COLLATE_STRENGTH);
	/* Canonical closure: NFD text orders as its NFC form. */
	ucol_setAttribute(first, UCOL_NORMALIZATION_MODE, UCOL_ON, &st);
	if (U_FAILURE(st)) {
		ucol_close(first);
		first = NULL;
		return fb_fail(err, FB_EINTERNAL, "Vietnamese order: %s", u_errorName(st));
	}
	return FB_OK;
}

static UCollator *clone_first(UErrorCode *st)
{
#if U_ICU_VERSION_MAJOR_NUM >= 71
	return ucol_clone(first, st);
#else
	return ucol_safeClone(first, NULL, NULL, st);
#endif
}

/* Give c its clone of the first collator, unless it has one. */
static enum fb_code attach(struct fb_collator *c, struct fb_error *err)
{
	UErrorCode st = U_ZERO_ERROR;
	enum fb_code rc;

	if (c->coll)
		return FB_OK;
	pthread_mutex_lock(&first_lock);
	rc = open_first(err);
	if (rc == FB_OK) {
		c->coll = clone_first(&st);
		if (U_FAILURE(st) || !c->coll) {
			ucol_close(c->coll);
			c->coll = NULL;
			rc = fb_fail(err, FB_ENOMEM, "Vietnamese order: %s", u_errorName(st));
		} else {
			clones++;
		}
	}
	pthread_mutex_unlock(&first_lock);
	return rc;
}

/* A collator without its ICU clone yet (attach() gives it one). */
static struct fb_collator *collator_new(void)
{
	struct fb_collator *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->refs = 1;
	c->blob = (struct fb_buf)FB_BUF_INIT(0);
	c->ka = (struct fb_buf)FB_BUF_INIT(0);
	c->kb = (struct fb_buf)FB_BUF_INIT(0);
	c->arena = (struct fb_buf)FB_BUF_INIT(0);
	return c;
}

enum fb_code fb_collator_open(struct fb_collator **out, struct fb_error *err)
{
	struct fb_collator *c = collator_new();
	enum fb_code rc;

	*out = NULL;
	if (!c)
		return fb_fail(err, FB_ENOMEM, "out of memory");
	if ((rc = attach(c, err)) != FB_OK) {
		free(c);
		return rc;
	}
	*out = c;
	return FB_OK;
}

/* One reference fewer; the last frees. */
static void release(void *p)
{
	struct fb_collator *c = p;

	if (!c || --c->refs > 0)
		return;
	free(c->u16);
	free(c->key);
	buf_release(&c->blob);
	buf_release(&c->ka);
	buf_release(&c->kb);
	free(c->words);
	buf_release(&c->arena);
	if (c->coll) {
		ucol_close(c->coll);
		pthread_mutex_lock(&first_lock);
		clones--;
		pthread_mutex_unlock(&first_lock);
	}
	free(c);
}

void fb_collator_close(struct fb_collator *c)
{
	release(c);
}

void fb_collate_cleanup(void)
{
	pthread_mutex_lock(&first_lock);
	if (first && clones == 0) {
		ucol_close(first);
		first = NULL;
		u_cleanup();
	}
	pthread_mutex_unlock(&first_lock);
}

/* memcmp, then the shorter first: SQLite's order of BLOBs. */
static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	return r ? r : (alen > blen) - (alen < blen);
}

/* ICU's order alone (0 for texts it finds equal). */
static int icu_cmp(struct fb_collator *c, const char *a, size_t alen,
		   const char *b, size_t blen)
{
	UErrorCode st = U_ZERO_ERROR;
	UCollationResult r;

	if (alen > INT32_MAX || blen > INT32_MAX)
		return 0;
	r = ucol_strcollUTF8(c->coll, a, (int32_t)alen, b, (int32_t)blen, &st);
	if (U_FAILURE(st))
		return 0;
	return r == UCOL_LESS ? -1 : r == UCOL_GREATER;
}

static size_t length(const char *s, int len)
{
	return len < 0 ? strlen(s) : (size_t)len;
}

int fb_collate(struct fb_collator *c, const char *a, int alen, const char *b, int blen)
{
	size_t al = length(a, alen), bl = length(b, blen);
	int r = icu_cmp(c, a, al, b, bl);

	return r ? r : bytes_cmp(a, al, b, bl);
}

/* The bytes of white space at s (0: none): ASCII's, and U+00A0. */
static size_t space_at(const char *s, size_t left)
{
	unsigned char ch = (unsigned char)*s;

	if (ch == ' ' || (ch >= '\t' && ch <= '\r'))
		return 1;
	if (ch == 0xC2 && left >= 2 && (unsigned char)s[1] == 0xA0)
		return 2;
	return 0;
}

/* The bytes of white space that end s[0..end) (0: none). */
static size_t space_before(const char *s, size_t end)
{
	unsigned char ch = end ? (unsigned char)s[end - 1] : 0;

	if (ch == ' ' || (ch >= '\t' && ch <= '\r'))
		return 1;
	if (ch == 0xA0 && end >= 2 && (unsigned char)s[end - 2] == 0xC2)
		return 2;
	return 0;
}

/* From the end: a list is sorted by it, and names are short. */
const char *fb_given_name(const char *s, size_t len, size_t *glen)
{
	size_t end = len, start, sp;

	while (end && (sp = space_before(s, end)) != 0)
		end -= sp;
	start = end;
	while (start && !space_before(s, start))
		start--;
	*glen = end - start;
	return s + start;
}

/* The ICU sort key of a text (with its final 0) appended to out. */
static enum fb_code icu_key(struct fb_collator *c, const char *s, size_t len,
			    struct fb_buf *out)
{
	UErrorCode st = U_ZERO_ERROR;
	int32_t n = 0, k;
	uint8_t *key;

	if (len > INT32_MAX / 2)
		return FB_ETOOBIG;
	for (;;) {
		st = U_ZERO_ERROR;
		u_strFromUTF8WithSub(c->u16, c->u16cap, &n, s, (int32_t)len, 0xFFFD, NULL, &st);
		if (st != U_BUFFER_OVERFLOW_ERROR && st != U_STRING_NOT_TERMINATED_WARNING)
			break;
		if (n + 1 > c->u16cap) {
			UChar *u = realloc(c->u16, (size_t)(n + 1) * sizeof(*u));

			if (!u)
				return FB_ENOMEM;
			c->u16 = u;
			c->u16cap = n + 1;
		} else {
			break;  /* it fitted, without room for a terminator: fine */
		}
	}
	if (U_FAILURE(st))
		return FB_EINTERNAL;
	for (;;) {
		k = ucol_getSortKey(c->coll, c->u16, n, c->key, c->keycap);
		if (k <= 0)
			return FB_EINTERNAL;
		if (k <= c->keycap)
			break;
		if (!(key = realloc(c->key, (size_t)k)))
			return FB_ENOMEM;
		c->key = key;
		c->keycap = k;
	}
	return buf_add(out, c->key, (size_t)k);
}

enum fb_code fb_collate_key(struct fb_collator *c, const char *s, size_t len,
			    struct fb_buf *out)
{
	enum fb_code rc = icu_key(c, s, len, out);

	return rc == FB_OK ? buf_add(out, s, len) : rc;
}

/* FNV-1a, never 0 (0 marks an empty slot). */
static uint32_t word_hash(const char *w, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)w[i]) * 16777619u;
	return h ? h : 1;
}

/*
 * A word's ICU key appended to out, from the cache when it holds the
 * word, else made and kept (while the cache has room: it stops growing
 * at FB_COLLATE_WORDS, and words longer than FB_COLLATE_WORD_MAX are
 * not kept).  A name's words repeat from one name to the next (a few
 * thousand syllables make every Vietnamese name), so a list of names
 * asks ICU about each word about once.
 */
static enum fb_code word_key(struct fb_collator *c, const char *w, size_t len,
			     struct fb_buf *out)
{
	uint32_t h = word_hash(w, len);
	size_t mask = FB_COLLATE_WORDS_SLOTS - 1, i = h & mask, before;
	struct word *e = NULL;
	enum fb_code rc;

	if (len <= FB_COLLATE_WORD_MAX) {
		if (!c->words && !(c->words = calloc(FB_COLLATE_WORDS_SLOTS, sizeof(*c->words))))
			return FB_ENOMEM;
		for (;; i = (i + 1) & mask) {
			e = &c->words[i];
			if (!e->hash)
				break;
			if (e->hash == h && e->len == len &&
			    !memcmp(c->arena.data + e->off, w, len))
				return buf_add(out, c->arena.data + e->off + len, e->keylen);
		}
	}
	before = out->len;
	if ((rc = icu_key(c, w, len, out)) != FB_OK)
		return rc;
	/* Keep it; a full cache (or arena) only means asking ICU again. */
	if (e && c->nwords < FB_COLLATE_WORDS && out->len - before <= UINT16_MAX &&
	    c->arena.len + len + (out->len - before) <= UINT32_MAX &&
	    buf_add(&c->arena, w, len) == FB_OK) {
		if (buf_add(&c->arena, out->data + before, out->len - before) == FB_OK) {
			e->hash = h;
			e->off = (uint32_t)(c->arena.len - len - (out->len - before));
			e->len = (uint16_t)len;
			e->keylen = (uint16_t)(out->len - before);
			c->nwords++;
		} else {
			c->arena.len -= len;
		}
	}
	return FB_OK;
}

/* Where the next word of s begins, from i; len when there is none. */
static size_t next_word(const char *s, size_t len, size_t i, size_t *wlen)
{
	size_t sp, start;

	while (i < len && (sp = space_at(s + i, len - i)) != 0)
		i += sp;
	start = i;
	while (i < len && !space_at(s + i, len - i))
		i++;
	*wlen = i - start;
	return start;
}

/*
 * The parts of a word's ICU key (primary 01 secondary 01 tertiary 00,
 * the bytes 00 and 01 no weight uses): the letters and tones, up to the
 * second 01, and the rest, case, without the final 00.
 */
struct key_parts {
	const char *tone, *cs;          /* letters and tones; case */
	size_t tone_len, cs_len;
};

static void key_split(const struct fb_buf *k, struct key_parts *p)
{
	size_t len = k->len ? k->len - 1 : 0, i, seps = 0;

	p->tone = p->cs = k->data;
	p->tone_len = len;
	p->cs_len = 0;
	for (i = 0; i < len; i++)
		if (k->data[i] == 1 && ++seps == 2) {
			p->tone_len = i;
			p->cs = k->data + i + 1;
			p->cs_len = len - i - 1;
			break;
		}
}

/* Which part of words a comparison looks at. */
enum level { LETTERS_TONES, CASE };

/* The letters and tones of a word's key appended to out, and its case
 * to cases (when not NULL), each ended by a 0. */
static enum fb_code add_parts(struct fb_collator *c, const char *w, size_t len,
			      struct fb_buf *out, struct fb_buf *cases)
{
	struct key_parts p;
	enum fb_code rc;

	buf_reset(&c->ka);
	if ((rc = word_key(c, w, len, &c->ka)) != FB_OK)
		return rc;
	key_split(&c->ka, &p);
	if ((rc = buf_add(out, p.tone, p.tone_len)) == FB_OK)
		rc = buf_addc(out, '\0');
	if (rc == FB_OK && cases && (rc = buf_add(cases, p.cs, p.cs_len)) == FB_OK)
		rc = buf_addc(cases, '\0');
	return rc;
}

/*
 * A name's key, in the order of the comparisons fb_collate_name makes:
 *   the given name's letters and tones;
 *   each word's letters and tones, the family name first, then a 0
 *   (below any key's first byte: a name whose words begin another's
 *   comes first);
 *   each word's case;
 *   the name's bytes.
 * Each part ends in a 0, the only 0 in it, so each is compared whole
 * before the next.
 */
enum fb_code fb_collate_name_key(struct fb_collator *c, const char *s, size_t len,
				 struct fb_buf *out)
{
	size_t glen, wlen, i;
	const char *g = fb_given_name(s, len, &glen);
	enum fb_code rc = add_parts(c, g, glen, out, NULL);

	buf_reset(&c->kb);
	for (i = 0; rc == FB_OK && (i = next_word(s, len, i, &wlen)) < len; i += wlen)
		rc = add_parts(c, s + i, wlen, out, &c->kb);
	if (rc == FB_OK && (rc = buf_addc(out, '\0')) == FB_OK)
		rc = buf_add(out, c->kb.data, c->kb.len);
	return rc == FB_OK ? buf_add(out, s, len) : rc;
}

/* Two words by one part of their keys (*rc set on failure). */
static int word_cmp(struct fb_collator *c, const char *a, size_t alen, const char *b,
		    size_t blen, enum level lv, enum fb_code *rc)
{
	struct key_parts pa, pb;

	if (alen == blen && !memcmp(a, b, alen))
		return 0;       /* the same word, the same key */
	buf_reset(&c->ka);
	buf_reset(&c->kb);
	if ((*rc = word_key(c, a, alen, &c->ka)) != FB_OK ||
	    (*rc = word_key(c, b, blen, &c->kb)) != FB_OK)
		return 0;
	key_split(&c->ka, &pa);
	key_split(&c->kb, &pb);
	return lv == CASE ? bytes_cmp(pa.cs, pa.cs_len, pb.cs, pb.cs_len)
			  : bytes_cmp(pa.tone, pa.tone_len, pb.tone, pb.tone_len);
}

/* The words of two names, one by one, by one part of their keys; fewer
 * words first. */
static int words_cmp(struct fb_collator *c, const char *a, size_t al, const char *b,
		     size_t bl, enum level lv, enum fb_code *rc)
{
	size_t i = 0, j = 0, aw, bw;
	int r = 0;

	while (!r && *rc == FB_OK) {
		i = next_word(a, al, i, &aw);
		j = next_word(b, bl, j, &bw);
		if (i == al || j == bl)
			return (i < al) - (j < bl);
		r = word_cmp(c, a + i, aw, b + j, bw, lv, rc);
		i += aw;
		j += bw;
	}
	return r;
}

/*
 * The order of the names' keys (fb_collate_name_key), a part at a time:
 * most names differ by their given name, and only that is looked at.
 */
int fb_collate_name(struct fb_collator *c, const char *a, int alen,
		    const char *b, int blen)
{
	size_t al = length(a, alen), bl = length(b, blen), agl, bgl;
	const char *ag = fb_given_name(a, al, &agl), *bg = fb_given_name(b, bl, &bgl);
	enum fb_code rc = FB_OK;
	int r = word_cmp(c, ag, agl, bg, bgl, LETTERS_TONES, &rc);

	if (!r && rc == FB_OK)
		r = words_cmp(c, a, al, b, bl, LETTERS_TONES, &rc);
	if (!r && rc == FB_OK)
		r = words_cmp(c, a, al, b, bl, CASE, &rc);
	/* Without memory for keys, ICU compares the names whole. */
	if (rc != FB_OK)
		return fb_collate(c, a, alen, b, blen);
	return r ? r : bytes_cmp(a, al, b, bl);
}

/* --- SQLite ------------------------------------------------------------ */

/*
 * A connection's collator gets its ICU clone the first time a query
 * sorts by it: most commands never do, and need not open ICU.  A
 * collation cannot fail: without ICU it orders by bytes.
 */
static int sql_vi(void *p, int alen, const void *a, int blen, const void *b)
{
	if (attach(p, NULL) != FB_OK)
		return bytes_cmp(a, (size_t)alen, b, (size_t)blen);
	return fb_collate(p, a, alen, b, blen);
}

static int sql_vi_name(void *p, int alen, const void *a, int blen, const void *b)
{
	if (attach(p, NULL) != FB_OK)
		return bytes_cmp(a, (size_t)alen, b, (size_t)blen);
	return fb_collate_name(p, a, alen, b, blen);
}

static void sql_key(sqlite3_context *ctx, int name, sqlite3_value *v)
{
	struct fb_collator *c = sqlite3_user_data(ctx);
	struct fb_error err = { 0 };
	const char *s;
	enum fb_code rc;
	int len;

	if (sqlite3_value_type(v) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if ((rc = attach(c, &err)) != FB_OK) {
		sqlite3_result_error(ctx, err.msg, -1);
		return;
	}
	s = (const char *)sqlite3_value_text(v);
	len = sqlite3_value_bytes(v);
	if (!s) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	buf_reset(&c->blob);
	rc = name ? fb_collate_name_key(c, s, (size_t)len, &c->blob)
		  : fb_collate_key(c, s, (size_t)len, &c->blob);
	if (rc == FB_ENOMEM)
		sqlite3_result_error_nomem(ctx);
	else if (rc != FB_OK)
		sqlite3_result_error(ctx, "Vietnamese order: no sort key", -1);
	else
		sqlite3_result_blob(ctx, c->blob.data, (int)c->blob.len, SQLITE_TRANSIENT);
}

static void sql_vi_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sql_key(ctx, 0, argv[0]);
}

static void sql_vi_name_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sql_key(ctx, 1, argv[0]);
}

enum fb_code fb_collate_register(sqlite3 *db, struct fb_error *err)
{
	static const struct {
		const char *name;
		int (*cmp)(void *, int, const void *, int, const void *);
	} colls[] = { { "VI", sql_vi }, { "VI_NAME", sql_vi_name } };
	static const struct {
		const char *name;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = { { "fb_vi_key", sql_vi_key }, { "fb_vi_name_key", sql_vi_name_key } };
	struct fb_collator *c = collator_new();
	int s = SQLITE_OK;
	size_t i;

	if (!c)
		return fb_fail(err, FB_ENOMEM, "out of memory");
	/* Each registration holds a reference, given back when SQLite
	 * drops it (the connection closes). */
	for (i = 0; s == SQLITE_OK && i < sizeof(colls) / sizeof(colls[0]); i++) {
		c->refs++;
		s = sqlite3_create_collation_v2(db, colls[i].name, SQLITE_UTF8, c,
						colls[i].cmp, release);
		if (s != SQLITE_OK)
			c->refs--;      /* not called on failure */
	}
	for (i = 0; s == SQLITE_OK && i < sizeof(fns) / sizeof(fns[0]); i++) {
		c->refs++;      /* released by SQLite on failure too */
		s = sqlite3_create_function_v2(db, fns[i].name, 1, SQLITE_UTF8 |
					       SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, c,
					       fns[i].fn, NULL, NULL, release);
	}
	release(c);
	if (s != SQLITE_OK)
		return fb_fail(err, s == SQLITE_NOMEM ? FB_ENOMEM : FB_EINTERNAL,
			       "Vietnamese order: %s", sqlite3_errstr(s));
	return FB_OK;
}
