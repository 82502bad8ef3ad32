package main

// Browser tests of the defences against cross-site request forgery and script
// injection: a page of another origin, open in the same browser as a logged-in
// candidate, tries to log in and to log out through the API; an admin puts
// markup and script into questions, which the console and the exam page show as
// text. Every top-level name of this file starts with "cs".

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jmoiron/sqlx"

	"github.com/council-exam/examd/database"
)

// csRefused is the app's answer to a request another origin's page makes.
const csRefused = `{"error":{"code":"cross_origin_rejected","message":"cross-origin request refused"}}`

// csLogin is the demo candidate's login, which the evil page knows.
var csLogin = `{"national_id":"` + demoNationalID + `","password":"` + demoPassword + `"}`

// csEvilPages is another origin's site: /fetch calls the app's login with
// fetch, as the JSON client it pretends to be (a CORS request that needs a
// preflight) and as a "simple" request the browser sends without asking
// (mode no-cors, text/plain), both with the browser's cookies; /form posts a
// plain HTML form to the app's logout as soon as it loads.
func csEvilPages(app string) http.Handler {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Win a prize</title></head><body>%s</body></html>`, body)
	}
	mux.HandleFunc("GET /fetch", func(w http.ResponseWriter, r *http.Request) {
		page(w, fmt.Sprintf(`<h1>Loading your prize…</h1><script>
const app = %s, login = %s;
(async () => {
	const r = {};
	try {
		const res = await fetch(app + '/api/v1/candidate/login', { method: 'POST', credentials: 'include',
			headers: { 'Content-Type': 'application/json' }, body: login });
		r.cors = 'answered ' + res.status;
	} catch (e) {
		r.cors = e.name;
	}
	try {
		const res = await fetch(app + '/api/v1/candidate/login', { method: 'POST', mode: 'no-cors', credentials: 'include',
			headers: { 'Content-Type': 'text/plain' }, body: login });
		r.simple = res.type;
	} catch (e) {
		r.simple = e.name;
	}
	window.__results = r;
	document.body.dataset.done = '1';
})();
</script>`, jsString(app), jsString(csLogin)))
	})
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		page(w, fmt.Sprintf(`<form id="evil" method="POST" action=%s><input type="hidden" name="prize" value="1"></form>
<script>document.getElementById('evil').submit();</script>`, jsString(app+"/api/v1/logout")))
	})
	return mux
}

// csMetrics reads the app's request counters: "METHOD route status" → count.
func csMetrics(t *testing.T, base string) map[string]float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		rest, ok := strings.CutPrefix(line, "examd_http_requests_total{")
		if !ok {
			continue
		}
		labels, value, _ := strings.Cut(rest, "} ")
		l := map[string]string{}
		for _, kv := range strings.Split(labels, ",") {
			k, v, _ := strings.Cut(kv, "=")
			l[k], _ = strconv.Unquote(v)
		}
		n, _ := strconv.ParseFloat(value, 64)
		out[l["method"]+" "+l["route"]+" "+l["status"]] = n
	}
	return out
}

// csMustDB opens the test server's database.
func csMustDB(t *testing.T, url string) *sqlx.DB {
	t.Helper()
	db, err := database.Open(context.Background(), url, database.PoolConfig{MaxOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func csCount(t *testing.T, db *sqlx.DB, action string) int {
	t.Helper()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM audit_log WHERE action = $1`, action); err != nil {
		t.Fatal(err)
	}
	return n
}

