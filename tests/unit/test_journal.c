/*
 * test_journal.c - journal changes (journal.h): stamp text, the hash
 * chain and the body JSON.
 *
 * The hash is recomputed here from the encoding journal.h describes
 * (SHA-256 over the previous hash, "fbj1", then length-prefixed,
 * big-endian fields), so a change of the encoding, which would break
 * every stored chain and every peer, fails this test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "journal.h"
#include "tap.h"

#define DEV    "feedfacefeedface"
#define REC_ID "0f8fad5b-d9cb-469f-a165-70867728950e"

static const unsigned char zero[JOURNAL_HASH_LEN];

/* --- stamps ---------------------------------------------------------- */

static void test_stamps(void)
{
	struct fb_stamp s, back;
	char text[STAMP_TEXT_MAX];
	char longdev[FB_DEVICE_ID_MAX + 2];

	memset(&s, 0, sizeof(s));
	s.hlc = HLC_MAKE(1700000000123ULL, 7);
	strcpy(s.device, DEV);
	stamp_format(&s, text);
	is_str(text, "018bcfe5687b0007:feedfacefeedface",
	       "stamp_format is <16 hex>:<device>");
	ok(stamp_parse(text, &back) == FB_OK && stamp_eq(&back, &s),
	   "stamp_parse gives the stamp back");

	memset(&s, 0, sizeof(s));
	stamp_format(&s, text);
	is_str(text, "", "the zero stamp is the empty string");
	memset(&back, 0xAA, sizeof(back));
	ok(stamp_parse("", &back) == FB_OK && back.hlc == 0 && back.device[0] == '\0',
	   "\"\" parses to the zero stamp");

	is_int(stamp_parse("018bcfe5687b0007", &back), FB_EINVAL, "no device refused");
	is_int(stamp_parse("018bcfe5687b0007:", &back), FB_EINVAL, "empty device refused");
	is_int(stamp_parse("018bcfe5687b0007;dev", &back), FB_EINVAL, "';' refused");
	is_int(stamp_parse("8bcfe5687b0007:dev", &back), FB_EINVAL, "short HLC refused");
	is_int(stamp_parse("018bcfe5687b00077:dev", &back), FB_EINVAL, "long HLC refused");
	is_int(stamp_parse("018bcfe5687g0007:dev", &back), FB_EINVAL, "non-hex refused");
	is_int(stamp_parse("0000000000000000:dev", &back), FB_EINVAL, "HLC zero refused");
	is_int(stamp_parse("8000000000000000:dev", &back), FB_EINVAL, "HLC past HLC_MS_MAX refused");
	is_int(stamp_parse("018bcfe5687b0007:FEED", &back), FB_EINVAL,
	       "upper-case device refused");
	is_int(stamp_parse("018bcfe5687b0007:de v", &back), FB_EINVAL,
	       "space in device refused");
	is_int(stamp_parse("018bcfe5687b0007:dev:x", &back), FB_EINVAL,
	       "':' in device refused");
	memset(longdev, 'a', sizeof(longdev) - 1);
	longdev[sizeof(longdev) - 1] = '\0';
	snprintf(text, sizeof(text), "018bcfe5687b0007:%.*s", FB_DEVICE_ID_MAX, longdev);
	ok(stamp_parse(text, &back) == FB_OK && strlen(back.device) == FB_DEVICE_ID_MAX,
	   "a device of FB_DEVICE_ID_MAX characters is accepted");
	{
		char too_long[STAMP_TEXT_MAX + 8];

		snprintf(too_long, sizeof(too_long), "018bcfe5687b0007:%s", longdev);
		is_int(stamp_parse(too_long, &back), FB_EINVAL,
		       "a device of FB_DEVICE_ID_MAX + 1 characters is refused");
	}

	ok(journal_valid_device(DEV), "a 16-hex device id is valid");
	ok(journal_valid_device("hub-ha-noi-01"), "lower case, digits and '-' are valid");
	ok(!journal_valid_device(""), "empty device invalid");
	ok(!journal_valid_device("Dev"), "upper case invalid");
	ok(!journal_valid_device("a_b"), "'_' invalid");
	ok(!journal_valid_device(longdev), "FB_DEVICE_ID_MAX + 1 invalid");
}

