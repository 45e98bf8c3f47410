/* wire.c - encode and defensively decode the sync protocol's JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "jscan.h"
#include "wire.h"

void wire_hex(const unsigned char *h, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

enum fb_code wire_unhex(const char *s, unsigned char *out, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return FB_EINVAL;
	for (i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return FB_EINVAL;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return FB_OK;
}

/* A base stamp, short when its device is the change's own. */
static enum fb_code put_base(struct fb_buf *o, const struct fb_stamp *b,
			     const char *device)
{
	char hex[FB_HLC_HEX_LEN + 1], full[STAMP_TEXT_MAX];

	if (b->hlc == 0 && !b->device[0])
		return buf_adds(o, "\"\"");
	if (!strcmp(b->device, device)) {
		hlc_format(b->hlc, hex);
		return buf_printf(o, "\"%s\"", hex);
	}
	stamp_format(b, full);
	return buf_json_str(o, full);
}

/* The first n of c's entries. */
static enum fb_code put_entries(struct fb_buf *o, const struct jchange *c, size_t n)
{
	enum fb_code rc = buf_adds(o, "\"e\":[");
	size_t i;

	for (i = 0; rc == FB_OK && i < n; i++) {
		rc = buf_adds(o, i ? ",[" : "[");
		if (rc == FB_OK)
			rc = buf_json_str(o, c->e[i].field);
		if (rc == FB_OK)
			rc = buf_addc(o, ',');
		if (rc == FB_OK)
			rc = buf_json_str(o, c->e[i].value);
		if (rc == FB_OK)
			rc = buf_addc(o, ',');
		if (rc == FB_OK)
			rc = put_base(o, &c->e[i].base, c->device);
		if (rc == FB_OK)
			rc = buf_addc(o, ']');
	}
	return rc == FB_OK ? buf_addc(o, ']') : rc;
}

static enum fb_code push_encode(const struct jchange *c, size_t n,
				const char *forked_from, int relay,
				const struct wire_pull_ask *ask, struct fb_buf *out)
{
	char hex[2 * JOURNAL_HASH_LEN + 1], hlc[FB_HLC_HEX_LEN + 1];
	enum fb_code rc;
	size_t i;

	if (n == 0)
		return FB_EINVAL;
	rc = buf_printf(out, "{\"v\":%d,\"device\":", WIRE_VERSION);
	if (rc == FB_OK)
		rc = buf_json_str(out, c[0].device);
	if (rc == FB_OK)
		rc = buf_printf(out, ",\"seq\":%llu,\"branch\":",
				(unsigned long long)c[0].seq);
	if (rc == FB_OK)
		rc = buf_json_str(out, c[0].branch);
	if (rc == FB_OK && forked_from && *forked_from) {
		rc = buf_adds(out, ",\"forked_from\":");
		if (rc == FB_OK)
			rc = buf_json_str(out, forked_from);
	}
	if (rc == FB_OK && relay)
		rc = buf_adds(out, ",\"relay\":true");
	if (rc == FB_OK && ask)
		rc = buf_printf(out, ",\"pull\":{\"after\":%llu,\"epoch\":\"%s\",\"limit\":%zu}",
				(unsigned long long)ask->after, ask->epoch, ask->limit);
	if (rc == FB_OK)
		rc = buf_adds(out, ",\"changes\":[");
	for (i = 0; rc == FB_OK && i < n; i++) {
		hlc_format(c[i].hlc, hlc);
		rc = buf_printf(out, "%s{\"h\":\"%s\",\"id\":", i ? "," : "", hlc);
		if (rc == FB_OK)
			rc = buf_json_str(out, c[i].record_id);
		if (rc == FB_OK)
			rc = buf_printf(out, ",\"t\":\"%s\",", model_type(c[i].type)->name);
		if (rc == FB_OK && strcmp(c[i].branch, c[0].branch)) {
			rc = buf_adds(out, "\"b\":");
			if (rc == FB_OK)
				rc = buf_json_str(out, c[i].branch);
			if (rc == FB_OK)
				rc = buf_addc(out, ',');
		}
		if (rc == FB_OK)
			rc = put_entries(out, &c[i], c[i].n);
		if (rc == FB_OK)
			rc = buf_addc(out, '}');
	}
	wire_hex(c[n - 1].hash, JOURNAL_HASH_LEN, hex);
	if (rc == FB_OK)
		rc = buf_printf(out, "],\"last_hash\":\"%s\"}", hex);
	return rc;
}

enum fb_code wire_push_encode(const struct jchange *c, size_t n,
			      const char *forked_from, struct fb_buf *out)
{
	return push_encode(c, n, forked_from, 0, NULL, out);
}

enum fb_code wire_push_encode_ask(const struct jchange *c, size_t n,
				  const char *forked_from,
				  const struct wire_pull_ask *ask, struct fb_buf *out)
{
	return push_encode(c, n, forked_from, 0, ask, out);
}

enum fb_code wire_relay_encode(const struct jchange *c, size_t n,
			       struct fb_buf *out)
{
	return push_encode(c, n, NULL, 1, NULL, out);
}

/* --- decoding ------------------------------------------------------- */

/*
 * Messages are checked whole once (jscan_check: syntax, depth, \u0000)
 * and then read in place, one change after the other: no tree of the
 * body is built, so a batch costs the changes it holds.
 */

