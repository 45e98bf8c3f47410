#!/usr/bin/env python3
"""fromhelp.py - man pages and bash completion made from the programs' help.

The command table (shared/cmd.h) is the one source of every command's
name, usage, help line, options and vocabularies.  The built programs
print it: `PROG --help` lists the commands, `PROG COMMAND --help` prints
a command's usage, help, options and vocabulary lines.  This script
reads that output, so the manual and the completion cannot drift from
the table.

    fromhelp.py man PROG BINARY > PROG.1
    fromhelp.py bash BINARY... > fieldbook.bash-completion
    fromhelp.py check-exit-codes docs/EXIT-CODES.md

Dates in the manual come from $SOURCE_DATE_EPOCH (reproducible builds),
else from the binary's modification time.
"""

import os
import re
import subprocess
import sys
import time

# The exit statuses, as docs/EXIT-CODES.md gives them.  `check-exit-codes`
# (run by tests/e2e/93-manuals.t) fails when the two differ.
EXIT_CODES = [
    (0, "EX_OK", "success"),
    (64, "EX_USAGE", "the command line is wrong: an unknown command or option, "
     "a missing argument or required option, a value outside an option's set"),
    (65, "EX_DATAERR", "the data is wrong: a value, an id, a file's content, "
     "a bad import row, a damaged journal, or data the hub refused"),
    (66, "EX_NOINPUT", "an input file, or the database, is missing"),
    (69, "EX_UNAVAILABLE", "the hub cannot be reached, or the connection dropped "
     "(nothing is lost: run sync again)"),
    (70, "EX_SOFTWARE", "an internal error (a bug), or out of memory"),
    (74, "EX_IOERR", "a local I/O error: disk full, database unwritable or locked, "
     "output not writable"),
    (75, "EX_TEMPFAIL", "the hub is busy or failing (HTTP 5xx), or (restore) "
     "the hub still has the database open"),
    (76, "EX_PROTOCOL", "the hub speaks another protocol version"),
    (77, "EX_NOPERM", "the hub refused the token, or a record outside the "
     "token's unit"),
]

# The environment each program reads (tests/e2e/93-manuals.t checks that
# every getenv() in the sources is named here).
ENVIRONMENT = {
    "fieldbook": [
        ("FIELDBOOK_DB", "the database, when --db is not given."),
        ("XDG_DATA_HOME", "without --db and $FIELDBOOK_DB, the database is "
         "$XDG_DATA_HOME/fieldbook/fieldbook.db."),
        ("HOME", "without $XDG_DATA_HOME, the database is "
         "$HOME/.local/share/fieldbook/fieldbook.db."),
        ("TMPDIR", "where an Excel workbook is assembled before it is written "
         "(default /tmp); without $XDG_RUNTIME_DIR, where ui keeps the "
         "owner-only file that opens the page in the browser."),
        ("XDG_RUNTIME_DIR", "where ui keeps the owner-only file that opens "
         "the page in the browser, so that its secret is on no command line."),
        ("TZ", "the local time zone: the default year, and times shown to people (JSON stays UTC)."),
        ("XDG_CONFIG_HOME", "where autosync writes its systemd user units "
         "($XDG_CONFIG_HOME/systemd/user, else ~/.config/systemd/user)."),
        ("FIELDBOOK_TRACE_BUSY", "when set, each command says on stderr how long "
         "it waited for another command's write to the database (for tests)."),
        ("LC_ALL", "the language of messages, help and reports, the first of "
         "$LC_ALL, $LC_MESSAGES and $LANG that is set: vi_VN.UTF-8 (or any vi "
         "locale) for Vietnamese, English otherwise; it works without that "
         "locale installed.  Numbers and sorting do not follow it, and CSV and "
         "JSON are the same in every language."),
        ("LC_MESSAGES", "see $LC_ALL."),
        ("LANG", "see $LC_ALL."),
        ("LANGUAGE", "gettext's list of languages, read when $LC_ALL, "
         "$LC_MESSAGES or $LANG names a locale other than C."),
        ("FIELDBOOK_LOCALEDIR", "where the message catalogues are "
         "(LANG/LC_MESSAGES/fieldbook.mo); by default beside the program, in "
         "../share/locale."),
    ],
    "fieldbook-hub": [
        ("FIELDBOOK_HUB_DB", "the hub's database, when --db is not given."),
        ("FIELDBOOK_HUB_STORE", "a hub on PostgreSQL (postgresql://USER@HOST/DB), "
         "when --store is not given; it wins over --db and $FIELDBOOK_HUB_DB."),
        ("TZ", "the local time zone: the default year, and times shown to people (JSON stays UTC)."),
    ],
}