/* --- changes and their hash ----------------------------------------- */

struct variant {
	const char *device, *record_id, *branch;
	enum rec_type type;
	uint64_t seq;
	fb_hlc hlc;
	const char *field, *value, *field2, *value2;
	fb_hlc base_hlc;
	const char *base_device;
};

static const struct variant base_variant = {
	DEV, REC_ID, "HN.PL.TT.03", REC_MEMBER, 5, HLC_MAKE(1700000000000ULL, 1),
	"full_name", "Nguyễn Thị Hoa", "role", "branch_head",
	HLC_MAKE(1690000000000ULL, 0), "0123456789abcdef"
};

static void build(struct jchange *c, const struct variant *v)
{
	struct fb_stamp base;

	jchange_init(c);
	snprintf(c->device, sizeof(c->device), "%s", v->device);
	snprintf(c->record_id, sizeof(c->record_id), "%s", v->record_id);
	snprintf(c->branch, sizeof(c->branch), "%s", v->branch);
	c->type = v->type;
	c->seq = v->seq;
	c->hlc = v->hlc;
	memset(&base, 0, sizeof(base));
	base.hlc = v->base_hlc;
	snprintf(base.device, sizeof(base.device), "%s", v->base_device);
	if (jchange_add(c, v->field, v->value, &base) != FB_OK ||
	    jchange_add(c, v->field2, v->value2, NULL) != FB_OK)
		abort();
}

static void hash_of(const struct variant *v, const unsigned char *prev,
		    unsigned char out[JOURNAL_HASH_LEN])
{
	struct jchange c;

	build(&c, v);
	if (journal_hash(prev, &c) != FB_OK)
		memset(c.hash, 0xEE, sizeof(c.hash));
	memcpy(out, c.hash, JOURNAL_HASH_LEN);
	jchange_release(&c);
}

/* The documented encoding, written out independently. */
static void put_u64(EVP_MD_CTX *md, uint64_t v)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (56 - 8 * i));
	EVP_DigestUpdate(md, b, 8);
}

static void put_str(EVP_MD_CTX *md, const char *s)
{
	put_u64(md, strlen(s));
	EVP_DigestUpdate(md, s, strlen(s));
}

static void reference_entry_hash(unsigned char h[JOURNAL_HASH_LEN],
				 const char *device, uint64_t seq, fb_hlc hlc,
				 const char *record_id, const char *type,
				 const char *branch, const char *field,
				 const char *value, fb_hlc base_hlc,
				 const char *base_device)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len = 0;

	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, h, JOURNAL_HASH_LEN);
	EVP_DigestUpdate(md, "fbj1", 4);
	put_str(md, device);
	put_u64(md, seq);
	put_u64(md, hlc);
	put_str(md, record_id);
	put_str(md, type);
	put_str(md, branch);
	put_str(md, field);
	put_str(md, value);
	put_u64(md, base_hlc);
	put_str(md, base_device);
	EVP_DigestFinal_ex(md, h, &len);
	EVP_MD_CTX_free(md);
}

static void test_hash_reference(void)
{
	const struct variant *v = &base_variant;
	unsigned char want[JOURNAL_HASH_LEN], got[JOURNAL_HASH_LEN];

	memset(want, 0, sizeof(want));
	reference_entry_hash(want, v->device, v->seq, v->hlc, v->record_id, "member",
			     v->branch, v->field, v->value, v->base_hlc,
			     v->base_device);
	reference_entry_hash(want, v->device, v->seq + 1, v->hlc, v->record_id,
			     "member", v->branch, v->field2, v->value2, 0, "");
	hash_of(v, zero, got);
	ok(!memcmp(got, want, sizeof(want)),
	   "journal_hash follows the documented entry encoding, entry by entry");
}

