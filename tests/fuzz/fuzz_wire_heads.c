/*
 * fuzz_wire_heads.c - the hub's reading of POST /v2/heads, and the
 * laptop's of its answer (wire_heads_*).
 *
 * The promises checked: a request is accepted only with 1 to
 * WIRE_HEADS_MAX distinct valid device ids, and an accepted one encodes
 * back into a request that decodes to the same ids; the hub's answer to
 * it decodes back to the same sequences; an answer read as such never
 * fills more heads than were asked.
 */
#include "fuzz.h"
#include "wire.h"

static void check_request(const struct wire_heads *h)
{
	struct fb_buf body = FB_BUF_INIT(WIRE_BODY_MAX);
	struct wire_heads again;
	struct fb_error err;
	fb_hlc t = 0;
	size_t i, k;

	FUZZ_CHECK(h->n >= 1 && h->n <= WIRE_HEADS_MAX);
	for (i = 0; i < h->n; i++) {
		FUZZ_CHECK(journal_valid_device(h->device[i]));
		FUZZ_CHECK(h->seq[i] == 0);
		for (k = 0; k < i; k++)
			FUZZ_CHECK(strcmp(h->device[k], h->device[i]) != 0);
	}
	FUZZ_CHECK(wire_heads_request_encode(h, &body) == FB_OK);
	FUZZ_CHECK(wire_heads_request_decode(body.data, body.len, &again, &err) == FB_OK);
	FUZZ_CHECK(again.n == h->n);
	for (i = 0; i < h->n; i++) {
		FUZZ_CHECK(!strcmp(again.device[i], h->device[i]));
		again.seq[i] = (uint64_t)i * 7919u;
	}
	buf_reset(&body);
	FUZZ_CHECK(wire_heads_answer_encode(&again, 0x0001000000000000ULL, &body) == FB_OK);
	memset(again.seq, 0, again.n * sizeof(*again.seq));
	FUZZ_CHECK(wire_heads_answer_decode(body.data, body.len, &again, &t, &err) == FB_OK);
	for (i = 0; i < h->n; i++)
		FUZZ_CHECK(again.seq[i] == (uint64_t)i * 7919u);
	FUZZ_CHECK(t == 0x0001000000000000ULL);
	wire_heads_release(&again);
	buf_release(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_heads h, ans;
	struct fb_error err;
	fb_hlc t = 0;

	fb_error_clear(&err);
	if (wire_heads_request_decode((const char *)data, size, &h, &err) == FB_OK) {
		check_request(&h);
		wire_heads_release(&h);
	} else {
		FUZZ_CHECK(err.msg[0]);
		FUZZ_CHECK(h.n == 0 && !h.device && !h.seq);
	}
	/* The same bytes as an answer to a request of three. */
	FUZZ_CHECK(wire_heads_alloc(&ans, 3) == FB_OK);
	fb_error_clear(&err);
	if (wire_heads_answer_decode((const char *)data, size, &ans, &t, &err) != FB_OK)
		FUZZ_CHECK(err.msg[0]);
	wire_heads_release(&ans);
	return 0;
}
