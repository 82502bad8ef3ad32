package main

// Browser tests of the exam page: sitting the demo exam end to end, answering
// through a network cut and a reload, and a short exam running out of time.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/council-exam/examd/exam"
)

// Texts the exam pages must show, exactly as static/js/exam-i18n.js has them.
const (
	demoNationalID      = "0499370899"
	demoPassword        = "demo-pass-1400"
	faSubmitted         = "آزمون شما تحویل داده شد"
	faTimedOut          = "وقت آزمون تمام شد و پاسخ\u200cهای شما تحویل داده شد"
	faTimeOverAlert     = "وقت آزمون تمام شد. پاسخ\u200cهای ذخیره\u200cشدهٔ شما تحویل داده می\u200cشود…"
	faReasonSubmitted   = "تحویل به دست داوطلب"
	faReasonTimeout     = "پایان وقت آزمون"
	faReceiptValid      = "رسید معتبر است"
	faReceiptInvalid    = "رسید معتبر نیست"
	faHandedIn          = "تحویل داده شد"
	examPendingPrefix   = "exam-pending:"
	examFinishedTimeout = 20 * time.Second
)

// answerState is a stored answer as GET /api/v1/attempts/:id shows it.
type answerState struct {
	Choice  *string `json:"choice"`
	Flagged bool    `json:"flagged"`
	Seq     int64   `json:"seq"`
}

// attemptView is the part of an AttemptView the tests read.
type attemptView struct {
	AttemptID    string                 `json:"attempt_id"`
	State        string                 `json:"state"`
	FinishReason *string                `json:"finish_reason"`
	Receipt      *string                `json:"receipt"`
	Answers      map[string]answerState `json:"answers"`
	Questions    []struct {
		ID string `json:"id"`
	} `json:"questions"`
}

// want is what a test expects stored for one question.
type want struct {
	choice  string // "" for none
	flagged bool
}

func (w want) String() string {
	return fmt.Sprintf("{choice:%q flagged:%v}", w.choice, w.flagged)
}

func contextWithTimeout(b *browser, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(b.ctx, d)
}

// waitJS polls a JavaScript expression until it is truthy.
func (b *browser) waitJS(what, expr string, timeout time.Duration) {
	b.t.Helper()
	ctx, cancel := contextWithTimeout(b, timeout+5*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr,
		chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.t.Fatalf("wait for %s (%s): %v", what, expr, err)
	}
}

// key presses one key on the page, as a person at the keyboard does.
func (b *browser) key(k string) {
	b.t.Helper()
	b.do("press "+k, chromedp.KeyEvent(k))
}

