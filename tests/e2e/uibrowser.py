#!/usr/bin/env python3
# uibrowser.py - a branch head's month in the local page, in headless
# chromium driven by chromedriver (WebDriver over HTTP, the standard
# library only), for tests/e2e/99-ui-browser.t.  Usage:
#   uibrowser.py DRIVER_URL PAGE_URL SHOTS_DIR
# $FB_A and $FB_B are the two laptops' databases, $FB_BIG a branch of
# 500 members, $FIELDBOOK the binary: the laptop B edits and deletes
# what the page edits, for conflicts; the big branch's page is started
# here (and started again, for the old tab's message).
# Prints "PASS description" or "FAIL description | detail" per check;
# the shell turns them into TAP.
import base64
import json
import os
import re
import signal
import subprocess
import sys
import time
import unicodedata
import urllib.request

DRIVER, PAGE, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
KEY_TAB, KEY_ENTER, KEY_SPACE = "\ue004", "\ue007", "\ue00d"
KEY_SHIFT, KEY_CTRL, KEY_BACKSPACE, KEY_ESCAPE = "\ue008", "\ue009", "\ue003", "\ue00c"
KEY_UP, KEY_DOWN = "\ue013", "\ue015"
WAIT_S = 20
TABS_MAX = 120          # Tab presses to reach one control, at most


def check(ok, desc, detail=""):
    print(("PASS %s" % desc) if ok else ("FAIL %s | %s" % (desc, detail)), flush=True)
    return ok


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(DRIVER + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read() or b"{}").get("value")
    except urllib.error.HTTPError as e:
        raise RuntimeError("%s %s: %s" % (method, path, e.read()[:400]))


# What has the focus, and whether it shows the focus ring (an outline
# of 2px or more: app.css's :focus-visible).
FOCUS_JS = """
const a = document.activeElement;
if (!a || a === document.body) return null;
const s = getComputedStyle(a);
return {what: a.tagName + (a.id ? '#' + a.id : '') + (a.name ? '[' + a.name + ']' : '') +
              (a.value && a.type === 'checkbox' ? '=' + a.value : '') + ' ' +
              (a.textContent || '').trim().slice(0, 30),
        ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2};
"""