static void test_hash_changes(void)
{
	unsigned char h0[JOURNAL_HASH_LEN], h[JOURNAL_HASH_LEN], prev[JOURNAL_HASH_LEN];
	struct variant v;
	struct jchange c;

	hash_of(&base_variant, zero, h0);
	hash_of(&base_variant, zero, h);
	ok(!memcmp(h0, h, sizeof(h)), "journal_hash is deterministic");
	ok(memcmp(h0, zero, sizeof(h)) != 0, "...and not all zeros");

#define DIFFERS(what, stmt) do { \
	v = base_variant; stmt; hash_of(&v, zero, h); \
	ok(memcmp(h0, h, sizeof(h)) != 0, "hash changes with the %s", what); \
} while (0)
	DIFFERS("device", v.device = "feedfacefeedfacf");
	DIFFERS("sequence", v.seq = 6);
	DIFFERS("HLC", v.hlc = base_variant.hlc + 1);
	DIFFERS("record id", v.record_id = "0f8fad5b-d9cb-469f-a165-70867728950f");
	DIFFERS("type", v.type = REC_TRAINING);
	DIFFERS("branch", v.branch = "HN.PL.TT.04");
	DIFFERS("field", v.field = "phone");
	DIFFERS("value", v.value = "Nguyễn Thị Hòa");
	DIFFERS("value of the second entry", v.value2 = "branch_deputy");
	DIFFERS("base HLC", v.base_hlc = base_variant.base_hlc + 1);
	DIFFERS("base device", v.base_device = "0123456789abcdee");
	DIFFERS("empty branch", v.branch = "");
	/* Length prefixes: moving a byte from one string to the next. */
	DIFFERS("field/value boundary", (v.field = "full_nam", v.value = "eNguyễn Thị Hoa"));
	DIFFERS("value order of entries",
		(v.value = "branch_head", v.value2 = "Nguyễn Thị Hoa"));
#undef DIFFERS

	memset(prev, 0, sizeof(prev));
	prev[31] = 1;
	hash_of(&base_variant, prev, h);
	ok(memcmp(h0, h, sizeof(h)) != 0, "hash changes with the previous hash");

	/* journal_hash writes c->hash only on success: an unknown type. */
	build(&c, &base_variant);
	c.type = REC_NTYPES;
	memset(c.hash, 0x5A, sizeof(c.hash));
	is_int(journal_hash(zero, &c), FB_EINVAL, "an unknown type is FB_EINVAL");
	ok(c.hash[0] == 0x5A && c.hash[31] == 0x5A, "...and leaves c->hash alone");
	jchange_release(&c);
}

static void test_chain(void)
{
	struct variant v1 = base_variant, v2 = base_variant;
	unsigned char h1[JOURNAL_HASH_LEN], h1x[JOURNAL_HASH_LEN];
	unsigned char h2[JOURNAL_HASH_LEN], h2x[JOURNAL_HASH_LEN];
	unsigned char split[JOURNAL_HASH_LEN];
	struct jchange c;

	v1.seq = 1;
	v2.seq = 3;
	v2.value = "Trần Thị Lan";
	hash_of(&v1, zero, h1);
	hash_of(&v2, h1, h2);

	v1.value = "Nguyễn Thị Hòa";
	hash_of(&v1, zero, h1x);
	hash_of(&v2, h1x, h2x);
	ok(memcmp(h1, h1x, sizeof(h1)) != 0, "change 1 altered: its hash differs");
	ok(memcmp(h2, h2x, sizeof(h2)) != 0,
	   "...and so does the hash of the unchanged change 2 chained after it");

	/* A change of n entries hashes as n one-entry changes in a row. */
	build(&c, &base_variant);
	free(c.e[1].field);
	free(c.e[1].value);
	c.n = 1;
	journal_hash(zero, &c);
	memcpy(split, c.hash, sizeof(split));
	jchange_release(&c);
	build(&c, &base_variant);
	free(c.e[0].field);
	free(c.e[0].value);
	c.e[0] = c.e[1];
	c.n = 1;
	c.seq = base_variant.seq + 1;
	journal_hash(split, &c);
	memcpy(split, c.hash, sizeof(split));
	jchange_release(&c);
	hash_of(&base_variant, zero, h1);
	ok(!memcmp(split, h1, sizeof(h1)),
	   "a two-entry change hashes like two one-entry changes chained");
}