/* Every key a message or a change may have; each direction allows some. */
enum {
	K_V, K_DEVICE, K_SEQ, K_BRANCH, K_CHANGES, K_LAST_HASH, K_NEXT, K_MORE,
	K_HUB_TIME, K_D, K_S, K_H, K_X, K_ID, K_T, K_B, K_E, K_FORKED_FROM,
	K_EPOCH, K_HELD, K_HELD_HASH, K_P, K_RELAY, K_DEVICES, K_HEADS, K_CUT_TO,
	K_PULL, K_AFTER, K_LIMIT,
	K_COUNT
};
static const char *const key_names[K_COUNT] = {
	"v", "device", "seq", "branch", "changes", "last_hash", "next", "more",
	"hub_time", "d", "s", "h", "x", "id", "t", "b", "e", "forked_from",
	"epoch", "held", "held_hash", "p", "relay", "devices", "heads", "cut_to",
	"pull", "after", "limit"
};
#define KEYS(k) (1u << (k))
#define PUSH_TOP (KEYS(K_V) | KEYS(K_DEVICE) | KEYS(K_SEQ) | KEYS(K_BRANCH) | \
		  KEYS(K_CHANGES) | KEYS(K_LAST_HASH) | KEYS(K_FORKED_FROM) | \
		  KEYS(K_RELAY) | KEYS(K_PULL))
#define PULL_ASK (KEYS(K_AFTER) | KEYS(K_EPOCH) | KEYS(K_LIMIT))
#define HEADS_ASK (KEYS(K_V) | KEYS(K_DEVICES))
#define HEADS_ANSWER (KEYS(K_V) | KEYS(K_HEADS) | KEYS(K_HUB_TIME))
#define PULL_TOP (KEYS(K_V) | KEYS(K_CHANGES) | KEYS(K_NEXT) | KEYS(K_MORE) | \
		  KEYS(K_HUB_TIME))
#define PULL_TOP_2 (PULL_TOP | KEYS(K_EPOCH) | KEYS(K_HELD) | KEYS(K_HELD_HASH) | \
		    KEYS(K_CUT_TO))
#define PUSH_CHANGE (KEYS(K_H) | KEYS(K_ID) | KEYS(K_T) | KEYS(K_B) | KEYS(K_E))
#define PULL_CHANGE (PUSH_CHANGE | KEYS(K_D) | KEYS(K_S) | KEYS(K_X))
#define PULL_CHANGE_2 (PULL_CHANGE | KEYS(K_P))

/* Scratch room for the strings of one decode, each capped. */
struct scratch {
	struct fb_buf key, s, field, value, base;
};

static void scratch_init(struct scratch *sc)
{
	static const struct fb_buf key = FB_BUF_INIT(64), s = FB_BUF_INIT(256),
		field = FB_BUF_INIT(64), value = FB_BUF_INIT(FB_VALUE_MAX),
		base = FB_BUF_INIT(256);

	sc->key = key;
	sc->s = s;
	sc->field = field;
	sc->value = value;
	sc->base = base;
}

static void scratch_release(struct scratch *sc)
{
	buf_release(&sc->key);
	buf_release(&sc->s);
	buf_release(&sc->field);
	buf_release(&sc->value);
	buf_release(&sc->base);
}

/*
 * The members of the object at j, j then past it: at[k] is a cursor at
 * the value of key k, .p NULL when absent.  0 when the value is not an
 * object or holds a key outside `allowed` or one key twice.  Linear: an
 * object of many keys is refused after one pass.
 */
static int members(struct jscan *j, unsigned allowed, struct jscan at[K_COUNT],
		   struct fb_buf *key)
{
	int ok = 1, k;

	memset(at, 0, K_COUNT * sizeof(*at));
	if (!jscan_eat(j, '{')) {
		jscan_skip(j);
		return 0;
	}
	if (jscan_eat(j, '}'))
		return 1;
	do {
		enum fb_code rc = jscan_str(j, key);

		jscan_eat(j, ':');
		for (k = 0; k < K_COUNT; k++)
			if (!strcmp(key_names[k], buf_str(key)))
				break;
		if (rc != FB_OK || k == K_COUNT || !(allowed & KEYS(k)) || at[k].p) {
			ok = 0;
		} else {
			jscan_peek(j);
			at[k] = *j;
		}
		jscan_skip(j);
	} while (jscan_eat(j, ','));
	jscan_eat(j, '}');
	return ok;
}

/* The string at `at` into b: 0 when absent, not a string or too long. */
static int get_str(const struct jscan *at, struct fb_buf *b)
{
	struct jscan c = *at;

	return at->p && jscan_str(&c, b) == FB_OK;
}

/* A whole number in 0..2^53, as JSON numbers hold exactly. */
static int get_uint(const struct jscan *at, uint64_t *out)
{
	struct jscan c = *at;

	return at->p && jscan_uint(&c, out);
}

/* The items of the array at `at`, or -1 when it is not an array. */
static long items(const struct jscan *at)
{
	struct jscan c = *at;
	long n = 0;

	if (!at->p || !jscan_eat(&c, '['))
		return -1;
	if (jscan_eat(&c, ']'))
		return 0;
	do {
		n++;
		jscan_skip(&c);
	} while (jscan_eat(&c, ','));
	return n;
}

static enum fb_code bad(struct fb_error *err, const char *what, size_t i)
{
	return fb_fail(err, FB_EINVAL, _("change %zu: %s"), i + 1, what);
}

/* One entry, [field, value, base], added to c. */
static enum fb_code decode_entry(struct jscan *j, struct jchange *c, size_t i,
				 struct scratch *sc, struct fb_error *err)
{
	struct fb_buf *dst[3] = { &sc->field, &sc->value, &sc->base };
	enum fb_code got[3] = { FB_EINVAL, FB_EINVAL, FB_EINVAL };
	struct fb_stamp base;
	char full[STAMP_TEXT_MAX];
	const char *bs;
	size_t n = 0;