FILES = {
    "fieldbook": [
        ("~/.local/share/fieldbook/fieldbook.db",
         "the branch's book, when neither --db, $FIELDBOOK_DB nor "
         "$XDG_DATA_HOME says otherwise; beside it SQLite keeps its -wal and "
         "-shm files."),
        ("DB.sync-lock",
         "beside the database: held by a sync while it runs, so that two "
         "syncs of one database never run at once."),
        ("~/.config/systemd/user/fieldbook-sync-ID.timer, .service",
         "the units 'fieldbook autosync enable' writes for a database."),
    ],
    "fieldbook-hub": [
        ("/var/lib/fieldbook-hub/hub.db",
         "the database of the hub the packaged service runs "
         "(fieldbook-hub.service)."),
        ("/var/lib/fieldbook-hub/backups/",
         "the nightly checked copies written by fieldbook-hub-backup.timer."),
        ("/lib/systemd/system/fieldbook-hub.service",
         "the service that runs serve under a dedicated system user."),
        ("/etc/default/fieldbook-hub",
         "FIELDBOOK_HUB_LISTEN and FIELDBOOK_HUB_ARGS for the service, and "
         "FIELDBOOK_HUB_KEEP, the number of nightly copies kept."),
    ],
}

ABOUT_MORE = {
    "fieldbook": "Every change is one SQLite transaction, written to a "
    "hash-chained journal with the record; sync sends what is new to a hub "
    "and fetches what others changed, merging concurrent edits field by "
    "field.",
    "fieldbook-hub": "Laptops and lower hubs push their journals to it and "
    "pull what others changed; it reports training coverage and activity "
    "rolled up by unit.",
}

SEE_ALSO = {
    "fieldbook": [("fieldbook-hub", 1), ("sqlite3", 1)],
    "fieldbook-hub": [("fieldbook", 1), ("systemctl", 1), ("journalctl", 1),
                      ("sqlite3", 1)],
}


# ---- reading the help -------------------------------------------------------

def run_help(binary, args):
    # The manual is English: under C.UTF-8, gettext would still follow
    # a $LANGUAGE the builder has set.
    env = dict(os.environ, LC_ALL="C.UTF-8")
    env.pop("FIELDBOOK_DB", None)
    env.pop("LANGUAGE", None)
    p = subprocess.run([binary] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, check=False)
    if p.returncode != 0:
        sys.exit("fromhelp: %s %s: exit %d: %s" % (
            binary, " ".join(args), p.returncode,
            p.stderr.decode("utf-8", "replace").strip()))
    return p.stdout.decode("utf-8")


OPT_RE = re.compile(r"^  (?:-(\w), |    )--([A-Za-z0-9][\w-]*)(?: (\S+))?(?: +(.*))?$")
VOCAB_RE = re.compile(r"^([a-z_]+): ([a-z0-9_]+(?: [a-z0-9_]+)*)$")
LIST_RE = re.compile(r"^([a-z_]+(?:, [a-z_]+)+ or [a-z_]+)\b")


class Command:
    def __init__(self, name, help_line):
        self.name = name
        self.help = help_line
        self.usage = ""
        self.options = []      # (letter, name, arg, help)
        self.vocab = []        # (name, [codes])
        self.extra = []        # other lines after the options


class Program:
    def __init__(self, binary):
        self.binary = binary
        text = run_help(binary, ["--help"])
        self.version = run_help(binary, ["--version"]).split()[-1]
        lines = text.split("\n")
        m = re.match(r"^usage: (\S+) (.*)$", lines[0])
        if not m:
            sys.exit("fromhelp: %s --help: no usage line" % binary)
        self.name, self.synopsis = m.group(1), m.group(2)
        i = 1
        about = []
        while i < len(lines) and lines[i] != "Commands:":
            if lines[i]:
                about.append(lines[i])
            i += 1
        self.about = " ".join(about)
        self.commands = []
        i += 1
        while i < len(lines) and lines[i].startswith("  "):
            m = re.match(r"^  (\S+(?: [a-z][\w-]*)?) +(.*)$", lines[i])
            if m:
                self.commands.append(Command(m.group(1), m.group(2)))
            i += 1
        self.footer = [l for l in lines[i:] if l]
        if not self.commands:
            sys.exit("fromhelp: %s --help lists no commands" % binary)
        for c in self.commands:
            self.read_command(c)

    def read_command(self, c):
        text = run_help(self.binary, c.name.split() + ["--help"])
        lines = text.split("\n")
        m = re.match(r"^usage: (.*)$", lines[0])
        if not m:
            sys.exit("fromhelp: %s %s --help: no usage line" % (self.name, c.name))
        c.usage = m.group(1)
        i = 1
        while i < len(lines) and lines[i] != "options:":
            i += 1
        if i < len(lines):
            i += 1
            while i < len(lines) and lines[i].startswith("  "):
                m = OPT_RE.match(lines[i])
                if not m:
                    sys.exit("fromhelp: %s %s --help: cannot read option line %r"
                             % (self.name, c.name, lines[i]))
                c.options.append((m.group(1), m.group(2), m.group(3),
                                  m.group(4) or ""))
                i += 1
        else:
            i = 1
            while i < len(lines) and lines[i]:
                i += 1
            i += 1
            while i < len(lines) and lines[i]:   # the help line itself
                i += 1
        for line in lines[i:]:
            if not line:
                continue
            m = VOCAB_RE.match(line)
            if m:
                c.vocab.append((m.group(1), m.group(2).split()))
            else:
                c.extra.append(line)


