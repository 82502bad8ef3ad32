package main

// Browser tests of the officials' review pages (the Results, Statistics and
// Objections tabs of official.html): an admin filters, sorts and searches the
// results, opens a candidate's attempt with the keys marked, downloads exactly
// the filtered rows, reads the statistics and item analysis, publishes the
// results and voids a question on an objection; a reviewer reads the same
// pages without a single write control.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	reviewExamTitle  = "آزمون بازبینی نتایج (آزمایشی)"
	reviewSection    = "councils_law"
	reviewBankSize   = 22 // the demo bank's councils_law questions; the exam draws them all
	reviewPassword   = "Shora-Review-1400!"
	faNowFails       = "اکنون مردود است"
	faFlagged        = "⚑ نیازمند بازبینی"
	faResultsPublish = "✓ نتایج این آزمون اعلام شده است؛ هر داوطلب نتیجهٔ خود را می‌بیند."
)

// reviewCandidate is one candidate of the fixture and what they should score.
type reviewCandidate struct {
	NationalID string
	Password   string
	Name       string
	AttemptID  string
	Right      int // questions answered right, of reviewBankSize
	Submit     bool
}

// Percent is the candidate's expected percent (1 point a question, no penalty).
func (c reviewCandidate) Percent() float64 { return float64(c.Right) / reviewBankSize * 100 }

// reviewFixture is a closed exam of the 22 councils_law questions sat by four
// candidates with known answers:
//
//	C0 (the demo candidate): right on q0–q20, wrong on q21      → 21/22 = 95.45%, passes
//	C1: right on q0–q13, wrong on q14–q21                        → 14/22 = 63.64%, passes
//	C2: right on q0–q10, wrong on q11–q21                        → 11/22 = 50%, passes (exactly at 50)
//	C3: blank q0–q9, wrong q10–q14, right q15–q19, wrong q20, right q21
//	    → 6/22 = 27.27%, fails; never submits, so the close ends it as a timeout
//
// where q0…q21 are the questions in the order of their ids. q21 is answered
// right only by the weakest candidate: its discrimination is negative and the
// item analysis flags it. Voiding q0 (answered right by C0–C2) takes C2 to
// 10/21 = 47.62%: C2, and only C2, goes from pass to fail.
type reviewFixture struct {
	ExamID    string
	Questions []string          // q0…q21
	Keys      map[string]string // question id → correct key
	Options   map[string][]string
	Cands     []reviewCandidate
}

// rvJSON sends a JSON request with the client and checks the status.
func rvJSON(t *testing.T, c *http.Client, method, url string, body any, status int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, url, res.StatusCode, status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("decode %s %s: %v (%s)", method, url, err, raw)
		}
	}
}

func rvClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// rvCandidateClient logs a candidate in over the API.
func rvCandidateClient(t *testing.T, base, nationalID, password string) *http.Client {
	t.Helper()
	c := rvClient()
	rvJSON(t, c, "POST", base+"/api/v1/candidate/login", map[string]string{"national_id": nationalID, "password": password}, http.StatusOK, nil)
	return c
}

// answerFor is what candidate i answers to question q (by index): the key, a
// wrong option, or "" for blank.
func answerFor(i, q int) string {
	switch i {
	case 0:
		if q <= 20 {
			return "right"
		}
		return "wrong"
	case 1:
		if q <= 13 {
			return "right"
		}
		return "wrong"
	case 2:
		if q <= 10 {
			return "right"
		}
		return "wrong"
	default:
		switch {
		case q <= 9:
			return ""
		case q <= 14, q == 20:
			return "wrong"
		default:
			return "right"
		}
	}
}

