/* test_wire.c - the push and pull messages, both ways and under attack. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "wire.h"

static void make_change(struct jchange *c, const char *dev, uint64_t seq,
			fb_hlc hlc, const char *branch, int nentries)
{
	struct fb_stamp own = { hlc - 5, "" }, other = { hlc - 9, "feedfacefeedface" };
	int i;

	jchange_init(c);
	snprintf(c->device, sizeof(c->device), "%s", dev);
	snprintf(own.device, sizeof(own.device), "%s", dev);
	c->seq = seq;
	c->hlc = hlc;
	c->type = REC_MEMBER;
	snprintf(c->record_id, sizeof(c->record_id), "1b4e28ba-2fa1-41d2-883f-0016d3cca42%d",
		 (int)(seq % 10));
	snprintf(c->branch, sizeof(c->branch), "%s", branch);
	for (i = 0; i < nentries; i++)
		jchange_add(c, i == 0 ? "full_name" : i == 1 ? "notes" : "phone",
			    i == 0 ? "Nguyễn Thị \"Hồng\" Nhung" : i == 1 ? "dòng 1\ndòng 2\\" : "",
			    i == 0 ? NULL : i == 1 ? &own : &other);
	memset(c->hash, 0x5a + (int)seq, sizeof(c->hash));
}

static int same_change(const struct jchange *a, const struct jchange *b)
{
	size_t i;

	if (strcmp(a->device, b->device) || a->seq != b->seq || a->hlc != b->hlc ||
	    strcmp(a->record_id, b->record_id) || a->type != b->type ||
	    strcmp(a->branch, b->branch) || a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->e[i].field, b->e[i].field) || strcmp(a->e[i].value, b->e[i].value) ||
		    !stamp_eq(&a->e[i].base, &b->e[i].base))
			return 0;
	return 1;
}

/* Decode a push built from text; returns the code. */
static enum fb_code push_text(const char *json)
{
	struct wire_batch b;
	struct fb_error err;
	enum fb_code rc = wire_push_decode(json, strlen(json), &b, &err);

	wire_batch_release(&b);
	return rc;
}

/* A copy of c, entries and all. */
static void copy_change(struct jchange *to, const struct jchange *c)
{
	size_t i;

	jchange_init(to);
	memcpy(to->device, c->device, sizeof(to->device));
	to->seq = c->seq;
	to->hlc = c->hlc;
	memcpy(to->record_id, c->record_id, sizeof(to->record_id));
	to->type = c->type;
	memcpy(to->branch, c->branch, sizeof(to->branch));
	for (i = 0; i < c->n; i++)
		jchange_add(to, c->e[i].field, c->e[i].value, &c->e[i].base);
	memcpy(to->hash, c->hash, sizeof(to->hash));
}

static int held_none(void *ctx, const char *device, uint64_t seq,
		     unsigned char hash[JOURNAL_HASH_LEN])
{
	(void)ctx, (void)device, (void)seq, (void)hash;
	return 0;
}

/* What a receiver holds: device "aaaa" up to entry 3, with this hash. */
static unsigned char held_hash3[JOURNAL_HASH_LEN];

static int held_aaaa3(void *ctx, const char *device, uint64_t seq,
		      unsigned char hash[JOURNAL_HASH_LEN])
{
	(void)ctx;
	if (strcmp(device, "aaaa") || seq != 3)
		return 0;
	memcpy(hash, held_hash3, JOURNAL_HASH_LEN);
	return 1;
}

/*
 * A hub's page of two devices' chains: "aaaa" 1-3 (held), 4-5, 6 and,
 * after a change of "bbbb", 7; "bbbb" from 2 (its 1 is out of scope).
 * chain[] are the hashes after each change, in order.
 */
struct chains {
	struct jchange c[6];
	unsigned char before_b[JOURNAL_HASH_LEN];
};

