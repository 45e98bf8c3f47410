/*
 * test_model.c - record types, vocabularies and value checks (model.h).
 *
 * model_check() is what stands between what a user typed and the
 * journal, so every kind of field is tried with good, canonicalised and
 * refused input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "tap.h"

#define NGUYEN_NFC "Nguy\xe1\xbb\x85n"          /* Nguyễn, precomposed */
#define NGUYEN_NFD "Nguye\xcc\x82\xcc\x83n"     /* Nguyễn, decomposed */
#define UUID_COUNT 1000

static const struct field_def *field(const char *type, const char *name)
{
	const struct type_def *t = model_type_named(type);

	return t ? model_field(t, name) : NULL;
}

/* s for a test name: control characters escaped, long text cut. */
static const char *show(const char *s, char out[64])
{
	size_t i = 0;

	/* Cut only between UTF-8 sequences. */
	for (; *s && (i < 52 || ((unsigned char)*s & 0xC0) == 0x80); s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t') {
			out[i++] = '\\';
			out[i++] = *s == '\n' ? 'n' : *s == '\r' ? 'r' : 't';
		} else {
			out[i++] = *s;
		}
	}
	if (*s) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* model_check must accept `in` and give `want`. */
static void check_is(const char *type, const char *name, const char *in,
		     const char *want)
{
	const struct field_def *f = field(type, name);
	struct fb_error err;
	char *out = NULL, a[64], b[64];
	enum fb_code rc;

	fb_error_clear(&err);
	rc = f ? model_check(f, in, &out, &err) : FB_EINTERNAL;
	if (rc != FB_OK)
		printf("# %s\n", err.msg);
	is_str(rc == FB_OK ? out : NULL, want, "%s.%s '%s' -> '%s'", type, name,
	       show(in, a), show(want, b));
	free(out);
}

/* model_check must refuse `in` with code, naming the field. */
static void check_refuses(const char *type, const char *name, const char *in,
			  enum fb_code code, const char *label)
{
	const struct field_def *f = field(type, name);
	struct fb_error err;
	char *out = (char *)"untouched";
	enum fb_code rc;

	fb_error_clear(&err);
	rc = f ? model_check(f, in, &out, &err) : FB_EINTERNAL;
	ok(rc == code && out == NULL && strstr(err.msg, name) != NULL,
	   "%s.%s refuses %s (%s; '%s')", type, name, label, fb_strerror(rc),
	   err.msg);
	if (rc == FB_OK)
		free(out);
}

static void test_types(void)
{
	const struct type_def *m = model_type(REC_MEMBER);
	const struct type_def *a = model_type_named("attendance");

	ok(m && !strcmp(m->name, "member") && !strcmp(m->plural, "members"),
	   "model_type(REC_MEMBER) is member/members");
	ok(model_type_named("members") == m, "found by plural");
	ok(model_type_named("trainings") == model_type(REC_TRAINING), "training by plural");
	ok(model_type_named("visit") == model_type(REC_VISIT), "visit by name");
	ok(model_type_named("Member") == NULL, "names are case-sensitive");
	ok(model_type_named("record") == NULL, "unknown type: NULL");
	ok(model_type(REC_NTYPES) == NULL, "out-of-range enum: NULL");
	is_int(model_nfields(m), 8, "member has 8 fields with deleted and _seen");
	is_int(model_nfields(model_type(REC_TRAINING)), 10, "training has 10 fields");
	is_int(model_nfields(a), 4, "attendance has 4 fields");
	is_int(model_nfields(model_type(REC_VISIT)), 11, "visit has 11 fields");
	ok(model_field(m, FIELD_DELETED) && model_field(m, FIELD_DELETED)->kind == FK_BOOL,
	   "every type has deleted (member)");
	ok(model_field(a, FIELD_DELETED) != NULL, "every type has deleted (attendance)");
	is_int(model_field_index(m, "full_name"), 0, "full_name is field 0");
	is_int(model_field_index(m, "nope"), -1, "unknown field index -1");
	ok(model_field(m, "nope") == NULL, "unknown field NULL");
	ok(model_field(m, "full_name")->required, "full_name is required");
	ok(!model_field(m, "phone")->required, "phone is optional");
	ok(model_field(a, "training_id")->immutable && model_field(a, "member_id")->immutable,
	   "attendance keys are immutable");
	ok(model_field(a, "member_id")->ref == REC_MEMBER &&
	   model_field(a, "training_id")->ref == REC_TRAINING,
	   "attendance keys reference member and training");
	ok(model_in_vocab(model_topics, "gender_equality") &&
	   model_in_vocab(model_topics, "legal_consulting") &&
	   !model_in_vocab(model_topics, "gender"), "model_in_vocab");
}

