/* recjson.c - records as JSON objects. */
#include <string.h>

#include "recjson.h"

cJSON *record_to_json(const struct record *r)
{
	const struct type_def *t = model_type(r->type);
	cJSON *o = cJSON_CreateObject();
	int i;

	if (!o)
		return NULL;
	if (!cJSON_AddStringToObject(o, "id", r->id) ||
	    !cJSON_AddStringToObject(o, "type", t->name) ||
	    !cJSON_AddStringToObject(o, "branch", r->branch))
		goto fail;
	for (i = 0; t->fields[i].name; i++) {
		if (!strcmp(t->fields[i].name, FIELD_DELETED) || t->fields[i].internal ||
		    !r->val[i] || !*r->val[i])
			continue;
		if (!cJSON_AddStringToObject(o, t->fields[i].name, r->val[i]))
			goto fail;
	}
	if (!cJSON_AddBoolToObject(o, "deleted", record_deleted(r)))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}