# ---- the manual -------------------------------------------------------------

def esc(text, dashes=False):
    """Text for a roff line: backslashes, dashes in options, non-ASCII."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\e")
        elif ch == "-" and dashes:
            out.append("\\-")
        elif ord(ch) > 127:
            out.append("\\[u%04X]" % ord(ch))
        else:
            out.append(ch)
    s = "".join(out)
    if s.startswith(".") or s.startswith("'"):
        s = "\\&" + s
    return s


def prose(text):
    """Prose: option words (--db, -o) get minus signs, the rest stays."""
    return esc(re.sub(r"(?<![\w-])(--?[A-Za-z])", lambda m: m.group(1).replace("-", "\x00"),
                      text)).replace("\x00", "\\-")


def usage_roff(prog, usage):
    """A usage line: the program and command in bold, placeholders italic."""
    words = []
    for w in usage.split(" "):
        core = w.strip("[]()|.,")
        if re.match(r"^[A-Z][A-Z0-9_.]*$", core) and core not in ("T", "R"):
            words.append(esc(w, True).replace(
                esc(core, True), "\\fI%s\\fR" % esc(core, True), 1))
        elif re.match(r"^[A-Z]$", core):
            words.append(esc(w, True).replace(core, "\\fI%s\\fR" % core, 1))
        else:
            words.append(esc(w, True))
    return "\\fB%s\\fR %s" % (esc(prog, True), " ".join(words))


def option_head(letter, name, arg):
    head = ""
    if letter:
        head = "\\fB\\-%s\\fR, " % esc(letter)
    head += "\\fB\\-\\-%s\\fR" % esc(name, True)
    if arg:
        head += " \\fI%s\\fR" % esc(arg, True)
    return head


def manual(prog_name, binary):
    p = Program(binary)
    if p.name != prog_name:
        sys.exit("fromhelp: %s calls itself %s" % (binary, p.name))
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = int(epoch) if epoch else int(os.stat(binary).st_mtime)
    date = time.strftime("%Y-%m-%d", time.gmtime(when))
    o = []
    o.append('.\\" Generated by packaging/fromhelp.py from %s --help; do not edit.'
             % p.name)
    o.append('.TH %s 1 %s "%s %s" "Fieldbook Manual"'
             % (p.name.upper().replace("-", "\\-"), date, esc(p.name, True), p.version))
    o.append(".SH NAME")
    o.append("%s \\- %s" % (esc(p.name, True), esc(p.about.rstrip(".")[0].lower()
                                                 + p.about.rstrip(".")[1:])))
    o.append(".SH SYNOPSIS")
    o.append(usage_roff(p.name, p.synopsis))
    o.append(".br")
    o.append("\\fB%s \\-\\-help\\fR | \\fB\\-\\-version\\fR" % esc(p.name, True))
    o.append(".br")
    o.append("\\fB%s\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR" % esc(p.name, True))
    o.append(".SH DESCRIPTION")
    o.append(prose(p.about))
    o.append(prose(ABOUT_MORE[p.name]))
    o.append(".PP")
    for line in p.footer:
        o.append(prose(line))
    o.append(".SH COMMANDS")
    for c in p.commands:
        o.append(".SS %s" % esc(c.name, True))
        o.append(usage_roff(p.name, c.usage.split(" ", 1)[1]
                            if c.usage.startswith(p.name + " ") else c.usage))
        o.append(".PP")
        o.append(prose(c.help[0].upper() + c.help[1:] + "."))
        for letter, name, arg, hlp in c.options:
            o.append(".TP")
            o.append(option_head(letter, name, arg))
            o.append(prose(hlp) if hlp else "")
        if c.vocab:
            o.append(".PP")
            o.append("Codes:")
            for vname, codes in c.vocab:
                o.append(".TP")
                o.append("\\fI%s\\fR" % esc(vname))
                o.append(esc(" ".join(codes)))
        if c.extra:
            o.append(".PP")
            for line in c.extra:
                o.append(prose(line))
    o.append(".SH ENVIRONMENT")
    for var, what in ENVIRONMENT[p.name]:
        o.append(".TP")
        o.append("\\fB%s\\fR" % esc(var))
        o.append(prose(what))
    o.append(".SH FILES")
    for path, what in FILES[p.name]:
        o.append(".TP")
        o.append("\\fI%s\\fR" % esc(path, True))
        o.append(prose(what))
    o.append(".SH EXIT STATUS")
    o.append("Every error is one line on standard error, "
             "\\(lq%s: what went wrong\\(rq, and the status comes from "
             "\\fIsysexits.h\\fR:" % esc(p.name, True))
    for code, name, what in EXIT_CODES:
        o.append(".TP")
        o.append("\\fB%d\\fR (%s)" % (code, esc(name)))
        o.append(prose(what) + ".")
    o.append(".SH SEE ALSO")
    o.append(",\n".join(".BR %s (%d)" % (esc(n, True), s) for n, s in SEE_ALSO[p.name]))
    o.append(".PP")
    o.append("docs/COMMANDS.md, docs/EXIT-CODES.md and docs/OPERATIONS.md "
             "in the Fieldbook sources.")
    return "\n".join(o) + "\n"


# ---- bash completion ----------------------------------------------------------

FILE_ARGS = re.compile(r"^(FILE|F|PATH)(\.[a-z]+)?$")


def option_values(p, c, name, arg, hlp):
    """The words an option's value may be, or None (free text), or 'FILE'."""
    for vname, codes in c.vocab:
        if vname == name or vname.startswith(name) or name.startswith(vname):
            return codes
    if arg and "|" in arg:
        return arg.split("|")
    m = re.search(r"--%s ([a-z_]+(?:\|[a-z_]+)+)" % re.escape(name), c.usage)
    if m:
        return m.group(1).split("|")
    m = LIST_RE.match(hlp)
    if m:
        return re.split(r", | or ", m.group(1))
    if arg and FILE_ARGS.match(arg):
        return "FILE"
    if arg:  # the same placeholder elsewhere in the program, with a list
        for other in p.commands:
            for (_, n2, a2, h2) in other.options:
                if a2 == arg and (other, n2) != (c, name):
                    m = LIST_RE.match(h2)
                    if m:
                        return re.split(r", | or ", m.group(1))
    return None