/* Every type has the internal seen vector, which no user names. */
static void test_internal(void)
{
	int i;

	for (i = 0; i < REC_NTYPES; i++) {
		const struct type_def *t = model_type((enum rec_type)i);
		const struct field_def *f = model_field(t, FIELD_SEEN);
		int k, internal = 0;

		ok(f && f->kind == FK_SEEN && f->internal && f->ref == t->type &&
		   !f->required, "%s has the internal field _seen, listing its own fields",
		   t->name);
		ok(model_user_field(t, FIELD_SEEN) == NULL,
		   "...which model_user_field does not find");
		ok(model_user_field(t, FIELD_DELETED) != NULL,
		   "...but it finds deleted");
		for (k = 0; t->fields[k].name; k++)
			internal += t->fields[k].internal;
		is_int(internal, 1, "...the one internal field of %s", t->name);
	}
	ok(model_user_field(model_type(REC_MEMBER), "full_name") ==
	   model_field(model_type(REC_MEMBER), "full_name"), "full_name is a user field");
	ok(model_user_field(model_type(REC_MEMBER), "nope") == NULL, "unknown: NULL");
}

#define STAMP_A "0190d2a1c4000000:1f2e3d4c5b6a7988"
#define STAMP_B "0190d2a1c4000001:dev-b"

static void test_seen(void)
{
	/* Passed through as written: seen_parse() reads it where a change
	 * is applied (test_seen.c has the refusals). */
	check_is("member", FIELD_SEEN, "", "");
	check_is("member", FIELD_SEEN, "full_name@" STAMP_A, "full_name@" STAMP_A);
	check_is("member", FIELD_SEEN, "full_name@" STAMP_A ",notes@" STAMP_B,
		 "full_name@" STAMP_A ",notes@" STAMP_B);
	check_is("visit", FIELD_SEEN, "reason@" STAMP_A ",member_id@" STAMP_B,
		 "reason@" STAMP_A ",member_id@" STAMP_B);
	/* Its size and characters are checked here. */
	check_refuses("member", FIELD_SEEN, "full_name @" STAMP_A, FB_EINVAL, "a space");
	check_refuses("member", FIELD_SEEN, "Full_name@" STAMP_A, FB_EINVAL, "upper case");
	check_refuses("member", FIELD_SEEN, "full_name@" STAMP_A ";", FB_EINVAL,
		      "another separator");
}

static void test_dates(void)
{
	ok(model_valid_date("2026-01-31"), "2026-01-31 valid");
	ok(!model_valid_date("2026-02-30"), "2026-02-30 invalid");
	ok(model_valid_date("2024-02-29"), "2024-02-29 valid (leap year)");
	ok(!model_valid_date("2023-02-29"), "2023-02-29 invalid");
	ok(!model_valid_date("1900-02-29"), "1900-02-29 invalid (century)");
	ok(model_valid_date("2000-02-29"), "2000-02-29 valid (400 years)");
	ok(!model_valid_date("2026-04-31"), "2026-04-31 invalid");
	ok(model_valid_date("2026-12-31"), "2026-12-31 valid");
	ok(!model_valid_date("2026-13-01"), "2026-13-01 invalid");
	ok(!model_valid_date("2026-00-10"), "month 00 invalid");
	ok(!model_valid_date("2026-01-00"), "day 00 invalid");
	ok(!model_valid_date("2026-1-01"), "2026-1-01 invalid (not zero-padded)");
	ok(!model_valid_date("2026-01-1"), "2026-01-1 invalid");
	ok(!model_valid_date("2026-01-01x"), "trailing characters invalid");
	ok(!model_valid_date("2026-01-01 "), "trailing space invalid");
	ok(!model_valid_date(" 2026-01-01"), "leading space invalid");
	ok(!model_valid_date("2026/01/01"), "slashes invalid");
	ok(!model_valid_date("2026-01"), "short invalid");
	ok(!model_valid_date(""), "empty invalid");
	ok(!model_valid_date("+026-01-01"), "sign invalid");
	ok(!model_valid_date("1899-12-31"), "before FB_YEAR_MIN invalid");
	ok(model_valid_date("1900-01-01"), "FB_YEAR_MIN valid");
	ok(model_valid_date("2200-12-31"), "FB_YEAR_MAX valid");
	ok(!model_valid_date("2201-01-01"), "after FB_YEAR_MAX invalid");
	ok(!model_valid_date("2026-01-\xd9\xa1"), "non-ASCII digits invalid");
}