// mustReviewFixture builds the fixture over the HTTP API.
func mustReviewFixture(t *testing.T, base string) reviewFixture {
	t.Helper()
	admin := officialClient(t, base)

	var bank struct {
		Items []struct {
			ID      string `json:"id"`
			Correct string `json:"correct"`
			Options []struct {
				Key string `json:"key"`
			} `json:"options"`
		} `json:"items"`
	}
	rvJSON(t, admin, "GET", base+"/api/v1/official/questions?section="+reviewSection+"&status=active&per_page=200", nil, http.StatusOK, &bank)
	if len(bank.Items) != reviewBankSize {
		t.Fatalf("the demo bank has %d %s questions, want %d", len(bank.Items), reviewSection, reviewBankSize)
	}
	fx := reviewFixture{Keys: map[string]string{}, Options: map[string][]string{}}
	for _, q := range bank.Items {
		fx.Questions = append(fx.Questions, q.ID)
		fx.Keys[q.ID] = q.Correct
		for _, o := range q.Options {
			fx.Options[q.ID] = append(fx.Options[q.ID], o.Key)
		}
	}
	slices.Sort(fx.Questions)

	now := time.Now().UTC().Truncate(time.Second)
	var created struct {
		ID string `json:"id"`
	}
	rvJSON(t, admin, "POST", base+"/api/v1/official/exams", map[string]any{
		"title":            reviewExamTitle,
		"sections":         []map[string]any{{"key": reviewSection, "title": "قانون شوراها", "draw": reviewBankSize, "min_percent": 0}},
		"duration_seconds": 60, "opens_at": now.Add(-time.Minute).Format(time.RFC3339), "closes_at": now.Add(time.Hour).Format(time.RFC3339),
		"grace_seconds": 0, "shuffle_questions": false, "shuffle_options": false, "points_correct": 1, "penalty_wrong": "0",
		"pass_percent": 50, "max_attempts": 1, "objection_window_seconds": 3600,
	}, http.StatusCreated, &created)
	fx.ExamID = created.ID
	rvJSON(t, admin, "POST", base+"/api/v1/official/exams/"+fx.ExamID+"/publish", nil, http.StatusOK, nil)

	fx.Cands = []reviewCandidate{
		{NationalID: demoNationalID, Password: demoPassword, Right: 21, Submit: true},
		{Name: "مریم احمدی", Right: 14, Submit: true},
		{Name: "سارا کریمی", Right: 11, Submit: true},
		{Name: "نرگس موسوی", Right: 6, Submit: false},
	}
	seen := map[string]bool{demoNationalID: true}
	for i := range fx.Cands {
		c := &fx.Cands[i]
		if c.NationalID != "" {
			continue
		}
		for c.NationalID == "" || seen[c.NationalID] {
			c.NationalID = validNationalID()
		}
		seen[c.NationalID] = true
		c.Password = reviewPassword
		first, last, _ := strings.Cut(c.Name, " ")
		var reg struct {
			Eligible bool `json:"eligible"`
		}
		rvJSON(t, rvClient(), "POST", base+"/api/v1/candidates", map[string]any{
			"national_id": c.NationalID, "first_name": first, "last_name": last, "father_name": "علی",
			"birth_date": "1980-01-01", "gender": "female", "mobile": "09121234567", "education": "bachelor",
			"constituency_id": 1, "password": c.Password,
		}, http.StatusCreated, &reg)
		if !reg.Eligible {
			t.Fatalf("candidate %s is not eligible", c.NationalID)
		}
	}

	for i := range fx.Cands {
		c := &fx.Cands[i]
		cl := rvCandidateClient(t, base, c.NationalID, c.Password)
		if c.Name == "" {
			var me struct {
				FirstName string `json:"first_name"`
				LastName  string `json:"last_name"`
			}
			rvJSON(t, cl, "GET", base+"/api/v1/candidate/me", nil, http.StatusOK, &me)
			c.Name = me.FirstName + " " + me.LastName
		}
		var started struct {
			AttemptID string `json:"attempt_id"`
			Questions []struct {
				ID string `json:"id"`
			} `json:"questions"`
		}
		rvJSON(t, cl, "POST", base+"/api/v1/exams/"+fx.ExamID+"/attempts", nil, http.StatusCreated, &started)
		if len(started.Questions) != reviewBankSize {
			t.Fatalf("candidate %d drew %d questions, want %d", i, len(started.Questions), reviewBankSize)
		}
		c.AttemptID = started.AttemptID
		seq := 0
		for q, id := range fx.Questions {
			var choice string
			switch answerFor(i, q) {
			case "":
				continue
			case "right":
				choice = fx.Keys[id]
			default:
				for _, k := range fx.Options[id] {
					if k != fx.Keys[id] {
						choice = k
						break
					}
				}
			}
			seq++
			rvJSON(t, cl, "PUT", base+"/api/v1/attempts/"+c.AttemptID+"/answers/"+id, map[string]any{"choice": choice, "seq": seq}, http.StatusOK, nil)
		}
		if c.Submit {
			rvJSON(t, cl, "POST", base+"/api/v1/attempts/"+c.AttemptID+"/submit", nil, http.StatusOK, nil)
		}
	}

	// The close ends C3's running attempt; reading it finishes it as a timeout.
	rvJSON(t, admin, "POST", base+"/api/v1/official/exams/"+fx.ExamID+"/close", nil, http.StatusOK, nil)
	last := fx.Cands[3]
	cl := rvCandidateClient(t, base, last.NationalID, last.Password)
	deadline := time.Now().Add(15 * time.Second)
	for {
		var a struct {
			State string `json:"state"`
		}
		rvJSON(t, cl, "GET", base+"/api/v1/attempts/"+last.AttemptID, nil, http.StatusOK, &a)
		if a.State != "running" && a.State != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("C3's attempt is still %q after the close", a.State)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fx
}

// rvPercent writes a percent as the page does in Persian: at most two decimals,
// Persian digits, the Persian decimal separator and percent sign.
func rvPercent(p float64) string {
	s := strconv.FormatFloat(float64(int64(p*100+0.5))/100, 'f', -1, 64)
	return persianDigits(strings.ReplaceAll(s, ".", "٫")) + "٪"
}

type rvRow struct {
	NationalID string `json:"nid"`
	Name       string `json:"name"`
	Percent    string `json:"percent"`
	Passed     string `json:"passed"`
}

// resultRows reads the results table as shown.
func (b *browser) resultRows() []rvRow {
	b.t.Helper()
	return eval[[]rvRow](b, `[...document.querySelectorAll('#rv-body tr[data-attempt-id]')].map((tr) => ({
		nid: tr.dataset.nationalId,
		name: tr.querySelector('.name-cell').textContent.trim(),
		percent: tr.querySelector('[data-testid="percent"]').textContent.trim(),
		passed: tr.dataset.passed,
	}))`)
}

// waitResults waits until the results panel has loaded n rows.
func (b *browser) waitResults(what string, n int) {
	b.t.Helper()
	b.waitTrue(what, fmt.Sprintf(`document.getElementById('panel-results').dataset.loaded === 'true'
		&& document.querySelectorAll('#rv-body tr[data-attempt-id]').length === %d`, n))
}

func rvNationalIDs(rows []rvRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.NationalID
	}
	return out
}