	if (!jscan_eat(j, '[')) {
		jscan_skip(j);
		return bad(err, _("an entry must be [field, value, base]"), i);
	}
	if (!jscan_eat(j, ']')) {
		do {
			if (n < 3)
				got[n] = jscan_str(j, dst[n]);
			else
				jscan_skip(j);
			n++;
		} while (jscan_eat(j, ','));
		jscan_eat(j, ']');
	}
	if (n != 3 || got[0] == FB_EINVAL || got[1] == FB_EINVAL || got[2] == FB_EINVAL)
		return bad(err, _("an entry must be [field, value, base]"), i);
	if (got[0] == FB_ETOOBIG || got[1] == FB_ETOOBIG)
		return fb_fail(err, FB_ETOOBIG, _("change %zu: a value is over %d bytes"),
			       i + 1, FB_VALUE_MAX);
	bs = buf_str(&sc->base);
	if (got[2] != FB_OK)
		return bad(err, _("an entry's base is not a stamp"), i);
	if (strlen(bs) == FB_HLC_HEX_LEN) {
		snprintf(full, sizeof(full), "%s:%s", bs, c->device);
		if (stamp_parse(full, &base) != FB_OK)
			return bad(err, _("an entry's base is not a stamp"), i);
	} else if (stamp_parse(bs, &base) != FB_OK) {
		return bad(err, _("an entry's base is not a stamp"), i);
	}
	if (jchange_add(c, buf_str(&sc->field), buf_str(&sc->value), &base) != FB_OK)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	return FB_OK;
}

/* Entries, HLC, id, type and branch of one change (members at). */
static enum fb_code decode_change(const struct jscan at[K_COUNT], struct jchange *c,
				  size_t i, const char *default_branch,
				  struct scratch *sc, struct fb_error *err)
{
	const struct type_def *td;
	const char *b = default_branch;
	struct jscan e;
	enum fb_code rc = FB_OK;
	long n;

	if (!get_str(&at[K_H], &sc->s) || hlc_parse(buf_str(&sc->s), &c->hlc) != FB_OK ||
	    c->hlc == 0)
		return bad(err, _("'h' must be an HLC of 16 hex digits"), i);
	if (!get_str(&at[K_T], &sc->s) || !(td = model_type_named(buf_str(&sc->s))) ||
	    strcmp(td->name, buf_str(&sc->s)))
		return bad(err, _("'t' must be a record type"), i);
	c->type = td->type;
	if (!get_str(&at[K_ID], &sc->s) || !model_valid_id(c->type, buf_str(&sc->s)))
		return bad(err, _("'id' is not a valid record id"), i);
	snprintf(c->record_id, sizeof(c->record_id), "%s", buf_str(&sc->s));
	/* A "b" that is not a string is as good as none: the default. */
	if (get_str(&at[K_B], &sc->s))
		b = buf_str(&sc->s);
	if (!b || !model_valid_unit_code(b))
		return bad(err, _("'b' is not a valid branch code"), i);
	snprintf(c->branch, sizeof(c->branch), "%s", b);
	n = items(&at[K_E]);
	if (n < 1 || n > FB_EDIT_FIELDS_MAX)
		return bad(err, _("'e' must hold 1 to 32 entries"), i);
	e = at[K_E];
	jscan_eat(&e, '[');
	do
		rc = decode_entry(&e, c, i, sc, err);
	while (rc == FB_OK && jscan_eat(&e, ','));
	return rc;
}

/*
 * Room for the n changes of a message (none for 0), and *it at the
 * first of them in the list.
 */
static enum fb_code changes_begin(struct jchange **changes, long n,
				  const struct jscan *list, struct jscan *it,
				  struct fb_error *err)
{
	*changes = n ? calloc((size_t)n, sizeof(**changes)) : NULL;
	if (n && !*changes)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	*it = *list;
	jscan_eat(it, '[');
	return FB_OK;
}

/* changes[i], initialised and counted in *n: released with the rest. */
static struct jchange *next_change(struct jchange *changes, size_t i, size_t *n)
{
	jchange_init(&changes[i]);
	*n = i + 1;
	return &changes[i];
}

