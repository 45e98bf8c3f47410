/*
 * gen_seeds.c - write the seed corpus of the fuzz targets.
 *
 *     gen_seeds DIR        (make fuzz-seeds: DIR is tests/fuzz/corpus)
 *
 * Valid inputs are made with the project's own encoders (wire_push_encode,
 * wire_pull_*, journal_body_format, zbuf_deflate, csv_write_record), so
 * they follow the code; tricky ones are written out here by hand, one
 * small file each, named seed-<what it tries>.  Files found by fuzzing
 * (crash-*, merged hashes) are never touched.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "csv.h"
#include "fuzz.h"
#include "journal.h"
#include "model.h"
#include "wire.h"
#include "zbuf.h"

#define DEV    "16ccf6b850729ad8"
#define DEV2   "feedfacefeedface"
#define M1     "0f8fad5b-d9cb-469f-a165-70867728950e"
#define M2     "7c9e6679-7425-40de-944b-e07fc1f90ae7"
#define T1     "e4eaaaf2-d142-11e1-b3e4-080027620cdd"
#define V1     "9b2b7c1e-3f4d-4a5b-8c6d-7e8f9a0b1c2d"
#define HLC1   HLC_MAKE(1764000000000ULL, 0)
#define NAME_VI "Nguy\xe1\xbb\x85n Th\xe1\xbb\x8b Hoa"          /* NFC */
#define NAME_VI_NFD "Nguye\xcc\x82\xcc\x83n Thi\xcc\xa3 Hoa"     /* NFD */

static const char *root;
static int failed;

static void put(const char *target, const char *name, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, target);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		failed = 1;
		return;
	}
	snprintf(path, sizeof(path), "%s/%s/seed-%s", root, target, name);
	if (!(f = fopen(path, "wb")) || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
		perror(path);
		failed = 1;
	}
}

static void puts_(const char *target, const char *name, const char *s)
{
	put(target, name, s, strlen(s));
}

static void putb(const char *target, const char *name, const struct fb_buf *b)
{
	put(target, name, buf_str(b), b->len);
}

static void check(enum fb_code rc, const char *what)
{
	if (rc != FB_OK) {
		fprintf(stderr, "gen_seeds: %s: %s\n", what, fb_strerror(rc));
		exit(1);
	}
}

/* --- changes ---------------------------------------------------------- */

static struct jchange chg[40];
static size_t nchg;

static struct jchange *new_change(const char *dev, uint64_t seq, fb_hlc hlc,
				  enum rec_type t, const char *id,
				  const char *branch)
{
	struct jchange *c = &chg[nchg++];

	jchange_init(c);
	snprintf(c->device, sizeof(c->device), "%s", dev);
	c->seq = seq;
	c->hlc = hlc;
	c->type = t;
	snprintf(c->record_id, sizeof(c->record_id), "%s", id);
	snprintf(c->branch, sizeof(c->branch), "%s", branch);
	return c;
}

static void add(struct jchange *c, const char *f, const char *v,
		fb_hlc base_hlc, const char *base_dev)
{
	struct fb_stamp b;

	memset(&b, 0, sizeof(b));
	b.hlc = base_hlc;
	snprintf(b.device, sizeof(b.device), "%s", base_dev ? base_dev : "");
	check(jchange_add(c, f, v, &b), "jchange_add");
}

static void release_changes(void)
{
	size_t i;

	for (i = 0; i < nchg; i++)
		jchange_release(&chg[i]);
	nchg = 0;
}

/* A device's chain over chg[from..to). */
static void chain(size_t from, size_t to)
{
	unsigned char h[JOURNAL_HASH_LEN] = { 0 };
	size_t i;

	for (i = from; i < to; i++) {
		check(journal_hash(h, &chg[i]), "journal_hash");
		memcpy(h, chg[i].hash, sizeof(h));
	}
}

/* A day's work of one device: member, training, attendance, visit. */
static size_t day_of_work(void)
{
	struct jchange *c;
	char att[FB_ATT_ID_LEN + 1];

	c = new_change(DEV, 1, HLC1, REC_MEMBER, M1, "HN.PL.TT.03");
	add(c, "full_name", NAME_VI, 0, NULL);
	add(c, "role", "branch_head", 0, NULL);
	add(c, "birth_year", "1971", 0, NULL);
	add(c, "phone", "0912 345 678", 0, NULL);
	add(c, "notes", "Hai con.\nNh\xc3\xa0 g\xe1\xba\xa7n ch\xe1\xbb\xa3 \"B\xe1\xba\xbfn\"\t\\", 0, NULL);
	c = new_change(DEV, 6, HLC1 + 1, REC_TRAINING, T1, "HN.PL.TT.03");
	add(c, "title", "Ph\xc3\xb2ng ch\xe1\xbb\x91ng b\xe1\xba\xa1o l\xe1\xbb\xb1\x63 gia \xc4\x91\xc3\xacnh", 0, NULL);
	add(c, "start_date", "2025-11-24", 0, NULL);
	add(c, "topics", "domestic_violence,gender_equality", 0, NULL);
	model_attendance_id(T1, M1, att);
	c = new_change(DEV, 9, HLC1 + 2, REC_ATTENDANCE, att, "HN.PL.TT.03");
	add(c, "training_id", T1, 0, NULL);
	add(c, "member_id", M1, 0, NULL);
	c = new_change(DEV, 11, HLC1 + 3, REC_VISIT, V1, "HN.PL.TT.04");
	add(c, "visit_date", "2025-11-25", 0, NULL);
	add(c, "reason", "illness", 0, NULL);
	add(c, "amount_vnd", "500000", 0, NULL);
	/* an edit: bases, one of this device, one of another */
	c = new_change(DEV, 14, HLC1 + 4, REC_MEMBER, M1, "HN.PL.TT.03");
	add(c, "phone", "", HLC1, DEV);
	add(c, "notes", "", HLC_MAKE(1763000000000ULL, 5), DEV2);
	add(c, FIELD_DELETED, "1", 0, NULL);
	chain(0, nchg);
	return nchg;
}

