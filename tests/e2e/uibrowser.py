#!/usr/bin/env python3
# uibrowser.py - a branch head's month in the local page, in headless
# chromium driven by chromedriver (WebDriver over HTTP, the standard
# library only), for tests/e2e/99-ui-browser.t.  Usage:
#   uibrowser.py DRIVER_URL PAGE_URL SHOTS_DIR
# $FB_A and $FB_B are the two laptops' databases, $FIELDBOOK the
# binary: the laptop B edits what the page edits, for a conflict.
# Prints "PASS description" or "FAIL description | detail" per check;
# the shell turns them into TAP.
import base64
import json
import os
import subprocess
import sys
import time
import urllib.request

DRIVER, PAGE, SHOTS = sys.argv[1], sys.argv[2], sys.argv[3]
KEY_ENTER = "\ue007"
WAIT_S = 20


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


class Browser:
    def __init__(self):
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--window-size=1366,768", "--lang=vi", "--no-first-run",
                         "--disable-dev-shm-usage"]}}}}
        self.sid = call("POST", "/session", caps)["sessionId"]
        self.s = "/session/" + self.sid

    def quit(self):
        call("DELETE", self.s)

    def go(self, url):
        call("POST", self.s + "/url", {"url": url})

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

    def wait_for(self, script, desc):
        end = time.monotonic() + WAIT_S
        while time.monotonic() < end:
            if self.js(script):
                return True
            time.sleep(0.1)
        raise RuntimeError("waited for " + desc)

    def shot(self, name):
        png = call("GET", self.s + "/screenshot")
        with open(os.path.join(SHOTS, name), "wb") as f:
            f.write(base64.b64decode(png))


def fb(db, *args):
    return subprocess.run([os.environ["FIELDBOOK"], "--db", db] + list(args),
                          capture_output=True, text=True, timeout=60)


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


def tick(b, name):
    b.js("for (const l of document.querySelectorAll('#attendance label'))"
         " if (l.textContent === arguments[0]) l.querySelector('input').click();", name)


def sync(b):
    b.click("#tab-sync")
    b.click("#sync-now")
    b.wait_for("const r = document.querySelector('#sync-result');"
               "return r && r.textContent.length > 0", "the sync's result")
    return b.text("#sync-result")


def main():
    A, B = os.environ["FB_A"], os.environ["FB_B"]
    b = Browser()
    try:
        b.go(PAGE)
        b.find("#tab-member")
        b.wait_for("return document.querySelector('#tab-member').textContent === 'Hội viên'",
                   "the page's words")
        check("#s=" not in b.js("return location.href"), "the secret leaves the address bar")
        check(b.text("#tab-member") == "Hội viên", "the page speaks Vietnamese by default")

        # Members, typed through the keyboard.
        for name, role in (("Nguyễn Thị Lan", "branch_head"), ("Trần Thị Hoa", "branch_deputy"),
                           ("Lê Thị Mai", "member")):
            b.click("#add")
            b.type("#f-full_name", name)
            b.js("document.querySelector('#f-role').value = arguments[0]", role)
            if name.startswith("Nguyễn"):
                b.type("#f-phone", "0900000001")
            save_and_wait(b, name)
        got = rows(b)
        check(len(got) == 3 and "Nguyễn Thị Lan" in got[1] and "Chi hội trưởng" in got[1],
              "three members added, by given name, roles by their Vietnamese names", got)
        out = fb(A, "list", "members", "--json")
        check(sorted(m["full_name"] for m in json.loads(out.stdout)) ==
              sorted(["Nguyễn Thị Lan", "Trần Thị Hoa", "Lê Thị Mai"]),
              "list sees the members typed in the page", out.stdout[:200])
        b.shot("ui-members.png")

        # A bad date: the field's message, nothing saved.
        b.click("#add")
        b.type("#f-full_name", "Phạm Thị Thu")
        b.type("#f-birth_year", "1890")
        b.click("#save")
        b.wait_for("return document.querySelector('#err-birth_year').textContent.length > 0",
                   "the field's message")
        msg = b.text("#err-birth_year")
        check("birth_year" in msg and "năm" in msg, "a bad year: its message beside the field", msg)
        b.shot("ui-error.png")
        check(len(json.loads(fb(A, "list", "members", "--json").stdout)) == 3, "... nothing saved")
        b.js("document.querySelector('#record-form').remove()")

        # First sync, then laptop B changes Lan's phone and syncs.
        said = sync(b)
        check(said.startswith("Đã gửi") and "nhận 0" in said, "the first sync says what it sent", said)
        for args in (("sync",), ("edit", "Nguyễn Thị Lan", "phone=0922222222"), ("sync",)):
            r = fb(B, *args)
            if r.returncode:
                check(False, "laptop B: " + " ".join(args), r.stderr)

        # The page edits the same phone.
        b.click("#tab-member")
        b.find("#list tbody tr")
        b.js("for (const r of document.querySelectorAll('#list tbody tr'))"
             " if (r.innerText.includes('Nguyễn Thị Lan')) r.querySelector('button').click();")
        b.find("#f-phone")
        b.type("#f-phone", "0911111111")
        save_and_wait(b, "phone")

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

        # A visit.
        b.click("#tab-visit")
        b.click("#add")
        set_value(b, "#f-visit_date", "2026-01-25")
        b.find("#f-reason")
        b.js("document.querySelector('#f-reason').value = 'tet'")
        b.js("const s = document.querySelector('#f-member_id');"
             "for (const o of s.options) if (o.textContent.startsWith('Trần Thị Hoa')) s.value = o.value;")
        b.type("#f-amount_vnd", "500.000")
        save_and_wait(b, "visit")
        v = json.loads(fb(A, "list", "visits", "--json").stdout)
        check(len(v) == 1 and v[0]["amount_vnd"] == "500000" and v[0]["reason"] == "tet",
              "the visit saved, 500.000 read as 500000", v)

        # The report.
        b.click("#tab-report")
        b.find("#coverage .meter")
        cov = b.text("#coverage")
        check("1 trên 2" in cov and "Trần Thị Hoa" in cov,
              "the report: 1 of 2 branch heads and deputies trained, Hoa not yet", cov)
        check(b.js("return document.querySelectorAll('#topics svg rect').length") == 3,
              "courses by topic: a bar for each of three topics")
        b.shot("ui-report.png")

        # Sync: the conflict comes, and is settled in the page.
        said = sync(b)
        check(said.startswith("Đã gửi") and "nhận 1" in said, "the sync brings B's change", said)
        b.find("[data-conflict]")
        b.shot("ui-conflict.png")
        b.click("[data-conflict] button[data-keep=other]")
        b.find("#no-conflicts")
        c = json.loads(fb(A, "conflicts", "--json").stdout)
        phone = json.loads(fb(A, "show", "Nguyễn Thị Lan", "--json").stdout)["phone"]
        check(c == [] and phone == "0922222222",
              "the conflict settled in the page: B's phone kept", (c, phone))
        said = sync(b)
        check(said.startswith("Đã gửi"), "the decision is sent", said)

        # English.
        b.js("const s = document.querySelector('#lang'); s.value = 'en';"
             "s.dispatchEvent(new Event('change'));")
        b.wait_for("return document.querySelector('#tab-member').textContent === 'Members'",
                   "English")
        check(True, "the page switches to English")
        b.shot("ui-english.png")
    except Exception as e:   # a step that could not run is a failure, not a crash
        check(False, "the scenario ran to its end", repr(e)[:500])
        try:
            b.shot("ui-failure.png")
        except Exception:
            pass
    finally:
        b.quit()


main()