static void test_text_fields(void)
{
	char long_name[FB_NAME_MAX + 2], max_name[FB_NAME_MAX + 1];
	char nfd_long[66 * 5 + 1], nfc_long[67 * 3 + 1];
	char big_notes[FB_NOTES_MAX + 2];
	int i;

	check_is("member", "full_name", "  Nguyễn Thị Hoa ", "Nguyễn Thị Hoa");
	check_is("member", "full_name", NGUYEN_NFD " Thị Hoa", NGUYEN_NFC " Thị Hoa");
	check_refuses("member", "full_name", "\xff", FB_EINVAL, "invalid UTF-8 \\xff");
	check_refuses("member", "full_name", "Hoa\xc3", FB_EINVAL, "truncated UTF-8");
	check_refuses("member", "full_name", "", FB_EINVAL, "empty (required)");
	check_refuses("member", "full_name", "   ", FB_EINVAL, "only spaces (required)");
	check_refuses("member", "full_name", "Hoa\nLan", FB_EINVAL, "a line break");
	check_refuses("member", "full_name", "Hoa\tLan", FB_EINVAL, "a tab");
	check_is("member", "phone", "", "");
	check_is("member", "phone", " 0912 345 678 ", "0912 345 678");

	memset(max_name, 'a', FB_NAME_MAX);
	max_name[FB_NAME_MAX] = '\0';
	check_is("member", "full_name", max_name, max_name);
	memset(long_name, 'a', FB_NAME_MAX + 1);
	long_name[FB_NAME_MAX + 1] = '\0';
	check_refuses("member", "full_name", long_name, FB_ETOOBIG,
		      "FB_NAME_MAX + 1 bytes");

	/* Limits count bytes after NFC: 66 decomposed ễ are 330 bytes in,
	 * 198 bytes out, so they fit in 200. */
	nfd_long[0] = nfc_long[0] = '\0';
	for (i = 0; i < 66; i++) {
		strcat(nfd_long, "e\xcc\x82\xcc\x83");
		strcat(nfc_long, "\xe1\xbb\x85");
	}
	check_is("member", "full_name", nfd_long, nfc_long);
	strcat(nfc_long, "\xe1\xbb\x85");
	check_refuses("member", "full_name", nfc_long, FB_ETOOBIG,
		      "67 three-byte letters (201 bytes)");

	check_is("member", "notes", "dòng 1\r\ndòng 2\n\tthụt lề",
		 "dòng 1\ndòng 2\n\tthụt lề");
	check_is("member", "notes", "dòng 1\ndòng 2", "dòng 1\ndòng 2");
	/* NFC can be longer than the input (U+0958 -> U+0915 U+093C). */
	check_is("member", "full_name", "\xe0\xa5\x98", "\xe0\xa4\x95\xe0\xa4\xbc");
	memset(big_notes, 'x', FB_NOTES_MAX + 1);
	big_notes[FB_NOTES_MAX + 1] = '\0';
	check_refuses("member", "notes", big_notes, FB_ETOOBIG, "FB_NOTES_MAX + 1 bytes");
	big_notes[FB_NOTES_MAX] = '\0';
	check_is("member", "notes", big_notes, big_notes);
}

