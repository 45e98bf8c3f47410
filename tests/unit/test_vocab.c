/* test_vocab.c - the vocabularies and the arrays sized by them agree. */
#include <stdlib.h>

#include "model.h"
#include "report.h"
#include "text.h"
#include "vocab.h"
#include "tap.h"

/* No two codes of one vocabulary answer to the same folded name. */
static void names_unique(const char *what, const char *const *v)
{
	char *keys[64];
	const char *owner[64];
	size_t n = 0, i, j, k;
	int clash = 0;

	for (i = 0; v[i]; i++) {
		const char *const *names = vocab_names(v[i]);

		ok(names && names[0], "%s: %s has a label", what, v[i]);
		if (text_fold(v[i], TEXT_FOLD_ACCENTS, &keys[n]) == FB_OK)
			owner[n++] = v[i];
		for (k = 0; names && names[k] && n < 64; k++)
			if (text_fold(names[k], TEXT_FOLD_ACCENTS, &keys[n]) == FB_OK)
				owner[n++] = v[i];
	}
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (!strcmp(keys[i], keys[j]) && strcmp(owner[i], owner[j])) {
				clash = 1;
				printf("# '%s' names %s and %s\n", keys[i], owner[i], owner[j]);
			}
	ok(!clash, "%s: no name names two codes", what);
	for (i = 0; i < n; i++)
		free(keys[i]);
}

static void match_is(const char *const *v, const char *typed, const char *want)
{
	const char *code = NULL;
	enum fb_code rc = vocab_match(v, typed, &code);

	if (!want)
		ok(rc == FB_ENOENT && !code, "'%s' names no code", typed);
	else
		is_str(rc == FB_OK ? code : "(none)", want, "'%s' is %s", typed, want);
}

static int count(const char *const *v)
{
	int n = 0;

	while (v[n])
		n++;
	return n;
}

int main(void)
{
	struct report r;

	is_int(count(model_roles), MODEL_NROLES, "roles: the list and its count");
	is_int(count(model_topics), MODEL_NTOPICS, "topics");
	is_int(count(model_levels), MODEL_NLEVELS, "levels");
	is_int(count(model_reasons), MODEL_NREASONS, "reasons");
	is_int(count(model_supports), MODEL_NSUPPORTS, "support kinds");
	is_int((int)(sizeof(r.members_by_role) / sizeof(r.members_by_role[0])), count(model_roles),
	       "the report holds a count for every role");
	is_int((int)(sizeof(r.topic_courses) / sizeof(r.topic_courses[0])), count(model_topics),
	       "and for every topic");
	is_int((int)(sizeof(r.visits_by_reason) / sizeof(r.visits_by_reason[0])),
	       count(model_reasons), "and for every reason");

	names_unique("roles", model_roles);
	names_unique("topics", model_topics);
	names_unique("levels", model_levels);
	names_unique("reasons", model_reasons);
	names_unique("support kinds", model_supports);

	match_is(model_roles, "branch_head", "branch_head");
	match_is(model_roles, "Chi hội trưởng", "branch_head");
	match_is(model_roles, "CHI HỘI TRƯỞNG", "branch_head");
	match_is(model_roles, "chi hoi truong", "branch_head");
	match_is(model_roles, "Trưởng chi hội", "branch_head");
	match_is(model_roles, "Branch Head", "branch_head");
	match_is(model_roles, "Chi hội phó", "branch_deputy");
	match_is(model_roles, "Hội viên", "member");
	match_is(model_roles, "Chi hội", NULL);
	match_is(model_reasons, "Tết", "tet");
	match_is(model_reasons, "TET", "tet");
	match_is(model_reasons, "Thăm hỏi dịp Tết", "tet");
	match_is(model_reasons, "Ốm đau", "illness");
	match_is(model_topics, "Bình đẳng giới", "gender_equality");
	match_is(model_topics, "binh dang gioi", "gender_equality");
	match_is(model_topics, "Dân số – Kế hoạch hoá gia đình", "population_family_planning");
	match_is(model_topics, "Phòng chống tai nạn thương tích trẻ em", "child_injury");
	match_is(model_topics, "Tết", NULL);
	match_is(model_levels, "Xã", "commune");
	match_is(model_levels, "Huyện", "district");
	match_is(model_levels, "Tỉnh", "province");
	match_is(model_levels, "Chi hội", "branch");
	match_is(model_levels, "Trung ương", "central");
	match_is(model_supports, "Khám sức khoẻ", "health_check");
	match_is(model_supports, "Tiền mặt", "cash");
	is_str(vocab_label("branch_head"), "Chi hội trưởng", "the label of branch_head");
	is_str(vocab_label("commune"), "Xã", "the label of the level commune");
	is_str(vocab_label("no_such_code"), "no_such_code", "a code without a label is itself");
	return tap_done();
}