enum fb_code wire_push_decode(const char *json, size_t len,
			      struct wire_batch *out, struct fb_error *err)
{
	struct jscan j = { json, json + len }, at[K_COUNT], ch[K_COUNT], it;
	struct fb_buf branch = FB_BUF_INIT(256);
	struct scratch sc;
	uint64_t v = 0, seq = 0;
	enum fb_code rc;
	long n;
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((rc = jscan_check(json, len, WIRE_DEPTH_MAX, err)) != FB_OK)
		return rc;
	scratch_init(&sc);
	if (!members(&j, PUSH_TOP, at, &sc.key) || !get_uint(&at[K_V], &v) ||
	    (v != WIRE_VERSION && v != WIRE_VERSION_OLD) ||
	    (v == WIRE_VERSION_OLD && (at[K_FORKED_FROM].p || at[K_RELAY].p ||
				       at[K_PULL].p))) {
		rc = fb_fail(err, FB_EINVAL, _("not a version %d or %d push message"),
			     WIRE_VERSION_OLD, WIRE_VERSION);
		goto out;
	}
	out->version = (int)v;
	if (at[K_RELAY].p) {
		struct jscan r = at[K_RELAY];

		if (jscan_peek(&r) != 't' || at[K_FORKED_FROM].p) {
			rc = fb_fail(err, FB_EINVAL, _("relay is true or absent, and a"
				       " relayed batch names no forked_from"));
			goto out;
		}
		out->relay = 1;
	}
	if (at[K_PULL].p) {
		struct jscan q = at[K_PULL], ask[K_COUNT];
		uint64_t after = 0, limit = 0;

		if (!members(&q, PULL_ASK, ask, &sc.key) || !get_uint(&ask[K_AFTER], &after) ||
		    !get_uint(&ask[K_LIMIT], &limit) || limit < 1 || limit > WIRE_BATCH_MAX ||
		    !get_str(&ask[K_EPOCH], &sc.s) ||
		    (sc.s.len && (sc.s.len != WIRE_EPOCH_LEN ||
				  strspn(buf_str(&sc.s), "0123456789abcdef") != WIRE_EPOCH_LEN)) ||
		    !(out->pull = calloc(1, sizeof(*out->pull)))) {
			rc = fb_fail(err, FB_EINVAL, "pull is {\"after\": a cursor, \"epoch\":"
				     " \"\" or 16 hex digits, \"limit\": 1 to %d}", WIRE_BATCH_MAX);
			goto out;
		}
		out->pull->after = after;
		out->pull->limit = (size_t)limit;
		memcpy(out->pull->epoch, buf_str(&sc.s), sc.s.len + 1);
	}
	if (at[K_FORKED_FROM].p) {
		if (!get_str(&at[K_FORKED_FROM], &sc.s) ||
		    !journal_valid_device(buf_str(&sc.s))) {
			rc = fb_fail(err, FB_EINVAL, _("forked_from must be a device id"));
			goto out;
		}
		snprintf(out->forked_from, sizeof(out->forked_from), "%s", buf_str(&sc.s));
	}
	if (!get_str(&at[K_DEVICE], &sc.s) || !journal_valid_device(buf_str(&sc.s)) ||
	    !get_uint(&at[K_SEQ], &seq) || seq == 0 || !get_str(&at[K_BRANCH], &branch) ||
	    !get_str(&at[K_LAST_HASH], &sc.base) ||
	    wire_unhex(buf_str(&sc.base), out->last_hash, JOURNAL_HASH_LEN) != FB_OK ||
	    (n = items(&at[K_CHANGES])) < 0) {
		rc = fb_fail(err, FB_EINVAL,
			     _("push needs device, seq >= 1, branch, changes and last_hash"));
		goto out;
	}
	if (n == 0 || n > WIRE_BATCH_MAX) {
		rc = fb_fail(err, n ? FB_ETOOBIG : FB_EINVAL,
			     _("a push holds 1 to %d changes"), WIRE_BATCH_MAX);
		goto out;
	}
	snprintf(out->device, sizeof(out->device), "%s", buf_str(&sc.s));
	out->seq = seq;
	if ((rc = changes_begin(&out->changes, n, &at[K_CHANGES], &it, err)) != FB_OK)
		goto out;
	for (i = 0; i < (size_t)n; i++) {
		struct jchange *c = next_change(out->changes, i, &out->n);

		snprintf(c->device, sizeof(c->device), "%s", out->device);
		c->seq = seq;
		if (!members(&it, PUSH_CHANGE, ch, &sc.key)) {
			rc = bad(err, _("unknown or repeated key"), i);
			break;
		}
		if ((rc = decode_change(ch, c, i, buf_str(&branch), &sc, err)) != FB_OK)
			break;
		seq += c->n;
		jscan_eat(&it, ',');
	}
out:
	if (rc != FB_OK)
		wire_batch_release(out);
	scratch_release(&sc);
	buf_release(&branch);
	return rc;
}

/* Free n decoded changes and empty the owner's fields. */
static void release_changes(struct jchange **changes, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		jchange_release(&(*changes)[i]);
	free(*changes);
	*changes = NULL;
	*n = 0;
}

void wire_batch_release(struct wire_batch *b)
{
	release_changes(&b->changes, &b->n);
	free(b->pull);
	b->pull = NULL;
}

/* --- pull ----------------------------------------------------------- */

struct jchange *wire_page_add(struct wire_page *p)
{
	if (p->n == WIRE_BATCH_MAX)
		return NULL;
	if (p->n == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct jchange *c;
		struct wire_link *l;

		if (cap > WIRE_BATCH_MAX)
			cap = WIRE_BATCH_MAX;
		if (!(c = realloc(p->changes, cap * sizeof(*c))))
			return NULL;
		p->changes = c;
		if (!(l = realloc(p->links, cap * sizeof(*l))))
			return NULL;
		p->links = l;
		p->cap = cap;
	}
	jchange_init(&p->changes[p->n]);
	memset(&p->links[p->n], 0, sizeof(p->links[0]));
	return &p->changes[p->n++];
}

/* b continues a's run: the same device, the very next sequence. */
static int follows(const struct jchange *a, const struct jchange *b)
{
	return !strcmp(a->device, b->device) && b->seq == a->seq + a->n;
}

void wire_page_link(struct wire_page *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		p->links[i].start = i == 0 || !follows(&p->changes[i - 1], &p->changes[i]);
		p->links[i].end = i + 1 == p->n || !follows(&p->changes[i], &p->changes[i + 1]);
	}
}