static void test_number_fields(void)
{
	check_is("visit", "amount_vnd", "500000", "500000");
	check_is("visit", "amount_vnd", "0", "0");
	check_is("visit", "amount_vnd", "007", "7");
	check_is("visit", "amount_vnd", "000", "0");
	check_is("visit", "amount_vnd", " 42 ", "42");
	check_is("visit", "amount_vnd", "1000000000000", "1000000000000");
	check_is("visit", "amount_vnd", "", "");
	check_refuses("visit", "amount_vnd", "-5", FB_EINVAL, "-5");
	check_refuses("visit", "amount_vnd", "+5", FB_EINVAL, "+5");
	check_refuses("visit", "amount_vnd", "1.5", FB_EINVAL, "1.5");
	check_is("visit", "amount_vnd", "1,500", "1500");     /* value.h */
	check_refuses("visit", "amount_vnd", "abc", FB_EINVAL, "abc");
	check_is("visit", "amount_vnd", "1 000", "1000");
	check_is("visit", "amount_vnd", "500.000 đ", "500000");
	check_refuses("visit", "amount_vnd", "1,5", FB_EINVAL, "1,5");
	check_refuses("visit", "amount_vnd", "1000000000001", FB_EINVAL, "FB_AMOUNT_MAX + 1");
	check_refuses("visit", "amount_vnd", "99999999999999999999999", FB_EINVAL,
		      "a number past 64 bits");
	check_refuses("visit", "amount_vnd", "0x10", FB_EINVAL, "hex");

	check_is("member", "birth_year", "1985", "1985");
	check_is("member", "birth_year", "1900", "1900");
	check_is("member", "birth_year", "2200", "2200");
	check_is("member", "birth_year", "", "");
	check_refuses("member", "birth_year", "1899", FB_EINVAL, "1899");
	check_refuses("member", "birth_year", "2201", FB_EINVAL, "2201");
	check_refuses("member", "birth_year", "01985", FB_EINVAL, "a leading zero");
	check_refuses("member", "birth_year", "85", FB_EINVAL, "two digits");
	check_refuses("member", "birth_year", "19a5", FB_EINVAL, "a letter");
	check_refuses("member", "birth_year", "-1985", FB_EINVAL, "a sign");
}

static void test_dates_and_enums(void)
{
	check_is("training", "start_date", " 2026-03-08 ", "2026-03-08");
	check_refuses("training", "start_date", "2026-02-30", FB_EINVAL, "2026-02-30");
	check_refuses("training", "start_date", "", FB_EINVAL, "empty (required)");
	check_is("training", "start_date", "08/03/2026", "2026-03-08");   /* value.h */
	check_is("training", "start_date", "8-3-2026", "2026-03-08");
	check_refuses("training", "start_date", "03/08/2026x", FB_EINVAL, "trailing text");
	check_refuses("training", "start_date", "30/02/2026", FB_EINVAL, "30/02/2026");
	check_is("training", "end_date", "", "");
	check_is("member", "joined", "2024-02-29", "2024-02-29");

	check_is("member", "role", "branch_head", "branch_head");
	check_is("member", "role", "commune_president_planned", "commune_president_planned");
	check_is("member", "role", "", "");
	check_is("member", "role", "Branch_Head", "branch_head");       /* vocab.h */
	check_is("member", "role", "chi hoi truong", "branch_head");
	check_is("member", "role", "Chi hội trưởng", "branch_head");
	check_refuses("member", "role", "chairwoman", FB_EINVAL, "an unknown role");
	check_is("training", "organizer_level", "district", "district");
	check_refuses("training", "organizer_level", "ward", FB_EINVAL, "ward");
	check_is("training", "organizer_level", "Xã", "commune");
	check_is("training", "organizer_level", "PHƯỜNG", "commune");
	check_is("visit", "reason", "Tết", "tet");
	check_is("visit", "reason", "tet", "tet");
	check_is("visit", "support", "Tiền mặt", "cash");
	check_is("visit", "reason", "tet", "tet");
	check_refuses("visit", "reason", "", FB_EINVAL, "empty (required)");
	check_refuses("visit", "reason", "birthday", FB_EINVAL, "birthday");
	check_is("visit", "support", "health_check", "health_check");
	check_refuses("visit", "support", "money", FB_EINVAL, "money");

	check_is("member", FIELD_DELETED, "1", "1");
	check_is("member", FIELD_DELETED, "0", "0");
	check_refuses("member", FIELD_DELETED, "", FB_EINVAL, "empty");
	check_refuses("member", FIELD_DELETED, "2", FB_EINVAL, "2");
	check_refuses("member", FIELD_DELETED, "yes", FB_EINVAL, "yes");
}

