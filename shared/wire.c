/* wire.c - encode and defensively decode the sync protocol's JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "wire.h"

int wire_depth_ok(const char *s, size_t len, int max)
{
	int depth = 0, in_str = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == '[' || ch == '{') {
			if (++depth > max)
				return 0;
		} else if (ch == ']' || ch == '}') {
			depth--;
		}
	}
	return 1;
}

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

static enum fb_code put_entries(struct fb_buf *o, const struct jchange *c)
{
	enum fb_code rc = buf_adds(o, "\"e\":[");
	size_t i;

	for (i = 0; rc == FB_OK && i < c->n; i++) {
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

enum fb_code wire_push_encode(const struct jchange *c, size_t n,
			      struct fb_buf *out)
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
			rc = put_entries(out, &c[i]);
		if (rc == FB_OK)
			rc = buf_addc(out, '}');
	}
	wire_hex(c[n - 1].hash, JOURNAL_HASH_LEN, hex);
	if (rc == FB_OK)
		rc = buf_printf(out, "],\"last_hash\":\"%s\"}", hex);
	return rc;
}

/* --- decoding ------------------------------------------------------- */

/*
 * Only the named keys, each at most once (cJSON would keep both of a
 * repeated key).  Linear: a bit per allowed key, so an object of many
 * keys is refused after as many steps as the list is long.
 */
static int keys_among(const cJSON *o, const char *const *allowed)
{
	const cJSON *it;
	unsigned seen = 0;
	size_t k;

	if (!cJSON_IsObject(o))
		return 0;
	cJSON_ArrayForEach(it, o) {
		for (k = 0; allowed[k]; k++)
			if (!strcmp(allowed[k], it->string))
				break;
		if (!allowed[k] || (seen & (1u << k)))
			return 0;      /* unknown or repeated key */
		seen |= 1u << k;
	}
	return 1;
}

static const char *get_str(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* A whole number in 0..2^53, as JSON numbers hold exactly. */
static int get_uint(const cJSON *o, const char *key, uint64_t *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);
	double d;

	if (!cJSON_IsNumber(it))
		return 0;
	d = it->valuedouble;
	if (!(d >= 0 && d <= 9007199254740992.0) || d != (double)(uint64_t)d)
		return 0;
	*out = (uint64_t)d;
	return 1;
}

static enum fb_code bad(struct fb_error *err, const char *what, size_t i)
{
	return fb_fail(err, FB_EINVAL, "change %zu: %s", i + 1, what);
}

/* Entries, HLC, id, type and branch of one change object. */
static enum fb_code decode_change(const cJSON *o, struct jchange *c, size_t i,
				  const char *default_branch,
				  struct fb_error *err)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "e"), *it;
	const char *h = get_str(o, "h"), *id = get_str(o, "id"),
		   *t = get_str(o, "t"), *b = get_str(o, "b");
	const struct type_def *td;

	if (!h || hlc_parse(h, &c->hlc) != FB_OK || c->hlc == 0)
		return bad(err, "'h' must be an HLC of 16 hex digits", i);
	if (!t || !(td = model_type_named(t)) || strcmp(td->name, t))
		return bad(err, "'t' must be a record type", i);
	c->type = td->type;
	if (!id || !model_valid_id(c->type, id))
		return bad(err, "'id' is not a valid record id", i);
	snprintf(c->record_id, sizeof(c->record_id), "%s", id);
	if (!b)
		b = default_branch;
	if (!b || !model_valid_unit_code(b))
		return bad(err, "'b' is not a valid branch code", i);
	snprintf(c->branch, sizeof(c->branch), "%s", b);
	if (!cJSON_IsArray(e) || cJSON_GetArraySize(e) < 1 ||
	    cJSON_GetArraySize(e) > FB_EDIT_FIELDS_MAX)
		return bad(err, "'e' must hold 1 to 32 entries", i);
	cJSON_ArrayForEach(it, e) {
		const cJSON *f = cJSON_GetArrayItem(it, 0), *v = cJSON_GetArrayItem(it, 1),
			    *bs = cJSON_GetArrayItem(it, 2);
		struct fb_stamp base;
		char full[STAMP_TEXT_MAX];

		if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 3 ||
		    !cJSON_IsString(f) || !cJSON_IsString(v) || !cJSON_IsString(bs))
			return bad(err, "an entry must be [field, value, base]", i);
		if (strlen(v->valuestring) > FB_VALUE_MAX ||
		    strlen(f->valuestring) > 64)
			return fb_fail(err, FB_ETOOBIG, "change %zu: a value is over %d bytes",
				       i + 1, FB_VALUE_MAX);
		if (strlen(bs->valuestring) == FB_HLC_HEX_LEN) {
			snprintf(full, sizeof(full), "%s:%s", bs->valuestring, c->device);
			if (stamp_parse(full, &base) != FB_OK)
				return bad(err, "an entry's base is not a stamp", i);
		} else if (stamp_parse(bs->valuestring, &base) != FB_OK) {
			return bad(err, "an entry's base is not a stamp", i);
		}
		if (jchange_add(c, f->valuestring, v->valuestring, &base) != FB_OK)
			return fb_fail(err, FB_ENOMEM, "out of memory");
	}
	return FB_OK;
}

