/*
 * test_seen.c - a delete's seen vector (seen.h): written from what a
 * record holds, read back field by field, and the largest one any type
 * can make fits FB_SEEN_MAX.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "limits.h"
#include "seen.h"
#include "tap.h"

#define FIELDS_MAX 16

static struct fb_stamp mk(fb_hlc hlc, const char *device)
{
	struct fb_stamp s;

	memset(&s, 0, sizeof(s));
	s.hlc = hlc;
	snprintf(s.device, sizeof(s.device), "%s", device);
	return s;
}

static void test_format_parse(void)
{
	const struct type_def *t = model_type(REC_MEMBER);
	char *val[FIELDS_MAX] = { NULL };
	struct fb_stamp st[FIELDS_MAX], back[FIELDS_MAX];
	int name = model_field_index(t, "full_name"), notes = model_field_index(t, "notes"),
	    phone = model_field_index(t, "phone"), del = model_field_index(t, FIELD_DELETED),
	    seen = model_field_index(t, FIELD_SEEN);
	struct fb_error err;
	char *out = NULL;

	memset(st, 0, sizeof(st));
	is_int(seen_format(t, val, st, &out), FB_OK, "a record holding nothing");
	is_str(out, "", "...lists nothing");
	is_int((int)seen_count(out), 0, "...0 fields");
	free(out);

	val[name] = "Hoa";
	st[name] = mk(0x0190d2a1c4000000ULL, "1f2e3d4c5b6a7988");
	val[notes] = "";
	st[notes] = mk(0x0190d2a1c4000005ULL, "dev-b");
	val[del] = "0";
	st[del] = mk(0x0190d2a1c4000000ULL, "1f2e3d4c5b6a7988");
	val[seen] = "full_name@0190d2a1c4000000:1f2e3d4c5b6a7988";
	st[seen] = mk(0x0190d2a1c4000001ULL, "1f2e3d4c5b6a7988");
	is_int(seen_format(t, val, st, &out), FB_OK, "a record with two fields, deleted and _seen");
	is_str(out, "full_name@0190d2a1c4000000:1f2e3d4c5b6a7988,notes@0190d2a1c4000005:dev-b",
	       "...lists the two fields in the type's order, an emptied one too,"
	       " neither deleted nor _seen");
	is_int((int)seen_count(out), 2, "...2 fields");

	fb_error_clear(&err);
	is_int(seen_parse(t, out, back, FIELDS_MAX, &err), FB_OK, "it reads back (%s)",
	       err.msg);
	ok(stamp_eq(&back[name], &st[name]) && stamp_eq(&back[notes], &st[notes]),
	   "...with each field's stamp");
	ok(back[phone].hlc == 0 && !back[phone].device[0] && back[del].hlc == 0,
	   "...and the zero stamp for a field it does not list");
	is_int(seen_parse(t, out, NULL, 0, &err), FB_OK, "checking alone needs no room");
	is_int(seen_parse(t, out, back, 3, &err), FB_EINTERNAL, "too little room is a bug");
	is_int(seen_parse(model_type(REC_VISIT), out, back, FIELDS_MAX, &err), FB_EINVAL,
	       "a member's vector is not a visit's (%s)", err.msg);
	ok(strstr(err.msg, FIELD_SEEN) == err.msg, "...the message names _seen");
	free(out);
}

/* Every listed field held, each at the largest HLC by the longest device id. */
static void test_largest(void)
{
	char device[FB_DEVICE_ID_MAX + 1];
	int i, k;

	memset(device, 'z', FB_DEVICE_ID_MAX);
	device[FB_DEVICE_ID_MAX] = '\0';
	for (i = 0; i < REC_NTYPES; i++) {
		const struct type_def *t = model_type((enum rec_type)i);
		char *val[FIELDS_MAX] = { NULL }, *out = NULL, *canon = NULL;
		struct fb_stamp st[FIELDS_MAX];
		struct fb_error err;

		for (k = 0; t->fields[k].name; k++) {
			val[k] = "x";
			st[k] = mk(HLC_MAKE(HLC_MS_MAX, 0xFFFF), device);
		}
		fb_error_clear(&err);
		is_int(seen_format(t, val, st, &out), FB_OK,
		       "%s: the largest vector is written", t->name);
		ok(out && strlen(out) <= FB_SEEN_MAX, "...%zu bytes, within FB_SEEN_MAX (%d)",
		   out ? strlen(out) : 0, FB_SEEN_MAX);
		ok(out && strlen(out) < FB_VALUE_MAX, "...and within the wire's value cap");
		is_int(out ? model_check(model_field(t, FIELD_SEEN), out, &canon, &err)
			   : FB_EINTERNAL,
		       FB_OK, "...and model_check takes it as it is (%s)", err.msg);
		ok(canon && out && !strcmp(canon, out), "...unchanged");
		free(canon);
		free(out);
	}
}