static void test_jchange(void)
{
	struct jchange c;
	struct fb_stamp base;
	int i, rc_ok = 1;

	jchange_init(&c);
	is_int(c.n, 0, "jchange_init: no entries");
	memset(&base, 0, sizeof(base));
	base.hlc = 42;
	strcpy(base.device, "abc");
	ok(jchange_add(&c, "full_name", "Hoa", &base) == FB_OK && c.n == 1,
	   "jchange_add adds an entry");
	ok(!strcmp(c.e[0].field, "full_name") && !strcmp(c.e[0].value, "Hoa") &&
	   stamp_eq(&c.e[0].base, &base), "...copying field, value and base");
	ok(jchange_add(&c, "phone", "", NULL) == FB_OK && c.e[1].base.hlc == 0 &&
	   c.e[1].base.device[0] == '\0', "a NULL base is the zero stamp");
	for (i = 2; i < FB_EDIT_FIELDS_MAX; i++)
		if (jchange_add(&c, "notes", "x", NULL) != FB_OK)
			rc_ok = 0;
	ok(rc_ok && c.n == FB_EDIT_FIELDS_MAX, "FB_EDIT_FIELDS_MAX entries fit");
	is_int(jchange_add(&c, "notes", "x", NULL), FB_ETOOBIG, "one more is FB_ETOOBIG");
	is_int(c.n, FB_EDIT_FIELDS_MAX, "...and is not added");
	jchange_release(&c);
	is_int(c.n, 0, "jchange_release empties the change");
	jchange_release(&c);
	ok(1, "jchange_release twice is harmless");
}

/* --- body ------------------------------------------------------------ */

static void test_body_roundtrip(void)
{
	struct jchange c, back;
	struct fb_stamp base;
	struct fb_error err;
	char *body = NULL, *body2 = NULL;
	size_t i;
	int same = 1;

	jchange_init(&c);
	memset(&base, 0, sizeof(base));
	base.hlc = HLC_MAKE(1700000000000ULL, 3);
	strcpy(base.device, "0123456789abcdef");
	jchange_add(&c, "full_name", "Nguyễn Thị \"Hoa\" \\ 'Lan'", &base);
	jchange_add(&c, "notes", "dòng 1\ndòng 2\ttab / \xf0\x9f\x8c\xb8", NULL);
	jchange_add(&c, "phone", "", &base);
	ok(journal_body_format(&c, &body) == FB_OK && body, "journal_body_format");
	is_str(body ? body : "",
	       "[[\"full_name\",\"Nguyễn Thị \\\"Hoa\\\" \\\\ 'Lan'\","
	       "\"018bcfe568000003:0123456789abcdef\"],"
	       "[\"notes\",\"dòng 1\\ndòng 2\\ttab / \xf0\x9f\x8c\xb8\",\"\"],"
	       "[\"phone\",\"\",\"018bcfe568000003:0123456789abcdef\"]]",
	       "body is a JSON list of [field, value, base], UTF-8 kept as is");

	jchange_init(&back);
	fb_error_clear(&err);
	ok(journal_body_parse(body ? body : "", &back, &err) == FB_OK,
	   "journal_body_parse reads it back");
	is_int(back.n, c.n, "...the same number of entries");
	for (i = 0; i < c.n && i < back.n; i++)
		if (strcmp(c.e[i].field, back.e[i].field) ||
		    strcmp(c.e[i].value, back.e[i].value) ||
		    !stamp_eq(&c.e[i].base, &back.e[i].base))
			same = 0;
	ok(same, "...with the same fields, values (Vietnamese, quotes) and bases");
	ok(journal_body_format(&back, &body2) == FB_OK && body && body2 &&
	   !strcmp(body, body2), "format(parse(body)) == body");
	free(body);
	free(body2);
	jchange_release(&c);
	jchange_release(&back);
}

