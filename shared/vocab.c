/*
 * vocab.c - the Vietnamese names of the vocabularies' codes, and the
 * matching of what people type against them.
 */
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "vocab.h"

#define VOCAB_NAMES_MAX 5       /* the label and up to 3 others, NULL */

static const struct {
	const char *code;
	const char *const names[VOCAB_NAMES_MAX];  /* label first */
} table[] = {
	/* roles */
	{ "member", { "Hội viên", NULL } },
	{ "branch_head", { "Chi hội trưởng", "Trưởng chi hội", NULL } },
	{ "branch_deputy", { "Chi hội phó", "Phó chi hội", NULL } },
	{ "commune_president", { "Chủ tịch Hội LHPN xã", "Chủ tịch Hội Phụ nữ xã", NULL } },
	{ "commune_vice", { "Phó Chủ tịch Hội LHPN xã", "Phó Chủ tịch Hội Phụ nữ xã", NULL } },
	{ "commune_president_planned", { "Quy hoạch Chủ tịch xã",
					 "Quy hoạch Chủ tịch Hội LHPN xã", NULL } },
	{ "official", { "Cán bộ Hội", NULL } },
	/* topics */
	{ "association_work", { "Công tác Hội", NULL } },
	{ "gender_equality", { "Bình đẳng giới", NULL } },
	{ "population_family_planning", { "Dân số - Kế hoạch hóa gia đình", "Dân số",
					  "Kế hoạch hóa gia đình", NULL } },
	{ "parenting", { "Nuôi dạy con", NULL } },
	{ "food_safety", { "An toàn thực phẩm", NULL } },
	{ "domestic_violence", { "Phòng chống bạo lực gia đình", "Bạo lực gia đình", NULL } },
	{ "child_injury", { "Phòng chống tai nạn thương tích trẻ em",
			    "Tai nạn thương tích trẻ em", NULL } },
	{ "digital_transformation", { "Chuyển đổi số", NULL } },
	{ "political_theory", { "Lý luận chính trị", NULL } },
	{ "leadership", { "Kỹ năng lãnh đạo", NULL } },
	{ "trusted_address", { "Địa chỉ tin cậy", NULL } },
	{ "stem", { "STEM", NULL } },
	{ "legal_consulting", { "Tư vấn pháp luật", NULL } },
	{ "other", { "Khác", NULL } },
	/* visit reasons (other: above) */
	{ "illness", { "Ốm đau", "Ốm", NULL } },
	{ "hardship", { "Hoàn cảnh khó khăn", "Khó khăn", NULL } },
	{ "tet", { "Thăm hỏi dịp Tết", "Tết", "Thăm Tết", NULL } },
	{ "health_check", { "Khám sức khỏe", NULL } },
	{ "childbirth", { "Sinh con", NULL } },
	{ "bereavement", { "Hiếu sự", "Tang lễ", NULL } },
	/* support kinds (health_check, other: above) */
	{ "cash", { "Tiền mặt", NULL } },
	{ "gift", { "Hiện vật", "Quà", "Quà tặng", NULL } },
	/* organiser levels, the levels of organisation units */
	{ "central", { "Trung ương", NULL } },
	{ "province", { "Tỉnh", "Cấp tỉnh", NULL } },
	{ "district", { "Huyện", "Cấp huyện", "Quận", "Thị xã" } },
	{ "commune", { "Xã", "Cấp xã", "Phường", "Thị trấn" } },
	{ "branch", { "Chi hội", "Cấp chi hội", NULL } },
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

const char *const *vocab_names(const char *code)
{
	size_t i;

	for (i = 0; i < NTABLE; i++)
		if (!strcmp(table[i].code, code))
			return table[i].names;
	return NULL;
}

const char *vocab_label(const char *code)
{
	const char *const *names = vocab_names(code);

	return names ? names[0] : code;
}

/* 1 if name folds to key. */
static enum fb_code folds_to(const char *name, const char *key, int *same)
{
	char *f = NULL;
	enum fb_code rc = text_fold(name, TEXT_FOLD_ACCENTS, &f);

	*same = rc == FB_OK && !strcmp(f, key);
	free(f);
	return rc;
}

enum fb_code vocab_match(const char *const *vocab, const char *typed,
			 const char **code)
{
	const char *const *v, *const *names;
	char *key = NULL;
	enum fb_code rc;
	int same = 0;
	size_t k;

	*code = NULL;
	for (v = vocab; *v; v++)
		if (!strcmp(*v, typed)) {
			*code = *v;
			return FB_OK;
		}
	if ((rc = text_fold(typed, TEXT_FOLD_ACCENTS, &key)) != FB_OK)
		return rc;
	for (v = vocab; *v && !same && rc == FB_OK; v++) {
		rc = folds_to(*v, key, &same);
		names = vocab_names(*v);
		for (k = 0; names && names[k] && !same && rc == FB_OK; k++)
			rc = folds_to(names[k], key, &same);
		if (same)
			*code = *v;
	}
	free(key);
	if (rc != FB_OK)
		return rc;
	return *code ? FB_OK : FB_ENOENT;
}
