/* test_vocab.c - the vocabularies and the arrays sized by them agree. */
#include "model.h"
#include "report.h"
#include "tap.h"

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
	return tap_done();
}