static void make_chains(struct chains *ch)
{
	unsigned char h[JOURNAL_HASH_LEN];
	struct jchange b1;
	int i;

	make_change(&ch->c[0], "aaaa", 1, 0x0001000000000000ULL, "HN.B1", 3);
	make_change(&ch->c[1], "aaaa", 4, 0x0001000000010000ULL, "HN.B1", 2);
	make_change(&ch->c[2], "aaaa", 6, 0x0001000000020000ULL, "HN.B1", 1);
	make_change(&ch->c[3], "bbbb", 2, 0x0001000000030000ULL, "HN.B2", 1);
	make_change(&ch->c[4], "aaaa", 7, 0x0001000000040000ULL, "HN.B1", 1);
	make_change(&ch->c[5], "bbbb", 3, 0x0001000000050000ULL, "HN.B2", 2);
	memset(h, 0, sizeof(h));
	for (i = 0; i < 6; i++) {
		if (i == 3) {
			make_change(&b1, "bbbb", 1, 0x0000f00000000000ULL, "HN.X", 1);
			memset(h, 0, sizeof(h));
			journal_hash(h, &b1);
			memcpy(ch->before_b, b1.hash, sizeof(h));
			memcpy(h, b1.hash, sizeof(h));
			jchange_release(&b1);
		}
		if (i == 4)
			memcpy(h, ch->c[2].hash, sizeof(h));
		if (i == 5)
			memcpy(h, ch->c[3].hash, sizeof(h));
		journal_hash(h, &ch->c[i]);
		memcpy(h, ch->c[i].hash, sizeof(h));
	}
	memcpy(held_hash3, ch->c[0].hash, sizeof(held_hash3));
}

/* Encode changes c[from..6) as a hub's version-2 page, decode it. */
static enum fb_code v2_roundtrip(struct chains *ch, int from, struct fb_buf *out,
				 struct wire_page *got, struct fb_error *err)
{
	struct wire_page p;
	size_t i;
	int k;

	memset(&p, 0, sizeof(p));
	p.version = WIRE_VERSION;
	p.next = 99;
	snprintf(p.epoch, sizeof(p.epoch), "0123456789abcdef");
	p.held = 3;
	memcpy(p.held_hash, held_hash3, JOURNAL_HASH_LEN);
	for (k = from; k < 6; k++)
		copy_change(wire_page_add(&p), &ch->c[k]);
	wire_page_link(&p);
	for (i = 0; i < p.n; i++) {
		const struct jchange *c = &p.changes[i];

		if (!p.links[i].start || c->seq == 1)
			continue;
		if (!strcmp(c->device, "bbbb"))
			memcpy(p.links[i].prev, c->seq == 2 ? ch->before_b : ch->c[3].hash,
			       JOURNAL_HASH_LEN);
		else
			for (k = 0; k < 6; k++)
				if (!strcmp(ch->c[k].device, "aaaa") &&
				    ch->c[k].seq + ch->c[k].n == c->seq)
					memcpy(p.links[i].prev, ch->c[k].hash, JOURNAL_HASH_LEN);
	}
	buf_reset(out);
	if (wire_pull_encode(&p, out) != FB_OK)
		return FB_EINTERNAL;
	wire_page_release(&p);
	return wire_pull_decode(out->data, out->len, got, err);
}