class Browser:
    def __init__(self):
        # Vietnamese: chromedriver starts chromium with LANG/LANGUAGE
        # vi_VN (99-ui-browser.t), which makes the date pickers
        # dd/mm/yyyy; the pref is the languages the page is asked in.
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--window-size=1366,768", "--lang=vi", "--no-first-run",
                         "--disable-dev-shm-usage"],
                "prefs": {"intl.accept_languages": "vi-VN,vi"}}}}}
        self.sid = call("POST", "/session", caps)["sessionId"]
        self.s = "/session/" + self.sid
        self.focused = []       # every control Tab reached, and its ring

    def quit(self):
        call("DELETE", self.s)

    def go(self, url):
        call("POST", self.s + "/url", {"url": url})

    def refresh(self):
        call("POST", self.s + "/refresh", {})

    def js(self, script, *args):
        return call("POST", self.s + "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css, wait=True):
        end = time.monotonic() + (WAIT_S if wait else 0)
        while True:
            try:
                v = call("POST", self.s + "/element", {"using": "css selector", "value": css})
                return list(v.values())[0]
            except RuntimeError:
                if time.monotonic() > end:
                    raise RuntimeError("no element %s" % css)
                time.sleep(0.1)

    def click(self, css):
        call("POST", self.s + "/element/%s/click" % self.find(css), {})

    def type(self, css, text):
        # Keys as a keyboard sends them: Vietnamese letters included.
        el = self.find(css)
        call("POST", self.s + "/element/%s/clear" % el, {})
        call("POST", self.s + "/element/%s/value" % el, {"text": text})

    def text(self, css):
        return call("GET", self.s + "/element/%s/text" % self.find(css))

    def wait_for(self, script, desc, *args):
        end = time.monotonic() + WAIT_S
        while time.monotonic() < end:
            if self.js(script, *args):
                return True
            time.sleep(0.1)
        raise RuntimeError("waited for " + desc)

    def shot(self, name):
        png = call("GET", self.s + "/screenshot")
        with open(os.path.join(SHOTS, name), "wb") as f:
            f.write(base64.b64decode(png))

    # --- the keyboard alone: WebDriver key actions, to whatever has the focus

    def keys(self, *seq):
        """Each item: a string typed key by key, or a tuple pressed together."""
        acts = []
        for k in seq:
            if isinstance(k, tuple):
                acts += [{"type": "keyDown", "value": x} for x in k]
                acts += [{"type": "keyUp", "value": x} for x in reversed(k)]
            else:
                for ch in k:
                    acts += [{"type": "keyDown", "value": ch}, {"type": "keyUp", "value": ch}]
        call("POST", self.s + "/actions", {"actions": [{"type": "key", "id": "keyboard",
                                                        "actions": acts}]})

    def active(self, test):
        return self.js("const a = document.activeElement; return !!(a && (%s));" % test)

    def tab_to(self, test, desc, back=False):
        """Tab (Shift+Tab with back) until the focused element passes test (JS over a)."""
        for _ in range(TABS_MAX):
            self.keys((KEY_SHIFT, KEY_TAB) if back else KEY_TAB)
            f = self.js(FOCUS_JS)
            if f:
                self.focused.append(f)
            if self.active(test):
                return
        raise RuntimeError("Tab did not reach " + desc)

    def wait_focus(self, test, desc):
        self.wait_for("const a = document.activeElement; return !!(a && (%s));" % test,
                      "the focus on " + desc)

    def retype(self, text):
        """Replace what the focused box holds."""
        self.keys((KEY_CTRL, "a"), KEY_BACKSPACE, text)


def fb(db, *args):
    return subprocess.run([os.environ["FIELDBOOK"], "--db", db] + list(args),
                          capture_output=True, text=True, timeout=60)


def fbj(db, *args):
    r = fb(db, *args)
    return json.loads(r.stdout) if r.returncode == 0 else None


class Page:
    """A `fieldbook ui` of this script's own, stopped by its pid."""

    def __init__(self, db, port=0):
        self.p = subprocess.Popen([os.environ["FIELDBOOK"], "--db", db, "ui", "--no-open",
                                   "--port", str(port)],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        line = self.p.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:(\d+)/#s=[0-9a-f]{64})", line)
        if not m:
            self.stop()
            raise RuntimeError("fieldbook ui did not start: %r" % line)
        self.url, self.port = m.group(1), int(m.group(2))

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            self.p.wait(timeout=30)
        self.p.stdout.close()


def fold(s):
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


def set_value(b, css, value):
    # A date input takes its value as the picker gives it (ISO).
    b.find(css)
    b.js("const e = document.querySelector(arguments[0]); e.value = arguments[1];"
         "e.dispatchEvent(new Event('input', {bubbles: true}));", css, value)


def save_and_wait(b, notice):
    b.click("#save")
    b.wait_for("return !document.querySelector('#record-form') && "
               "document.querySelector('#notice').textContent.length > 0", "saved: " + notice)


def rows(b):
    return b.js("return [...document.querySelectorAll('#list tbody tr')].map(r => r.innerText)")


def checklist(b):
    return b.js("return [...document.querySelectorAll('#attendance label')]"
                ".map(l => [l.textContent, l.querySelector('input').checked])")


def tick(b, name):
    b.wait_for("return [...document.querySelectorAll('#attendance label')]"
               ".some(l => l.textContent.startsWith(arguments[0]))", "the checklist: " + name, name)
    b.js("for (const l of document.querySelectorAll('#attendance label'))"
         " if (l.textContent.startsWith(arguments[0])) l.querySelector('input').click();", name)


def sync(b):
    b.click("#tab-sync")
    b.find("#sync-now")
    b.wait_for("return document.querySelector('#sync-now').getAttribute('aria-disabled') !== 'true'",
               "the sync button")
    b.js("document.querySelector('#sync-result').textContent = ''")
    b.click("#sync-now")
    b.wait_for("const r = document.querySelector('#sync-result');"
               "return r && r.textContent.length > 0", "the sync's result")
    return b.text("#sync-result")


def conflicts_open(db):
    return fbj(db, "conflicts", "--json")


def member(db, name):
    return fbj(db, "show", name, "--json")


# --- the month, with the mouse ------------------------------------------------------

def month(b, A, B):
    b.go(PAGE)
    b.find("#tab-member")
    b.wait_for("return document.querySelector('#tab-member').textContent === 'Hội viên'",
               "the page's words")
    check("#s=" not in b.js("return location.href"), "the secret leaves the address bar")
    check(b.text("#tab-member") == "Hội viên", "the page speaks Vietnamese by default")
    loc = b.js("return Intl.DateTimeFormat().resolvedOptions().locale")
    check(loc.startswith("vi"), "the browser runs in Vietnamese (its date pickers show dd/mm/yyyy)",
          "%s (is chromium-l10n installed?)" % loc)

    # Members, typed through the keyboard.
    for name, role in (("Nguyễn Thị Lan", "branch_head"), ("Trần Thị Hoa", "branch_deputy"),
                       ("Lê Thị Mai", "member"), ("Phạm Thị Thu", "member")):
        b.click("#add")
        b.type("#f-full_name", name)
        b.js("document.querySelector('#f-role').value = arguments[0]", role)
        if name.startswith("Nguyễn"):
            b.type("#f-phone", "0900000001")
        if name.startswith("Trần"):
            b.type("#f-birth_year", "1984")
        save_and_wait(b, name)
    got = rows(b)
    check(len(got) == 4 and "Nguyễn Thị Lan" in got[1] and "Chi hội trưởng" in got[1],
          "four members added, by given name, roles by their Vietnamese names", got)
    out = fb(A, "list", "members", "--json")
    check(sorted(m["full_name"] for m in json.loads(out.stdout)) ==
          sorted(["Nguyễn Thị Lan", "Trần Thị Hoa", "Lê Thị Mai", "Phạm Thị Thu"]),
          "list sees the members typed in the page", out.stdout[:200])
    b.shot("ui-members.png")

    # A bad year: the field's message, nothing saved.
    b.click("#add")
    b.type("#f-full_name", "Võ Thị Sáu")
    b.type("#f-birth_year", "1890")
    set_value(b, "#f-joined", "2026-03-01")
    b.click("#save")
    b.wait_for("return document.querySelector('#err-birth_year').textContent.length > 0",
               "the field's message")
    msg = b.text("#err-birth_year")
    check("birth_year" in msg and "năm" in msg, "a bad year: its message beside the field", msg)
    check(b.js("const e = document.querySelector('#f-birth_year');"
               "return [document.activeElement === e, e.getAttribute('aria-invalid'),"
               " e.getAttribute('aria-describedby')]") == [True, "true", "err-birth_year"],
          "... the field focused, marked invalid, the message tied to it")
    b.shot("ui-error.png")
    check(len(json.loads(fb(A, "list", "members", "--json").stdout)) == 4, "... nothing saved")
    b.click("#cancel")

    # First sync, then laptop B changes Lan's phone and Hoa's year, deletes Thu, and syncs.
    said = sync(b)
    check(said.startswith("Đã gửi") and "nhận 0" in said, "the first sync says what it sent", said)
    for args in (("sync",), ("edit", "Nguyễn Thị Lan", "phone=0922222222"),
                 ("edit", "Trần Thị Hoa", "birth_year=1985"), ("delete", "Phạm Thị Thu"),
                 ("sync",)):
        r = fb(B, *args)
        if r.returncode:
            check(False, "laptop B: " + " ".join(args), r.stderr)

    # The page edits the same fields, and Thu's notes.
    b.click("#tab-member")
    b.find("#list tbody tr")
    for name, css, value in (("Nguyễn Thị Lan", "#f-phone", "0911111111"),
                             ("Trần Thị Hoa", "#f-birth_year", "1983"),
                             ("Phạm Thị Thu", "#f-notes", "Đã chuyển về xóm Đông")):
        b.js("for (const r of document.querySelectorAll('#list tbody tr'))"
             " if (r.innerText.includes(arguments[0])) r.querySelector('button.edit').click();", name)
        b.find(css)
        b.type(css, value)
        save_and_wait(b, name)

    # Search ignores accents.
    b.type("#search", "tran thi")
    b.wait_for("return document.querySelectorAll('#list tbody tr').length === 1", "search")
    check("Trần Thị Hoa" in rows(b)[0], "search 'tran thi' finds Trần Thị Hoa")

    # Two trainings with attendance.
    b.click("#tab-training")
    for title, day, topics, who in (
            ("Kỹ năng lãnh đạo", "2026-03-08", ("leadership", "gender_equality"),
             ("Nguyễn Thị Lan", "Lê Thị Mai")),
            ("Nuôi dạy con tốt", "2026-04-12", ("parenting",), ("Lê Thị Mai",))):
        b.click("#add")
        b.type("#f-title", title)
        set_value(b, "#f-start_date", day)
        for t in topics:
            b.click("input[name=topics][value=%s]" % t)
        for name in who:
            tick(b, name)
        if title.startswith("Kỹ"):
            b.shot("ui-training.png")
        save_and_wait(b, title)
    out = json.loads(fb(A, "list", "trainings", "--json").stdout)
    check([t["title"] for t in out] == ["Kỹ năng lãnh đạo", "Nuôi dạy con tốt"]
          and out[0]["topics"] == "gender_equality,leadership",
          "two trainings saved with their topics", out)
    shown = json.loads(fb(A, "show", "Kỹ năng lãnh đạo", "--json").stdout)
    check(len(shown["attendees"]) == 2, "the checklist's two attendees recorded", shown)

    # A visit: the member found by typing part of her name.
    b.click("#tab-visit")
    b.click("#add")
    set_value(b, "#f-visit_date", "2026-01-25")
    b.find("#f-reason")
    b.js("document.querySelector('#f-reason').value = 'tet'")
    b.type("#f-member_id-find", "tran thi")
    b.wait_for("const o = [...document.querySelectorAll('#f-member_id option')];"
               "return o.length === 2 && o[1].textContent.startsWith('Trần Thị Hoa')",
               "the picker finds Hoa")
    b.js("const s = document.querySelector('#f-member_id'); s.selectedIndex = 1;"
         "s.dispatchEvent(new Event('change'));")
    b.type("#f-amount_vnd", "500.000")
    save_and_wait(b, "visit")
    v = json.loads(fb(A, "list", "visits", "--json").stdout)
    hoa = member(A, "Trần Thị Hoa")
    check(len(v) == 1 and v[0]["amount_vnd"] == "500000" and v[0]["reason"] == "tet"
          and v[0]["member_id"] == hoa["id"],
          "the visit saved, to the member the picker found, 500.000 read as 500000", v)

    # The report.
    b.click("#tab-report")
    b.find("#coverage .meter")
    cov = b.text("#coverage")
    check("1 trên 2" in cov and "Trần Thị Hoa" in cov,
          "the report: 1 of 2 branch heads and deputies trained, Hoa not yet", cov)
    check(b.js("return document.querySelectorAll('#topics svg rect').length") == 3,
          "courses by topic: a bar for each of three topics")
    b.shot("ui-report.png")

    # Sync: three conflicts come from laptop B.
    said = sync(b)
    check(said.startswith("Đã gửi") and re.search(r"nhận [1-9]", said),
          "the sync brings B's changes", said)
    b.wait_for("return document.querySelectorAll('[data-conflict]').length === 3", "three conflicts")
    kinds = b.js("return [...document.querySelectorAll('[data-conflict]')]"
                 ".map(c => c.dataset.kind + ':' + c.dataset.field).sort()")
    check(kinds == ["delete:notes", "field:birth_year", "field:phone"],
          "conflicts: Lan's phone, Hoa's year, Thu's notes against her delete", kinds)
    b.js("document.querySelector('#conflicts').previousElementSibling.scrollIntoView()")
    b.shot("ui-conflict.png")

    # Hoa's year: a new value typed in; a bad one first.
    year_box = "[data-field=birth_year] .typed input"
    b.type(year_box, "1890")
    b.click("[data-field=birth_year] [data-keep=value]")
    b.wait_for("return document.querySelector('[data-field=birth_year] .typed .err')"
               ".textContent.length > 0", "the typed value's message")
    msg = b.text("[data-field=birth_year] .typed .err")
    check("birth_year" in msg and "năm" in msg, "a typed value refused: the message beside it", msg)
    check(b.js("const e = document.querySelector(arguments[0]);"
               "return document.activeElement === e && e.getAttribute('aria-invalid') === 'true'",
               year_box), "... the box focused and marked invalid")
    check(len(conflicts_open(A)) == 3 and member(A, "Trần Thị Hoa")["birth_year"] == "1983",
          "... and nothing saved: the conflict open, the year as it was")
    b.type(year_box, "1986")
    b.click("[data-field=birth_year] [data-keep=value]")
    b.wait_for("return !document.querySelector('[data-field=birth_year]')", "the year settled")
    check(member(A, "Trần Thị Hoa")["birth_year"] == "1986" and len(conflicts_open(A)) == 2,
          "a conflict settled with a typed value (1986), as resolve --value")

    # Thu: deleted on B, her notes changed here.  Plain words; bring her back.
    card = "[data-kind=delete]"
    b.js("document.querySelector(arguments[0]).scrollIntoView()", card)
    said = b.js("const c = document.querySelector(arguments[0]);"
                "return [c.querySelector('h3').textContent,"
                " ...[...c.querySelectorAll('button')].map(x => x.textContent)]", card)
    check(said == ["Phạm Thị Thu: được sửa trên một máy nhưng bị xóa trên máy khác", "Vẫn xóa",
                   "Khôi phục lại với thay đổi này", "Khôi phục lại với giá trị này"],
          "an edit against a delete: keep it deleted, or bring it back (with the edit or a value)",
          said)
    b.shot("ui-conflict-delete.png")
    b.click(card + " [data-keep=other]")
    b.wait_for("return !document.querySelector('[data-kind=delete]')", "Thu settled")
    thu = member(A, "Phạm Thị Thu")
    check(thu and not thu["deleted"] and thu["notes"] == "Đã chuyển về xóm Đông",
          "Thu brought back with the edit, as resolve --keep other", thu)


# --- the keyboard alone -----------------------------------------------------------------

def keyboard(b, A):
    b.focused = []
    b.refresh()
    b.wait_for("return document.querySelector('#tab-member').textContent === 'Hội viên' &&"
               " document.querySelector('#list tbody tr')", "the page")

    # A member: Tab to the tab, Enter; Tab to "add", Enter; the form's first box has the focus.
    b.tab_to("a.id === 'tab-member'", "the members' tab")
    b.keys(KEY_ENTER)
    b.tab_to("a.id === 'add'", "Add a member")
    b.keys(KEY_ENTER)
    b.wait_focus("a.id === 'f-full_name'", "the name box")
    check(True, "keys: Enter on 'add' opens the form, the focus in its first box")
    b.keys("Đỗ Thị Hạnh", KEY_TAB)
    check(b.active("a.id === 'f-role'"), "keys: Tab goes on to the role")
    for _ in range(20):
        if b.active("a.value === 'branch_deputy'"):
            break
        b.keys(KEY_DOWN)
    b.tab_to("a.id === 'f-birth_year'", "the year of birth")
    b.keys("1890", KEY_ENTER)
    b.wait_focus("a.id === 'f-birth_year' && a.getAttribute('aria-invalid') === 'true'",
                 "the refused year")
    described = b.js("const e = document.getElementById("
                     "document.activeElement.getAttribute('aria-describedby'));"
                     "return e ? e.textContent : ''")
    check("birth_year" in described, "keys: a refused year keeps the focus, invalid, its message"
          " tied to it", described)
    b.retype("1975")
    b.keys(KEY_ENTER)
    b.wait_focus("a.id === 'notice'", "the notice")
    check(b.text("#notice") == "Đã lưu.", "keys: saved, and the focus on the notice that says so",
          b.text("#notice"))
    h = member(A, "Đỗ Thị Hạnh")
    check(h and h["role"] == "branch_deputy" and h["birth_year"] == "1975",
          "keys: the member is saved, role and year as chosen", h)

    # Search; Change, and Escape back; Delete, asked in the row; Restore.
    b.tab_to("a.id === 'search'", "the search")
    b.keys("do thi")
    b.wait_for("return document.querySelectorAll('#list tbody tr').length === 1", "the search")
    edit = "a.getAttribute('aria-label') === 'Sửa: Đỗ Thị Hạnh'"
    b.tab_to(edit, "Change Hạnh")
    b.keys(KEY_ENTER)
    b.wait_focus("a.id === 'f-full_name' && a.value === 'Đỗ Thị Hạnh'", "her name in the form")
    b.keys(KEY_ESCAPE)
    b.wait_focus(edit, "the Change button again")
    check(not b.js("return document.querySelector('#record-form')"),
          "keys: Escape closes the form, the focus back on the button that opened it")
    b.keys(KEY_TAB, KEY_ENTER)
    b.wait_focus("a.id === 'confirm-delete'", "the question's Delete")
    b.keys(KEY_ENTER)
    b.wait_focus("a.id === 'notice'", "the notice")
    check(member(A, "Đỗ Thị Hạnh")["deleted"], "keys: Delete, asked in the row, deletes")
    b.tab_to("a.id === 'show-deleted'", "Show deleted")
    b.keys(KEY_SPACE)
    restore = "a.getAttribute('aria-label') === 'Khôi phục: Đỗ Thị Hạnh'"
    b.wait_for("return [...document.querySelectorAll('#list button')]"
               ".some(x => x.getAttribute('aria-label') === 'Khôi phục: Đỗ Thị Hạnh')", "Restore")
    b.tab_to(restore, "Restore Hạnh")
    b.keys(KEY_ENTER)
    b.wait_focus("a.id === 'notice'", "the notice")
    check(not member(A, "Đỗ Thị Hạnh")["deleted"], "keys: Restore brings her back")

    # A training: a date typed as dd/mm/yyyy, a topic, two attendees found by typing.
    b.tab_to("a.id === 'tab-training'", "the trainings' tab", back=True)
    b.keys(KEY_SPACE)
    b.tab_to("a.id === 'add'", "Add a training")
    b.keys(KEY_ENTER)
    b.wait_focus("a.id === 'f-title'", "the title box")
    b.keys("An toàn thực phẩm")
    b.tab_to("a.id === 'f-start_date'", "the start date")
    b.keys("08052026")
    b.tab_to("a.name === 'topics' && a.value === 'food_safety'", "the topic")
    b.keys(KEY_SPACE)
    b.tab_to("a.id === 'attend-filter'", "the attendance search")
    b.keys("nguyen thi")
    b.wait_for("const l = [...document.querySelectorAll('#attendance label')];"
               "return l.length === 1 && l[0].textContent === 'Nguyễn Thị Lan'", "Lan found")
    b.keys(KEY_TAB)
    check(b.active("a.name === 'attendee'"), "keys: Tab from the search to the box found")
    b.keys(KEY_SPACE)
    b.keys((KEY_SHIFT, KEY_TAB))
    b.retype("hanh")
    b.wait_for("const l = [...document.querySelectorAll('#attendance label')];"
               "return l.length === 1 && l[0].textContent.startsWith('Đỗ Thị Hạnh')", "Hạnh found")
    b.keys(KEY_ENTER)
    b.wait_focus("a.name === 'attendee'", "the box found")
    check(True, "keys: Enter in the search goes to what it found")
    b.keys(KEY_SPACE)
    b.keys((KEY_SHIFT, KEY_TAB), (KEY_CTRL, "a"), KEY_BACKSPACE)
    b.wait_for("return document.querySelectorAll('#attendance label').length === 5", "all again")
    got = [c for c in checklist(b) if c[1]]
    check(sorted(c[0] for c in got) == ["Nguyễn Thị Lan", "Đỗ Thị Hạnh (1975)"],
          "keys: both stay ticked when the search changes", checklist(b))
    b.tab_to("a.id === 'save'", "Save")
    b.keys(KEY_SPACE)
    b.wait_focus("a.id === 'notice'", "the notice")
    t = fbj(A, "show", "An toàn thực phẩm", "--json")
    names = sorted(member(A, i)["full_name"] for i in t["attendees"]) if t else None
    check(t and t["start_date"] == "2026-05-08" and t["topics"] == "food_safety"
          and names == ["Nguyễn Thị Lan", "Đỗ Thị Hạnh"],
          "keys: the training saved: 08/05/2026 read day first, its topic, its two attendees",
          (t, names))

    # A visit: the date, the reason and the member chosen with arrows.
    b.tab_to("a.id === 'tab-visit'", "the visits' tab", back=True)
    b.keys(KEY_ENTER)
    b.tab_to("a.id === 'add'", "Add a visit")
    b.keys(KEY_ENTER)
    b.wait_focus("a.id === 'f-visit_date'", "the visit's date")
    b.keys("20022026")
    b.tab_to("a.id === 'f-reason'", "the reason")
    for _ in range(20):
        if b.active("a.value === 'illness'"):
            break
        b.keys(KEY_DOWN)
    b.tab_to("a.id === 'f-member_id-find'", "the member search")
    b.keys("do thi")
    b.wait_for("return document.querySelectorAll('#f-member_id option').length === 2", "Hạnh found")
    b.keys(KEY_TAB, KEY_DOWN)
    b.tab_to("a.id === 'f-amount_vnd'", "the amount")
    b.keys("200.000", KEY_ENTER)
    b.wait_focus("a.id === 'notice'", "the notice")
    v = [x for x in fbj(A, "list", "visits", "--json") if x["visit_date"] == "2026-02-20"]
    check(len(v) == 1 and v[0]["reason"] == "illness" and v[0]["amount_vnd"] == "200000"
          and v[0]["member_id"] == member(A, "Đỗ Thị Hạnh")["id"],
          "keys: the visit saved: 20/02/2026, the reason and the member chosen with arrows", v)

    # The report's CSV buttons are on the way of Tab.
    b.tab_to("a.id === 'tab-report'", "the report's tab", back=True)
    b.keys(KEY_ENTER)
    b.tab_to("a.textContent === 'Xuất chỉ tiêu ra CSV'", "the first CSV button")
    check(True, "keys: Tab reaches the report's CSV buttons")

    # A sync, then a conflict: Lan's phone, B's value kept.
    b.tab_to("a.id === 'tab-sync'", "the sync tab", back=True)
    b.keys(KEY_ENTER)
    b.wait_for("return document.querySelectorAll('[data-conflict]').length === 1", "the conflict")
    pending = fbj(A, "status", "--json")["pending_entries"]
    b.tab_to("a.id === 'sync-now'", "Sync now")
    b.js("document.querySelector('#sync-result').textContent = ''")
    b.keys(KEY_ENTER)
    b.wait_for("return document.querySelector('#sync-result').textContent.length > 0",
               "the sync's result")
    said = b.text("#sync-result")
    check(pending > 0 and fbj(A, "status", "--json")["pending_entries"] == 0
          and said.startswith("Đã gửi") and b.active("a.id === 'sync-now'"),
          "keys: Enter on 'sync now' sends what the keys wrote; the focus stays on the button",
          (pending, said))
    b.tab_to("a.dataset.keep === 'other' && a.closest('[data-field=phone]')", "keep B's phone")
    b.shot("ui-keyboard.png")
    b.keys(KEY_ENTER)
    b.wait_for("return document.querySelector('#no-conflicts')", "no conflicts left")
    b.wait_focus("a.id === 'notice'", "the notice")
    check(conflicts_open(A) == [] and member(A, "Nguyễn Thị Lan")["phone"] == "0922222222",
          "keys: the conflict settled, B's phone kept; the focus on the notice")

    # The language, with arrows on its list; the focus stays there.
    b.tab_to("a.id === 'lang'", "the language", back=True)
    b.keys(KEY_DOWN)
    b.wait_for("return document.querySelector('#tab-member').textContent === 'Members'", "English")
    check(b.active("a.id === 'lang'"), "keys: the language switched with an arrow, the focus kept")
    b.keys(KEY_UP)
    b.wait_for("return document.querySelector('#tab-member').textContent === 'Hội viên'",
               "Vietnamese")

    bare = [f["what"] for f in b.focused if not f["ring"]]
    check(len(b.focused) > 20 and not bare,
          "keys: every one of %d stops of Tab showed the focus ring" % len(b.focused), bare)


# --- a branch of 500 members ----------------------------------------------------------------

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng"]
MIDDLE = ["Thị", "Ngọc", "Thu", "Kim", "Minh"]
GIVEN = ["Lan", "Hoa", "Mai", "Hương", "Hạnh", "Hằng", "Thảo", "Trang", "Nga", "Yến"]


def big_branch(b, BIG):
    csv = os.path.join(SHOTS, ".big-%d.csv" % os.getpid())
    with open(csv, "w", encoding="utf-8") as f:
        f.write("full_name,birth_year\n")
        n = 0
        for s in SURNAMES:
            for m in MIDDLE:
                for g in GIVEN:
                    f.write("%s %s %s,%d\n" % (s, m, g, 1960 + n % 40))
                    n += 1
    r = fb(BIG, "import", csv, "--type", "member")
    os.unlink(csv)
    if not check(r.returncode == 0, "500 members imported", r.stderr):
        return None
    page = Page(BIG)
    b.go(page.url)
    b.wait_for("return document.querySelector('#list tbody tr')", "the big branch's list")
    b.click("#tab-training")
    b.click("#add")
    b.wait_for("return document.querySelectorAll('#attendance label').length > 0", "the checklist")
    n = len(checklist(b))
    more = b.text("#attend-more")
    check(n == 60 and "440" in more, "500 members: the checklist shows 60 and says 440 more", (n, more))
    b.type("#attend-filter", "nguyen thi")
    b.wait_for("return document.querySelectorAll('#attendance label').length === 10",
               "the ten Nguyễn Thị")
    got = [c[0] for c in checklist(b)]
    check(all(fold(x).startswith("nguyen thi ") for x in got),
          "'nguyen thi' finds the ten Nguyễn Thị, accents aside", got)
    tick(b, "Nguyễn Thị Lan")
    b.type("#attend-filter", "le kim hang")
    b.wait_for("const l = document.querySelectorAll('#attendance label');"
               "return l.length === 1 && l[0].textContent.startsWith('Lê Kim Hằng')", "Lê Kim Hằng")
    tick(b, "Lê Kim Hằng")
    b.type("#attend-filter", "nguyen thi")
    b.wait_for("return document.querySelectorAll('#attendance label').length === 10", "again")
    lan = [c for c in checklist(b) if c[0].startswith("Nguyễn Thị Lan")]
    check(lan and lan[0][1] and "Lê Kim Hằng" in b.text("#attend-ticked"),
          "a member ticked stays ticked when the search changes", (lan, b.text("#attend-ticked")))
    b.shot("ui-big-branch.png")
    b.type("#f-title", "Chuyển đổi số cho hội viên")
    set_value(b, "#f-start_date", "2026-06-02")
    b.click("input[name=topics][value=digital_transformation]")
    save_and_wait(b, "the big training")
    t = fbj(BIG, "show", "Chuyển đổi số cho hội viên", "--json")
    names = sorted(member(BIG, i)["full_name"] for i in t["attendees"]) if t else None
    check(names == ["Lê Kim Hằng", "Nguyễn Thị Lan"], "the two attendees found by search saved", names)

    b.click("#tab-visit")
    b.click("#add")
    b.wait_for("return document.querySelectorAll('#f-member_id option').length === 61",
               "the picker: none and 60 members")
    b.type("#f-member_id-find", "pham minh trang")
    b.wait_for("const o = document.querySelectorAll('#f-member_id option');"
               "return o.length === 2 && o[1].textContent.startsWith('Phạm Minh Trang')",
               "the picker finds Phạm Minh Trang")
    b.js("const s = document.querySelector('#f-member_id'); s.selectedIndex = 1;"
         "s.dispatchEvent(new Event('change'));")
    b.type("#f-member_id-find", "nguyen")
    b.wait_for("const s = document.querySelector('#f-member_id');"
               "return s.options.length > 2 && s.selectedOptions[0].textContent.startsWith('Phạm Minh Trang')",
               "the choice kept through another search")
    set_value(b, "#f-visit_date", "2026-06-10")
    b.js("document.querySelector('#f-reason').value = 'illness'")
    save_and_wait(b, "the big visit")
    v = fbj(BIG, "list", "visits", "--json")
    want = member(BIG, "Phạm Minh Trang")
    check(v and len(v) == 1 and v[0]["member_id"] == want["id"],
          "the visit's member chosen by search from 500", v)
    return page


# --- an old tab after `fieldbook ui` started again ---------------------------------------------

def restarted(b, page, BIG):
    port = page.port
    page.stop()
    again = None
    for _ in range(100):            # the port may take a moment to be free
        try:
            again = Page(BIG, port)
            break
        except RuntimeError:
            time.sleep(0.1)
    if not check(again is not None, "ui starts again on the same port"):
        return
    try:
        b.click("#tab-member")
        b.wait_for("return !document.querySelector('#banner').hidden", "the banner")
        said = b.text("#banner")
        check("chạy lại" in said and "địa chỉ mới" in said,
              "an old tab after a restart: one line says to open the new address", said)
        b.shot("ui-restarted.png")
        b.go(again.url)
        b.wait_for("return document.querySelector('#list tbody tr')", "the new address")
        check(b.js("return document.querySelector('#banner').hidden"),
              "the new address works, no message")
    finally:
        again.stop()
    b.click("#tab-training")
    b.wait_for("return !document.querySelector('#banner').hidden", "the banner")
    said = b.text("#banner")
    check("không kết nối được" in said and "địa chỉ mới" in said,
          "the page stopped: one line says so, and what to do", said)


def main():
    A, B, BIG = os.environ["FB_A"], os.environ["FB_B"], os.environ["FB_BIG"]
    b = Browser()
    page = None
    try:
        month(b, A, B)
        keyboard(b, A)
        said = sync(b)
        check(said.startswith("Đã gửi"), "the decisions are sent", said)

        # English.
        b.js("const s = document.querySelector('#lang'); s.value = 'en';"
             "s.dispatchEvent(new Event('change'));")
        b.wait_for("return document.querySelector('#tab-member').textContent === 'Members'",
                   "English")
        check(True, "the page switches to English")
        b.shot("ui-english.png")
        b.js("const s = document.querySelector('#lang'); s.value = 'vi';"
             "s.dispatchEvent(new Event('change'));")

        page = big_branch(b, BIG)
        if page:
            restarted(b, page, BIG)
    except Exception as e:   # a step that could not run is a failure, not a crash
        check(False, "the scenario ran to its end", repr(e)[:500])
        try:
            b.shot("ui-failure.png")
        except Exception:
            pass
    finally:
        if page:
            page.stop()
        b.quit()


# SIGTERM (the shell's timeout): end through finally, stopping what was started.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
main()
