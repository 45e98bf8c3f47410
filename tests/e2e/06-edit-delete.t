#!/usr/bin/env bash
# edit ID FIELD=VALUE..., delete, restore.
. "$(dirname "$0")/lib.sh"

journal_count() {
	sqlite3 "$FIELDBOOK_DB" 'select count(*) from journal'
}
entries() {
	fb status --json | json_get 'd["journal_entries"]'
}

fresh_db
m=$(new_id fb member add --name "Vũ Thị Hằng" --role member --phone 0901)
t=$(new_id fb training add --title "Chuyển đổi số" --date 2026-05-01 --topic digital_transformation)
v=$(new_id fb visit add --date 2026-05-02 --reason illness --person "Bà Sáu" --amount-vnd 200000)

# Several fields in one edit; one journal entry per changed field.
e0=$(entries)
run fb edit "$m" role=branch_head "phone=0912 000 111" "notes=Được bầu, 2026"
expect_exit 0 "edit three fields"
expect_out "" "edit prints nothing on stdout"
expect_err_empty "edit of changed values: nothing on stderr"
run fb show "$m" --json
is_j '[d["role"], d["phone"], d["notes"], d["full_name"]]' \
	'["branch_head", "0912 000 111", "Được bầu, 2026", "Vũ Thị Hằng"]' "the three fields changed, the others kept"
is "$(entries)" "$((e0 + 3))" "three journal entries for three changed fields"
run fb log "$m"
expect_out_contains "role = branch_head" "log shows the role change"

# A value with '=' in it: only the first '=' splits.
run fb edit "$m" "notes=a=b"
expect_exit 0 "edit a value containing '='"
run fb show "$m" --json
is_j 'd["notes"]' "a=b" "value kept after the first '='"

# Clearing an optional field.
run fb edit "$m" phone=
expect_exit 0 "clear an optional field"
run fb show "$m" --json
is_j 'd.get("phone", "")' "" "phone cleared"

# Unchanged values: exit 0, 'nothing changed', journal untouched.
snapshot
j=$(journal_count)
run fb edit "$m" role=branch_head
expect_exit 0 "edit to the same value exits 0"
expect_err "fieldbook: nothing changed" "edit to the same value: 'nothing changed' on stderr"
expect_out "" "edit to the same value: nothing on stdout"
is "$(journal_count)" "$j" "edit to the same value: journal unchanged"
db_unchanged "edit to the same value: database unchanged"
run fb edit "$m" "full_name=  Vũ Thị Hằng  "
expect_err "fieldbook: nothing changed" "a value equal after trimming changes nothing"
nfd=$(py -c 'import unicodedata,sys; print(unicodedata.normalize("NFD", sys.argv[1]))' "Vũ Thị Hằng")
run fb edit "$m" "full_name=$nfd"
expect_err "fieldbook: nothing changed" "the same name in NFD changes nothing"
is "$(journal_count)" "$j" "journal still unchanged"

# Other types.
run fb edit "$t" end_date=2026-05-03 topics=digital_transformation,leadership
expect_exit 0 "edit a training"
run fb show "$t" --json
is_j 'd["end_date"] + " " + d["topics"]' \
	"2026-05-03 digital_transformation,leadership" "training fields changed"
run fb edit "$v" amount_vnd=300000 support=cash
expect_exit 0 "edit a visit"
run fb show "$v" --json
is_j 'd["amount_vnd"] + " " + d["support"]' "300000 cash" "visit fields changed"

# Bad edits: exit code, one line, nothing changed.
bad 65 "fieldbook: a member has no field 'shoe_size'" fb edit "$m" shoe_size=36
bad 65 "fieldbook: a member has no field 'title'" fb edit "$m" title=X
bad 65 "fieldbook: a member has no field 'shoe_size'" fb edit "$m" role=member shoe_size=36
bad 65 "fieldbook: a member has no field 'deleted' (use delete or restore)" fb edit "$m" deleted=1
bad 65 "fieldbook: phone given twice" fb edit "$m" phone=1 phone=2
bad 65 "fieldbook: full_name: must not be empty" fb edit "$m" full_name=
bad 65 "fieldbook: role: unknown value 'queen'" fb edit "$m" role=queen
bad 65 "fieldbook: joined: '2026-02-30' is not a date (YYYY-MM-DD or DD/MM/YYYY, 1900 to 2200)" \
	fb edit "$m" joined=2026-02-30