static enum fb_code put_hash(struct fb_buf *o, const char *key,
			     const unsigned char h[JOURNAL_HASH_LEN])
{
	char hex[2 * JOURNAL_HASH_LEN + 1];

	wire_hex(h, JOURNAL_HASH_LEN, hex);
	return buf_printf(o, ",\"%s\":\"%s\"", key, hex);
}

int wire_v1_strips(const struct jchange *c)
{
	return c->n > 1 && !strcmp(c->e[c->n - 1].field, FIELD_SEEN);
}

/*
 * A version-1 change: every key, a hash on each.  A delete's trailing
 * _seen entry is left out: the release before knows no such field and
 * would refuse the page (docs/PROTOCOL.md §15).  Its hash is then the
 * chain's after the entries sent (from l->prev, the hash before the
 * change), so that the release before verifies what it holds.
 */
static enum fb_code put_change_v1(struct fb_buf *o, const struct jchange *c,
				  const struct wire_link *l, int first)
{
	char hlc[FB_HLC_HEX_LEN + 1], hex[2 * JOURNAL_HASH_LEN + 1];
	size_t n = wire_v1_strips(c) ? c->n - 1 : c->n;
	struct jchange sent = *c;
	enum fb_code rc;

	sent.n = n;
	if (n < c->n && (rc = journal_hash(l->prev, &sent)) != FB_OK)
		return rc;
	hlc_format(c->hlc, hlc);
	wire_hex(sent.hash, JOURNAL_HASH_LEN, hex);
	rc = buf_printf(o, "%s{\"d\":", first ? "" : ",");
	if (rc == FB_OK)
		rc = buf_json_str(o, c->device);
	if (rc == FB_OK)
		rc = buf_printf(o, ",\"s\":%llu,\"h\":\"%s\",\"x\":\"%s\",\"id\":",
				(unsigned long long)c->seq, hlc, hex);
	if (rc == FB_OK)
		rc = buf_json_str(o, c->record_id);
	if (rc == FB_OK)
		rc = buf_printf(o, ",\"t\":\"%s\",\"b\":", model_type(c->type)->name);
	if (rc == FB_OK)
		rc = buf_json_str(o, c->branch);
	if (rc == FB_OK)
		rc = buf_addc(o, ',');
	if (rc == FB_OK)
		rc = put_entries(o, c, n);
	return rc == FB_OK ? buf_addc(o, '}') : rc;
}

/*
 * A version-2 change says only what differs from the change before it
 * on the page: its device and branch when they change, its sequence and
 * the hash before it where a run starts, the hash after it where a run
 * ends.
 */
static enum fb_code put_change_v2(struct fb_buf *o, const struct jchange *c,
				  const struct wire_link *l,
				  const struct jchange *before)
{
	char hlc[FB_HLC_HEX_LEN + 1];
	enum fb_code rc;

	hlc_format(c->hlc, hlc);
	rc = buf_printf(o, "%s{\"h\":\"%s\"", before ? "," : "", hlc);
	if (rc == FB_OK && (!before || strcmp(before->device, c->device))) {
		rc = buf_adds(o, ",\"d\":");
		if (rc == FB_OK)
			rc = buf_json_str(o, c->device);
	}
	if (rc == FB_OK && l->start) {
		rc = buf_printf(o, ",\"s\":%llu", (unsigned long long)c->seq);
		if (rc == FB_OK && c->seq > 1)
			rc = put_hash(o, "p", l->prev);
	}
	if (rc == FB_OK)
		rc = buf_adds(o, ",\"id\":");
	if (rc == FB_OK)
		rc = buf_json_str(o, c->record_id);
	if (rc == FB_OK)
		rc = buf_printf(o, ",\"t\":\"%s\"", model_type(c->type)->name);
	if (rc == FB_OK && (!before || strcmp(before->branch, c->branch))) {
		rc = buf_adds(o, ",\"b\":");
		if (rc == FB_OK)
			rc = buf_json_str(o, c->branch);
	}
	if (rc == FB_OK)
		rc = buf_addc(o, ',');
	if (rc == FB_OK)
		rc = put_entries(o, c, c->n);
	if (rc == FB_OK && l->end)
		rc = put_hash(o, "x", c->hash);
	return rc == FB_OK ? buf_addc(o, '}') : rc;
}

enum fb_code wire_pull_encode(const struct wire_page *p, struct fb_buf *out)
{
	char hlc[FB_HLC_HEX_LEN + 1];
	enum fb_code rc;
	size_t i;

	rc = buf_printf(out, "{\"v\":%d,\"changes\":[", p->version);
	for (i = 0; rc == FB_OK && i < p->n; i++)
		rc = p->version == WIRE_VERSION_OLD
		     ? put_change_v1(out, &p->changes[i], &p->links[i], i == 0)
		     : put_change_v2(out, &p->changes[i], &p->links[i],
				     i ? &p->changes[i - 1] : NULL);
	hlc_format(p->hub_time, hlc);
	if (rc == FB_OK)
		rc = buf_printf(out, "],\"next\":%llu,\"more\":%s,\"hub_time\":\"%s\"",
				(unsigned long long)p->next, p->more ? "true" : "false", hlc);
	if (rc == FB_OK && p->version != WIRE_VERSION_OLD) {
		rc = buf_printf(out, ",\"epoch\":\"%s\",\"held\":%llu", p->epoch,
				(unsigned long long)p->held);
		if (rc == FB_OK && p->held)
			rc = put_hash(out, "held_hash", p->held_hash);
		if (rc == FB_OK && p->cut)
			rc = buf_printf(out, ",\"cut_to\":%llu",
					(unsigned long long)p->cut_to);
	}
	return rc == FB_OK ? buf_addc(out, '}') : rc;
}

