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
	is_int(wire_push_encode(in, 3, &out), FB_OK, "encode a push of 3 changes");
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

	/* Pull: every change carries device, seq and its hash. */
	buf_reset(&out);
	wire_pull_begin(&out);
	for (i = 0; i < 3; i++)
		wire_pull_add(&out, &in[i], i == 0);
	wire_pull_end(&out, 1234, 1, 0x00010000000a0000ULL);
	is_int(wire_pull_decode(out.data, out.len, &page, &err), FB_OK, "decode a pull page");
	is_int(page.n, 3, "three changes pulled");
	is_int(page.next, 1234, "the cursor");
	is_int(page.more, 1, "more");
	ok(page.hub_time == 0x00010000000a0000ULL, "hub time");
	for (i = 0; i < 3; i++)
		ok(same_change(&in[i], &page.changes[i]) &&
		   !memcmp(page.changes[i].hash, in[i].hash, JOURNAL_HASH_LEN),
		   "pulled change %d round-trips with its hash", i);
	wire_page_release(&page);

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