static void test_topics(void)
{
	char all[1024] = "";
	int i;

	check_is("training", "topics", "gender_equality", "gender_equality");
	check_is("training", "topics", "parenting, food_safety,parenting",
		 "parenting,food_safety");
	check_is("training", "topics", " stem , ,leadership,, stem ", "stem,leadership");
	check_is("training", "topics", "food_safety,parenting", "food_safety,parenting");
	check_refuses("training", "topics", "parenting,cooking", FB_EINVAL,
		      "an unknown topic");
	check_is("training", "topics", "Parenting", "parenting");
	check_is("training", "topics", "Nuôi dạy con; An toàn thực phẩm;parenting",
		 "parenting,food_safety");
	check_refuses("training", "topics", "Nuôi dạy con; Nấu ăn", FB_EINVAL,
		      "an unknown topic by name");
	check_refuses("training", "topics", "", FB_EINVAL, "empty (required)");
	check_refuses("training", "topics", " , ,", FB_EINVAL, "only commas");
	for (i = 0; model_topics[i]; i++) {
		strcat(all, model_topics[i]);
		strcat(all, ",");
	}
	strcat(all, "stem,other");
	all[strlen(all)] = '\0';
	{
		char want[1024];

		snprintf(want, sizeof(want), "%s", all);
		want[strlen(want) - strlen(",stem,other")] = '\0';
		check_is("training", "topics", all, want);
	}
}