func (b *browser) click(sel string) {
	b.t.Helper()
	b.do("click "+sel, chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// shownQuestion is the question on screen: its id, its option keys in shown
// order, its index and the checked option.
type shownQuestion struct {
	ID      string   `json:"id"`
	Index   int      `json:"index"`
	Keys    []string `json:"keys"`
	Checked string   `json:"checked"`
	Flagged bool     `json:"flagged"`
}

func (b *browser) question() shownQuestion {
	b.t.Helper()
	return eval[shownQuestion](b, `(() => {
		const q = document.getElementById('question');
		const inputs = [...document.querySelectorAll('#q-options input')];
		return {
			id: q.dataset.questionId,
			index: Number(q.dataset.index),
			keys: inputs.map((i) => i.value),
			checked: inputs.find((i) => i.checked)?.value ?? '',
			flagged: document.getElementById('flag').getAttribute('aria-pressed') === 'true',
		};
	})()`)
}

// atQuestion waits until question index i (0-based) is on screen and returns it.
func (b *browser) atQuestion(i int) shownQuestion {
	b.t.Helper()
	b.waitJS(fmt.Sprintf("question %d", i+1), fmt.Sprintf(`document.getElementById('question').dataset.index === '%d'`, i), stepTimeout)
	q := b.question()
	if got, wantText := b.text("#q-number"), fmt.Sprintf("پرسش %s از ۱۵", persianDigits(fmt.Sprint(i+1))); b.examQuestions() == 15 && got != wantText {
		b.t.Fatalf("question heading = %q, want %q", got, wantText)
	}
	return q
}

func (b *browser) examQuestions() int {
	b.t.Helper()
	return eval[int](b, `document.querySelectorAll('.nav-item').length`)
}

// waitSaved waits until the page says every change is saved and none waits in storage.
func (b *browser) waitSaved() {
	b.t.Helper()
	b.waitJS("all answers saved", `document.getElementById('save-status').dataset.state === 'saved' &&
		!Object.keys(localStorage).some((k) => k.startsWith('`+examPendingPrefix+`'))`, stepTimeout)
	if got := b.text("#save-status-text"); !strings.HasPrefix(got, "ذخیره شد") {
		b.t.Fatalf("save status = %q, want it to start with ذخیره شد", got)
	}
}

// pendingInStorage is the number of unacknowledged saves in localStorage.
func (b *browser) pendingInStorage() int {
	b.t.Helper()
	return eval[int](b, `Object.keys(localStorage).filter((k) => k.startsWith('`+examPendingPrefix+`')).length`)
}

// sessionClient is an HTTP client holding the browser's session cookie, to read
// what the server stored independently of the page.
func (b *browser) sessionClient() *http.Client {
	b.t.Helper()
	ctx, cancel := contextWithTimeout(b, stepTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
	if err != nil {
		b.t.Fatalf("get the browser's cookies: %v", err)
	}
	jar, _ := cookiejar.New(nil)
	var cookies []*http.Cookie
	for _, c := range res.Cookies {
		cookies = append(cookies, &http.Cookie{Name: c.Name, Value: c.Value, Path: "/"})
	}
	if len(cookies) == 0 {
		b.t.Fatalf("the browser has no cookie for %s", b.base)
	}
	u, _ := http.NewRequest(http.MethodGet, b.base+"/", nil)
	jar.SetCookies(u.URL, cookies)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func mustGetAttempt(t *testing.T, client *http.Client, base, id string) attemptView {
	t.Helper()
	res, err := client.Get(base + "/api/v1/attempts/" + id)
	if err != nil {
		t.Fatalf("GET attempt: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/attempts/%s: status %d", id, res.StatusCode)
	}
	var v attemptView
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatalf("decode attempt: %v", err)
	}
	return v
}

// storedDiff compares the stored answers with the expected ones: every expected
// question must be stored as expected, and no other question may hold a choice
// or a flag. It returns the differences, none when they agree.
func storedDiff(stored map[string]answerState, expected map[string]want) []string {
	var diffs []string
	for qid, w := range expected {
		a, ok := stored[qid]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: not stored, want %v", qid, w))
			continue
		}
		got := want{flagged: a.Flagged}
		if a.Choice != nil {
			got.choice = *a.Choice
		}
		if got != w {
			diffs = append(diffs, fmt.Sprintf("%s: stored %v, want %v", qid, got, w))
		}
	}
	for qid, a := range stored {
		if _, ok := expected[qid]; !ok && (a.Choice != nil || a.Flagged) {
			diffs = append(diffs, fmt.Sprintf("%s: stored choice %v flagged %v, want nothing", qid, a.Choice, a.Flagged))
		}
	}
	slices.Sort(diffs)
	return diffs
}

// mustStoredEventually polls the server until the stored answers are exactly the expected ones.
func mustStoredEventually(t *testing.T, client *http.Client, base, attemptID string, expected map[string]want) attemptView {
	t.Helper()
	deadline := time.Now().Add(examFinishedTimeout)
	for {
		v := mustGetAttempt(t, client, base, attemptID)
		diffs := storedDiff(v.Answers, expected)
		if len(diffs) == 0 {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("stored answers differ from what was chosen:\n%s", strings.Join(diffs, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// startExamFromHome clicks the start button of the exam titled title on /home
// (the candidate is logged in), lets onStart look at the start page, and starts
// the exam. It returns the exam id and the attempt id.
func (b *browser) startExamFromHome(title string, onStart func()) (string, string) {
	b.t.Helper()
	b.open("/home")
	sel := `#exam-list li[data-exam-id] a[data-action="list.start"]`
	b.do("wait for the exam list", chromedp.WaitVisible(chromedp.CSS(sel)))
	examID := eval[string](b, fmt.Sprintf(`(() => {
		const li = [...document.querySelectorAll('#exam-list li[data-exam-id]')].find((li) => li.querySelector('h3').textContent === %s);
		if (!li) return '';
		li.querySelector('a[data-action="list.start"]').click();
		return li.dataset.examId;
	})()`, jsString(title)))
	if examID == "" {
		b.t.Fatalf("no startable exam titled %q on /home; list: %s", title, b.text("#exams"))
	}
	b.do("open the start page", chromedp.WaitVisible(chromedp.CSS("#start-button")))
	if got := eval[string](b, `location.pathname + location.search`); got != "/exam?exam="+examID {
		b.t.Fatalf("start page address = %s, want /exam?exam=%s", got, examID)
	}
	if got := b.text("#start-title"); got != title {
		b.t.Fatalf("start page title = %q, want %q", got, title)
	}
	if onStart != nil {
		onStart()
	}
	b.click("#start-button")
	b.do("start the exam", chromedp.WaitVisible(chromedp.CSS("#sit-view #q-options input")))
	attemptID := eval[string](b, `new URLSearchParams(location.search).get('attempt') ?? ''`)
	if attemptID == "" {
		b.t.Fatalf("the sitting page's address names no attempt: %s", eval[string](b, `location.href`))
	}
	return examID, attemptID
}

// clickOption clicks the option in shown position pos (1-based) and returns its key.
func (b *browser) clickOption(pos int) string {
	b.t.Helper()
	q := b.question()
	b.click(fmt.Sprintf(`#q-options label[data-position="%d"]`, pos))
	b.waitJS("the option is checked", fmt.Sprintf(`document.querySelector('#q-options label[data-position="%d"] input').checked`, pos), stepTimeout)
	return q.Keys[pos-1]
}

// pressOption presses digit key pos and returns the key of the option it chose.
func (b *browser) pressOption(pos int) string {
	b.t.Helper()
	q := b.question()
	b.key(fmt.Sprint(pos))
	b.waitJS("the option is checked", fmt.Sprintf(`document.querySelector('#q-options label[data-position="%d"] input').checked`, pos), stepTimeout)
	return q.Keys[pos-1]
}

func TestBrowserExamEndToEnd(t *testing.T) {
	base, env := mustStartServerEnv(t, nil)
	b := mustBrowser(t, base)
	b.login(demoNationalID, demoPassword)

	_, attemptID := b.startExamFromHome(exam.DemoExamTitle, func() {
		facts := map[string]string{
			"#fact-duration":  "۲۰ دقیقه",
			"#fact-questions": "۱۵ پرسش چندگزینه\u200cای",
			"#fact-pass":      "۵۰٪ از کل نمره",
			"#fact-attempts":  "۰ از ۲ بار",
		}
		for sel, wantText := range facts {
			if got := b.text(sel); got != wantText {
				t.Errorf("start page %s = %q, want %q", sel, got, wantText)
			}
		}
		rows := eval[[][]string](b, `[...document.querySelectorAll('#start-sections tbody tr')].map((tr) => [...tr.cells].map((c) => c.textContent.trim()))`)
		wantRows := [][]string{
			{"قانون شوراها و وظایف شورا", "۵", "۳۰٪"},
			{"مدیریت شهری و بودجه شهرداری", "۵", "۳۰٪"},
			{"حقوق شهروندی و اخلاق حرفه\u200cای", "۵", "۳۰٪"},
		}
		if !slices.EqualFunc(rows, wantRows, slices.Equal) {
			t.Errorf("start page sections = %q, want %q", rows, wantRows)
		}
		b.screenshot("examd-exam-start.png")
	})
	if got := eval[string](b, `document.documentElement.lang + ' ' + document.documentElement.dir`); got != "fa rtl" {
		t.Fatalf("exam page lang/dir = %q, want \"fa rtl\"", got)
	}
	if got := b.examQuestions(); got != 15 {
		t.Fatalf("navigator shows %d questions, want 15", got)
	}
	// The countdown comes from the server: a 20-minute exam just started.
	left := eval[int](b, `Number(document.getElementById('timer').dataset.remainingMs)`)
	if left < 19*60*1000 || left > 20*60*1000 {
		t.Fatalf("remaining time shown = %d ms, want just under 20 minutes", left)
	}
	if got := b.text("#timer"); !strings.HasPrefix(got, "۱۹:") && got != "۲۰:۰۰" {
		t.Errorf("timer = %q, want ۱۹:.. in Persian digits", got)
	}

	expected := map[string]want{}
	record := func(q shownQuestion, choice string, flagged bool) {
		expected[q.ID] = want{choice: choice, flagged: flagged}
	}

	// Question 1: a click on the second option.
	q1 := b.atQuestion(0)
	record(q1, b.clickOption(2), false)
	// N, then the key 3 on question 2, flagged with F.
	b.key("n")
	q2 := b.atQuestion(1)
	record(q2, b.pressOption(3), false)
	b.key("f")
	b.waitJS("question 2 flagged", `document.getElementById('flag').getAttribute('aria-pressed') === 'true'`, stepTimeout)
	record(q2, expected[q2.ID].choice, true)
	// Question 3 by keyboard, then back with P to change question 2 with the key 4.
	b.key("n")
	q3 := b.atQuestion(2)
	record(q3, b.pressOption(1), false)
	b.key("p")
	if got := b.atQuestion(1); got.Checked != expected[q2.ID].choice || !got.Flagged {
		t.Fatalf("back on question 2: checked %q flagged %v, want %q flagged", got.Checked, got.Flagged, expected[q2.ID].choice)
	}
	record(q2, b.pressOption(4), true)
	// Question 5 from the navigator, answered with the key 2.
	b.click(`.nav-item[data-index="4"]`)
	q5 := b.atQuestion(4)
	record(q5, b.pressOption(2), false)
	// Question 6 only flagged.
	b.key("n")
	q6 := b.atQuestion(5)
	b.key("f")
	b.waitJS("question 6 flagged", `document.getElementById('flag').getAttribute('aria-pressed') === 'true'`, stepTimeout)
	record(q6, "", true)
	// Question 8 answered and cleared again; question 9 through the "next" button.
	b.click(`.nav-item[data-index="7"]`)
	q8 := b.atQuestion(7)
	b.clickOption(3)
	b.click("#clear")
	b.waitJS("question 8 cleared", `!document.querySelector('#q-options input:checked')`, stepTimeout)
	record(q8, "", false)
	b.click("#next")
	q9 := b.atQuestion(8)
	record(q9, b.clickOption(1), false)

	b.waitSaved()
	if got := eval[int](b, `document.querySelectorAll('.nav-item.answered').length`); got != 5 {
		t.Errorf("navigator shows %d answered, want 5", got)
	}
	if got := eval[[]string](b, `[...document.querySelectorAll('.nav-item.flagged')].map((b) => b.dataset.index)`); !slices.Equal(got, []string{"1", "5"}) {
		t.Errorf("navigator flags %v, want questions at index 1 and 5", got)
	}
	if got := eval[string](b, `document.querySelector('.nav-item[data-index="1"]').getAttribute('aria-label')`); got != "پرسش ۲، پاسخ داده شده، علامت\u200cدار" {
		t.Errorf("navigator label of question 2 = %q", got)
	}
	b.screenshot("examd-exam-sitting.png")

	// What the server holds before handing in is exactly what was chosen.
	client := b.sessionClient()
	mustStoredEventually(t, client, base, attemptID, expected)

	// Hand in: the confirmation lists the unanswered and the flagged questions.
	b.click("#submit-open")
	b.do("confirmation", chromedp.WaitVisible(chromedp.CSS("#confirm-dialog[open] #confirm-yes")))
	unanswered := eval[[]string](b, `[...document.querySelectorAll('#confirm-unanswered li')].map((li) => li.textContent.trim())`)
	wantUnanswered := []string{"۴", "۶", "۷", "۸", "۱۰", "۱۱", "۱۲", "۱۳", "۱۴", "۱۵"}
	if !slices.Equal(unanswered, wantUnanswered) {
		t.Fatalf("confirmation lists unanswered %q, want %q", unanswered, wantUnanswered)
	}
	if got := b.text("#confirm-unanswered-heading"); got != "پرسش\u200cهای بی\u200cپاسخ (۱۰):" {
		t.Errorf("unanswered heading = %q", got)
	}
	flagged := eval[[]string](b, `[...document.querySelectorAll('#confirm-flagged li')].map((li) => li.textContent.trim())`)
	if !slices.Equal(flagged, []string{"۲", "۶"}) {
		t.Errorf("confirmation lists flagged %q, want [۲ ۶]", flagged)
	}
	b.screenshot("examd-exam-confirm.png")
	b.click("#confirm-yes")
	b.do("finished view", chromedp.WaitVisible(chromedp.CSS("#done-view #receipt")))
	if got := b.text("#done-title"); got != faSubmitted {
		t.Fatalf("finished title = %q, want %q", got, faSubmitted)
	}
	if got := b.text("#done-reason"); got != faReasonSubmitted {
		t.Errorf("finish reason shown = %q, want %q", got, faReasonSubmitted)
	}
	if got := b.text("#done-answered"); got != "۵ از ۱۵" {
		t.Errorf("answered shown = %q, want ۵ از ۱۵", got)
	}
	receipt := eval[string](b, `document.getElementById('receipt').value`)
	if strings.Count(receipt, ".") != 1 {
		t.Fatalf("receipt shown = %q, want payload.signature", receipt)
	}
	b.waitJS("the public key in the command", `!document.getElementById('cli-command').textContent.includes(' KEY ')`, stepTimeout)
	key := mustReceiptKey(t, base)
	cmd := b.text("#cli-command")
	if wantCmd := "examd receipt verify --public-key " + key + " " + receipt; cmd != wantCmd {
		t.Errorf("verify command = %q, want %q", cmd, wantCmd)
	}
	// The command as shown works, offline with the public key.
	var out, errOut bytes.Buffer
	if err := run(context.Background(), strings.Fields(cmd)[1:], testEnv(env), &out, &errOut); err != nil {
		t.Errorf("%s: %v\n%s%s", cmd, err, out.String(), errOut.String())
	} else if !strings.HasPrefix(out.String(), "receipt valid") {
		t.Errorf("%s printed %q, want receipt valid", cmd, out.String())
	}
	if eval[int](b, `Object.keys(localStorage).filter((k) => k.startsWith('exam-pending:')).length`) != 0 {
		t.Errorf("saves still wait in storage after handing in")
	}
	b.screenshot("examd-exam-done.png")

	// The server's record: handed in, the same receipt, exactly the answers chosen.
	v := mustGetAttempt(t, client, base, attemptID)
	if v.State != "submitted" || v.FinishReason == nil || *v.FinishReason != "submitted" {
		t.Fatalf("attempt state %q finish reason %v, want submitted/submitted", v.State, v.FinishReason)
	}
	if v.Receipt == nil || *v.Receipt != receipt {
		t.Fatalf("server receipt %v, page shows %q", v.Receipt, receipt)
	}
	if diffs := storedDiff(v.Answers, expected); len(diffs) != 0 {
		t.Fatalf("stored answers differ from what was chosen:\n%s", strings.Join(diffs, "\n"))
	}

	// The receipt verifies at /verify (through the link), and a changed one does not.
	b.click("#verify-link")
	b.do("verify result", chromedp.WaitVisible(chromedp.CSS(`#verify-result[data-valid="true"]`)))
	if got := b.text("#verify-verdict-text"); got != faReceiptValid {
		t.Fatalf("verdict = %q, want %q", got, faReceiptValid)
	}
	if got := b.text("#payload-national-id"); got != persianDigits(demoNationalID) {
		t.Errorf("national ID shown = %q, want %q", got, persianDigits(demoNationalID))
	}
	if got := b.text("#payload-finish-reason"); got != faReasonSubmitted {
		t.Errorf("finish reason shown = %q, want %q", got, faReasonSubmitted)
	}
	if got := b.text("#payload-attempt-id"); got != attemptID {
		t.Errorf("attempt shown = %q, want %q", got, attemptID)
	}
	b.screenshot("examd-verify-valid.png")
	tampered := []byte(receipt)
	if tampered[10] == 'A' {
		tampered[10] = 'B'
	} else {
		tampered[10] = 'A'
	}
	eval[chromedp.Void](b, fmt.Sprintf(`document.getElementById('receipt').value = %s`, jsString(string(tampered))))
	b.click("#verify-button")
	b.do("verify a changed receipt", chromedp.WaitVisible(chromedp.CSS(`#verify-result[data-valid="false"]`)))
	if got := b.text("#verify-verdict-text"); got != faReceiptInvalid {
		t.Fatalf("verdict for a changed receipt = %q, want %q", got, faReceiptInvalid)
	}

	// Home now says the exam was handed in, with the receipt a click away.
	b.open("/home")
	b.do("home after the exam", chromedp.WaitVisible(chromedp.CSS(`#exam-list [data-testid="handed-in"]`)))
	if got := b.text(`#exam-list [data-testid="handed-in"]`); got != faHandedIn {
		t.Errorf("home says %q, want %q", got, faHandedIn)
	}
	b.screenshot("examd-home-exams.png")
}

func mustReceiptKey(t *testing.T, base string) string {
	t.Helper()
	res, err := http.Get(base + "/api/v1/receipts/key")
	if err != nil {
		t.Fatalf("GET receipts/key: %v", err)
	}
	defer res.Body.Close()
	var k struct {
		Alg       string `json:"alg"`
		PublicKey string `json:"public_key"`
	}
	if err := json.NewDecoder(res.Body).Decode(&k); err != nil || k.Alg != "Ed25519" || k.PublicKey == "" {
		t.Fatalf("receipts/key = %+v, %v", k, err)
	}
	return k.PublicKey
}

// setNetwork cuts the browser's network (offline), restores it (online), or
// fails only the answer saves (savesBlocked) while pages still load and the
// browser believes it is online.
func (b *browser) setNetwork(mode string) {
	b.t.Helper()
	ctx, cancel := contextWithTimeout(b, stepTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		b.t.Fatalf("network enable: %v", err)
	}
	rules := []*network.Conditions{}
	switch mode {
	case "offline":
		rules = append(rules, &network.Conditions{Offline: true})
	case "savesBlocked":
		rules = append(rules, &network.Conditions{URLPattern: b.base + "/api/v1/attempts/*/answers/*", Offline: true})
	case "online":
	default:
		b.t.Fatalf("unknown network mode %q", mode)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule,
		network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}); err != nil {
		b.t.Fatalf("emulate network %s: %v", mode, err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
		Offline: mode == "offline", DownloadThroughput: -1, UploadThroughput: -1,
	}); err != nil {
		b.t.Fatalf("override network state %s: %v", mode, err)
	}
}

func TestBrowserExamOfflineThenReload(t *testing.T) {
	base := mustStartServer(t)
	b := mustBrowser(t, base)
	b.login(demoNationalID, demoPassword)
	_, attemptID := b.startExamFromHome(exam.DemoExamTitle, nil)
	client := b.sessionClient()
	expected := map[string]want{}

	q1 := b.atQuestion(0)
	expected[q1.ID] = want{choice: b.clickOption(1)}
	b.waitSaved()

	// A short cut: the answer waits, and goes as soon as the browser is back online.
	b.setNetwork("offline")
	b.key("n")
	q2 := b.atQuestion(1)
	expected[q2.ID] = want{choice: b.pressOption(2)}
	b.waitJS("offline status", `document.getElementById('save-status').dataset.state === 'offline'`, stepTimeout)
	if got := b.text("#save-status-text"); !strings.HasPrefix(got, "اتصال برقرار نیست") {
		t.Fatalf("offline status = %q", got)
	}
	b.setNetwork("online")
	b.waitSaved()
	mustStoredEventually(t, client, base, attemptID, expected)

	// A longer cut: two answers while offline, then a reload while the saves
	// still fail. The page must show them from its storage and send them later.
	b.setNetwork("offline")
	b.key("n")
	q3 := b.atQuestion(2)
	expected[q3.ID] = want{choice: b.pressOption(3)}
	b.key("n")
	q4 := b.atQuestion(3)
	expected[q4.ID] = want{choice: b.clickOption(4), flagged: true}
	b.key("f")
	b.waitJS("offline status with two waiting", `document.getElementById('save-status').dataset.state === 'offline' &&
		Object.keys(localStorage).filter((k) => k.startsWith('`+examPendingPrefix+`')).length === 2`, stepTimeout)
	if got, want := b.text("#save-status-text"), "اتصال برقرار نیست؛ ۲ پاسخ در این مرورگر نگه داشته شده و دوباره فرستاده می\u200cشود"; got != want {
		t.Errorf("offline status = %q, want %q", got, want)
	}
	b.screenshot("examd-exam-offline.png")
	if v := mustGetAttempt(t, client, base, attemptID); len(storedDiff(v.Answers, expected)) != 2 {
		t.Fatalf("while offline the server has %v; want only the first two answers", v.Answers)
	}

	b.setNetwork("savesBlocked")
	b.do("reload while saves fail", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#sit-view #q-options input")))
	for i, q := range []shownQuestion{q1, q2, q3, q4} {
		b.click(fmt.Sprintf(`.nav-item[data-index="%d"]`, i))
		got := b.atQuestion(i)
		if w := expected[q.ID]; got.ID != q.ID || got.Checked != w.choice || got.Flagged != w.flagged {
			t.Fatalf("after the reload question %d shows %+v, want %v", i+1, got, w)
		}
	}
	b.waitJS("not-saved status after the reload", `['offline', 'retry'].includes(document.getElementById('save-status').dataset.state)`, stepTimeout)
	if n := b.pendingInStorage(); n != 2 {
		t.Fatalf("%d saves wait in storage after the reload, want 2", n)
	}

	// The network comes back: the retries store both, without another reload.
	b.setNetwork("online")
	mustStoredEventually(t, client, base, attemptID, expected)
	b.waitSaved()

	// A fresh reload shows every answer from the server alone.
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#sit-view #q-options input")))
	if n := b.pendingInStorage(); n != 0 {
		t.Fatalf("%d saves still wait in storage", n)
	}
	for i, q := range []shownQuestion{q1, q2, q3, q4} {
		b.click(fmt.Sprintf(`.nav-item[data-index="%d"]`, i))
		got := b.atQuestion(i)
		if w := expected[q.ID]; got.ID != q.ID || got.Checked != w.choice || got.Flagged != w.flagged {
			t.Fatalf("after the second reload question %d shows %+v, want %v", i+1, got, w)
		}
	}
	if got := eval[int](b, `document.querySelectorAll('.nav-item.answered').length`); got != 4 {
		t.Errorf("navigator shows %d answered after reload, want 4", got)
	}

	// The English switch mid-exam turns the page left to right and keeps the answers.
	b.click("#lang-toggle")
	if got := eval[string](b, `document.documentElement.lang + ' ' + document.documentElement.dir`); got != "en ltr" {
		t.Fatalf("after the switch lang/dir = %q, want \"en ltr\"", got)
	}
	if got := b.text("#q-number"); got != "Question 4 of 15" {
		t.Errorf("English question heading = %q", got)
	}
	if got := b.question(); got.Checked != expected[q4.ID].choice || !got.Flagged {
		t.Errorf("after the switch question 4 shows %+v, want %v", got, expected[q4.ID])
	}
	b.screenshot("examd-exam-english.png")
}

// officialClient logs in as the demo admin over the HTTP API.
func officialClient(t *testing.T, base string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	mustPostJSON(t, c, base+"/api/v1/official/login", map[string]string{"username": "admin", "password": "Tehran-Council-1400"}, http.StatusOK, nil)
	return c
}

func mustPostJSON(t *testing.T, c *http.Client, url string, body any, status int, out any) {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	res, err := c.Post(url, "application/json", &buf)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer res.Body.Close()
	var raw json.RawMessage
	_ = json.NewDecoder(res.Body).Decode(&raw)
	if res.StatusCode != status {
		t.Fatalf("POST %s: status %d, want %d; body %s", url, res.StatusCode, status, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("decode %s: %v", url, err)
		}
	}
}

func TestBrowserExamTimeOver(t *testing.T) {
	base := mustStartServer(t)
	admin := officialClient(t, base)
	now := time.Now().UTC()
	const title = "آزمون کوتاه شش ثانیه\u200cای"
	var created struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	mustPostJSON(t, admin, base+"/api/v1/official/exams", map[string]any{
		"title":            title,
		"sections":         []map[string]any{{"key": "councils_law", "title": "قانون شوراها", "draw": 2, "min_percent": 0}},
		"duration_seconds": 6,
		"grace_seconds":    1,
		"opens_at":         now.Add(-time.Minute).Format(time.RFC3339),
		"closes_at":        now.Add(time.Hour).Format(time.RFC3339),
		"pass_percent":     50,
		"points_correct":   1,
		"penalty_wrong":    0,
		"max_attempts":     1,
	}, http.StatusCreated, &created)
	if created.ID == "" || created.Status != "draft" {
		t.Fatalf("created exam = %+v", created)
	}
	mustPostJSON(t, admin, base+"/api/v1/official/exams/"+created.ID+"/publish", nil, http.StatusOK, nil)

	b := mustBrowser(t, base)
	b.login(demoNationalID, demoPassword)
	b.open("/exam?exam=" + created.ID)
	b.do("start page", chromedp.WaitVisible(chromedp.CSS("#start-button")))
	if got := b.text("#fact-duration"); got != "۶ ثانیه" {
		t.Errorf("duration shown = %q, want ۶ ثانیه", got)
	}
	if got := b.text("#fact-questions"); got != "۲ پرسش چندگزینه\u200cای" {
		t.Errorf("questions shown = %q", got)
	}
	b.click("#start-button")
	b.do("sitting", chromedp.WaitVisible(chromedp.CSS("#sit-view #q-options input")))
	attemptID := eval[string](b, `new URLSearchParams(location.search).get('attempt') ?? ''`)
	q := b.question()
	choice := b.clickOption(1)
	b.waitSaved()

	// Time runs out: the page says so, then shows the finished view.
	b.waitJS("time over", `document.getElementById('timer-alert').dataset.key === 'sit.timeOver'`, 15*time.Second)
	b.waitJS("the finished view", `!document.getElementById('done-view').hidden`, examFinishedTimeout)
	if got := eval[string](b, `document.getElementById('timer-alert').textContent`); got != faTimeOverAlert {
		t.Errorf("time-over alert = %q, want %q", got, faTimeOverAlert)
	}
	if got := b.text("#done-title"); got != faTimedOut {
		t.Fatalf("finished title = %q, want %q", got, faTimedOut)
	}
	if got := b.text("#done-reason"); got != faReasonTimeout {
		t.Errorf("finish reason shown = %q, want %q", got, faReasonTimeout)
	}
	receipt := eval[string](b, `document.getElementById('receipt').value`)
	if receipt == "" {
		t.Fatal("no receipt shown after the time ran out")
	}
	b.screenshot("examd-exam-timeover.png")

	v := mustGetAttempt(t, b.sessionClient(), base, attemptID)
	if v.FinishReason == nil || *v.FinishReason != "timeout" {
		t.Fatalf("finish reason = %v, want timeout", v.FinishReason)
	}
	if v.Receipt == nil || *v.Receipt != receipt {
		t.Errorf("server receipt %v, page shows %q", v.Receipt, receipt)
	}
	if diffs := storedDiff(v.Answers, map[string]want{q.ID: {choice: choice}}); len(diffs) != 0 {
		t.Fatalf("stored answers:\n%s", strings.Join(diffs, "\n"))
	}
}

func TestBrowserExamIneligible(t *testing.T) {
	base := mustStartServer(t)
	b := mustBrowser(t, base)
	// The second demo candidate has only a diploma, below what Tehran requires.
	b.login("0013542419", demoPassword)
	b.do("exams section", chromedp.WaitVisible(chromedp.CSS("#exams-status")))
	const faCannotSit = "چون واجد شرایط نامزدی نیستید، نمی\u200cتوانید در آزمون صلاحیت شرکت کنید. دلایل آن در بخش «وضعیت نامزدی» آمده است."
	if got := b.text("#exams-status"); got != faCannotSit {
		t.Fatalf("exams section = %q, want %q", got, faCannotSit)
	}
	if n := eval[int](b, `document.querySelectorAll('#exam-list a').length`); n != 0 {
		t.Fatalf("an ineligible candidate is offered %d exam links", n)
	}

	// Opening the exam page anyway: the rules, no start button, and why.
	client := b.sessionClient()
	res, err := client.Get(base + "/api/v1/candidate/exams")
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	err = json.NewDecoder(res.Body).Decode(&list)
	res.Body.Close()
	if err != nil || len(list) == 0 {
		t.Fatalf("candidate exams = %v, %v", list, err)
	}
	b.open("/exam?exam=" + list[0].ID)
	b.do("start page", chromedp.WaitVisible(chromedp.CSS("#start-status")))
	if visible := eval[bool](b, `document.getElementById('start-button').offsetParent !== null`); visible {
		t.Fatal("an ineligible candidate is shown the start button")
	}
	const faOnlyEligible = "فقط داوطلبان واجد شرایط نامزدی می\u200cتوانند در آزمون صلاحیت شرکت کنند. دلایل را در صفحهٔ خود ببینید."
	if got := b.text("#start-status"); got != faOnlyEligible {
		t.Fatalf("start page says %q, want %q", got, faOnlyEligible)
	}
}