/* Count the occurrences of needle in s. */
static int count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static void test_pull_v2(void)
{
	struct fb_buf out = FB_BUF_INIT(0);
	struct chains ch;
	struct wire_page page;
	struct fb_error err;
	int i;

	make_chains(&ch);
	is_int(v2_roundtrip(&ch, 1, &out, &page, &err), FB_OK, "a version 2 page decodes");
	is_int(page.version, 2, "version 2");
	is_int(page.n, 5, "five changes");
	is_str(page.epoch, "0123456789abcdef", "the cursor's epoch");
	is_int(page.held, 3, "how much of the asker's chain the hub holds");
	ok(!page.cut && !strstr(out.data, "cut_to"), "a cursor left as it was says nothing");
	ok(!memcmp(page.held_hash, held_hash3, JOURNAL_HASH_LEN), "and its hash there");
	/* Runs: aaaa 4-6, bbbb 2, aaaa 7, bbbb 3-4. */
	is_int(count(out.data, "\"x\""), 4, "a hash after each of the 4 runs only");
	is_int(count(out.data, "\"p\""), 4, "and one before each");
	is_int(count(out.data, "\"d\""), 4, "the device only where it changes");
	is_int(count(out.data, "\"s\""), 4, "the sequence only where a run starts");
	is_int(count(out.data, "\"b\""), 4, "the branch only where it changes");
	is_int(count(out.data, "\"h\""), 5, "an HLC on every change");
	for (i = 0; i < 5; i++)
		ok(same_change(&ch.c[i + 1], &page.changes[i]), "change %d round-trips", i);
	is_int(wire_page_verify(&page, held_aaaa3, NULL, &err), FB_OK,
	       "the page verifies against the chain held");
	for (i = 0; i < 5; i++)
		ok(!memcmp(page.changes[i].hash, ch.c[i + 1].hash, JOURNAL_HASH_LEN),
		   "change %d gets its chain hash", i);
	wire_page_release(&page);

	/* An altered value, a dropped change, two swapped: each refused,
	 * naming the device and entries. */
	free(ch.c[1].e[0].value);
	ch.c[1].e[0].value = strdup("Nguyễn Thị Hồng");
	is_int(v2_roundtrip(&ch, 1, &out, &page, &err), FB_OK, "an altered page still decodes");
	is_int(wire_page_verify(&page, held_aaaa3, NULL, &err), FB_ECORRUPT, "an altered entry is caught");
	ok(strstr(err.msg, "device aaaa entries 4 to 6") != NULL, "naming device and entries: %s", err.msg);
	wire_page_release(&page);
	for (i = 0; i < 6; i++)
		jchange_release(&ch.c[i]);

	make_chains(&ch);
	ch.c[2].seq = 5;        /* 4-5 then "5": a change dropped and one renumbered */
	is_int(v2_roundtrip(&ch, 1, &out, &page, &err), FB_OK, "a renumbered page decodes");
	is_int(wire_page_verify(&page, held_aaaa3, NULL, &err), FB_ECORRUPT,
	       "a change dropped from a run is caught");
	wire_page_release(&page);
	for (i = 0; i < 6; i++)
		jchange_release(&ch.c[i]);

	make_chains(&ch);
	{
		struct jchange t = ch.c[1];     /* aaaa 4-5 after aaaa 6 */

		ch.c[1] = ch.c[2];
		ch.c[2] = t;
	}
	is_int(v2_roundtrip(&ch, 1, &out, &page, &err), FB_OK, "a reordered page decodes");
	is_int(wire_page_verify(&page, held_aaaa3, NULL, &err), FB_ECORRUPT,
	       "two changes swapped are caught: %s", err.msg);
	wire_page_release(&page);
	for (i = 0; i < 6; i++)
		jchange_release(&ch.c[i]);

	/* A run that does not start from the chain the receiver holds. */
	make_chains(&ch);
	memset(held_hash3, 0x11, sizeof(held_hash3));
	is_int(v2_roundtrip(&ch, 1, &out, &page, &err), FB_OK, "decodes");
	is_int(wire_page_verify(&page, held_aaaa3, NULL, &err), FB_ECORRUPT,
	       "a run that does not follow the entry held is caught");
	ok(strstr(err.msg, "device aaaa entry 4") != NULL, "naming it: %s", err.msg);
	wire_page_release(&page);

	/* Malformed version-2 pages. */
	{
		static const char *const bad_pages[] = {
			"{\"v\":2,\"changes\":[],\"next\":0,\"more\":false,"
			"\"hub_time\":\"0000000000000001\"}",
			"{\"v\":2,\"changes\":[],\"next\":5,\"more\":false,"
			"\"hub_time\":\"0000000000000001\",\"epoch\":\"\",\"held\":0}",
			"{\"v\":2,\"changes\":[],\"next\":0,\"more\":false,"
			"\"hub_time\":\"0000000000000001\",\"epoch\":\"\",\"held\":2}",
			"{\"v\":2,\"changes\":[{\"h\":\"0001000000000000\",\"s\":1,"
			"\"id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\",\"t\":\"member\","
			"\"b\":\"B\",\"e\":[[\"full_name\",\"x\",\"\"]]}],\"next\":1,"
			"\"more\":false,\"hub_time\":\"0000000000000001\","
			"\"epoch\":\"0123456789abcdef\",\"held\":0}",
			"{\"v\":1,\"changes\":[],\"next\":0,\"more\":false,"
			"\"hub_time\":\"0000000000000001\",\"held\":0}",
		};
		static const char *const why[] = {
			"no epoch or held", "an empty epoch with a cursor",
			"held without its hash", "a change without the device",
			"version 1 with version 2 keys",
		};

		for (i = 0; i < (int)(sizeof(bad_pages) / sizeof(bad_pages[0])); i++) {
			is_int(wire_pull_decode(bad_pages[i], strlen(bad_pages[i]), &page, &err),
			       FB_EINVAL, "refused: %s", why[i]);
			wire_page_release(&page);
		}
	}
	for (i = 0; i < 6; i++)
		jchange_release(&ch.c[i]);
	buf_release(&out);
}