// csTab runs actions in a tab of its own in b's browser (so with its cookies)
// and returns what the last evaluation gave.
func csTab(t *testing.T, b *browser, what string, run func(ctx context.Context) error) {
	t.Helper()
	tab, cancel := chromedp.NewContext(b.ctx)
	defer cancel()
	ctx, cancelStep := context.WithTimeout(tab, 2*stepTimeout)
	defer cancelStep()
	if err := run(ctx); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func TestBrowserCSRFCrossOriginRefused(t *testing.T) {
	base, env := mustStartServerEnv(t, nil)
	db := csMustDB(t, env["DATABASE_URL"])
	b := mustBrowser(t, base)
	b.login(demoNationalID, demoPassword)
	victim := b.sessionClient()
	logins := csCount(t, db, "candidate.login")
	before := csMetrics(t, base)

	evil := httptest.NewServer(csEvilPages(base))
	t.Cleanup(evil.Close)
	origins := map[string]string{
		// Another port of the same host: another origin but the same site, so
		// SameSite=Lax sends the session cookie along and only the app's
		// origin check stands between the page and the candidate's session.
		"same-site": evil.URL,
		// Another host: cross-site; the cookie stays home as well.
		"cross-site": strings.Replace(evil.URL, "127.0.0.1", "localhost", 1),
	}
	for kind, origin := range origins {
		// The candidate opens the evil page in another tab.
		csTab(t, b, kind+" fetches", func(ctx context.Context) error {
			type results struct {
				CORS   string `json:"cors"`
				Simple string `json:"simple"`
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(origin+"/fetch")); err != nil {
				return err
			}
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.done === '1'`, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
				return err
			}
			r, err := chromedp.Run(ctx, chromedp.Evaluate[results](`window.__results`))
			if err != nil {
				return err
			}
			// The app answers no CORS preflight, so the browser never sends the
			// JSON login; the simple one goes out, and its answer is hidden.
			if r.CORS != "TypeError" || r.Simple != "opaque" {
				t.Errorf("%s page's fetches: %+v, want the CORS one blocked (TypeError) and the simple one sent (opaque)", kind, r)
			}
			return nil
		})
		csTab(t, b, kind+" form", func(ctx context.Context) error {
			if err := chromedp.Do(ctx, chromedp.Navigate(origin+"/form")); err != nil {
				return err
			}
			// The form takes the tab to the app's answer; a 204 (the logout went
			// through) would leave the evil page in place.
			if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`location.href === %s && document.readyState === 'complete'`,
				jsString(base+"/api/v1/logout")), chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
				href, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
				t.Errorf("the %s form's POST /api/v1/logout did not show the app's refusal (the tab is at %s): %v", kind, href, err)
				return nil
			}
			got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText.trim()`))
			if err != nil {
				return err
			}
			if got != csRefused {
				t.Errorf("the %s form's POST /api/v1/logout was answered %q, want %s", kind, got, csRefused)
			}
			return nil
		})
	}

	after := csMetrics(t, base)
	delta := func(key string) float64 { return after[key] - before[key] }
	for key, want := range map[string]float64{
		"POST /api/v1/candidate/login 403": 2, // the simple fetches
		"POST /api/v1/logout 403":          2, // the forms
		"OPTIONS unmatched 404":            2, // the preflights of the JSON fetches
		"POST /api/v1/candidate/login 200": 0,
		"POST /api/v1/candidate/login 401": 0,
		"POST /api/v1/logout 204":          0,
	} {
		if got := delta(key); got != want {
			t.Errorf("requests %s: %v more, want %v", key, got, want)
		}
	}
	// No login happened (one would also have ended the candidate's session),
	// and the candidate is still logged in.
	if got := csCount(t, db, "candidate.login"); got != logins {
		t.Errorf("candidate.login audit rows = %d, want %d", got, logins)
	}
	if status, _ := fetchJSON[json.RawMessage](b, "GET", "/api/v1/candidate/me"); status != http.StatusOK {
		t.Fatalf("after the evil pages GET /api/v1/candidate/me = %d, want 200", status)
	}

	// The same requests from the app's own pages go through.
	if status, _ := fetchJSONBody[json.RawMessage](b, "POST", "/api/v1/candidate/login", csLogin); status != http.StatusOK {
		t.Fatalf("the app's own login = %d, want 200", status)
	}
	if got := csCount(t, db, "candidate.login"); got != logins+1 {
		t.Errorf("candidate.login audit rows after the app's own login = %d, want %d", got, logins+1)
	}
	victim = b.sessionClient()
	eval[chromedp.Void](b, `(() => {
		const f = document.createElement('form');
		f.method = 'POST';
		f.action = '/api/v1/logout';
		document.body.append(f);
		f.submit();
	})()`)
	deadline := time.Now().Add(stepTimeout)
	for {
		res, err := victim.Get(base + "/api/v1/candidate/me")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == http.StatusUnauthorized {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the app's own logout form the session still answers %d", res.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := csMetrics(t, base)["POST /api/v1/logout 204"] - before["POST /api/v1/logout 204"]; got != 1 {
		t.Errorf("POST /api/v1/logout 204: %v, want 1 (the app's own form)", got)
	}
}

// csXSS are texts an attacker with an admin's pen would put into questions.
var csXSS = struct{ stem1, stem2, opt1, opt2, opt3, opt4 string }{
	stem1: `<script>window.__pwned=2</script>کدام گزینه درست است؟`,
	stem2: `<img src=x onerror="window.__pwned=1"> پرسش دوم؟`,
	opt1:  `<img src=x onerror="window.__pwned=1">`,
	opt2:  `<b>پررنگ</b> & "نقل‌قول"`,
	opt3:  `<script>window.__pwned=3</script>`,
	opt4:  `<svg onload="window.__pwned=4"></svg><iframe src="javascript:window.top.__pwned=5"></iframe>`,
}

// csMustNotRun checks that the page has no element the markup would have made
// and that no script of it ran.
func csMustNotRun(t *testing.T, b *browser, where string) {
	t.Helper()
	if got := eval[string](b, `typeof window.__pwned`); got != "undefined" {
		t.Errorf("%s: window.__pwned is %s: a script of a question ran", where, got)
	}
	if n := eval[int](b, `document.querySelectorAll('img[src="x"], svg[onload], iframe, b, [onerror]').length`); n != 0 {
		t.Errorf("%s: %d elements made from question text", where, n)
	}
}