func TestBrowserReviewResultsAndStats(t *testing.T) {
	base := mustStartServer(t)
	fx := mustReviewFixture(t, base)
	c := fx.Cands
	b := mustBrowser(t, base)
	b.officialLogin(adminUsername, adminPassword)

	// The results of the closed exam, by name, with the percents as scored.
	b.openTab("results")
	b.waitResults("the four candidates", 4)
	if got := eval[string](b, `document.getElementById('rv-exam').value`); got != fx.ExamID {
		t.Fatalf("the chosen exam is %s, want the closed review exam %s", got, fx.ExamID)
	}
	rows := b.resultRows()
	byID := map[string]rvRow{}
	for _, r := range rows {
		byID[r.NationalID] = r
	}
	for i, cand := range c {
		r, ok := byID[cand.NationalID]
		passed := strconv.FormatBool(cand.Percent() >= 50)
		if !ok || r.Name != cand.Name || r.Percent != rvPercent(cand.Percent()) || r.Passed != passed {
			t.Errorf("candidate %d row = %+v, want %s %q %s passed=%s", i, r, cand.NationalID, cand.Name, rvPercent(cand.Percent()), passed)
		}
	}
	if got := b.text("#rv-summary"); got != "۴ داوطلب" {
		t.Errorf("summary = %q, want ۴ داوطلب", got)
	}
	if got := eval[string](b, `document.querySelector('#rv-table th[data-sort="name"]').getAttribute('aria-sort')`); got != "ascending" {
		t.Errorf("the name column's aria-sort = %q, want ascending", got)
	}
	b.screenshot("examd-review-results.png")

	// Sorting by percent: ascending, then descending, announced with aria-sort.
	b.do("sort by percent", chromedp.Click(chromedp.CSS(`#rv-table .sort-button[data-sort="percent"]`)))
	b.waitTrue("ascending by percent", `document.querySelector('#rv-table th[data-sort="percent"]').getAttribute('aria-sort') === 'ascending'
		&& document.getElementById('panel-results').dataset.loaded === 'true'`)
	want := []string{c[3].NationalID, c[2].NationalID, c[1].NationalID, c[0].NationalID}
	if got := rvNationalIDs(b.resultRows()); !slices.Equal(got, want) {
		t.Fatalf("ascending by percent = %v, want %v", got, want)
	}
	if n := b.count(`#rv-table th[aria-sort]`); n != 1 {
		t.Errorf("%d columns carry aria-sort, want 1", n)
	}
	b.do("sort by percent again", chromedp.Click(chromedp.CSS(`#rv-table .sort-button[data-sort="percent"]`)))
	b.waitTrue("descending by percent", `document.querySelector('#rv-table th[data-sort="percent"]').getAttribute('aria-sort') === 'descending'
		&& document.getElementById('panel-results').dataset.loaded === 'true'`)
	slices.Reverse(want)
	if got := rvNationalIDs(b.resultRows()); !slices.Equal(got, want) {
		t.Fatalf("descending by percent = %v, want %v", got, want)
	}

	// Failed candidates only: one row, and the CSV link carries the filter.
	b.choose("#rv-passed", "false")
	b.waitResults("the failed candidate", 1)
	if got := rvNationalIDs(b.resultRows()); !slices.Equal(got, []string{c[3].NationalID}) {
		t.Fatalf("failed candidates = %v, want only %s", got, c[3].NationalID)
	}
	href := eval[string](b, `document.getElementById('rv-csv').href`)
	if !strings.Contains(href, "/api/v1/official/exams/"+fx.ExamID+"/results.csv?") || !strings.Contains(href, "passed=false") {
		t.Fatalf("CSV link = %s, want the exam's CSV with passed=false", href)
	}
	if x := eval[string](b, `document.getElementById('rv-xlsx').href`); !strings.Contains(x, "results.xlsx?") || !strings.Contains(x, "passed=false") {
		t.Errorf("XLSX link = %s, want passed=false", x)
	}
	// Read as bytes: text() would drop the byte-order mark.
	csv := eval[string](b, `fetch(document.getElementById('rv-csv').href).then((r) => r.arrayBuffer())
		.then((buf) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(buf))`)
	if !strings.HasPrefix(csv, "\ufeff") {
		t.Errorf("the CSV does not start with a BOM")
	}
	lines := strings.Split(strings.TrimSpace(strings.TrimPrefix(csv, "\ufeff")), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], c[3].NationalID) {
		t.Fatalf("the filtered CSV has %d lines, want a header and %s's row:\n%s", len(lines), c[3].NationalID, csv)
	}
	// The finish reason: the one who failed was ended by the close.
	b.choose("#rv-finish", "timeout")
	b.waitResults("timeouts among the failed", 1)
	b.choose("#rv-passed", "")
	b.waitResults("timeouts", 1)
	b.choose("#rv-finish", "submitted")
	b.waitResults("the submitted", 3)
	b.choose("#rv-finish", "")
	b.waitResults("everyone again", 4)

	// A national ID typed in Persian digits finds its candidate.
	b.typeInto("#rv-q", persianDigits(c[1].NationalID))
	b.do("search", chromedp.Click(chromedp.CSS("#rv-submit")))
	b.waitResults("one match", 1)
	if got := b.resultRows(); got[0].NationalID != c[1].NationalID {
		t.Fatalf("searching %s found %+v", c[1].NationalID, got)
	}
	if href := eval[string](b, `document.getElementById('rv-csv').href`); !strings.Contains(href, "q="+c[1].NationalID) {
		t.Errorf("CSV link after a search = %s, want q=%s", href, c[1].NationalID)
	}
	b.typeInto("#rv-q", "سارا")
	b.do("search by name", chromedp.Click(chromedp.CSS("#rv-submit")))
	b.waitResults("the name's match", 1)

	// C2's attempt: every answer beside its key, the timeline and the receipt.
	b.do("open C2's attempt",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#rv-body tr[data-attempt-id=%q] .name-cell`, c[2].AttemptID))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#rd-body[data-attempt-id=%q] #rd-answers`, c[2].AttemptID))),
	)
	type shownAnswer struct {
		ID      string `json:"id"`
		Key     string `json:"key"`
		Choice  string `json:"choice"`
		Outcome string `json:"outcome"`
		Keys    int    `json:"keys"`
	}
	answers := eval[[]shownAnswer](b, `[...document.querySelectorAll('#rd-answers [data-testid="answer"]')].map((li) => ({
		id: li.dataset.questionId,
		key: li.querySelector('[data-testid="key-mark"]')?.closest('li').dataset.key ?? '',
		choice: li.querySelector('[data-testid="choice-mark"]')?.closest('li').dataset.key ?? '',
		outcome: li.dataset.outcome,
		keys: li.querySelectorAll('[data-testid="key-mark"]').length,
	}))`)
	if len(answers) != reviewBankSize {
		t.Fatalf("the attempt shows %d answers, want %d", len(answers), reviewBankSize)
	}
	index := map[string]int{}
	for i, id := range fx.Questions {
		index[id] = i
	}
	right := 0
	for _, a := range answers {
		wantOutcome := "wrong"
		if answerFor(2, index[a.ID]) == "right" {
			wantOutcome = "correct"
			right++
		}
		if a.Keys != 1 || a.Key != fx.Keys[a.ID] || a.Outcome != wantOutcome || (wantOutcome == "correct") != (a.Choice == a.Key) || a.Choice == "" {
			t.Errorf("answer to %s shown as %+v, want key %s and %s", a.ID, a, fx.Keys[a.ID], wantOutcome)
		}
	}
	if right != c[2].Right {
		t.Errorf("%d answers shown right, want %d", right, c[2].Right)
	}
	if got := b.text(`[data-testid="rd-percent"]`); got != "۵۰٪" {
		t.Errorf("the attempt's percent = %q, want ۵۰٪", got)
	}
	actions := eval[[]string](b, `[...document.querySelectorAll('[data-testid="rd-timeline"] tr[data-action]')].map((tr) => tr.dataset.action)`)
	if !slices.Contains(actions, "attempt.start") || !slices.Contains(actions, "attempt.submit") {
		t.Errorf("the timeline = %v, want attempt.start and attempt.submit", actions)
	}
	if receipt := eval[string](b, `document.getElementById('rd-receipt').value`); strings.Count(receipt, ".") != 1 {
		t.Errorf("receipt = %q, want payload.signature", receipt)
	}
	b.screenshot("examd-review-attempt.png")
	b.do("check the receipt", chromedp.Click(chromedp.CSS("#rd-verify")), chromedp.WaitVisible(chromedp.CSS("#rd-receipt-status.status-ok")))
	b.screenshot("examd-review-attempt-receipt.png")
	b.do("close the attempt", chromedp.Click(chromedp.CSS("#rd-close")), chromedp.WaitNotVisible(chromedp.CSS("#result-dialog")))
	b.waitTrue("the focus back on the row's button", fmt.Sprintf(`document.activeElement.matches('#rv-body button[data-attempt-id=%q]')`, c[2].AttemptID))

	// Publishing the results asks first, then says so.
	if got := eval[string](b, `document.getElementById('rv-results-state').dataset.published`); got != "false" {
		t.Fatalf("results published before publishing: %s", got)
	}
	b.do("publish the results",
		chromedp.Click(chromedp.CSS("#rv-publish-results")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-ok")),
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		chromedp.WaitVisible(chromedp.CSS(`#rv-results-state[data-published="true"]`)),
	)
	if got := b.text("#rv-results-state"); got != faResultsPublish {
		t.Errorf("results state = %q, want %q", got, faResultsPublish)
	}
	if b.count("#rv-publish-results:not([hidden])") != 0 {
		t.Errorf("the publish button is still offered")
	}
	if _, e := fetchJSON[map[string]any](b, "GET", "/api/v1/official/exams/"+fx.ExamID); e["results_published"] != true {
		t.Fatalf("the server has results_published = %v", e["results_published"])
	}

	// Statistics: the numbers, the histogram's bars, the constituency bars.
	b.openTab("stats")
	b.waitTrue("the statistics", `document.getElementById('panel-stats').dataset.loaded === 'true'
		&& document.querySelectorAll('#st-items-body tr[data-question-id]').length > 0`)
	type statsJSON struct {
		Sat       int `json:"sat"`
		Histogram []struct {
			Count int `json:"count"`
		} `json:"histogram"`
		KR20 *float64 `json:"kr20"`
	}
	_, st := fetchJSON[statsJSON](b, "GET", "/api/v1/official/exams/"+fx.ExamID+"/stats")
	if st.Sat != 4 {
		t.Fatalf("stats sat = %d, want 4", st.Sat)
	}
	if got := b.text(`[data-testid="stat-sat"]`); got != "۴" {
		t.Errorf("sat shown = %q, want ۴", got)
	}
	if got := b.text(`[data-testid="stat-passed"]`); got != "۳" {
		t.Errorf("passed shown = %q, want ۳", got)
	}
	if got := b.text(`[data-testid="stat-pass_rate"]`); got != "۷۵٪" {
		t.Errorf("pass rate shown = %q, want ۷۵٪", got)
	}
	nonEmpty := 0
	for _, bin := range st.Histogram {
		if bin.Count > 0 {
			nonEmpty++
		}
	}
	if got := b.count(`#st-hist svg rect.bar`); got != nonEmpty || got != 4 {
		t.Errorf("the histogram has %d bars, want %d (one per non-empty bin, 4 here)", got, nonEmpty)
	}
	if got := eval[int](b, `[...document.querySelectorAll('#st-hist svg rect.bar')].reduce((n, r) => n + Number(r.dataset.count), 0)`); got != 4 {
		t.Errorf("the bars count %d candidates, want 4", got)
	}
	if b.count(`#st-hist svg[role="img"] title`) == 0 || b.count(`#st-hist .pass-line`) != 1 {
		t.Errorf("the histogram has no accessible title or no pass line")
	}
	if got := b.count(`#st-const-chart svg .rate-row`); got != 1 {
		t.Errorf("the constituency chart has %d rows, want 1 (Tehran)", got)
	}
	if got := b.count(`#st-items-body tr[data-question-id]`); got != reviewBankSize {
		t.Errorf("item analysis has %d rows, want %d", got, reviewBankSize)
	}
	q21 := fx.Questions[21]
	flag := eval[string](b, fmt.Sprintf(`document.querySelector('#st-items-body tr[data-question-id=%q] [data-testid="flag-mark"]')?.textContent ?? ''`, q21))
	if flag != faFlagged {
		t.Errorf("q21 (right only for the weakest) is marked %q, want %q", flag, faFlagged)
	}
	if got := b.count(`#st-items-body .mini-bar`); got != reviewBankSize {
		t.Errorf("%d items have a facility bar, want %d", got, reviewBankSize)
	}
	b.screenshot("examd-review-stats.png")
	b.do("only flagged", chromedp.Click(chromedp.CSS("#st-only-flagged")))
	_, items := fetchJSON[[]map[string]any](b, "GET", "/api/v1/official/exams/"+fx.ExamID+"/items")
	flagged := 0
	for _, it := range items {
		if it["flagged"] == true {
			flagged++
		}
	}
	if got := b.count(`#st-items-body tr[data-question-id]`); got != flagged || b.count(`#st-items-body tr[data-flagged="false"]`) != 0 {
		t.Errorf("only flagged shows %d rows, want the %d flagged", got, flagged)
	}

	// In English, left to right.
	b.do("switch to English", chromedp.Click(chromedp.CSS("#lang-toggle")))
	if got := b.text(`[data-testid="stat-pass_rate"]`); got != "75%" {
		t.Errorf("English pass rate = %q, want 75%%", got)
	}
	b.screenshot("examd-review-stats-en.png")
	b.openTab("results")
	b.waitResults("the results in English", 1)
	if got := b.resultRows()[0].Percent; got != "50%" {
		t.Errorf("English percent = %q, want 50%%", got)
	}
	b.screenshot("examd-review-results-en.png")
	b.do("back to Persian", chromedp.Click(chromedp.CSS("#lang-toggle")))
}