def positional(c):
    """Words of a command's first positional argument, or 'FILE', or None."""
    rest = c.usage.split(" ")
    words = c.name.split()
    # skip "PROG [--db PATH]" and the command's own words
    try:
        i = max(i for i, w in enumerate(rest) if w == words[-1]) + 1
    except ValueError:
        return None
    for w in rest[i:]:
        if w.startswith("[") or w.startswith("(") or w.startswith("--") or w.startswith("-"):
            return None
        if re.match(r"^[a-z_]+(\|[a-z_]+)+$", w):
            return w.split("|")
        if FILE_ARGS.match(w):
            return "FILE"
        return None
    return None


def shq(words):
    return " ".join(words)


def bash_function(p):
    fn = "_" + p.name.replace("-", "_")
    single = [c.name for c in p.commands if " " not in c.name]
    groups = {}
    for c in p.commands:
        if " " in c.name:
            g, v = c.name.split(" ", 1)
            groups.setdefault(g, []).append(v)
    first = sorted(set(single) | set(groups))
    o = []
    o.append("%s()" % fn)
    o.append("{")
    o.append("\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= i=1 cmd= w")
    o.append("\tCOMPREPLY=()")
    o.append("\t[ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}")
    o.append("\t# the program's own options come before the command")
    o.append("\twhile [ \"$i\" -lt \"$COMP_CWORD\" ]; do")
    o.append("\t\tcase ${COMP_WORDS[i]} in")
    o.append("\t\t--db) i=$((i + 2)) ;;")
    o.append("\t\t-*) i=$((i + 1)) ;;")
    o.append("\t\t*) break ;;")
    o.append("\t\tesac")
    o.append("\tdone")
    o.append("\tif [ \"$i\" -ge \"$COMP_CWORD\" ]; then")
    o.append("\t\tif [ \"$prev\" = --db ]; then")
    o.append("\t\t\t_fieldbook_files")
    o.append("\t\telif [[ $cur == -* ]]; then")
    o.append("\t\t\tCOMPREPLY=($(compgen -W '--db --help --version' -- \"$cur\"))")
    o.append("\t\telse")
    o.append("\t\t\tCOMPREPLY=($(compgen -W '%s help' -- \"$cur\"))" % shq(first))
    o.append("\t\tfi")
    o.append("\t\treturn 0")
    o.append("\tfi")
    o.append("\tcmd=${COMP_WORDS[i]}")
    if groups:
        o.append("\tcase $cmd in")
        for g in sorted(groups):
            o.append("\t%s)" % g)
            o.append("\t\tif [ $((i + 1)) -ge \"$COMP_CWORD\" ]; then")
            o.append("\t\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))" % shq(groups[g]))
            o.append("\t\t\treturn 0")
            o.append("\t\tfi")
            o.append("\t\ti=$((i + 1))")
            o.append("\t\tcmd=\"$cmd ${COMP_WORDS[i]}\"")
            o.append("\t\t;;")
        o.append("\tesac")
    o.append("\t# the value of an option")
    o.append("\tcase \"$cmd|$prev\" in")
    for c in p.commands:
        for letter, name, arg, hlp in c.options:
            if not arg:
                continue
            vals = option_values(p, c, name, arg, hlp)
            pats = ['"%s|--%s"' % (c.name, name)]
            if letter:
                pats.append('"%s|-%s"' % (c.name, letter))
            o.append("\t%s)" % "|".join(pats))
            if vals == "FILE":
                o.append("\t\t_fieldbook_files")
            elif vals:
                o.append("\t\t_fieldbook_words '%s'" % shq(vals))
            o.append("\t\treturn 0")
            o.append("\t\t;;")
    o.append("\tesac")
    o.append("\t# an option, or the first positional argument")
    o.append("\tif [[ $cur == -* ]]; then")
    o.append("\t\tcase $cmd in")
    for c in p.commands:
        opts = []
        for letter, name, arg, hlp in c.options:
            opts.append("--" + name)
        opts.append("--help")
        o.append("\t\t\"%s\") COMPREPLY=($(compgen -W '%s' -- \"$cur\")) ;;"
                 % (c.name, shq(opts)))
    o.append("\t\tesac")
    o.append("\t\treturn 0")
    o.append("\tfi")
    o.append("\t[ $((i + 1)) -eq \"$COMP_CWORD\" ] || return 0")
    o.append("\tcase $cmd in")
    for c in p.commands:
        pos = positional(c)
        if pos == "FILE":
            o.append("\t\"%s\") _fieldbook_files ;;" % c.name)
        elif pos:
            o.append("\t\"%s\") _fieldbook_words '%s' ;;" % (c.name, shq(pos)))
    o.append("\tesac")
    o.append("\treturn 0")
    o.append("}")
    o.append("complete -F %s %s" % (fn, p.name))
    return "\n".join(o)