/* Relay pushes, heads and a cursor the hub cut back (§6.10, §7.6). */
static void test_relay(void)
{
	const char *dev = "0123456789abcdef";
	struct fb_buf out = FB_BUF_INIT(0);
	struct wire_heads h, got;
	struct wire_batch batch;
	struct jchange in[2];
	struct fb_error err;
	char *many, *at;
	fb_hlc t = 0;
	int i;

	make_change(&in[0], dev, 4, 0x0001000000000000ULL, "HN.B1", 2);
	make_change(&in[1], dev, 6, 0x0001000000010000ULL, "HN.B1", 1);
	is_int(wire_relay_encode(in, 2, &out), FB_OK, "encode a relay of 2 changes");
	ok(strstr(out.data, "\"relay\":true") != NULL, "it says relay");
	is_int(wire_push_decode(out.data, out.len, &batch, &err), FB_OK, "it decodes");
	ok(batch.relay && batch.n == 2 && batch.seq == 4 && !batch.forked_from[0],
	   "as a relay of the two, from entry 4");
	wire_batch_release(&batch);
	buf_reset(&out);
	is_int(wire_push_encode(in, 2, NULL, &out), FB_OK, "a plain push");
	is_int(wire_push_decode(out.data, out.len, &batch, &err), FB_OK, "decodes");
	ok(!batch.relay, "as no relay");
	wire_batch_release(&batch);
	for (i = 0; i < 2; i++)
		jchange_release(&in[i]);
	is_int(push_text("{\"v\":2,\"device\":\"0123456789abcdef\",\"seq\":1,\"branch\":\"B\","
			 "\"relay\":false,\"changes\":[{\"h\":\"0001000000000000\",\"id\":"
			 "\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\",\"t\":\"member\",\"e\":"
			 "[[\"full_name\",\"x\",\"\"]]}],\"last_hash\":\""
			 "0000000000000000000000000000000000000000000000000000000000000000\"}"),
	       FB_EINVAL, "relay is true or absent");
	is_int(push_text("{\"v\":2,\"device\":\"0123456789abcdef\",\"seq\":1,\"branch\":\"B\","
			 "\"relay\":true,\"forked_from\":\"00000000000000aa\",\"changes\":"
			 "[{\"h\":\"0001000000000000\",\"id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\","
			 "\"t\":\"member\",\"e\":[[\"full_name\",\"x\",\"\"]]}],\"last_hash\":\""
			 "0000000000000000000000000000000000000000000000000000000000000000\"}"),
	       FB_EINVAL, "a relay names no forked_from");
	is_int(push_text("{\"v\":1,\"device\":\"0123456789abcdef\",\"seq\":1,\"branch\":\"B\","
			 "\"relay\":true,\"changes\":[{\"h\":\"0001000000000000\",\"id\":"
			 "\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\",\"t\":\"member\",\"e\":"
			 "[[\"full_name\",\"x\",\"\"]]}],\"last_hash\":\""
			 "0000000000000000000000000000000000000000000000000000000000000000\"}"),
	       FB_EINVAL, "version 1 knows no relay");

	/* A pull whose cursor the hub cut back says where it went on. */
	{
		struct wire_page p, back;

		memset(&p, 0, sizeof(p));
		p.version = WIRE_VERSION;
		p.next = 5;
		p.cut = 1;
		p.cut_to = 5;
		snprintf(p.epoch, sizeof(p.epoch), "0123456789abcdef");
		buf_reset(&out);
		is_int(wire_pull_encode(&p, &out), FB_OK, "encode a page of a cut cursor");
		ok(strstr(out.data, "\"cut_to\":5") != NULL, "it says cut_to");
		is_int(wire_pull_decode(out.data, out.len, &back, &err), FB_OK, "it decodes");
		ok(back.cut && back.cut_to == 5, "as a cursor cut back to 5");
		wire_page_release(&back);
		wire_page_release(&p);
		p.version = WIRE_VERSION_OLD;
		buf_reset(&out);
		is_int(wire_pull_encode(&p, &out), FB_OK, "version 1");
		ok(!strstr(out.data, "cut_to"), "...never says it");
		wire_page_release(&p);
	}

	/* Heads: asked by name, answered in order. */
	is_int(wire_heads_alloc(&h, 3), FB_OK, "room for three heads");
	snprintf(h.device[0], sizeof(h.device[0]), "%s", dev);
	snprintf(h.device[1], sizeof(h.device[1]), "fedcba9876543210");
	snprintf(h.device[2], sizeof(h.device[2]), "laptop-3");
	buf_reset(&out);
	is_int(wire_heads_request_encode(&h, &out), FB_OK, "encode a heads request");
	is_int(wire_heads_request_decode(out.data, out.len, &got, &err), FB_OK,
	       "decode it (%s)", err.msg);
	ok(got.n == 3 && !strcmp(got.device[2], "laptop-3") && got.seq[1] == 0,
	   "the three devices, in order, no heads yet");
	got.seq[0] = 17;
	got.seq[2] = 4;
	buf_reset(&out);
	is_int(wire_heads_answer_encode(&got, 0x0001000000030000ULL, &out), FB_OK,
	       "encode the answer");
	is_str(out.data, "{\"v\":2,\"heads\":[17,0,4],\"hub_time\":\"0001000000030000\"}",
	       "the answer is a list of sequences");
	is_int(wire_heads_answer_decode(out.data, out.len, &h, &t, &err), FB_OK,
	       "decode it into the request");
	ok(h.seq[0] == 17 && h.seq[1] == 0 && h.seq[2] == 4 && t == 0x0001000000030000ULL,
	   "each device's head, and the hub's time");
	h.n = 2;
	is_int(wire_heads_answer_decode(out.data, out.len, &h, &t, &err), FB_EINVAL,
	       "an answer of another length is refused");
	wire_heads_release(&h);
	wire_heads_release(&got);
	is_int(wire_heads_request_decode("{\"v\":2,\"devices\":[\"aa\",\"aa\"]}", 30,
					 &got, &err), FB_EINVAL, "a device named twice");
	is_int(wire_heads_request_decode("{\"v\":2,\"devices\":[]}", 21, &got, &err),
	       FB_EINVAL, "no device");
	is_int(wire_heads_request_decode("{\"v\":2,\"devices\":[\"A B\"]}", 26, &got, &err),
	       FB_EINVAL, "not a device id");
	is_int(wire_heads_request_decode("{\"v\":1,\"devices\":[\"aa\"]}", 25, &got, &err),
	       FB_EINVAL, "version 1");
	many = malloc(32 * (WIRE_HEADS_MAX + 2));
	at = many + sprintf(many, "{\"v\":2,\"devices\":[");
	for (i = 0; i <= WIRE_HEADS_MAX; i++)
		at += sprintf(at, "%s\"d%d\"", i ? "," : "", i);
	at += sprintf(at, "]}");
	is_int(wire_heads_request_decode(many, (size_t)(at - many), &got, &err), FB_ETOOBIG,
	       "more than %d devices", WIRE_HEADS_MAX);
	free(many);
	buf_release(&out);
}