/* A hash under key k of the object at, into out: 0 when absent or bad. */
static int get_hash(const struct jscan at[K_COUNT], int k, struct scratch *sc,
		    unsigned char out[JOURNAL_HASH_LEN])
{
	return get_str(&at[k], &sc->base) &&
	       wire_unhex(buf_str(&sc->base), out, JOURNAL_HASH_LEN) == FB_OK;
}

/* An epoch: WIRE_EPOCH_LEN lower-case hex digits. */
static int valid_epoch(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (hexval(s[i]) < 0)
			return 0;
	return i == WIRE_EPOCH_LEN;
}

static enum fb_code decode_pulled_v1(const struct jscan ch[K_COUNT], struct jchange *c,
				     struct wire_link *l, size_t i,
				     struct scratch *sc, struct fb_error *err)
{
	if (!get_str(&ch[K_D], &sc->s) || !journal_valid_device(buf_str(&sc->s)) ||
	    !get_uint(&ch[K_S], &c->seq) || c->seq == 0 ||
	    !get_hash(ch, K_X, sc, c->hash))
		return bad(err, _("malformed change from hub"), i);
	snprintf(c->device, sizeof(c->device), "%s", buf_str(&sc->s));
	l->start = l->end = 1;
	return decode_change(ch, c, i, NULL, sc, err);
}

/* A version-2 change; what it leaves out comes from the one before. */
static enum fb_code decode_pulled_v2(const struct jscan ch[K_COUNT], struct jchange *c,
				     struct wire_link *l, const struct jchange *before,
				     const struct wire_link *lb, size_t i,
				     struct scratch *sc, struct fb_error *err)
{
	if (ch[K_D].p) {
		if (!get_str(&ch[K_D], &sc->s) || !journal_valid_device(buf_str(&sc->s)))
			return bad(err, _("'d' must be a device id"), i);
		snprintf(c->device, sizeof(c->device), "%s", buf_str(&sc->s));
	} else if (before) {
		memcpy(c->device, before->device, sizeof(c->device));
	} else {
		return bad(err, _("the first change must name its device"), i);
	}
	if (ch[K_S].p) {
		if (!get_uint(&ch[K_S], &c->seq) || c->seq == 0)
			return bad(err, _("'s' must be a sequence"), i);
		l->start = 1;
	} else if (before && !ch[K_D].p) {
		c->seq = before->seq + before->n;
	} else {
		return bad(err, _("a change that starts a run needs 's'"), i);
	}
	/* A run ends with x exactly where the next one starts. */
	if (lb && lb->end != l->start)
		return bad(err, _("'x' must end each run, and only a run"), i);
	if (l->start && c->seq > 1 ? !get_hash(ch, K_P, sc, l->prev) : !!ch[K_P].p)
		return bad(err, _("'p' must be the hash before a run, and only there"), i);
	if (ch[K_X].p) {
		if (!get_hash(ch, K_X, sc, c->hash))
			return bad(err, _("'x' must be a hash"), i);
		l->end = 1;
	}
	return decode_change(ch, c, i, before ? before->branch : NULL, sc, err);
}

enum fb_code wire_pull_decode(const char *json, size_t len,
			      struct wire_page *out, struct fb_error *err)
{
	struct jscan j = { json, json + len }, at[K_COUNT], ch[K_COUNT], it, m;
	struct scratch sc;
	uint64_t v = 0;
	enum fb_code rc;
	char more;
	long n;
	size_t i;

	memset(out, 0, sizeof(*out));
	if ((rc = jscan_check(json, len, WIRE_DEPTH_MAX, err)) != FB_OK)
		return rc;
	scratch_init(&sc);
	if (!members(&j, PULL_TOP_2, at, &sc.key) || !get_uint(&at[K_V], &v) ||
	    (v != WIRE_VERSION && v != WIRE_VERSION_OLD) ||
	    (n = items(&at[K_CHANGES])) < 0 ||
	    !get_uint(&at[K_NEXT], &out->next) || !at[K_MORE].p ||
	    !get_str(&at[K_HUB_TIME], &sc.s) ||
	    hlc_parse(buf_str(&sc.s), &out->hub_time) != FB_OK) {
		rc = fb_fail(err, FB_EINVAL, _("hub sent a malformed pull answer"));
		goto out;
	}
	out->version = (int)v;
	out->cut = at[K_CUT_TO].p != NULL;
	if (v == WIRE_VERSION_OLD
	    ? at[K_EPOCH].p || at[K_HELD].p || at[K_HELD_HASH].p || out->cut
	    : (out->cut && !get_uint(&at[K_CUT_TO], &out->cut_to)) ||
	      !get_str(&at[K_EPOCH], &sc.s) ||
	      !(valid_epoch(buf_str(&sc.s)) || (!*buf_str(&sc.s) && out->next == 0)) ||
	      !get_uint(&at[K_HELD], &out->held) ||
	      (out->held ? !get_hash(at, K_HELD_HASH, &sc, out->held_hash)
			 : !!at[K_HELD_HASH].p)) {
		rc = fb_fail(err, FB_EINVAL, _("hub sent a malformed pull answer"));
		goto out;
	}
	if (v != WIRE_VERSION_OLD)
		snprintf(out->epoch, sizeof(out->epoch), "%s", buf_str(&sc.s));
	m = at[K_MORE];
	more = jscan_peek(&m);
	if (more != 't' && more != 'f') {
		rc = fb_fail(err, FB_EINVAL, _("hub sent a malformed pull answer"));
		goto out;
	}
	out->more = more == 't';
	if (n > WIRE_BATCH_MAX) {
		rc = fb_fail(err, FB_ETOOBIG, _("hub sent more than %d changes"), WIRE_BATCH_MAX);
		goto out;
	}
	it = at[K_CHANGES];
	jscan_eat(&it, '[');
	for (i = 0; i < (size_t)n; i++) {
		struct jchange *c = wire_page_add(out);

		if (!c) {
			rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
			break;
		}
		if (!members(&it, v == WIRE_VERSION_OLD ? PULL_CHANGE : PULL_CHANGE_2, ch,
			     &sc.key)) {
			rc = bad(err, _("malformed change from hub"), i);
			break;
		}
		rc = v == WIRE_VERSION_OLD
		     ? decode_pulled_v1(ch, c, &out->links[i], i, &sc, err)
		     : decode_pulled_v2(ch, c, &out->links[i],
					i ? &out->changes[i - 1] : NULL,
					i ? &out->links[i - 1] : NULL, i, &sc, err);
		if (rc != FB_OK)
			break;
		jscan_eat(&it, ',');
	}
	if (rc == FB_OK && out->n && !out->links[out->n - 1].end)
		rc = bad(err, _("the page's last run has no 'x'"), out->n - 1);
out:
	if (rc != FB_OK)
		wire_page_release(out);
	scratch_release(&sc);
	return rc;
}