static void test_too_long(void)
{
	const struct type_def *t = model_type(REC_MEMBER);
	char big[FB_SEEN_MAX + 64];
	struct fb_error err;
	size_t n = 0;

	while (n + 40 < sizeof(big) - 1)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%sfull_name@0190d2a1c4000000:aa",
				      n ? "," : "");
	fb_error_clear(&err);
	is_int(seen_parse(t, big, NULL, 0, &err), FB_ETOOBIG,
	       "a vector past FB_SEEN_MAX is refused as too big (%s)", err.msg);
}

#define STAMP_A "0190d2a1c4000000:1f2e3d4c5b6a7988"
#define STAMP_B "0190d2a1c4000001:dev-b"

/* Vectors a hostile or damaged change could carry: each refused. */
static void test_refusals(void)
{
	static const struct {
		enum rec_type type;
		const char *text, *what;
	} bad[] = {
		{ REC_MEMBER, "notes@" STAMP_B ",full_name@" STAMP_A, "fields out of the type's order" },
		{ REC_MEMBER, "phone@" STAMP_A ",phone@" STAMP_B, "a field twice" },
		{ REC_MEMBER, "shoe_size@" STAMP_A, "an unknown field" },
		{ REC_VISIT, "full_name@" STAMP_A, "another type's field" },
		{ REC_MEMBER, "deleted@" STAMP_A, "deleted" },
		{ REC_MEMBER, "_seen@" STAMP_A, "_seen itself" },
		{ REC_MEMBER, "full_name", "no stamp" },
		{ REC_MEMBER, "full_name@", "an empty stamp" },
		{ REC_MEMBER, "full_name@0000000000000000:dev", "a zero HLC" },
		{ REC_MEMBER, "full_name@0190D2A1C4000000:dev", "upper-case hex" },
		{ REC_MEMBER, "full_name@0190d2a1c4000000:Dev", "an invalid device id" },
		{ REC_MEMBER, "full_name@0190d2a1c400000:dev", "a short HLC" },
		{ REC_MEMBER, "full_name@" STAMP_A ",", "a trailing comma" },
		{ REC_MEMBER, ",full_name@" STAMP_A, "a leading comma" },
		{ REC_MEMBER, "full_name@" STAMP_A ",,notes@" STAMP_B, "an empty item" },
		{ REC_MEMBER, "full_name @" STAMP_A, "a space in it" },
		{ REC_MEMBER, "full_name@" STAMP_A "\n", "a line break" },
	};
	struct fb_error err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fb_error_clear(&err);
		is_int(seen_parse(model_type(bad[i].type), bad[i].text, NULL, 0, &err),
		       FB_EINVAL, "refused: %s", bad[i].what);
		ok(strstr(err.msg, FIELD_SEEN) != NULL, "...naming the field (%s)", err.msg);
	}
}

int main(void)
{
	test_format_parse();
	test_largest();
	test_too_long();
	test_refusals();
	return tap_done();
}