int main(void)
{
	const char *dev = "0123456789abcdef";
	struct jchange in[3];
	struct fb_buf out = FB_BUF_INIT(0);
	struct wire_batch batch;
	struct wire_page page;
	struct fb_error err;
	char *deep;
	int i;

	/* Push: sequences follow from entry counts, branch said once. */
	make_change(&in[0], dev, 7, 0x0001000000000000ULL, "HN.B1", 3);
	make_change(&in[1], dev, 10, 0x0001000000010000ULL, "HN.B1", 1);
	make_change(&in[2], dev, 11, 0x0001000000020000ULL, "HN.B2", 2);
	is_int(wire_push_encode(in, 3, NULL, &out), FB_OK, "encode a push of 3 changes");
	ok(strstr(out.data, "\"device\"") == strstr(out.data, dev) - 10,
	   "the device is said once, at the top");
	ok(strstr(out.data, "\"b\":\"HN.B2\"") != NULL, "a change of another branch says so");
	ok(strstr(out.data, "\"b\":\"HN.B1\"") == NULL, "changes of the batch's branch do not repeat it");
	is_int(wire_push_decode(out.data, out.len, &batch, &err), FB_OK, "decode it back");
	is_int(batch.n, 3, "three changes");
	is_int(batch.seq, 7, "first sequence");
	for (i = 0; i < 3; i++)
		ok(same_change(&in[i], &batch.changes[i]), "change %d round-trips exactly", i);
	ok(!memcmp(batch.last_hash, in[2].hash, JOURNAL_HASH_LEN), "last_hash is the last change's");
	wire_batch_release(&batch);

	/* Pull, version 1 (the release before): every key on every change;
	 * a delete's _seen entry is left out. */
	buf_reset(&out);
	memset(&page, 0, sizeof(page));
	page.version = WIRE_VERSION_OLD;
	page.next = 1234;
	page.more = 1;
	page.hub_time = 0x00010000000a0000ULL;
	for (i = 0; i < 3; i++)
		copy_change(wire_page_add(&page), &in[i]);
	/* Change 2 as the hub holds it: with a _seen entry, hashed whole
	 * from the hash before it. */
	{
		unsigned char before[JOURNAL_HASH_LEN];

		memset(before, 0x33, sizeof(before));
		memcpy(page.links[2].prev, before, sizeof(before));
		journal_hash(before, &in[2]);
		jchange_add(&page.changes[2], FIELD_SEEN, "full_name@0001000000000000:0123",
			    NULL);
		journal_hash(before, &page.changes[2]);
		ok(wire_v1_strips(&page.changes[2]) && !wire_v1_strips(&page.changes[1]),
		   "version 1 cuts a delete's trailing _seen only");
		ok(memcmp(page.changes[2].hash, in[2].hash, JOURNAL_HASH_LEN) != 0,
		   "the change's full hash differs from the one without _seen");
	}
	is_int(wire_pull_encode(&page, &out), FB_OK, "encode a version 1 page");
	wire_page_release(&page);
	ok(!strstr(out.data, FIELD_SEEN), "a version 1 page carries no _seen entry");
	ok(!strstr(out.data, "\"held\"") && !strstr(out.data, "\"epoch\""),
	   "nor the version 2 keys");
	is_int(wire_pull_decode(out.data, out.len, &page, &err), FB_OK, "decode a pull page");
	is_int(page.version, 1, "version 1");
	is_int(page.n, 3, "three changes pulled");
	is_int(page.next, 1234, "the cursor");
	is_int(page.more, 1, "more");
	ok(page.hub_time == 0x00010000000a0000ULL, "hub time");
	for (i = 0; i < 3; i++)
		ok(same_change(&in[i], &page.changes[i]) &&
		   !memcmp(page.changes[i].hash, in[i].hash, JOURNAL_HASH_LEN),
		   "pulled change %d round-trips with its hash (the last: the chain's"
		   " after the entries sent, which the release before checks)", i);
	is_int(wire_page_verify(&page, held_none, NULL, &err), FB_EINVAL,
	       "a version 1 page has no chain to check");
	wire_page_release(&page);

	test_pull_v2();
	test_relay();
	/* Hostile pushes, each refused. */
	is_int(push_text(""), FB_EINVAL, "empty body");
	is_int(push_text("{\"v\":1}"), FB_EINVAL, "no fields");
	is_int(push_text("[]"), FB_EINVAL, "an array");
	is_int(push_text("{\"v\":1,\"v\":1,\"device\":\"0123456789abcdef\",\"seq\":1,\"branch\":\"B\","
			 "\"changes\":[{\"h\":\"0001000000000000\",\"id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\","
			 "\"t\":\"member\",\"e\":[[\"full_name\",\"x\",\"\"]]}],\"last_hash\":\"" 
			 "0000000000000000000000000000000000000000000000000000000000000000\"}"),
	       FB_EINVAL, "a duplicate key");
	is_int(push_text("{\"v\":1,\"device\":\"0123456789abcdef\",\"seq\":1,\"branch\":\"B\","
			 "\"changes\":[{\"h\":\"0001000000000000\",\"id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\","
			 "\"t\":\"member\",\"e\":[[\"full_name\",\"x\",\"\"]]}],\"last_hash\":\""
			 "0000000000000000000000000000000000000000000000000000000000000000\"}"),
	       FB_OK, "the same message without the duplicate is fine");
	is_int(push_text("{\"v\":1,\"device\":\"0123456789abcdef\",\"seq\":1,\"branch\":\"B\","
			 "\"changes\":[{\"h\":281474976710656,\"id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\","
			 "\"t\":\"member\",\"e\":[[\"full_name\",\"x\",\"\"]]}],\"last_hash\":\""
			 "0000000000000000000000000000000000000000000000000000000000000000\"}"),
	       FB_EINVAL, "an HLC as a JSON number");
	is_int(push_text("{\"v\":1,\"device\":\"0123456789abcdef\",\"seq\":1.5,\"branch\":\"B\","
			 "\"changes\":[],\"last_hash\":\"00\"}"), FB_EINVAL, "a fractional sequence");
	is_int(push_text("{\"v\":1,\"device\":\"0123456789abcdef\",\"seq\":1,\"branch\":\"B\","
			 "\"changes\":[{\"h\":\"0001000000000000\",\"id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\","
			 "\"t\":\"member\",\"e\":[[\"full_name\",\"x\",\"\"]]}],\"last_hash\":\""
			 "0000000000000000000000000000000000000000000000000000000000000000\"} x"),
	       FB_EINVAL, "text after the document");
	deep = malloc(20001);
	memset(deep, '[', 10000);
	memset(deep + 10000, ']', 10000);
	deep[20000] = '\0';
	is_int(push_text(deep), FB_EINVAL, "10,000 levels of nesting");
	free(deep);

	/*
	 * An object of many keys must not tie a hub thread up: checking
	 * keys two by two took hours on a 16 MiB body.  A hang guard, not
	 * a timing: linear work ends in milliseconds, quadratic in minutes.
	 */
	{
		struct fb_buf many = FB_BUF_INIT(0);

		buf_adds(&many, "{");
		for (i = 0; i < 200000; i++)
			buf_printf(&many, "\"%x\":0,", i);
		buf_adds(&many, "\"v\":1}");
		alarm(120);
		is_int(push_text(many.data), FB_EINVAL, "an object of 200,000 keys is refused");
		alarm(0);
		buf_release(&many);
	}
	is_int(push_text("{\"v\":1,\"device\":\"0123456789abcdef\",\"seq\":1,\"branch\":\"B\","
			 "\"changes\":[{\"h\":\"0001000000000000\",\"id\":\"1b4e28ba-2fa1-41d2-883f-0016d3cca427\","
			 "\"t\":\"member\",\"e\":[[\"full_name\",\"a\\u0000b\",\"\"]]}],\"last_hash\":\""
			 "0000000000000000000000000000000000000000000000000000000000000000\"}"),
	       FB_EINVAL, "an escaped NUL in a value is refused, not cut short");

	/* Hex helpers. */
	{
		unsigned char h[4] = { 0x00, 0xab, 0xff, 0x10 }, back[4];
		char hex[9];

		wire_hex(h, 4, hex);
		is_str(hex, "00abff10", "hex of bytes");
		is_int(wire_unhex(hex, back, 4), FB_OK, "and back");
		ok(!memcmp(h, back, 4), "exactly");
		is_int(wire_unhex("00ABFF10", back, 4), FB_EINVAL, "upper-case hex refused");
		is_int(wire_unhex("00abff1", back, 4), FB_EINVAL, "odd length refused");
	}
	buf_reset(&out);
	wire_error(&out, "gap", "expected \"entry\" 3", 1);
	is_str(out.data, "{\"error\":\"gap\",\"message\":\"expected \\\"entry\\\" 3\","
	       "\"hub_time\":\"0000000000000001\"}", "an error answer, escaped");
	for (i = 0; i < 3; i++)
		jchange_release(&in[i]);
	buf_release(&out);
	return tap_done();
}