enum fb_code wire_page_verify(struct wire_page *p, wire_held_fn held, void *ctx,
			      struct fb_error *err)
{
	/* Each device's next sequence on this page, to keep runs in order. */
	struct { const char *device; uint64_t next; } *seen = NULL;
	unsigned char h[JOURNAL_HASH_LEN], have[JOURNAL_HASH_LEN],
		      sent[JOURNAL_HASH_LEN];
	size_t i, k, nseen = 0, first = 0;
	enum fb_code rc = FB_OK;

	if (p->version == WIRE_VERSION_OLD)
		return fb_fail(err, FB_EINVAL, _("a version 1 page carries no chain to check"));
	if (p->n && !(seen = calloc(p->n, sizeof(*seen))))
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	for (i = 0; rc == FB_OK && i < p->n; i++) {
		struct jchange *c = &p->changes[i];
		const struct wire_link *l = &p->links[i];

		if (l->start) {
			first = i;
			for (k = 0; k < nseen && strcmp(seen[k].device, c->device); k++)
				;
			if (k < nseen && c->seq < seen[k].next) {
				rc = fb_fail(err, FB_ECORRUPT, _("device %s entry %llu comes after"
					       " entry %llu on the page: out of order"), c->device,
					     (unsigned long long)c->seq,
					     (unsigned long long)seen[k].next - 1);
				break;
			}
			if (k == nseen)
				seen[nseen++].device = c->device;
			if (c->seq == 1)
				memset(h, 0, sizeof(h));
			else
				memcpy(h, l->prev, sizeof(h));
			if (c->seq > 1 && held(ctx, c->device, c->seq - 1, have) &&
			    memcmp(have, h, sizeof(h))) {
				rc = fb_fail(err, FB_ECORRUPT, _("device %s entry %llu does not"
					       " follow the entry %llu held here"), c->device,
					     (unsigned long long)c->seq,
					     (unsigned long long)c->seq - 1);
				break;
			}
		}
		for (k = 0; k < nseen && strcmp(seen[k].device, c->device); k++)
			;
		seen[k].next = c->seq + c->n;
		if (l->end)
			memcpy(sent, c->hash, sizeof(sent));
		if ((rc = journal_hash(h, c)) != FB_OK) {
			fb_fail(err, rc, _("hashing a pulled entry"));
			break;
		}
		memcpy(h, c->hash, sizeof(h));
		if (l->end && memcmp(sent, h, sizeof(h)))
			rc = fb_fail(err, FB_ECORRUPT, _("device %s entries %llu to %llu do not"
				       " match their hash chain (altered, dropped or reordered)"),
				     c->device, (unsigned long long)p->changes[first].seq,
				     (unsigned long long)(c->seq + c->n - 1));
	}
	free(seen);
	return rc;
}

void wire_page_release(struct wire_page *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		jchange_release(&p->changes[i]);
	free(p->changes);
	free(p->links);
	p->changes = NULL;
	p->links = NULL;
	p->n = p->cap = 0;
}

enum fb_code wire_error(struct fb_buf *out, const char *code, const char *msg,
			fb_hlc hub_time)
{
	char hlc[FB_HLC_HEX_LEN + 1];
	enum fb_code rc;

	hlc_format(hub_time, hlc);
	rc = buf_adds(out, "{\"error\":");
	if (rc == FB_OK)
		rc = buf_json_str(out, code);
	if (rc == FB_OK)
		rc = buf_adds(out, ",\"message\":");
	if (rc == FB_OK)
		rc = buf_json_str(out, msg);
	if (rc == FB_OK)
		rc = buf_printf(out, ",\"hub_time\":\"%s\"}", hlc);
	return rc;
}

/* --- heads: how much of each device's chain the hub holds ------------ */

enum fb_code wire_heads_alloc(struct wire_heads *h, size_t n)
{
	memset(h, 0, sizeof(*h));
	h->device = calloc(n ? n : 1, sizeof(*h->device));
	h->seq = calloc(n ? n : 1, sizeof(*h->seq));
	if (!h->device || !h->seq) {
		wire_heads_release(h);
		return FB_ENOMEM;
	}
	h->n = n;
	return FB_OK;
}