static cJSON *parse(const char *json, size_t len, struct fb_error *err)
{
	const char *end = NULL;
	cJSON *doc;

	/* cJSON would end a string at an escaped NUL, silently. */
	if (memmem(json, len, "\\u0000", 6)) {
		fb_fail(err, FB_EINVAL, "a string holds \\u0000");
		return NULL;
	}
	if (!wire_depth_ok(json, len, WIRE_DEPTH_MAX)) {
		fb_fail(err, FB_EINVAL, "JSON nests deeper than %d", WIRE_DEPTH_MAX);
		return NULL;
	}
	doc = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (doc && end) {
		/* Nothing but white space may follow the document. */
		while (end < json + len && strchr(" \t\r\n", *end) && *end)
			end++;
		if (end != json + len) {
			cJSON_Delete(doc);
			doc = NULL;
		}
	}
	if (!doc)
		fb_fail(err, FB_EINVAL, "body is not valid JSON");
	return doc;
}

enum fb_code wire_push_decode(const char *json, size_t len,
			      struct wire_batch *out, struct fb_error *err)
{
	static const char *const top[] = { "v", "device", "seq", "branch",
					   "changes", "last_hash", NULL };
	static const char *const chg[] = { "h", "id", "t", "b", "e", NULL };
	const cJSON *changes, *it;
	const char *device, *branch, *last;
	uint64_t v = 0, seq = 0;
	enum fb_code rc = FB_OK;
	cJSON *doc;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	if (!(doc = parse(json, len, err)))
		return FB_EINVAL;
	changes = cJSON_GetObjectItemCaseSensitive(doc, "changes");
	device = get_str(doc, "device");
	branch = get_str(doc, "branch");
	last = get_str(doc, "last_hash");
	if (!keys_among(doc, top) || !get_uint(doc, "v", &v) || v != WIRE_VERSION) {
		rc = fb_fail(err, FB_EINVAL, "not a version %d push message", WIRE_VERSION);
		goto out;
	}
	if (!device || !journal_valid_device(device) ||
	    !get_uint(doc, "seq", &seq) || seq == 0 || !branch || !last ||
	    wire_unhex(last, out->last_hash, JOURNAL_HASH_LEN) != FB_OK ||
	    !cJSON_IsArray(changes)) {
		rc = fb_fail(err, FB_EINVAL,
			     "push needs device, seq >= 1, branch, changes and last_hash");
		goto out;
	}
	out->n = (size_t)cJSON_GetArraySize(changes);
	if (out->n == 0 || out->n > WIRE_BATCH_MAX) {
		rc = fb_fail(err, out->n ? FB_ETOOBIG : FB_EINVAL,
			     "a push holds 1 to %d changes", WIRE_BATCH_MAX);
		out->n = 0;
		goto out;
	}
	snprintf(out->device, sizeof(out->device), "%s", device);
	out->seq = seq;
	out->changes = calloc(out->n, sizeof(*out->changes));
	if (!out->changes) {
		out->n = 0;
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(it, changes) {
		struct jchange *c = &out->changes[i];

		jchange_init(c);
		snprintf(c->device, sizeof(c->device), "%s", device);
		c->seq = seq;
		if (!keys_among(it, chg)) {
			rc = bad(err, "unknown or repeated key", i);
			break;
		}
		if ((rc = decode_change(it, c, i, branch, err)) != FB_OK)
			break;
		seq += c->n;
		i++;
	}
out:
	if (rc != FB_OK)
		wire_batch_release(out);
	cJSON_Delete(doc);
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
}

/* --- pull ----------------------------------------------------------- */

enum fb_code wire_pull_begin(struct fb_buf *out)
{
	return buf_printf(out, "{\"v\":%d,\"changes\":[", WIRE_VERSION);
}

enum fb_code wire_pull_add(struct fb_buf *out, const struct jchange *c,
			   int first)
{
	char hlc[FB_HLC_HEX_LEN + 1], hex[2 * JOURNAL_HASH_LEN + 1];
	enum fb_code rc;

	hlc_format(c->hlc, hlc);
	wire_hex(c->hash, JOURNAL_HASH_LEN, hex);
	rc = buf_printf(out, "%s{\"d\":", first ? "" : ",");
	if (rc == FB_OK)
		rc = buf_json_str(out, c->device);
	if (rc == FB_OK)
		rc = buf_printf(out, ",\"s\":%llu,\"h\":\"%s\",\"x\":\"%s\",\"id\":",
				(unsigned long long)c->seq, hlc, hex);
	if (rc == FB_OK)
		rc = buf_json_str(out, c->record_id);
	if (rc == FB_OK)
		rc = buf_printf(out, ",\"t\":\"%s\",\"b\":", model_type(c->type)->name);
	if (rc == FB_OK)
		rc = buf_json_str(out, c->branch);
	if (rc == FB_OK)
		rc = buf_addc(out, ',');
	if (rc == FB_OK)
		rc = put_entries(out, c);
	return rc == FB_OK ? buf_addc(out, '}') : rc;
}

enum fb_code wire_pull_end(struct fb_buf *out, uint64_t next, int more,
			   fb_hlc hub_time)
{
	char hlc[FB_HLC_HEX_LEN + 1];

	hlc_format(hub_time, hlc);
	return buf_printf(out, "],\"next\":%llu,\"more\":%s,\"hub_time\":\"%s\"}",
			  (unsigned long long)next, more ? "true" : "false", hlc);
}

enum fb_code wire_pull_decode(const char *json, size_t len,
			      struct wire_page *out, struct fb_error *err)
{
	static const char *const top[] = { "v", "changes", "next", "more",
					   "hub_time", NULL };
	static const char *const chg[] = { "d", "s", "h", "x", "id", "t", "b",
					   "e", NULL };
	const cJSON *changes, *it, *more;
	const char *ht;
	uint64_t v = 0;
	enum fb_code rc = FB_OK;
	cJSON *doc;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	if (!(doc = parse(json, len, err)))
		return FB_EINVAL;
	changes = cJSON_GetObjectItemCaseSensitive(doc, "changes");
	more = cJSON_GetObjectItemCaseSensitive(doc, "more");
	ht = get_str(doc, "hub_time");
	if (!keys_among(doc, top) || !get_uint(doc, "v", &v) || v != WIRE_VERSION ||
	    !cJSON_IsArray(changes) || !get_uint(doc, "next", &out->next) ||
	    !cJSON_IsBool(more) || !ht || hlc_parse(ht, &out->hub_time) != FB_OK) {
		rc = fb_fail(err, FB_EINVAL, "hub sent a malformed pull answer");
		goto out;
	}
	out->more = cJSON_IsTrue(more);
	out->n = (size_t)cJSON_GetArraySize(changes);
	if (out->n > WIRE_BATCH_MAX) {
		out->n = 0;
		rc = fb_fail(err, FB_ETOOBIG, "hub sent more than %d changes", WIRE_BATCH_MAX);
		goto out;
	}
	out->changes = out->n ? calloc(out->n, sizeof(*out->changes)) : NULL;
	if (out->n && !out->changes) {
		out->n = 0;
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(it, changes) {
		struct jchange *c = &out->changes[i];
		const char *d = get_str(it, "d"), *x = get_str(it, "x");

		jchange_init(c);
		if (!keys_among(it, chg) || !d || !journal_valid_device(d) ||
		    !get_uint(it, "s", &c->seq) || c->seq == 0 || !x ||
		    wire_unhex(x, c->hash, JOURNAL_HASH_LEN) != FB_OK) {
			rc = bad(err, "malformed change from hub", i);
			break;
		}
		snprintf(c->device, sizeof(c->device), "%s", d);
		if ((rc = decode_change(it, c, i, NULL, err)) != FB_OK)
			break;
		i++;
	}
out:
	if (rc != FB_OK)
		wire_page_release(out);
	cJSON_Delete(doc);
	return rc;
}

void wire_page_release(struct wire_page *p)
{
	release_changes(&p->changes, &p->n);
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