def completion(binaries):
    progs = [Program(b) for b in binaries]
    o = []
    o.append("# bash completion for %s" % ", ".join(p.name for p in progs))
    o.append("# Generated by packaging/fromhelp.py from the programs' --help; do not edit.")
    o.append("")
    o.append("# a value from a fixed list: a record type, a topic, a role, a format")
    o.append("_fieldbook_words()")
    o.append("{")
    o.append("\tCOMPREPLY=($(compgen -W \"$1\" -- \"$cur\"))")
    o.append("}")
    o.append("")
    o.append("_fieldbook_files()")
    o.append("{")
    o.append("\tcompopt -o filenames 2>/dev/null")
    o.append("\tCOMPREPLY=($(compgen -f -- \"$cur\"))")
    o.append("}")
    for p in progs:
        o.append("")
        o.append(bash_function(p))
    return "\n".join(o) + "\n"


# ---- the exit statuses' check -------------------------------------------------

def check_exit_codes(path):
    with open(path, encoding="utf-8") as f:
        doc = f.read()
    rows = re.findall(r"^\| (\d+) \| `(EX_[A-Z]+)` \|", doc, re.M)
    documented = [(int(code), name) for code, name in rows]
    ours = [(code, name) for code, name, _ in EXIT_CODES]
    if documented != ours:
        print("fromhelp.py's EXIT_CODES:  %s" % ours)
        print("%s:  %s" % (path, documented))
        return 1
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "man":
        sys.stdout.write(manual(argv[2], argv[3]))
        return 0
    if len(argv) >= 3 and argv[1] == "bash":
        sys.stdout.write(completion(argv[2:]))
        return 0
    if len(argv) == 3 and argv[1] == "check-exit-codes":
        return check_exit_codes(argv[2])
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
