#!/usr/bin/env bash
# 96-readme-hub: the README's hub walk-through, as written, from init to
# report.  The commands between <!-- readme-hub-walkthrough --> and
# <!-- /readme-hub-walkthrough --> are run one by one in an empty
# directory against the built programs; each must succeed.  Only the
# port changes (8470 may be taken here): a free one takes its place.  A
# command that ends in '&' (serve) is started in the background, waited
# for (its health check, bounded) and stopped by its pid at the end.
. "$(dirname "$0")/synclib.sh"

README=$E2E_DIR/../../README.md
W=$TMP/walk
mkdir -p "$W" "$TMP/path"
ln -s "$FIELDBOOK" "$TMP/path/fieldbook"
ln -s "$FIELDBOOK_HUB" "$TMP/path/fieldbook-hub"
PORT=$(py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The walk-through's commands, NUL-separated: comments and blank lines
# left out, a line ending in '\' joined to the next, a here-document
# kept whole with its command.
py -c '
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<!-- readme-hub-walkthrough -->\s*```sh\n(.*?)```\s*<!-- /readme-hub-walkthrough -->",
              text, re.S)
if not m:
    sys.exit("no walk-through block in README.md")
lines = m.group(1).split("\n")
cmds, i = [], 0
while i < len(lines):
    line = lines[i]
    i += 1
    if not line.strip() or line.lstrip().startswith("#"):
        continue
    while line.endswith("\\") and i < len(lines):
        line = line[:-1] + lines[i].lstrip()
        i += 1
    h = re.search(r"<<\x27?(\w+)\x27?", line)
    if h:
        body = []
        while i < len(lines) and lines[i] != h.group(1):
            body.append(lines[i])
            i += 1
        i += 1
        line = "\n".join([line] + body + [h.group(1)])
    cmds.append(line)
sys.stdout.write("\0".join(cmds) + "\0")
' "$README" >"$TMP/cmds" || {
	echo "Bail out! cannot read the walk-through from README.md"
	exit 1
}

n=0
serve_pid=
while IFS= read -r -d '' cmd; do
	n=$((n + 1))
	cmd=${cmd//127.0.0.1:8470/127.0.0.1:$PORT}
	short=${cmd%%$'\n'*}
	short=${short%%  #*}
	case $cmd in
	*'&' | *'& '*)
		bg=${cmd%%&*}
		(cd "$W" && PATH=$TMP/path:$PATH exec bash -c "exec $bg") \
			>"$TMP/serve.out" 2>"$TMP/serve.err" </dev/null 5>&- 6>&- 7>&- 8>&- &
		serve_pid=$!
		_SYNC_PIDS="$_SYNC_PIDS $serve_pid"
		up=
		for _ in $(seq 200); do
			if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/v1/health"; then
				up=1
				break
			fi
			kill -0 "$serve_pid" 2>/dev/null || break
			sleep 0.05
		done
		ok "README: $short (answers its health check)" test -n "$up"
		;;
	*)
		(cd "$W" && PATH=$TMP/path:$PATH timeout "$FB_TIMEOUT" bash -c "$cmd") \
			>"$TMP/out" 2>"$TMP/err" </dev/null 5>&- 6>&- 7>&- 8>&-
		rc=$?
		OUT=$(<"$TMP/out")
		is "$rc" 0 "README: $short"
		[ "$rc" = 0 ] || diag "stderr: $(head -c 600 "$TMP/err")"
		;;
	esac
	case $cmd in
	*"unit list"*) like "$OUT" '^ +HN.PL.TT.03 +branch +1 +0 +Chi hội 3$' "...the branch shows in the tree" ;;
	*" devices"*) like "$OUT" 'HN.PL.TT.03 +[0-9a-f]{16} +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{5} .*Laptop chị Nhung$' \
		"...the laptop, with its last push" ;;
	*" report "*) like "$OUT" 'Xã Thanh Thủy \(mới\)' "...the report names the commune" ;;
	esac
done <"$TMP/cmds"
like "$n" '^1[0-9]$' "the walk-through has its commands ($n)"
ok "the walk-through started a hub" test -n "$serve_pid"
if [ -n "$serve_pid" ]; then
	stop_hub "$serve_pid"
	is "$HUB_RC" 0 "the hub stops on SIGTERM"
fi
done_testing