static void test_refs(void)
{
	check_is("attendance", "member_id", "0f8fad5b-d9cb-469f-a165-70867728950e",
		 "0f8fad5b-d9cb-469f-a165-70867728950e");
	check_refuses("attendance", "member_id", "0F8FAD5B-D9CB-469F-A165-70867728950E",
		      FB_EINVAL, "an upper-case UUID");
	check_refuses("attendance", "member_id", "not-an-id", FB_EINVAL, "not-an-id");
	check_refuses("attendance", "member_id", "", FB_EINVAL, "empty (required)");
	check_is("visit", "member_id", "", "");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void test_uuids(void)
{
	static char ids[UUID_COUNT][FB_ID_LEN + 1];
	int i, valid = 1, v7 = 1, ordered = 1, unique = 1, near = 1;
	time_t before = time(NULL), after;

	for (i = 0; i < UUID_COUNT; i++) {
		if (model_new_uuid(ids[i]) != FB_OK || !model_valid_uuid(ids[i]))
			valid = 0;
		if (ids[i][14] != '7' || !strchr("89ab", ids[i][19]))
			v7 = 0;
		if (i > 0 && strcmp(ids[i - 1], ids[i]) >= 0)
			ordered = 0;
	}
	after = time(NULL);
	for (i = 0; i < UUID_COUNT; i += UUID_COUNT - 1) {
		char hex[13];
		unsigned long long ms;

		/* The first 48 bits are the creation time in ms. */
		memcpy(hex, ids[i], 8);
		memcpy(hex + 8, ids[i] + 9, 4);
		hex[12] = '\0';
		ms = strtoull(hex, NULL, 16);
		if (ms / 1000 + 1 < (unsigned long long)before ||
		    ms / 1000 > (unsigned long long)after + 1)
			near = 0;
	}
	qsort(ids, UUID_COUNT, sizeof(ids[0]), cmp_str);
	for (i = 1; i < UUID_COUNT; i++)
		if (!strcmp(ids[i - 1], ids[i]))
			unique = 0;
	ok(valid, "%d new UUIDs are valid lower-case UUIDs", UUID_COUNT);
	ok(v7, "...version 7 with the RFC 4122 variant");
	ok(ordered, "...each sorts after the one made before it");
	ok(near, "...their first 48 bits are the time they were made, in ms");
	ok(unique, "...all different");

	ok(model_valid_uuid("0f8fad5b-d9cb-469f-a165-70867728950e"), "a UUID is valid");
	ok(!model_valid_uuid("0f8fad5b-d9cb-469f-a165-70867728950"), "35 chars invalid");
	ok(!model_valid_uuid("0f8fad5b-d9cb-469f-a165-70867728950e0"), "37 chars invalid");
	ok(!model_valid_uuid("0f8fad5bd9cb-469f-a165-70867728950e0"), "dash missing invalid");
	ok(!model_valid_uuid("0f8fad5b-d9cb-469f-a165-70867728950G"), "'G' invalid");
	ok(!model_valid_uuid("0F8FAD5B-d9cb-469f-a165-70867728950e"), "upper case invalid");
	ok(!model_valid_uuid("0f8fad5b-d9cb-469f-a165-70867728950g"), "'g' invalid");
	ok(!model_valid_uuid(""), "empty invalid");
}

static void test_attendance_id(void)
{
	const char *t = "11111111-1111-4111-8111-111111111111";
	const char *m = "22222222-2222-4222-8222-222222222222";
	char id[FB_ATT_ID_LEN + 1];

	model_attendance_id(t, m, id);
	is_str(id, "11111111-1111-4111-8111-111111111111:22222222-2222-4222-8222-222222222222",
	       "attendance id is training_id:member_id");
	is_int(strlen(id), FB_ATT_ID_LEN, "...FB_ATT_ID_LEN long");
	ok(model_valid_id(REC_ATTENDANCE, id), "...a valid attendance id");
	ok(!model_valid_id(REC_MEMBER, id), "...not a valid member id");
	ok(model_valid_id(REC_MEMBER, m), "a UUID is a valid member id");
	ok(!model_valid_id(REC_ATTENDANCE, m), "a UUID alone is not an attendance id");
	id[FB_ID_LEN] = '-';
	ok(!model_valid_id(REC_ATTENDANCE, id), "attendance id without ':' invalid");
	ok(!model_valid_id(REC_ATTENDANCE,
			   "11111111-1111-4111-8111-111111111111:22222222-2222-4222-8222-22222222222"),
	   "attendance id with a short member part invalid");
	ok(!model_valid_id(REC_ATTENDANCE,
			   "11111111-1111-4111-8111-11111111111X:22222222-2222-4222-8222-222222222222"),
	   "attendance id with a bad training part invalid");
}

static void test_unit_codes(void)
{
	char max[FB_BRANCH_CODE_MAX + 2];

	ok(model_valid_unit_code("HN"), "HN valid");
	ok(model_valid_unit_code("HN.PL.TT.03"), "HN.PL.TT.03 valid");
	ok(model_valid_unit_code("hcm-q1_p2"), "'-' and '_' valid");
	ok(!model_valid_unit_code(""), "empty invalid");
	ok(!model_valid_unit_code("HN PL"), "space invalid");
	ok(!model_valid_unit_code("HN/PL"), "slash invalid");
	ok(!model_valid_unit_code("HN;DROP"), "semicolon invalid");
	ok(!model_valid_unit_code("H\xc3\xa0N\xe1\xbb\x99i"), "non-ASCII letters invalid");
	memset(max, 'A', FB_BRANCH_CODE_MAX);
	max[FB_BRANCH_CODE_MAX] = '\0';
	ok(model_valid_unit_code(max), "FB_BRANCH_CODE_MAX chars valid");
	max[FB_BRANCH_CODE_MAX] = 'A';
	max[FB_BRANCH_CODE_MAX + 1] = '\0';
	ok(!model_valid_unit_code(max), "FB_BRANCH_CODE_MAX + 1 chars invalid");
}

/* The rule of levels: each level and what it may sit under. */
static void test_unit_levels(void)
{
	static const struct {
		const char *parent, *child;
		int holds;
	} rule[] = {
		{ "central", "province", 1 }, { "province", "district", 1 },
		{ "province", "commune", 1 }, { "district", "commune", 1 },
		{ "commune", "branch", 1 },
		{ "district", "branch", 0 }, { "province", "branch", 0 },
		{ "commune", "commune", 0 }, { "district", "district", 0 },
		{ "central", "district", 0 }, { "central", "commune", 0 },
		{ "branch", "branch", 0 }, { "commune", "district", 0 },
		{ "province", "province", 0 }, { "village", "branch", 0 },
		{ "commune", NULL, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(rule) / sizeof(rule[0]); i++)
		ok(model_level_holds(rule[i].parent, rule[i].child) == rule[i].holds,
		   "a %s %s under a %s", rule[i].child ? rule[i].child : "(none)",
		   rule[i].holds ? "sits" : "does not sit", rule[i].parent);
	ok(model_level_may_top("central") && model_level_may_top("commune"),
	   "a hub's own unit may be central ... commune");
	ok(!model_level_may_top("branch") && !model_level_may_top("x") && !model_level_may_top(NULL),
	   "...but not a branch, nor what is no level");
}

int main(void)
{
	test_unit_levels();
	test_types();
	test_internal();
	test_seen();
	test_dates();
	test_text_fields();
	test_number_fields();
	test_dates_and_enums();
	test_topics();
	test_refs();
	test_uuids();
	test_attendance_id();
	test_unit_codes();
	return tap_done();
}