bad 65 "fieldbook: full_name: invalid UTF-8 at byte 1" fb edit "$m" "full_name=$(printf '\xff')"
bad 65 "fieldbook: full_name: too long (201 bytes, at most 200)" \
	fb edit "$m" "full_name=$(printf 'x%.0s' $(seq 201))"
bad 65 "fieldbook: end_date 2026-04-01 is before start_date 2026-05-01" fb edit "$t" end_date=2026-04-01
bad 65 "fieldbook: end_date 2026-05-03 is before start_date 2026-06-01" fb edit "$t" start_date=2026-06-01
bad 65 "fieldbook: topics: unknown topic 'cooking' (see 'fieldbook training --help')" \
	fb edit "$t" topics=cooking
bad 65 "fieldbook: a visit needs a member (--member ID) or a person's name (--person NAME)" \
	fb edit "$v" person_name=
bad 65 "fieldbook: amount_vnd: '-1' is not a whole number of VND from 0 to 1000000000000" \
	fb edit "$v" amount_vnd=-1
bad 65 "fieldbook: member_id: no member with id '$NOID'" fb edit "$v" "member_id=$NOID"
bad 65 "fieldbook: no record with id '$NOID'" fb edit "$NOID" phone=1
bad 65 "fieldbook: no record with id 'nope'" fb edit nope phone=1
bad 64 "fieldbook: 'phone' is not FIELD=VALUE (see 'fieldbook edit --help')" fb edit "$m" phone
bad 64 "fieldbook: '=x' is not FIELD=VALUE (see 'fieldbook edit --help')" fb edit "$m" =x

# Attendance: its ids cannot be edited.
run fb training attend "$t" "$m"
m2=$(new_id fb member add --name "Khác")
bad 65 "fieldbook: member_id cannot be changed; unattend and attend instead" \
	fb edit "$t:$m" "member_id=$m2"

# delete / restore.
run fb delete "$v"
expect_exit 0 "delete exits 0"
expect_out "" "delete prints nothing"
expect_err_empty
run fb list visits
expect_out_contains "0 visits" "list hides a deleted visit"
run fb list visits --all
expect_out_contains "(deleted)" "list --all shows it, marked deleted"
expect_out_contains "$v" "list --all shows the deleted id"
run fb show "$v" --json
is_j 'd["deleted"]' true "show a deleted record: deleted is true"
run fb show "$v"
expect_out_match "deleted +yes" "show (text) says deleted yes"
run fb status --json
is_j 'd["visits"]' 0 "status does not count the deleted visit"
bad 65 "fieldbook: visit $v is deleted; restore it first" fb edit "$v" amount_vnd=1
j=$(journal_count)
run fb delete "$v"
expect_exit 0 "deleting twice is not an error"
is "$(journal_count)" "$j" "deleting twice writes nothing"
run fb restore "$v"
expect_exit 0 "restore exits 0"
run fb list visits
expect_out_contains "1 visit" "list shows the restored visit"
run fb show "$v" --json
is_j 'd["amount_vnd"] + " " + str(d["deleted"])' "300000 False" \
	"the restored visit has its values"
run fb edit "$v" amount_vnd=1
expect_exit 0 "a restored record can be edited"
run fb restore "$v"
expect_exit 0 "restoring a live record is not an error"

run fb delete "$m"
run fb list members
expect_out_contains "1 member" "list members hides the deleted member"
run fb list members --all --json
is_j 'len(d)' 2 "list members --all --json shows both"
run fb restore "$m"

bad 65 "fieldbook: no record with id '$NOID'" fb delete "$NOID"
bad 65 "fieldbook: no record with id '$NOID'" fb restore "$NOID"
bad 65 "fieldbook: no record with id '$NOID'" fb show "$NOID"
bad 65 "fieldbook: no record with id '$NOID'" fb show "$NOID" --json
bad 64 "fieldbook: give exactly one record id (see 'fieldbook delete --help')" fb delete
bad 64 "fieldbook: give exactly one record id (see 'fieldbook delete --help')" fb delete "$m" "$t"

done_testing