func TestBrowserReviewObjection(t *testing.T) {
	base := mustStartServer(t)
	fx := mustReviewFixture(t, base)
	c := fx.Cands

	// After the close, C3 objects to q0 and C1 to q21.
	var obj struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	rvJSON(t, rvCandidateClient(t, base, c[3].NationalID, c[3].Password), "POST", base+"/api/v1/attempts/"+c[3].AttemptID+"/objections",
		map[string]string{"question_id": fx.Questions[0], "text": "متن این سؤال دو برداشت دارد و هیچ گزینه‌ای کاملاً درست نیست."}, http.StatusCreated, &obj)
	if obj.Status != "pending" {
		t.Fatalf("new objection status = %q", obj.Status)
	}
	var other struct {
		ID string `json:"id"`
	}
	rvJSON(t, rvCandidateClient(t, base, c[1].NationalID, c[1].Password), "POST", base+"/api/v1/attempts/"+c[1].AttemptID+"/objections",
		map[string]string{"question_id": fx.Questions[21], "text": "به نظر من کلید این سؤال نادرست است."}, http.StatusCreated, &other)

	b := mustBrowser(t, base)
	b.officialLogin(adminUsername, adminPassword)
	b.openTab("objections")
	b.waitTrue("two pending objections", `document.getElementById('panel-objections').dataset.loaded === 'true'
		&& document.querySelectorAll('#ob-body tr[data-objection-id]').length === 2`)
	if got := b.text("#ob-summary"); got != "۲ اعتراض" {
		t.Errorf("summary = %q, want ۲ اعتراض", got)
	}
	b.screenshot("examd-review-objections.png")

	// Voiding q0: the dialog shows the question with its key; the outcome lists C2 as now failing.
	b.do("open the objection",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#ob-body button[data-resolve=%q]`, obj.ID))),
		chromedp.WaitVisible(chromedp.CSS("#objection-dialog #od-body .q-option.correct")),
	)
	if got := eval[string](b, `document.querySelector('#od-body .q-option.correct').dataset.key`); got != fx.Keys[fx.Questions[0]] {
		t.Errorf("the dialog marks %q as the key, want %q", got, fx.Keys[fx.Questions[0]])
	}
	// Changing the key needs a new key: the page says so at the field.
	b.do("rekey without a key", chromedp.Click(chromedp.CSS("#od-rekey")), chromedp.WaitVisible(chromedp.CSS("#od-correct")))
	b.do("submit", chromedp.Click(chromedp.CSS("#od-submit")), chromedp.WaitVisible(chromedp.CSS(`#od-form [data-error-for="correct"]`)))
	b.screenshot("examd-review-resolve.png")
	b.do("void", chromedp.Click(chromedp.CSS("#od-void")), chromedp.WaitNotVisible(chromedp.CSS("#od-correct")))
	b.typeInto("#od-note", "سؤال دو پاسخ درست دارد.")
	b.do("record the decision",
		chromedp.Click(chromedp.CSS("#od-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#ob-outcome [data-testid="rescoring"]`)),
	)
	got := eval[map[string]string](b, `(() => {
		const r = document.querySelector('#ob-outcome [data-testid="rescoring"]');
		const row = r.querySelector('tbody tr');
		return { rescored: r.dataset.rescored, changed: r.dataset.changed, nid: row?.dataset.nationalId ?? '',
			after: row?.dataset.passedAfter ?? '', mark: row?.querySelector('.change-mark').textContent ?? '' };
	})()`)
	want := map[string]string{"rescored": "4", "changed": "1", "nid": c[2].NationalID, "after": "false", "mark": faNowFails}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("rescoring shown = %v, want %v", got, want)
	}
	if got := eval[string](b, `document.getElementById('ob-outcome').dataset.status`); got != "voided" {
		t.Errorf("outcome status = %q, want voided", got)
	}
	b.waitTrue("one pending left", `document.getElementById('panel-objections').dataset.loaded === 'true'
		&& document.querySelectorAll('#ob-body tr[data-objection-id]').length === 1`)
	b.screenshot("examd-review-objection-outcome.png")
	b.choose("#ob-status", "")
	b.waitTrue("both listed", `document.getElementById('panel-objections').dataset.loaded === 'true'
		&& document.querySelectorAll('#ob-body tr[data-objection-id]').length === 2`)
	if got := eval[string](b, fmt.Sprintf(`document.querySelector('#ob-body tr[data-objection-id=%q]').dataset.status`, obj.ID)); got != "voided" {
		t.Errorf("the decided objection is listed as %q, want voided", got)
	}
	status, _ := fetchJSONBody[map[string]any](b, "POST", "/api/v1/official/objections/"+obj.ID+"/resolve", `{"decision":"reject"}`)
	if status != http.StatusConflict {
		t.Errorf("deciding twice: status %d, want 409", status)
	}

	// The results follow: C2 now fails at 10/21.
	b.openTab("results")
	b.waitResults("the results after voiding", 4)
	for _, r := range b.resultRows() {
		if r.NationalID == c[2].NationalID && (r.Passed != "false" || r.Percent != rvPercent(1000.0/21)) {
			t.Errorf("C2 after voiding = %+v, want failed at %s", r, rvPercent(1000.0/21))
		}
	}

	// A reviewer reads all three tabs and has no publish, rescore or resolve control.
	b.do("log out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#official-login-form")))
	b.officialLogin(reviewerUsername, reviewerPassword)
	for _, tab := range []string{"results", "stats", "objections"} {
		if b.count("#tab-"+tab) != 1 {
			t.Errorf("the reviewer has no %s tab", tab)
		}
	}
	writeControls := []string{`[data-role="admin"]`, "#rv-publish-results", "#rv-rescore", "#objection-dialog", "#od-form",
		"#od-submit", `[data-testid="resolve"]`, "[data-resolve]"}
	assertNone := func(when string) {
		t.Helper()
		for _, sel := range writeControls {
			if n := b.count(sel); n != 0 {
				t.Errorf("%s: the reviewer's page has %d %s", when, n, sel)
			}
		}
	}
	b.openTab("results")
	b.waitResults("the reviewer's results", 4)
	b.text("#rv-results-state")
	assertNone("results tab")
	b.openTab("stats")
	b.waitTrue("the reviewer's statistics", `document.getElementById('panel-stats').dataset.loaded === 'true'
		&& document.querySelectorAll('#st-hist svg rect.bar').length > 0`)
	assertNone("stats tab")
	b.openTab("objections")
	b.waitTrue("the pending objection", `document.getElementById('panel-objections').dataset.loaded === 'true'
		&& document.querySelectorAll('#ob-body tr[data-objection-id]').length === 1`)
	assertNone("objections tab")
	b.do("open the attempt from the objection",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#ob-body tr[data-objection-id=%q] button[data-open-attempt]`, other.ID))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#rd-body[data-attempt-id=%q] #rd-answers`, c[1].AttemptID))),
	)
	b.do("close the attempt", chromedp.Click(chromedp.CSS("#rd-close")), chromedp.WaitNotVisible(chromedp.CSS("#result-dialog")))
	b.screenshot("examd-review-reviewer.png")
	if status, _ := fetchJSONBody[map[string]any](b, "POST", "/api/v1/official/objections/"+other.ID+"/resolve", `{"decision":"reject"}`); status != http.StatusForbidden {
		t.Errorf("a reviewer's resolve: status %d, want 403", status)
	}
	if status, _ := fetchJSON[map[string]any](b, "POST", "/api/v1/official/exams/"+fx.ExamID+"/publish-results"); status != http.StatusForbidden {
		t.Errorf("a reviewer's publish-results: status %d, want 403", status)
	}
}
