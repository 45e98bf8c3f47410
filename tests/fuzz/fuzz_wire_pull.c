/*
 * fuzz_wire_pull.c - the collector's decoder of /v1/pull answers.
 *
 * A hub (or whatever answers in its place) cannot make
 * wire_pull_decode() crash, leak or hand back a malformed change; a
 * page it accepts, written again with wire_pull_begin/add/end, decodes
 * to the same page.
 */
#include "fuzz.h"
#include "wire.h"

static void check_page(const struct wire_page *p)
{
	size_t i;

	FUZZ_CHECK(p->n <= WIRE_BATCH_MAX);
	FUZZ_CHECK(p->n == 0 || p->changes != NULL);
	FUZZ_CHECK(p->more == 0 || p->more == 1);
	FUZZ_CHECK(p->next <= ((uint64_t)1 << 53));
	for (i = 0; i < p->n; i++)
		fuzz_check_change(&p->changes[i]);
}

static void check_roundtrip(const struct wire_page *p)
{
	struct fb_buf body = FB_BUF_INIT(WIRE_BODY_MAX);
	struct wire_page again;
	struct fb_error err;
	size_t i;

	FUZZ_CHECK(wire_pull_begin(&body) == FB_OK);
	for (i = 0; i < p->n; i++)
		FUZZ_CHECK(wire_pull_add(&body, &p->changes[i], i == 0) == FB_OK);
	FUZZ_CHECK(wire_pull_end(&body, p->next, p->more, p->hub_time) == FB_OK);
	fb_error_clear(&err);
	if (wire_pull_decode(body.data, body.len, &again, &err) != FB_OK) {
		fprintf(stderr, "re-encoded pull answer refused: %s\n%s\n",
			err.msg, body.data);
		abort();
	}
	FUZZ_CHECK(again.hub_time == p->hub_time);
	FUZZ_CHECK(again.next == p->next);
	FUZZ_CHECK(again.more == p->more);
	FUZZ_CHECK(again.n == p->n);
	for (i = 0; i < p->n; i++) {
		FUZZ_CHECK(fuzz_change_eq(&again.changes[i], &p->changes[i]));
		FUZZ_CHECK(!memcmp(again.changes[i].hash, p->changes[i].hash,
				   JOURNAL_HASH_LEN));
	}
	wire_page_release(&again);
	buf_release(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_page p;
	struct fb_error err;
	enum fb_code rc;

	if (size > WIRE_BODY_MAX)
		return 0;
	fb_error_clear(&err);
	rc = wire_pull_decode((const char *)data, size, &p, &err);
	if (rc != FB_OK) {
		FUZZ_CHECK(err.code == rc && err.msg[0]);
		FUZZ_CHECK(p.n == 0 && p.changes == NULL);
		return 0;
	}
	check_page(&p);
	check_roundtrip(&p);
	wire_page_release(&p);
	return 0;
}
