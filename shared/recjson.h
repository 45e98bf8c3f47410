/*
 * recjson.h - a record as a JSON object, the shape of `show --json`,
 * `list --json` and `export --format json`:
 *
 *   {"id": "...", "type": "member", "branch": "HN.PL.TT.03",
 *    "full_name": "Nguyễn Thị Hồng Nhung", "role": "branch_head", ...,
 *    "deleted": false}
 *
 * Every set field appears as a string (codes, dates and amounts too, so
 * nothing is rounded); unset fields are left out; `topics` is a string
 * of comma-separated codes, as in CSV.
 */
#ifndef FB_RECJSON_H
#define FB_RECJSON_H

#include <cjson/cJSON.h>
#include "book.h"

/* A new object (caller frees with cJSON_Delete), NULL if out of memory. */
cJSON *record_to_json(const struct record *r);

#endif
