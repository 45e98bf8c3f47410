/*
 * ui_text.c - the local page's words (ui.h).  They are marked here, in
 * the one catalogue (po/vi.po) with every other message, and sent to
 * the page in the language it asks for; the page holds no text of its
 * own but a line for when it cannot reach the server.  Words in {braces}
 * are the page's to fill in; they are not printf conversions.  Field
 * names use label.c's words, so that a field is named alike in `show`
 * and on the page.
 */
#include <cjson/cJSON.h>

#include "i18n.h"
#include "ui.h"

static const struct {
	const char *key;
	const char *text;
} words[] = {
	/* TRANSLATORS: the local page (fieldbook ui). */
	{ "title", N_("Fieldbook") },
	{ "language", N_("Language") },
	{ "tab.member", N_("Members") },
	{ "tab.training", N_("Trainings") },
	{ "tab.visit", N_("Support visits") },
	{ "tab.report", N_("Report") },
	{ "tab.sync", N_("Sync and conflicts") },
	{ "add.member", N_("Add a member") },
	{ "add.training", N_("Add a training") },
	{ "add.visit", N_("Add a visit") },
	{ "edit.member", N_("Change a member") },
	{ "edit.training", N_("Change a training") },
	{ "edit.visit", N_("Change a visit") },
	{ "search", N_("Search (accents do not matter)") },
	{ "show.deleted", N_("Show deleted") },
	{ "count", N_("{n} shown") },
	{ "edit", N_("Change") },
	{ "delete", N_("Delete") },
	{ "restore", N_("Restore") },
	{ "save", N_("Save") },
	{ "cancel", N_("Cancel") },
	{ "choose", N_("(choose)") },
	{ "none", N_("None this year.") },
	{ "year", N_("Year") },
	{ "target", N_("Target") },
	{ "attendance", N_("Who attended") },
	{ "confirm.delete", N_("Delete {name}? It can be restored later.") },
	{ "done.added", N_("Saved.") },
	{ "done.saved", N_("Changes saved.") },
	{ "done.deleted", N_("Deleted {name}. 'Show deleted' lets you restore it.") },
	{ "done.restored", N_("Restored {name}.") },
	{ "not.saved", N_("Nothing was saved: see the message in red.") },
	{ "phone.fixed", N_("The phone number got back its leading 0.") },
	{ "err.server", N_("The page cannot reach Fieldbook: is 'fieldbook ui' still running?") },
	{ "f.full_name", N_("Full name") },
	{ "f.role", N_("Role") },
	{ "f.birth_year", N_("Year of birth") },
	{ "f.phone", N_("Phone") },
	{ "f.joined", N_("Joined") },
	{ "f.notes", N_("Notes") },
	{ "f.title", N_("Course title") },
	{ "f.start_date", N_("Start date") },
	{ "f.end_date", N_("End date") },
	{ "f.topics", N_("Topics") },
	{ "f.location", N_("Location") },
	{ "f.organizer_level", N_("Organised by") },
	{ "f.trainer", N_("Trainer") },
	{ "f.member_id", N_("Member") },
	{ "f.visit_date", N_("Visit date") },
	{ "f.reason", N_("Reason") },
	{ "f.person_name", N_("Person visited") },
	{ "f.person", N_("Person visited") },
	{ "f.support", N_("Support") },
	{ "f.amount_vnd", N_("Amount (VND)") },
	{ "f.gift", N_("Gift") },
	{ "f.visitors", N_("Visitors") },
	{ "f.deleted", N_("Deleted") },
	{ "report.title", N_("Report for {year}") },
	{ "report.targets", N_("Trained against the targets") },
	{ "report.trained", N_("{trained} of {total} trained ({pct} percent; target {target} percent)") },
	{ "report.not.trained", N_("Not yet trained:") },
	{ "report.roles", N_("Members by role") },
	{ "report.topics", N_("Courses by topic: {courses} courses, {attendances} attendances,"
			      " {trainees} different members") },
	{ "report.topics.chart", N_("Courses by topic") },
	{ "report.visits", N_("Support visits by reason: {visits} visits, {amount} dong") },
	{ "report.visits.chart", N_("Visits by reason") },
	{ "group.branch_heads_deputies", N_("Branch heads and deputies") },
	{ "group.commune_presidents_vices", N_("Commune presidents and vice presidents") },
	{ "group.planned_commune_presidents", N_("Planned for commune president") },
	{ "csv.targets", N_("Targets to CSV") },
	{ "csv.not.trained", N_("Not yet trained to CSV") },
	{ "csv.roles", N_("Roles to CSV") },
	{ "csv.topics", N_("Topics to CSV") },
	{ "csv.visits", N_("Visits to CSV") },
	{ "sync.title", N_("Sync with the hub") },
	{ "sync.now", N_("Sync now") },
	{ "sync.step.sending", N_("Sending: {done} of {total}") },
	{ "sync.step.receiving", N_("Receiving: {done}") },
	{ "sync.step.relaying", N_("Sending others' changes back: {done}") },
	{ "sync.ok", N_("Sent {sent} changes, received {received}.") },
	{ "sync.rejected", N_("The hub set {n} aside: see 'fieldbook status'.") },
	{ "sync.fail.net", N_("The hub could not be reached: check the connection and try again"
			      " later.") },
	{ "sync.fail.busy", N_("The hub or the database is busy: try again in a few minutes.") },
	{ "sync.fail.auth", N_("The hub refused this laptop's key: ask the commune for a new one.") },
	{ "sync.fail.setup", N_("No hub is set for this laptop yet: ask the commune to set it up"
				" ('fieldbook remote set').") },
	{ "sync.fail.version", N_("The hub speaks another version: Fieldbook needs updating.") },
	{ "sync.fail.other", N_("The sync did not finish.") },
	{ "sync.nothing.lost", N_("Nothing was lost: what is saved here stays and is sent next"
				  " time.") },
	{ "conflicts.title", N_("Conflicts") },
	{ "conflicts.none", N_("No conflicts to settle.") },
	{ "conflict.current", N_("Now in this book") },
	{ "conflict.other", N_("Written on laptop {laptop}") },
	{ "conflict.other.here", N_("Written on this laptop") },
	{ "conflict.deleted", N_("(deleted)") },
	{ "conflict.keep", N_("Keep this") },
	{ "conflict.settled", N_("Settled: the choice is sent with the next sync.") },
};

cJSON *ui_text_json(void)
{
	cJSON *o = cJSON_CreateObject();
	size_t i;

	for (i = 0; o && i < sizeof(words) / sizeof(words[0]); i++)
		if (!cJSON_AddStringToObject(o, words[i].key, _(words[i].text))) {
			cJSON_Delete(o);
			return NULL;
		}
	return o;
}