func TestBrowserScriptInQuestionsIsText(t *testing.T) {
	base := mustStartServer(t)
	admin := officialClient(t, base)
	const section = "xss_probe"
	var q1, q2 struct {
		ID string `json:"id"`
	}
	mustPostJSON(t, admin, base+"/api/v1/official/questions", map[string]any{"section": section, "stem": csXSS.stem1,
		"options": []map[string]string{{"key": "a", "text": csXSS.opt1}, {"key": "b", "text": csXSS.opt2}}, "correct": "a"}, http.StatusCreated, &q1)
	mustPostJSON(t, admin, base+"/api/v1/official/questions", map[string]any{"section": section, "stem": csXSS.stem2,
		"options": []map[string]string{{"key": "a", "text": csXSS.opt3}, {"key": "b", "text": csXSS.opt4}}, "correct": "b"}, http.StatusCreated, &q2)
	now := time.Now().UTC()
	var created struct {
		ID string `json:"id"`
	}
	mustPostJSON(t, admin, base+"/api/v1/official/exams", map[string]any{
		"title": "آزمون <i>کج</i>", "sections": []map[string]any{{"key": section, "title": "<u>بخش</u>", "draw": 2}},
		"duration_seconds": 600, "opens_at": now.Add(-time.Minute).Format(time.RFC3339), "closes_at": now.Add(time.Hour).Format(time.RFC3339),
		"pass_percent": 50, "shuffle_questions": false, "shuffle_options": false,
	}, http.StatusCreated, &created)
	mustPostJSON(t, admin, base+"/api/v1/official/exams/"+created.ID+"/publish", nil, http.StatusOK, nil)

	// The officials' console lists the questions and shows one, as text.
	b := mustBrowser(t, base)
	b.officialLogin(adminUsername, adminPassword)
	b.click(fmt.Sprintf(`#section-chips button[data-section=%q]`, section))
	b.waitTrue("the section's questions", `document.querySelectorAll('#questions-body tr[data-question-id]').length === 2`)
	stems := eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('#questions-body tr[data-question-id]')]
		.map((tr) => [tr.dataset.questionId, tr.querySelector('.stem-cell .clamp').textContent]))`)
	if stems[q1.ID] != csXSS.stem1 || stems[q2.ID] != csXSS.stem2 {
		t.Errorf("console list stems = %q, want %q and %q", stems, csXSS.stem1, csXSS.stem2)
	}
	csMustNotRun(t, b, "console list")
	b.click(fmt.Sprintf(`#questions-body button[data-question-id=%q]`, q2.ID))
	b.waitTrue("the question dialog", `document.getElementById('qd-stem')?.textContent.length > 0`)
	if got := eval[string](b, `document.getElementById('qd-stem').textContent`); got != csXSS.stem2 {
		t.Errorf("console dialog stem = %q, want %q", got, csXSS.stem2)
	}
	if got := eval[[]string](b, `[...document.querySelectorAll('#qd-body .q-option-text')].map((e) => e.textContent)`); len(got) != 2 ||
		got[0] != csXSS.opt3 || got[1] != csXSS.opt4 {
		t.Errorf("console dialog options = %q, want %q and %q", got, csXSS.opt3, csXSS.opt4)
	}
	csMustNotRun(t, b, "console dialog")
	b.screenshot("examd-xss-console.png")

	// The candidate sits the exam: both questions, as text.
	c := mustBrowser(t, base)
	c.login(demoNationalID, demoPassword)
	c.open("/exam?exam=" + created.ID)
	c.do("start page", chromedp.WaitVisible(chromedp.CSS("#start-button")))
	if got := c.text("#start-title"); got != "آزمون <i>کج</i>" {
		t.Errorf("start page title = %q", got)
	}
	csMustNotRun(t, c, "exam start page")
	c.click("#start-button")
	c.do("sitting", chromedp.WaitVisible(chromedp.CSS("#sit-view #q-options input")))
	want := map[string][3]string{q1.ID: {csXSS.stem1, csXSS.opt1, csXSS.opt2}, q2.ID: {csXSS.stem2, csXSS.opt3, csXSS.opt4}}
	for i := range 2 {
		c.click(fmt.Sprintf(`.nav-item[data-index="%d"]`, i))
		q := c.atQuestion(i)
		got := eval[[3]string](c, `[document.getElementById('q-stem').textContent,
			...[...document.querySelectorAll('#q-options .option-text')].map((e) => e.textContent)]`)
		if w, ok := want[q.ID]; !ok || got != w {
			t.Errorf("exam page question %d (%s) shows %q, want %q", i+1, q.ID, got, w)
		}
		csMustNotRun(t, c, fmt.Sprintf("exam page, question %d", i+1))
	}
	c.screenshot("examd-xss-exam.png")
}