/* --- push ------------------------------------------------------------- */

static void push_seeds(void)
{
	struct fb_buf b = FB_BUF_INIT(0);
	struct jchange *c;
	char big[FB_VALUE_MAX + 2], field[80];
	size_t n, i;

	n = day_of_work();
	check(wire_push_encode(chg, n, NULL, &b), "push");
	putb("wire_push", "day", &b);
	buf_reset(&b);
	check(wire_push_encode(chg, 1, NULL, &b), "push");
	putb("wire_push", "one-change", &b);
	buf_reset(&b);
	check(wire_push_encode(chg + 3, 1, NULL, &b), "push");
	putb("wire_push", "visit", &b);
	buf_reset(&b);
	check(wire_relay_encode(chg, n, &b), "push");
	putb("wire_push", "relay", &b);
	release_changes();

	/* 32 entries, the most a change may hold; values at the limits */
	c = new_change(DEV, 1, HLC1, REC_VISIT, V1, "HN");
	memset(big, 'x', FB_VALUE_MAX);
	big[FB_VALUE_MAX] = '\0';
	for (i = 0; i < FB_EDIT_FIELDS_MAX; i++) {
		snprintf(field, sizeof(field), "f%zu", i);
		add(c, field, i == 0 ? big : "v", i ? HLC1 - i : 0, i % 2 ? DEV : DEV2);
	}
	chain(0, 1);
	buf_reset(&b);
	check(wire_push_encode(chg, 1, NULL, &b), "push");
	putb("wire_push", "32-entries", &b);
	release_changes();

	/* a long device id and a 64-byte field */
	c = new_change("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		       9007199254740000ULL, HLC_MAKE(HLC_MS_MAX, 0xFFFF), REC_MEMBER, M2,
		       "a.b-c_D");
	memset(field, 'f', 64);
	field[64] = '\0';
	add(c, field, "\x01\x1f\x7f\xc3\xa9", 0, NULL);
	chain(0, 1);
	buf_reset(&b);
	check(wire_push_encode(chg, 1, NULL, &b), "push");
	putb("wire_push", "limits", &b);
	release_changes();

#define CH "{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"full_name\",\"A\",\"\"]]}"
#define HASH "\"last_hash\":\"0000000000000000000000000000000000000000000000000000000000000000\""
#define PUSH(changes) "{\"v\":1,\"device\":\"" DEV "\",\"seq\":1,\"branch\":\"HN\",\"changes\":[" changes "]," HASH "}"
	puts_("wire_push", "minimal", PUSH(CH));
	puts_("wire_push", "dup-top-key", "{\"v\":1,\"v\":1,\"device\":\"" DEV "\",\"seq\":1,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "dup-change-key", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"t\":\"visit\",\"e\":[[\"a\",\"b\",\"\"]]}"));
	puts_("wire_push", "unknown-key", PUSH("{\"h\":\"019a9c5b2c000000\",\"zz\":1,\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"a\",\"b\",\"\"]]}"));
	puts_("wire_push", "deep", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[[[[[[[[[\"a\"]]]]]]]]]]}"));
	puts_("wire_push", "depth-in-string", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"[[[[[[[[[[\\\"\",\"]]]]\\\\\",\"\"]]}"));
	puts_("wire_push", "v2", "{\"v\":2,\"device\":\"" DEV "\",\"seq\":1,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "v-float", "{\"v\":1.0e0,\"device\":\"" DEV "\",\"seq\":1,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "seq-0", "{\"v\":1,\"device\":\"" DEV "\",\"seq\":0,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "seq-2p53", "{\"v\":1,\"device\":\"" DEV "\",\"seq\":9007199254740992,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "seq-2p53-plus1", "{\"v\":1,\"device\":\"" DEV "\",\"seq\":9007199254740993,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "seq-huge", "{\"v\":1,\"device\":\"" DEV "\",\"seq\":1e400,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "seq-neg", "{\"v\":1,\"device\":\"" DEV "\",\"seq\":-1,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "seq-frac", "{\"v\":1,\"device\":\"" DEV "\",\"seq\":1.5,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "seq-nan", "{\"v\":1,\"device\":\"" DEV "\",\"seq\":NaN,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "seq-string", "{\"v\":1,\"device\":\"" DEV "\",\"seq\":\"1\",\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "seq-negzero", "{\"v\":1,\"device\":\"" DEV "\",\"seq\":-0,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "device-upper", "{\"v\":1,\"device\":\"ABC\",\"seq\":1,\"branch\":\"HN\",\"changes\":[" CH "]," HASH "}");
	puts_("wire_push", "branch-bad-but-unused", "{\"v\":1,\"device\":\"" DEV "\",\"seq\":1,\"branch\":\"\xff bad\",\"changes\":[{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"b\":\"HN\",\"e\":[[\"a\",\"b\",\"\"]]}]," HASH "}");
	puts_("wire_push", "hlc-upper", PUSH("{\"h\":\"019A9C5B2C00000F\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"a\",\"b\",\"019A9C5B2C00000E\"]]}"));
	puts_("wire_push", "hlc-zero", PUSH("{\"h\":\"0000000000000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"a\",\"b\",\"\"]]}"));
	puts_("wire_push", "hlc-max", PUSH("{\"h\":\"7fffffffffffffff\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"a\",\"b\",\"7fffffffffffffff:x\"]]}"));
	puts_("wire_push", "hlc-over", PUSH("{\"h\":\"8000000000000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"a\",\"b\",\"\"]]}"));
	puts_("wire_push", "type-plural", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"members\",\"e\":[[\"a\",\"b\",\"\"]]}"));
	puts_("wire_push", "attendance-id", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" T1 ":" M1 "\",\"t\":\"attendance\",\"e\":[[\"training_id\",\"" T1 "\",\"\"]]}"));
	puts_("wire_push", "attendance-bad-id", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"attendance\",\"e\":[[\"a\",\"b\",\"\"]]}"));
	puts_("wire_push", "nul-escape", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"full_name\",\"A\\u0000B\",\"\"]]}"));
	puts_("wire_push", "surrogates", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"full_name\",\"\\ud83d\\ude00 \\ud800 \\udc00x\",\"\"]]}"));
	puts_("wire_push", "invalid-utf8", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"full_name\",\"\xc0\x80\xed\xa0\x80\xff\xfe\",\"\"]]}"));
	puts_("wire_push", "escapes", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"notes\",\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u1ec5\",\"\"]]}"));
	puts_("wire_push", "base-bad", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"a\",\"b\",\"019a9c5b2c000000:\"]]}"));
	puts_("wire_push", "base-short", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"a\",\"b\",\"019a9c5b2c000000\"]]}"));
	puts_("wire_push", "entry-2", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"a\",\"b\"]]}"));
	puts_("wire_push", "entry-object", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[{\"a\":\"a\",\"b\":\"b\",\"c\":\"\"}]}"));
	puts_("wire_push", "entries-0", PUSH("{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[]}"));
	puts_("wire_push", "changes-0", PUSH(""));
	puts_("wire_push", "trailing-space", PUSH(CH) " \r\n\t");
	puts_("wire_push", "trailing-garbage", PUSH(CH) " x");
	puts_("wire_push", "two-docs", PUSH(CH) PUSH(CH));
	puts_("wire_push", "not-object", "[" PUSH(CH) "]");
	puts_("wire_push", "string", "\"v\"");
	puts_("wire_push", "empty", "");
	put("wire_push", "nul-after", PUSH(CH) "\0 ", sizeof(PUSH(CH)) + 1);
	{
		/* 33 entries: one past the cap */
		struct fb_buf s = FB_BUF_INIT(0);

		check(buf_adds(&s, "{\"v\":1,\"device\":\"" DEV "\",\"seq\":1,\"branch\":\"HN\",\"changes\":[{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":["), "buf");
		for (i = 0; i < 33; i++)
			check(buf_printf(&s, "%s[\"f%zu\",\"v\",\"\"]", i ? "," : "", i), "buf");
		check(buf_adds(&s, "]}]," HASH "}"), "buf");
		putb("wire_push", "33-entries", &s);
		/* 1001 changes: the count is refused before any is read */
		buf_reset(&s);
		check(buf_adds(&s, "{\"v\":1,\"device\":\"" DEV "\",\"seq\":1,\"branch\":\"HN\",\"changes\":["), "buf");
		for (i = 0; i < 1001; i++)
			check(buf_adds(&s, i ? ",0" : "0"), "buf");
		check(buf_adds(&s, "]," HASH "}"), "buf");
		putb("wire_push", "1001-changes", &s);
		/* a value one byte over the limit */
		buf_reset(&s);
		check(buf_adds(&s, "{\"v\":1,\"device\":\"" DEV "\",\"seq\":1,\"branch\":\"HN\",\"changes\":[{\"h\":\"019a9c5b2c000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"notes\",\""), "buf");
		for (i = 0; i < FB_VALUE_MAX + 1; i++)
			check(buf_addc(&s, 'n'), "buf");
		check(buf_adds(&s, "\",\"\"]]}]," HASH "}"), "buf");
		putb("wire_push", "value-4001", &s);
		/* many distinct keys: the duplicate-key check must stay fast */
		buf_reset(&s);
		check(buf_adds(&s, "{"), "buf");
		for (i = 0; i < 1000; i++)
			check(buf_printf(&s, "\"%zx\":0,", i), "buf");
		check(buf_adds(&s, "\"v\":1}"), "buf");
		putb("wire_push", "many-keys", &s);
		/* nesting far past the limit */
		buf_reset(&s);
		for (i = 0; i < 3000; i++)
			check(buf_addc(&s, '['), "buf");
		putb("wire_push", "deep-3000", &s);
		buf_release(&s);
	}
	buf_release(&b);
}

/* --- pull ------------------------------------------------------------- */

/* chg[from..to) as a page of both versions ("name" and "name-v2"); the
 * page borrows the changes, so it is not released. */
static void pull_page(const char *name, size_t from, size_t to, uint64_t next,
		      int more, fb_hlc hub)
{
	struct fb_buf b = FB_BUF_INIT(0);
	struct wire_page p;
	char v2[64];
	int v;

	for (v = WIRE_VERSION_OLD; v <= WIRE_VERSION; v++) {
		memset(&p, 0, sizeof(p));
		p.version = v;
		p.next = next;
		p.more = more;
		p.hub_time = hub;
		p.changes = to > from ? &chg[from] : NULL;
		p.n = to - from;
		p.links = calloc(p.n + 1, sizeof(*p.links));
		if (!p.links)
			abort();
		if (v == WIRE_VERSION) {
			p.held = 3;
			if (next)
				snprintf(p.epoch, sizeof(p.epoch), "00112233445566ff");
		}
		wire_page_link(&p);
		buf_reset(&b);
		check(wire_pull_encode(&p, &b), "pull");
		snprintf(v2, sizeof(v2), "%s-v2", name);
		putb("wire_pull", v == WIRE_VERSION ? v2 : name, &b);
		free(p.links);
	}
	buf_release(&b);
}

static void pull_seeds(void)
{
	struct fb_buf s = FB_BUF_INIT(0);
	struct jchange *c;
	size_t n, i;

	n = day_of_work();
	pull_page("day", 0, n, 42, 0, HLC1 + 100);
	pull_page("more", 0, 2, 2, 1, HLC1 + 100);
	pull_page("empty", 0, 0, 0, 0, HLC1);
	release_changes();
	/* two devices interleaved, as a hub answers */
	c = new_change(DEV, 3, HLC1, REC_MEMBER, M1, "HN.PL");
	add(c, "full_name", NAME_VI_NFD, 0, NULL);
	c = new_change(DEV2, 1, HLC1 + 7, REC_MEMBER, M1, "HN.PL");
	add(c, "full_name", "Tr\xe1\xba\xa7n V\xc4\x83n B", HLC1, DEV);
	add(c, FIELD_DELETED, "0", 0, NULL);
	chain(0, 2);
	pull_page("two-devices", 0, 2, 9007199254740992ULL, 1, HLC_MAKE(HLC_MS_MAX, 0xFFFF));
	release_changes();

#define XH "\"x\":\"0000000000000000000000000000000000000000000000000000000000000000\""
#define PCH "{\"d\":\"" DEV "\",\"s\":1,\"h\":\"019a9c5b2c000000\"," XH ",\"id\":\"" M1 "\",\"t\":\"member\",\"b\":\"HN\",\"e\":[[\"full_name\",\"A\",\"\"]]}"
#define PULL(changes) "{\"v\":1,\"changes\":[" changes "],\"next\":7,\"more\":false,\"hub_time\":\"019a9c5b2c000001\"}"
	puts_("wire_pull", "minimal", PULL(PCH));
	puts_("wire_pull", "no-changes", PULL(""));
	puts_("wire_pull", "more-number", "{\"v\":1,\"changes\":[],\"next\":7,\"more\":1,\"hub_time\":\"019a9c5b2c000001\"}");
	puts_("wire_pull", "next-neg", "{\"v\":1,\"changes\":[],\"next\":-7,\"more\":true,\"hub_time\":\"019a9c5b2c000001\"}");
	puts_("wire_pull", "next-huge", "{\"v\":1,\"changes\":[],\"next\":18446744073709551616,\"more\":true,\"hub_time\":\"019a9c5b2c000001\"}");
	puts_("wire_pull", "next-exp", "{\"v\":1,\"changes\":[],\"next\":7e2,\"more\":true,\"hub_time\":\"019a9c5b2c000001\"}");
	puts_("wire_pull", "hub-time-zero", "{\"v\":1,\"changes\":[],\"next\":7,\"more\":true,\"hub_time\":\"0000000000000000\"}");
	puts_("wire_pull", "hub-time-bad", "{\"v\":1,\"changes\":[],\"next\":7,\"more\":true,\"hub_time\":\"019a9c5b2c00000g\"}");
	puts_("wire_pull", "dup-key", "{\"v\":1,\"changes\":[],\"next\":7,\"next\":8,\"more\":true,\"hub_time\":\"019a9c5b2c000001\"}");
	puts_("wire_pull", "no-branch", PULL("{\"d\":\"" DEV "\",\"s\":1,\"h\":\"019a9c5b2c000000\"," XH ",\"id\":\"" M1 "\",\"t\":\"member\",\"e\":[[\"a\",\"b\",\"\"]]}"));
	puts_("wire_pull", "seq-0", PULL("{\"d\":\"" DEV "\",\"s\":0,\"h\":\"019a9c5b2c000000\"," XH ",\"id\":\"" M1 "\",\"t\":\"member\",\"b\":\"HN\",\"e\":[[\"a\",\"b\",\"\"]]}"));
	puts_("wire_pull", "hash-short", PULL("{\"d\":\"" DEV "\",\"s\":1,\"h\":\"019a9c5b2c000000\",\"x\":\"00\",\"id\":\"" M1 "\",\"t\":\"member\",\"b\":\"HN\",\"e\":[[\"a\",\"b\",\"\"]]}"));
	puts_("wire_pull", "hash-upper", PULL("{\"d\":\"" DEV "\",\"s\":1,\"h\":\"019a9c5b2c000000\",\"x\":\"AA00000000000000000000000000000000000000000000000000000000000000\",\"id\":\"" M1 "\",\"t\":\"member\",\"b\":\"HN\",\"e\":[[\"a\",\"b\",\"\"]]}"));
	puts_("wire_pull", "device-long", PULL("{\"d\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0\",\"s\":1,\"h\":\"019a9c5b2c000000\"," XH ",\"id\":\"" M1 "\",\"t\":\"member\",\"b\":\"HN\",\"e\":[[\"a\",\"b\",\"\"]]}"));
	puts_("wire_pull", "base-own-short", PULL("{\"d\":\"" DEV "\",\"s\":1,\"h\":\"019a9c5b2c000000\"," XH ",\"id\":\"" M1 "\",\"t\":\"member\",\"b\":\"HN\",\"e\":[[\"a\",\"b\",\"019a9c5b2c000000\"]]}"));
	puts_("wire_pull", "change-not-object", PULL("[\"d\",\"s\"]"));
	puts_("wire_pull", "nul-escape", PULL("{\"d\":\"" DEV "\",\"s\":1,\"h\":\"019a9c5b2c000000\"," XH ",\"id\":\"" M1 "\",\"t\":\"member\",\"b\":\"HN\",\"e\":[[\"a\\u0000b\",\"\\u0000\",\"\"]]}"));
	puts_("wire_pull", "error-answer", "{\"error\":\"busy\",\"message\":\"try later\",\"hub_time\":\"019a9c5b2c000001\"}");
	puts_("wire_pull", "deep", "{\"v\":1,\"changes\":[[[[[[[[[]]]]]]]]],\"next\":7,\"more\":false,\"hub_time\":\"019a9c5b2c000001\"}");
	check(buf_adds(&s, "{\"v\":1,\"changes\":["), "buf");
	for (i = 0; i < 1001; i++)
		check(buf_adds(&s, i ? ",{}" : "{}"), "buf");
	check(buf_adds(&s, "],\"next\":7,\"more\":false,\"hub_time\":\"019a9c5b2c000001\"}"), "buf");
	putb("wire_pull", "1001-changes", &s);
	buf_reset(&s);
	check(buf_adds(&s, "{\"v\":1,\"changes\":[{"), "buf");
	for (i = 0; i < 1000; i++)
		check(buf_printf(&s, "\"k%zx\":0,", i), "buf");
	check(buf_adds(&s, "\"d\":\"x\"}],\"next\":7,\"more\":false,\"hub_time\":\"019a9c5b2c000001\"}"), "buf");
	putb("wire_pull", "many-keys", &s);
	buf_release(&s);
}

/* --- deflate ---------------------------------------------------------- */

static void zput(const char *name, const void *p, size_t n, int level,
		 size_t cut, int extra)
{
	struct fb_buf z = FB_BUF_INIT(0);

	check(zbuf_deflate(p, n, level, &z, NULL), "deflate");
	if (cut && cut < z.len)
		z.len -= cut;
	if (extra)
		check(buf_adds(&z, "X"), "buf");
	putb("zbuf", name, &z);
	buf_release(&z);
}

static void zbuf_seeds(void)
{
	struct fb_buf b = FB_BUF_INIT(0), z = FB_BUF_INIT(0);
	char *zeros;
	size_t n;

	n = day_of_work();
	check(wire_push_encode(chg, n, NULL, &b), "push");
	release_changes();
	zput("push", b.data, b.len, ZBUF_LEVEL, 0, 0);
	zput("push-level0-stored", b.data, b.len, 0, 0, 0);
	zput("push-level9", b.data, b.len, 9, 0, 0);
	zput("push-truncated", b.data, b.len, ZBUF_LEVEL, 5, 0);
	zput("push-no-adler", b.data, b.len, ZBUF_LEVEL, 4, 0);
	zput("push-trailing-byte", b.data, b.len, ZBUF_LEVEL, 0, 1);
	zput("empty-stream", "", 0, ZBUF_LEVEL, 0, 0);
	zput("vietnamese", NAME_VI " " NAME_VI_NFD, strlen(NAME_VI " " NAME_VI_NFD), 1, 0, 0);

	zeros = calloc(1, ((size_t)2 << 20) + 1);
	if (!zeros)
		exit(1);
	/* exactly the cap of the fuzz target (1 MiB): accepted */
	zput("zeros-1MiB", zeros, (size_t)1 << 20, 9, 0, 0);
	/* one past it, and a bomb of 2 MiB in about 2 KiB: refused */
	zput("zeros-1MiB-plus-1", zeros, ((size_t)1 << 20) + 1, 9, 0, 0);
	zput("bomb-2MiB", zeros, (size_t)2 << 20, 9, 0, 0);
	zput("zeros-100", zeros, 100, 9, 0, 0);
	zput("zeros-101", zeros, 101, 9, 0, 0);
	zput("zeros-64KiB", zeros, (size_t)64 << 10, 9, 0, 0);
	free(zeros);

	/* corrupt the checksum */
	check(zbuf_deflate(b.data, b.len, ZBUF_LEVEL, &z, NULL), "deflate");
	z.data[z.len - 1] ^= 0x55;
	putb("zbuf", "bad-adler", &z);
	/* and a byte in the middle of the data */
	z.data[z.len - 1] ^= 0x55;
	z.data[z.len / 2] ^= 0xFF;
	putb("zbuf", "bad-middle", &z);
	buf_release(&z);
	buf_release(&b);

	/* headers: zlib with a preset dictionary, gzip, raw deflate, bad window */
	put("zbuf", "fdict", "\x78\xbb\x00\x00\x00\x01\x03\x00", 8);
	put("zbuf", "gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
	put("zbuf", "raw-deflate", "\x03\x00", 2);
	put("zbuf", "header-only", "\x78\x9c", 2);
	put("zbuf", "bad-header", "\x78\x9d\x03\x00", 4);
	put("zbuf", "window-too-big", "\x88\x98\x03\x00\x00\x00\x00\x01", 8);
	put("zbuf", "empty", "", 0);
	put("zbuf", "plain-json", "{\"v\":1}", 7);
}

/* --- CSV -------------------------------------------------------------- */

static void csv_seeds(void)
{
	static const char *const head[] = { "id", "full_name", "role", "birth_year",
					    "phone", "joined", "notes" };
	static const char *const row[] = { M1, NAME_VI, "member", "1980", "",
					   "2020-03-08",
					   "She said \"come, please\"\r\nline 2\n,end" };
	static const char *const row2[] = { "", " padded ", "\"", ",", "\xef\xbb\xbf", "", "" };
	struct fb_buf b = FB_BUF_INIT(0);
	size_t i;

	check(buf_adds(&b, "\xef\xbb\xbf"), "buf");
	check(csv_write_record(&b, head, 7), "csv");
	check(csv_write_record(&b, row, 7), "csv");
	check(csv_write_record(&b, row2, 7), "csv");
	putb("csv", "export-bom", &b);
	buf_reset(&b);
	for (i = 0; i < FB_CSV_FIELDS_MAX; i++)
		check(csv_write_field(&b, "x", i == 0), "csv");
	putb("csv", "64-fields", &b);
	check(buf_adds(&b, ",x"), "buf");
	putb("csv", "65-fields", &b);
	buf_release(&b);

	puts_("csv", "simple", "full_name,role,birth_year\nNguyen Thi A,member,1970\nTran Thi B,branch_head,1965\n");
	puts_("csv", "vietnamese-nfd", "full_name,notes\r\n" NAME_VI_NFD ",\"" NAME_VI "\"\r\n");
	puts_("csv", "cr-only", "a,b\rc,d\r\"e\rf\",g\r");
	puts_("csv", "mixed-eol", "a\r\n\r\n\n\rb\n\"x\r\ny\"\r\n");
	puts_("csv", "no-final-eol", "a,b\nc,\"d\"");
	puts_("csv", "empty-fields", ",,\n\"\"\n\"\",\"\"\n");
	puts_("csv", "doubled-quotes", "\"\"\"\",\"a\"\"b\"\"\",\"\"\"\"\"\"\n");
	puts_("csv", "unterminated", "a,b\n\"c,d\ne\n");
	puts_("csv", "text-after-quote", "\"a\"b,c\n");
	puts_("csv", "quote-in-unquoted", "a\"b,c\n");
	puts_("csv", "space-after-quote", "\"a\" ,c\n");
	puts_("csv", "only-bom", "\xef\xbb\xbf");
	puts_("csv", "double-bom", "\xef\xbb\xbf\xef\xbb\xbf" "a,b\n");
	puts_("csv", "half-bom", "\xef\xbb" "a\n");
	puts_("csv", "invalid-utf8", "\xc0\x80,\xed\xa0\x80,\xff\xfe,\xe1\xbb\n");
	puts_("csv", "only-newlines", "\n\r\n\r\r\n\n");
	put("csv", "nul-unquoted", "a,b\0c\n", 6);
	put("csv", "nul-quoted", "a,\"b\0c\"\n", 8);
	put("csv", "nul-after-quote", "a,\"b\"\0\n", 7);
	/* 0xFF first: the target repeats the rest past the record cap */
	puts_("csv", "tile-long-record", "\xff" "xxxxxxxxxxxxxxx,");
	puts_("csv", "tile-long-quoted", "\xff\"abc\"\"def");
	puts_("csv", "tile-many-lines", "\xff" "a,\"b\nc\"\r\n");
}

/* --- journal bodies --------------------------------------------------- */

static void journal_seeds(void)
{
	struct jchange c;
	char *body, *zeros;
	struct fb_buf s = FB_BUF_INIT(0);
	size_t n, i;

	n = day_of_work();
	for (i = 0; i < n; i++) {
		char name[32];

		check(journal_body_format(&chg[i], &body), "body");
		snprintf(name, sizeof(name), "day-%zu", i);
		puts_("journal", name, body);
		free(body);
	}
	release_changes();
	jchange_init(&c);
	for (i = 0; i < FB_EDIT_FIELDS_MAX; i++)
		add(&c, "f", i % 2 ? "" : "\xe1\xbb\x85", i ? HLC1 + i : 0, DEV);
	check(journal_body_format(&c, &body), "body");
	puts_("journal", "32-entries", body);
	/* 33: one past the cap */
	check(buf_adds(&s, body), "buf");
	s.data[s.len - 1] = ',';
	check(buf_adds(&s, "[\"f\",\"v\",\"\"]]"), "buf");
	putb("journal", "33-entries", &s);
	buf_release(&s);
	free(body);
	jchange_release(&c);

	puts_("journal", "minimal", "[[\"full_name\",\"A\",\"\"]]");
	puts_("journal", "empty-list", "[]");
	puts_("journal", "object", "{\"full_name\":\"A\"}");
	puts_("journal", "entry-2", "[[\"a\",\"b\"]]");
	puts_("journal", "entry-4", "[[\"a\",\"b\",\"\",\"\"]]");
	puts_("journal", "entry-number", "[[\"a\",1,\"\"]]");
	puts_("journal", "base-full", "[[\"a\",\"b\",\"019a9c5b2c000000:" DEV "\"]]");
	puts_("journal", "base-short", "[[\"a\",\"b\",\"019a9c5b2c000000\"]]");
	puts_("journal", "base-zero-hlc", "[[\"a\",\"b\",\"0000000000000000:" DEV "\"]]");
	puts_("journal", "base-upper", "[[\"a\",\"b\",\"019A9C5B2C000000:" DEV "\"]]");
	puts_("journal", "base-long-device", "[[\"a\",\"b\",\"019a9c5b2c000000:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0\"]]");
	puts_("journal", "nul-escape", "[[\"a\\u0000\",\"\\u0000b\",\"\"]]");
	puts_("journal", "surrogates", "[[\"a\",\"\\ud83d\\ude00\\ud800\",\"\"]]");
	puts_("journal", "invalid-utf8", "[[\"\xff\",\"\xc0\x80\",\"\"]]");
	puts_("journal", "trailing", "[[\"a\",\"b\",\"\"]] x");
	puts_("journal", "dup-keys", "[{\"a\":1,\"a\":2}]");
	puts_("journal", "numbers", "[1e400,-0,NaN,0.1e-999999]");
	zeros = malloc(4001);
	if (!zeros)
		exit(1);
	memset(zeros, '[', 2000);
	memset(zeros + 2000, ']', 2000);
	zeros[4000] = '\0';
	puts_("journal", "deep-2000", zeros);
	free(zeros);
}

/* --- field values ----------------------------------------------------- */

/* Index of type.field in the order the model target counts fields. */
static int field_byte(const char *type, const char *field)
{
	const struct type_def *t = model_type_named(type);
	const struct field_def *f = t ? model_field(t, field) : NULL, *g;
	int i;

	for (i = 0; f && (g = fuzz_model_field((size_t)i)) != NULL; i++)
		if (g == f)
			return i;
	return -1;
}

static void mput(const char *name, const char *type, const char *field,
		 const char *value, size_t len)
{
	char buf[8192];
	int k = field_byte(type, field);

	if (k < 0 || len + 1 > sizeof(buf)) {
		fprintf(stderr, "gen_seeds: no field %s.%s\n", type, field);
		exit(1);
	}
	buf[0] = (char)k;
	memcpy(buf + 1, value, len);
	put("model", name, buf, len + 1);
}

#define MPUT(name, type, field, value) mput(name, type, field, value, sizeof(value) - 1)

static void model_seeds(void)
{
	char big[FB_NOTES_MAX + 10];

	MPUT("name-vi", "member", "full_name", NAME_VI);
	MPUT("name-vi-nfd", "member", "full_name", NAME_VI_NFD);
	MPUT("name-spaces", "member", "full_name", " \xc2\xa0\xe3\x80\x80\xe2\x80\x81" "A B\t ");
	MPUT("name-combining-first", "member", "full_name", " \xcc\x81" "a");
	MPUT("name-hangul-jamo", "member", "full_name", "\xe1\x84\x80\xe1\x85\xa1\xe1\x86\xa8");
	MPUT("name-newline", "member", "full_name", "a\nb");
	MPUT("name-c1-control", "member", "full_name", "a\xc2\x85" "b");
	MPUT("name-overlong", "member", "full_name", "\xc0\x80");
	MPUT("name-surrogate", "member", "full_name", "\xed\xa0\x80");
	MPUT("name-truncated", "member", "full_name", "\xe1\xbb");
	MPUT("name-nonchar", "member", "full_name", "\xef\xbf\xbe");
	MPUT("name-empty", "member", "full_name", "");
	MPUT("name-nul", "member", "full_name", "ab\0cd");
	memset(big, 'a', FB_NAME_MAX + 1);
	mput("name-201", "member", "full_name", big, FB_NAME_MAX + 1);
	mput("name-200", "member", "full_name", big, FB_NAME_MAX);
	memset(big, 'n', FB_NOTES_MAX + 1);
	mput("notes-4001", "member", "notes", big, FB_NOTES_MAX + 1);
	MPUT("notes-crlf", "member", "notes", "  d\xc3\xb2ng 1\r\nd\xc3\xb2ng 2\ttab\n\n");
	MPUT("notes-cr", "visit", "notes", "a\rb");
	MPUT("role", "member", "role", "branch_head");
	MPUT("role-case", "member", "role", "Member");
	MPUT("role-empty", "member", "role", "   ");
	MPUT("year", "member", "birth_year", "1971");
	MPUT("year-leading-zero", "member", "birth_year", "01971");
	MPUT("year-low", "member", "birth_year", "1899");
	MPUT("year-high", "member", "birth_year", "2201");
	MPUT("year-huge", "member", "birth_year", "99999999999999999999999");
	MPUT("year-fullwidth", "member", "birth_year", "\xef\xbc\x91\xef\xbc\x99\xef\xbc\x97\xef\xbc\x91");
	MPUT("date", "member", "joined", "2024-02-29");
	MPUT("date-not-leap", "training", "start_date", "2023-02-29");
	MPUT("date-1900-leap", "training", "end_date", "1900-02-29");
	MPUT("date-2000-leap", "visit", "visit_date", "2000-02-29");
	MPUT("date-month-13", "visit", "visit_date", "2024-13-01");
	MPUT("date-day-0", "visit", "visit_date", "2024-01-00");
	MPUT("date-slashes", "visit", "visit_date", "2024/01/01");
	MPUT("date-long", "visit", "visit_date", "2024-01-011");
	MPUT("date-short", "visit", "visit_date", "2024-1-1");
	MPUT("amount", "visit", "amount_vnd", "500000");
	MPUT("amount-zeros", "visit", "amount_vnd", "000123");
	MPUT("amount-zero", "visit", "amount_vnd", "0000");
	MPUT("amount-max", "visit", "amount_vnd", "1000000000000");
	MPUT("amount-max-plus1", "visit", "amount_vnd", "1000000000001");
	MPUT("amount-overflow", "visit", "amount_vnd", "9223372036854775808");
	MPUT("amount-neg", "visit", "amount_vnd", "-5");
	MPUT("amount-plus", "visit", "amount_vnd", "+5");
	MPUT("amount-dots", "visit", "amount_vnd", "500.000");
	MPUT("amount-nan", "visit", "amount_vnd", "NaN");
	MPUT("topics", "training", "topics", "domestic_violence,gender_equality");
	MPUT("topics-spaces-repeats", "training", "topics", " stem , stem,,leadership ,");
	MPUT("topics-all", "training", "topics",
	     "association_work,gender_equality,population_family_planning,parenting,"
	     "food_safety,domestic_violence,child_injury,digital_transformation,"
	     "political_theory,leadership,trusted_address,stem,legal_consulting,other");
	MPUT("topics-unknown", "training", "topics", "stem,cooking");
	MPUT("topics-commas", "training", "topics", ",,,");
	MPUT("topics-nbsp", "training", "topics", "stem\xc2\xa0,other");
	MPUT("level", "training", "organizer_level", "commune");
	MPUT("reason", "visit", "reason", "tet");
	MPUT("support", "visit", "support", "gift");
	MPUT("ref", "attendance", "training_id", T1);
	MPUT("ref-upper", "attendance", "member_id", "0F8FAD5B-D9CB-469F-A165-70867728950E");
	MPUT("ref-attendance-id", "visit", "member_id", T1 ":" M1);
	MPUT("ref-short", "visit", "member_id", "0f8fad5b-d9cb-469f-a165-70867728950");
	MPUT("deleted-1", "member", "deleted", "1");
	MPUT("deleted-0-spaces", "training", "deleted", " 0 ");
	MPUT("deleted-2", "visit", "deleted", "2");
	MPUT("deleted-empty", "attendance", "deleted", "");
	MPUT("phone", "member", "phone", "+84 912 345 678");
	MPUT("gift", "visit", "gift", "G\xe1\xba\xa1o 10kg");
	MPUT("title-rtl", "training", "title", "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xe2\x80\xae" "abc");
	MPUT("location-emoji", "training", "location", "\xf0\x9f\x8f\xa0 \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7");
	MPUT("trainer-wide", "training", "trainer", "\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97");
	MPUT("seen", "member", "_seen", "full_name@019a9c5b2c000000:" DEV ",notes@019a9c5b2c000001:" DEV2);
	MPUT("seen-empty", "visit", "_seen", "");
	MPUT("seen-order", "member", "_seen", "notes@019a9c5b2c000001:" DEV ",full_name@019a9c5b2c000000:" DEV);
	MPUT("seen-repeat", "attendance", "_seen", "member_id@019a9c5b2c000000:" DEV ",member_id@019a9c5b2c000000:" DEV);
	MPUT("seen-deleted", "training", "_seen", "deleted@019a9c5b2c000000:" DEV);
	MPUT("seen-upper", "visit", "_seen", "reason@019A9C5B2C000000:" DEV);
	MPUT("seen-commas", "member", "_seen", ",full_name@019a9c5b2c000000:" DEV ",");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds DIR\n");
		return 64;
	}
	root = argv[1];
	if (mkdir(root, 0755) != 0 && errno != EEXIST) {
		perror(root);
		return 73;
	}
	push_seeds();
	pull_seeds();
	zbuf_seeds();
	csv_seeds();
	journal_seeds();
	model_seeds();
	return failed ? 74 : 0;
}