enum fb_code wire_heads_note(const char *device, uint64_t seq, void *heads)
{
	struct wire_heads *h = heads;

	if (h->n == WIRE_HEADS_MAX)
		return FB_ETOOBIG;
	snprintf(h->device[h->n], sizeof(h->device[0]), "%s", device);
	h->seq[h->n++] = seq;
	return FB_OK;
}

void wire_heads_release(struct wire_heads *h)
{
	free(h->device);
	free(h->seq);
	memset(h, 0, sizeof(*h));
}

enum fb_code wire_heads_request_encode(const struct wire_heads *h, struct fb_buf *out)
{
	enum fb_code rc = buf_printf(out, "{\"v\":%d,\"devices\":[", WIRE_VERSION);
	size_t i;

	for (i = 0; rc == FB_OK && i < h->n; i++) {
		if (i)
			rc = buf_addc(out, ',');
		if (rc == FB_OK)
			rc = buf_json_str(out, h->device[i]);
	}
	if (rc == FB_OK)
		rc = buf_adds(out, "]}");
	return rc;
}

/* 1 when the first i devices of h hold h->device[i] already. */
static int named_before(const struct wire_heads *h, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (!strcmp(h->device[k], h->device[i]))
			return 1;
	return 0;
}

enum fb_code wire_heads_request_decode(const char *json, size_t len,
				       struct wire_heads *h, struct fb_error *err)
{
	struct jscan j = { json, json + len }, at[K_COUNT], it;
	struct fb_buf key = FB_BUF_INIT(64), s = FB_BUF_INIT(256);
	enum fb_code rc;
	uint64_t v = 0;
	long n;
	size_t i;

	memset(h, 0, sizeof(*h));
	if ((rc = jscan_check(json, len, WIRE_DEPTH_MAX, err)) != FB_OK)
		return rc;
	if (!members(&j, HEADS_ASK, at, &key) || !get_uint(&at[K_V], &v) ||
	    v != WIRE_VERSION || (n = items(&at[K_DEVICES])) < 1) {
		rc = fb_fail(err, FB_EINVAL, _("a heads request is {\"v\":%d,\"devices\":"
			       "[device ids]}"), WIRE_VERSION);
		goto out;
	}
	if (n > WIRE_HEADS_MAX) {
		rc = fb_fail(err, FB_ETOOBIG, _("a heads request names 1 to %d devices"),
			     WIRE_HEADS_MAX);
		goto out;
	}
	if ((rc = wire_heads_alloc(h, (size_t)n)) != FB_OK) {
		fb_fail(err, rc, _("out of memory"));
		goto out;
	}
	it = at[K_DEVICES];
	jscan_eat(&it, '[');
	for (i = 0; i < (size_t)n; i++) {
		if (jscan_str(&it, &s) != FB_OK || !journal_valid_device(buf_str(&s))) {
			rc = fb_fail(err, FB_EINVAL, _("devices[%zu] is not a device id"), i);
			break;
		}
		snprintf(h->device[i], sizeof(h->device[i]), "%s", buf_str(&s));
		if (named_before(h, i)) {
			rc = fb_fail(err, FB_EINVAL, _("device %s is named twice"), h->device[i]);
			break;
		}
		jscan_eat(&it, ',');
	}
	if (rc != FB_OK)
		wire_heads_release(h);
out:
	buf_release(&key);
	buf_release(&s);
	return rc;
}

enum fb_code wire_heads_answer_encode(const struct wire_heads *h, fb_hlc hub_time,
				      struct fb_buf *out)
{
	char hlc[FB_HLC_HEX_LEN + 1];
	enum fb_code rc = buf_printf(out, "{\"v\":%d,\"heads\":[", WIRE_VERSION);
	size_t i;

	for (i = 0; rc == FB_OK && i < h->n; i++)
		rc = buf_printf(out, "%s%llu", i ? "," : "", (unsigned long long)h->seq[i]);
	hlc_format(hub_time, hlc);
	if (rc == FB_OK)
		rc = buf_printf(out, "],\"hub_time\":\"%s\"}", hlc);
	return rc;
}

enum fb_code wire_heads_answer_decode(const char *json, size_t len,
				      struct wire_heads *h, fb_hlc *hub_time,
				      struct fb_error *err)
{
	struct jscan j = { json, json + len }, at[K_COUNT], it;
	struct fb_buf key = FB_BUF_INIT(64), s = FB_BUF_INIT(64);
	enum fb_code rc;
	uint64_t v = 0;
	size_t i;

	if ((rc = jscan_check(json, len, WIRE_DEPTH_MAX, err)) != FB_OK)
		return rc;
	if (!members(&j, HEADS_ANSWER, at, &key) || !get_uint(&at[K_V], &v) ||
	    v != WIRE_VERSION || items(&at[K_HEADS]) != (long)h->n ||
	    !get_str(&at[K_HUB_TIME], &s) || hlc_parse(buf_str(&s), hub_time) != FB_OK) {
		rc = fb_fail(err, FB_EINVAL, _("hub sent a malformed heads answer"));
		goto out;
	}
	it = at[K_HEADS];
	jscan_eat(&it, '[');
	for (i = 0; i < h->n; i++) {
		if (!jscan_uint(&it, &h->seq[i])) {
			rc = fb_fail(err, FB_EINVAL, _("hub sent a malformed heads answer"));
			break;
		}
		jscan_eat(&it, ',');
	}
out:
	buf_release(&key);
	buf_release(&s);
	return rc;
}