static void body_refuses(const char *body, enum fb_code code, const char *name)
{
	struct jchange c;
	struct fb_error err;
	enum fb_code rc;

	jchange_init(&c);
	fb_error_clear(&err);
	rc = journal_body_parse(body, &c, &err);
	ok(rc == code && err.msg[0], "body refused: %s (%s)", name, err.msg);
	jchange_release(&c);
}

static void test_body_rejects(void)
{
	char big[64 * (FB_EDIT_FIELDS_MAX + 2)];
	int i;

	body_refuses("", FB_EINVAL, "empty text");
	body_refuses("[", FB_EINVAL, "truncated");
	body_refuses("[[\"a\",\"b\",\"\"]", FB_EINVAL, "truncated after an entry");
	body_refuses("not json", FB_EINVAL, "not JSON");
	body_refuses("{}", FB_EINVAL, "an object");
	body_refuses("\"x\"", FB_EINVAL, "a string");
	body_refuses("[]", FB_EINVAL, "an empty list");
	body_refuses("[1]", FB_EINVAL, "a number entry");
	body_refuses("[\"a\"]", FB_EINVAL, "a string entry");
	body_refuses("[[]]", FB_EINVAL, "an empty entry");
	body_refuses("[[\"a\",\"b\"]]", FB_EINVAL, "two items");
	body_refuses("[[\"a\",\"b\",\"\",\"\"]]", FB_EINVAL, "four items");
	body_refuses("[[\"a\",1,\"\"]]", FB_EINVAL, "a number value");
	body_refuses("[[\"a\",null,\"\"]]", FB_EINVAL, "a null value");
	body_refuses("[[1,\"b\",\"\"]]", FB_EINVAL, "a number field");
	body_refuses("[[\"a\",\"b\",0]]", FB_EINVAL, "a number base");
	body_refuses("[{\"0\":\"a\",\"1\":\"b\",\"2\":\"\"}]", FB_EINVAL, "an object entry");
	body_refuses("[[\"a\",\"b\",\"zz\"]]", FB_EINVAL, "a base that is not a stamp");
	body_refuses("[[\"a\",\"b\",\"0000000000000000:dev\"]]", FB_EINVAL, "a zero-HLC base");
	body_refuses("[[\"a\",\"b\",\"018bcfe568000003:DEV\"]]", FB_EINVAL,
		     "a base with an upper-case device");
	body_refuses("[[\"a\",\"b\",\"\"],[\"c\",\"d\",\"x\"]]", FB_EINVAL,
		     "a bad second entry");
	body_refuses("[[\"a\",\"b\",\"\"]] trailing", FB_EINVAL,
		     "text after the list");
	body_refuses("[[\"a\",\"b\",\"\"]][]", FB_EINVAL, "a second JSON value");

	strcpy(big, "[");
	for (i = 0; i < FB_EDIT_FIELDS_MAX + 1; i++)
		strcat(big, i ? ",[\"f\",\"v\",\"\"]" : "[\"f\",\"v\",\"\"]");
	strcat(big, "]");
	body_refuses(big, FB_ETOOBIG, "FB_EDIT_FIELDS_MAX + 1 entries");
}

int main(void)
{
	test_stamps();
	test_hash_reference();
	test_hash_changes();
	test_chain();
	test_jchange();
	test_body_roundtrip();
	test_body_rejects();
	return tap_done();
}
