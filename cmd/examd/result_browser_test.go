package main

// Browser test of the result page (/result?attempt=…): the "not published yet"
// note, the published result (overall percent against the pass mark, the
// verdict in words, one bar per section against its minimum) matching
// GET /api/v1/attempts/:id/result, and objections through the page.

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Texts the result page must show, exactly as static/js/result-i18n.js and
// static/js/exam-i18n.js have them.
const (
	faResultNotPublished = "نتایج هنوز اعلام نشده است"
	faResultFailed       = "قبول نشدید"
	faResultPassed       = "قبول شدید"
	enResultFailed       = "You did not pass"
	faObjWindowClosed    = "اکنون مهلت اعتراض باز نیست. اعتراض فقط پس از پایان آزمون و تا پایان مهلت اعتراض پذیرفته می\u200cشود."
	faObjAlready         = "پیش\u200cتر به این پرسش اعتراض کرده\u200cاید؛ به هر پرسش یک بار می\u200cتوان اعتراض کرد."
	faObjTextRequired    = "متن اعتراض را بنویسید."
	faResultNotFound     = "این کارنامه پیدا نشد یا از آنِ شما نیست."
	faListResultPending  = "کارنامه و اعتراض"
	faListResult         = "دیدن کارنامه"
)

// resultBody is GET /api/v1/attempts/:id/result.
type resultBody struct {
	AttemptID   string  `json:"attempt_id"`
	ExamTitle   string  `json:"exam_title"`
	Score       float64 `json:"score"`
	MaxScore    float64 `json:"max_score"`
	Percent     float64 `json:"percent"`
	PassPercent float64 `json:"pass_percent"`
	Passed      bool    `json:"passed"`
	Sections    []struct {
		Key        string  `json:"key"`
		Title      string  `json:"title"`
		Percent    float64 `json:"percent"`
		MinPercent float64 `json:"min_percent"`
		Passed     bool    `json:"passed"`
		Correct    int     `json:"correct"`
		Wrong      int     `json:"wrong"`
		Blank      int     `json:"blank"`
	} `json:"section_scores"`
}

// shownSection is one section bar as the page draws it.
type shownSection struct {
	Key       string `json:"key"`
	Passed    string `json:"passed"`
	Title     string `json:"title"`
	Verdict   string `json:"verdict"`
	Percent   string `json:"percent"`
	PercentV  string `json:"percentValue"`
	Min       string `json:"min"`
	MinV      string `json:"minValue"`
	FillWidth string `json:"fillWidth"`
	FillX     string `json:"fillX"`
	MarkX     string `json:"markX"`
	Counts    string `json:"counts"`
}

func (b *browser) shownSections() []shownSection {
	b.t.Helper()
	return eval[[]shownSection](b, `[...document.querySelectorAll('#section-scores li.section-score')].map((li) => ({
		key: li.dataset.key,
		passed: li.dataset.passed,
		title: li.querySelector('.section-title').textContent,
		verdict: li.querySelector('.section-verdict').textContent,
		percent: li.querySelector('.section-percent').textContent,
		percentValue: li.querySelector('.section-percent').dataset.percent,
		min: li.querySelector('.section-min').textContent,
		minValue: li.querySelector('.section-min').dataset.percent,
		fillWidth: li.querySelector('rect.bar-fill').getAttribute('width'),
		fillX: li.querySelector('rect.bar-fill').getAttribute('x'),
		markX: li.querySelector('line.bar-mark').getAttribute('x1'),
		counts: li.querySelector('.section-counts').textContent,
	}))`)
}

func mustJSONRequest(t *testing.T, c *http.Client, method, url string, body any, status int, out any) {
	t.Helper()
	raw := ""
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		raw = string(b)
	}
	got, answer := mustDo(t, c, method, url, raw)
	if got != status {
		t.Fatalf("%s %s: status %d, want %d; body %s", method, url, got, status, answer)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(answer), out); err != nil {
			t.Fatalf("decode %s %s: %v (%s)", method, url, err, answer)
		}
	}
}

// num writes a percent as JavaScript's String(n) does for the whole and
// short decimal numbers the test uses.
func num(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// sitting is an attempt sat over the API: its id and its questions in shown order.
type sitting struct {
	AttemptID string `json:"attempt_id"`
	Questions []struct {
		ID      string `json:"id"`
		Section string `json:"section"`
		Options []struct {
			Key string `json:"key"`
		} `json:"options"`
	} `json:"questions"`
}

// mustSit starts the exam with the candidate's client, answers every question
// with answer(section, index in the section, correct key, a wrong key) ("" leaves
// it blank; the admin client reads the keys) and hands in.
func mustSit(t *testing.T, base string, cand, admin *http.Client, examID string, answer func(section string, i int, correct, wrong string) string) sitting {
	t.Helper()
	var s sitting
	mustJSONRequest(t, cand, http.MethodPost, base+"/api/v1/exams/"+examID+"/attempts", nil, http.StatusCreated, &s)
	seen := map[string]int{}
	for i, q := range s.Questions {
		var full struct {
			Correct string `json:"correct"`
		}
		mustJSONRequest(t, admin, http.MethodGet, base+"/api/v1/official/questions/"+q.ID, nil, http.StatusOK, &full)
		wrong := ""
		for _, o := range q.Options {
			if o.Key != full.Correct {
				wrong = o.Key
				break
			}
		}
		choice := answer(q.Section, seen[q.Section], full.Correct, wrong)
		seen[q.Section]++
		if choice == "" {
			continue
		}
		mustJSONRequest(t, cand, http.MethodPut, base+"/api/v1/attempts/"+s.AttemptID+"/answers/"+q.ID,
			map[string]any{"choice": choice, "seq": i + 1}, http.StatusOK, nil)
	}
	mustJSONRequest(t, cand, http.MethodPost, base+"/api/v1/attempts/"+s.AttemptID+"/submit", nil, http.StatusOK, nil)
	return s
}

func mustResult(t *testing.T, c *http.Client, base, attemptID string) resultBody {
	t.Helper()
	var r resultBody
	mustJSONRequest(t, c, http.MethodGet, base+"/api/v1/attempts/"+attemptID+"/result", nil, http.StatusOK, &r)
	return r
}

// sectionWant is what one section bar must show.
type sectionWant struct {
	key, title, verdict, percent, width, x, counts string
}

// checkSections compares the section bars on the page with the API's result
// and with what the test expects to read.
func (b *browser) checkSections(res resultBody, want []sectionWant) {
	b.t.Helper()
	shown := b.shownSections()
	if len(shown) != len(res.Sections) || len(shown) != len(want) {
		b.t.Fatalf("the page shows %d section bars, the API %d sections, want %d", len(shown), len(res.Sections), len(want))
	}
	for i, s := range shown {
		api, w := res.Sections[i], want[i]
		if s.Key != api.Key || s.Key != w.key || s.Title != w.title {
			b.t.Errorf("section %d: key %q title %q, API %q, want %q %q", i, s.Key, s.Title, api.Key, w.key, w.title)
		}
		if s.PercentV != num(api.Percent) || s.Percent != w.percent {
			b.t.Errorf("section %s percent shown %q (%s), API %v, want %q", s.Key, s.Percent, s.PercentV, api.Percent, w.percent)
		}
		if s.MinV != num(api.MinPercent) || s.Min != "۴۰٪" {
			b.t.Errorf("section %s minimum shown %q (%s), API %v", s.Key, s.Min, s.MinV, api.MinPercent)
		}
		if s.Passed != strconv.FormatBool(api.Passed) || s.Verdict != w.verdict {
			b.t.Errorf("section %s passed %s verdict %q, API %v, want %q", s.Key, s.Passed, s.Verdict, api.Passed, w.verdict)
		}
		// Right to left: the bar grows from the right edge; the mark sits at 100−40.
		if s.FillWidth != w.width || s.FillX != w.x || s.MarkX != "60" {
			b.t.Errorf("section %s bar width %s x %s mark %s, want width %s x %s mark 60", s.Key, s.FillWidth, s.FillX, s.MarkX, w.width, w.x)
		}
		if s.Counts != w.counts {
			b.t.Errorf("section %s counts %q, want %q", s.Key, s.Counts, w.counts)
		}
	}
}

func TestBrowserResultPage(t *testing.T) {
	base := mustStartServer(t)
	admin := officialClient(t, base)
	now := time.Now().UTC()
	const (
		title     = "آزمون کوتاه برای کارنامه"
		lawTitle  = "قانون شوراها"
		cityTitle = "مدیریت شهری"
	)
	var created struct {
		ID string `json:"id"`
	}
	mustPostJSON(t, admin, base+"/api/v1/official/exams", map[string]any{
		"title": title,
		"sections": []map[string]any{
			{"key": "councils_law", "title": lawTitle, "draw": 2, "min_percent": 40},
			{"key": "city_management", "title": cityTitle, "draw": 2, "min_percent": 40},
		},
		"duration_seconds":         60,
		"grace_seconds":            5,
		"opens_at":                 now.Add(-time.Minute).Format(time.RFC3339),
		"closes_at":                now.Add(time.Hour).Format(time.RFC3339),
		"pass_percent":             50,
		"points_correct":           1,
		"penalty_wrong":            "1/3",
		"max_attempts":             1,
		"objection_window_seconds": 3600,
	}, http.StatusCreated, &created)
	examURL := base + "/api/v1/official/exams/" + created.ID
	mustPostJSON(t, admin, examURL+"/publish", nil, http.StatusOK, nil)

	// A second, eligible candidate answers everything right and passes.
	passer := mustRegisterCandidate(t, base)
	jar, _ := cookiejar.New(nil)
	passerClient := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	mustPostJSON(t, passerClient, base+"/api/v1/candidate/login", map[string]string{"national_id": passer, "password": "Shora-Karaj-1400!"}, http.StatusOK, nil)
	passed := mustSit(t, base, passerClient, admin, created.ID, func(_ string, _ int, correct, _ string) string { return correct })

	// The demo candidate logs in in the browser (a login ends other sessions)
	// and sits the exam over the API with the browser's session: both
	// councils-law questions right; in city management one wrong, one blank.
	// With a third of a point off per wrong answer that is 100% and −16.67%,
	// 41.67% overall: under the pass mark and under one section's minimum.
	b := mustBrowser(t, base)
	b.login(demoNationalID, demoPassword)
	cand := b.sessionClient()
	failed := mustSit(t, base, cand, admin, created.ID, func(section string, i int, correct, wrong string) string {
		switch {
		case section == "councils_law":
			return correct
		case i == 0:
			return wrong
		}
		return ""
	})
	attemptURL := base + "/api/v1/attempts/" + failed.AttemptID
	lawQuestion, lawNumber := "", 0
	for i, q := range failed.Questions {
		if q.Section == "councils_law" && lawQuestion == "" {
			lawQuestion, lawNumber = q.ID, i+1
		}
	}

	// Home links the finished attempt to its result page.
	b.open("/home")
	resultLink := fmt.Sprintf(`#exam-list li[data-exam-id="%s"] a[data-action="list.result"]`, created.ID)
	b.do("the result link on /home", chromedp.WaitVisible(chromedp.CSS(resultLink)))
	if got, want := eval[string](b, fmt.Sprintf(`document.querySelector(%s).getAttribute('href')`, jsString(resultLink))), "/result?attempt="+failed.AttemptID; got != want {
		t.Fatalf("result link = %q, want %q", got, want)
	}
	if got := b.text(resultLink); got != faListResultPending {
		t.Errorf("result link text before publication = %q, want %q", got, faListResultPending)
	}
	b.click(resultLink)

	// Before publication: a friendly note, no score, the exam's title.
	b.do("the not-published note", chromedp.WaitVisible(chromedp.CSS("#not-published")))
	if got := eval[string](b, `location.pathname + location.search`); got != "/result?attempt="+failed.AttemptID {
		t.Fatalf("result page address = %s", got)
	}
	if got := eval[string](b, `document.documentElement.lang + ' ' + document.documentElement.dir`); got != "fa rtl" {
		t.Fatalf("result page lang/dir = %q, want \"fa rtl\"", got)
	}
	if got := b.text("#not-published-heading"); got != faResultNotPublished {
		t.Fatalf("before publication the page says %q, want %q", got, faResultNotPublished)
	}
	if got := b.text("#result-title"); got != title {
		t.Errorf("title = %q, want %q", got, title)
	}
	if eval[bool](b, `!document.getElementById('published').hidden`) {
		t.Fatal("a score is shown before results are published")
	}
	if got, want := b.text("#fact-attempt-id"), failed.AttemptID; got != want {
		t.Errorf("attempt id shown = %q, want %q", got, want)
	}
	if code, _ := mustDo(t, cand, http.MethodGet, attemptURL+"/result", ""); code != http.StatusForbidden {
		t.Fatalf("GET result before publication: status %d, want 403", code)
	}
	b.screenshot("examd-result-unpublished.png")

	// An objection while the exam is still open: the window is not open yet.
	fileObjection := func(questionID, text string) {
		t.Helper()
		b.choose("#objection-question", questionID)
		b.typeInto("#objection-text", text)
		b.click("#objection-submit")
	}
	fileObjection(lawQuestion, "گزینهٔ درست این پرسش در قانون تغییر کرده است.")
	b.waitJS("window closed", `document.getElementById('objection-status').dataset.state === 'window_closed'`, stepTimeout)
	if got := b.text("#objection-status"); got != faObjWindowClosed {
		t.Errorf("objection before the exam closes: %q, want %q", got, faObjWindowClosed)
	}

	// Results published: a reload shows the score, matching the API.
	mustPostJSON(t, admin, examURL+"/publish-results", nil, http.StatusOK, nil)
	b.do("reload with results", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#published #section-scores li")))
	res := mustResult(t, cand, base, failed.AttemptID)
	if math.Abs(res.Percent-125.0/3) > 1e-9 || res.PassPercent != 50 || res.Passed || len(res.Sections) != 2 {
		t.Fatalf("result = %+v, want 41.67%% of a 50%% pass mark, failed, two sections", res)
	}
	if got := b.text("#verdict"); got != faResultFailed {
		t.Errorf("verdict = %q, want %q", got, faResultFailed)
	}
	if got := eval[string](b, `document.getElementById('verdict-card').dataset.passed`); got != strconv.FormatBool(res.Passed) {
		t.Errorf("verdict card passed = %s, API passed = %v", got, res.Passed)
	}
	if got, want := b.text("#overall-percent"), "۴۱٫۶۷٪"; got != want {
		t.Errorf("overall percent = %q, want %q", got, want)
	}
	if got := eval[string](b, `document.getElementById('overall-percent').dataset.percent`); got != num(res.Percent) {
		t.Errorf("overall percent value = %s, API %v", got, res.Percent)
	}
	if got, want := b.text("#pass-percent"), "حد نصاب قبولی: ۵۰٪"; got != want {
		t.Errorf("pass mark = %q, want %q", got, want)
	}
	if got, want := b.text("#raw-score"), "نمرهٔ خام: ۱٫۶۷ از ۴"; got != want {
		t.Errorf("raw score = %q, want %q", got, want)
	}
	if got, want := b.text("#verdict-note"), "نمرهٔ کل شما ۴۱٫۶۷٪ است و به حد نصاب قبولی (۵۰٪) نرسیده است."; got != want {
		t.Errorf("verdict note = %q, want %q", got, want)
	}
	if got, want := b.text("#verdict-sections"), "در این بخش به حداقل نمرهٔ لازم نرسیده\u200cاید: «"+cityTitle+"»."; got != want {
		t.Errorf("verdict sections = %q, want %q", got, want)
	}
	b.checkSections(res, []sectionWant{
		{"councils_law", lawTitle, "✓به حداقل لازم رسیده است", "۱۰۰٪", "100", "0", "۲ درست، ۰ نادرست، ۰ بی\u200cپاسخ؛ نمرهٔ خام ۲ از ۲"},
		// A negative percent: written out with its sign, an empty bar.
		{"city_management", cityTitle, "✗کمتر از حداقل لازم", "\u200e−۱۶٫۶۷٪", "0", "100", "۰ درست، ۱ نادرست، ۱ بی\u200cپاسخ؛ نمرهٔ خام \u200e−۰٫۳۳ از ۲"},
	})
	b.screenshot("examd-result-failed.png")

	// English: left to right, the same numbers in Latin digits.
	b.click("#lang-toggle")
	if got := eval[string](b, `document.documentElement.lang + ' ' + document.documentElement.dir`); got != "en ltr" {
		t.Fatalf("after the switch lang/dir = %q, want \"en ltr\"", got)
	}
	if got := b.text("#verdict"); got != enResultFailed {
		t.Errorf("English verdict = %q, want %q", got, enResultFailed)
	}
	if got := b.text("#overall-percent"); got != "41.67%" {
		t.Errorf("English overall percent = %q, want 41.67%%", got)
	}
	if got := b.shownSections(); got[0].FillX != "0" || got[0].MarkX != "40" || got[1].Percent != "-16.67%" || got[1].Verdict != "✗Below the minimum" {
		t.Errorf("English sections = %+v", got)
	}
	b.screenshot("examd-result-english.png")
	b.click("#lang-toggle")
	b.waitJS("back in Persian", `document.documentElement.lang === 'fa'`, stepTimeout)

	// The exam closes: the objection window opens and the page files one.
	mustPostJSON(t, admin, examURL+"/close", nil, http.StatusOK, nil)
	b.choose("#objection-question", lawQuestion)
	eval[chromedp.Void](b, `document.getElementById('objection-text').value = ''`)
	b.click("#objection-submit")
	b.waitJS("text required", `!document.getElementById('text-error').hidden`, stepTimeout)
	if got := b.text("#text-error"); got != faObjTextRequired {
		t.Errorf("empty objection: %q, want %q", got, faObjTextRequired)
	}
	const objectionText = "صورت این پرسش دو پاسخ درست دارد؛ گزینهٔ دوم هم درست است."
	fileObjection(lawQuestion, objectionText)
	b.waitJS("objection filed", `document.getElementById('objection-status').dataset.state === 'pending'`, stepTimeout)
	if got, want := b.text("#objection-status"), fmt.Sprintf("اعتراض شما به پرسش %s ثبت شد و در انتظار بررسی است.", persianDigits(strconv.Itoa(lawNumber))); got != want {
		t.Errorf("objection filed: %q, want %q", got, want)
	}
	if got := eval[string](b, fmt.Sprintf(`document.querySelector('#objection-question option[value=%s]').textContent`, jsString(lawQuestion))); !strings.HasPrefix(got, "[اعتراض ثبت شد]") {
		t.Errorf("the objected question is listed as %q, want it marked as filed", got)
	}
	var objections []struct {
		AttemptID  string `json:"attempt_id"`
		QuestionID string `json:"question_id"`
		Text       string `json:"text"`
		Status     string `json:"status"`
	}
	mustJSONRequest(t, admin, http.MethodGet, base+"/api/v1/official/objections?exam_id="+created.ID, nil, http.StatusOK, &objections)
	if len(objections) != 1 || objections[0].AttemptID != failed.AttemptID || objections[0].QuestionID != lawQuestion ||
		objections[0].Text != objectionText || objections[0].Status != "pending" {
		t.Fatalf("stored objections = %+v, want one pending on %s", objections, lawQuestion)
	}
	b.screenshot("examd-result-objection.png")

	// A second objection to the same question is refused, next to the field.
	fileObjection(lawQuestion, "دوباره: این پرسش ایراد دارد.")
	b.waitJS("already objected", `!document.getElementById('question_id-error').hidden`, stepTimeout)
	if got := b.text("#question_id-error"); got != faObjAlready {
		t.Errorf("second objection: %q, want %q", got, faObjAlready)
	}
	if got := eval[string](b, `document.getElementById('objection-question').getAttribute('aria-invalid')`); got != "true" {
		t.Errorf("the question choice is not marked invalid (aria-invalid=%q)", got)
	}
	mustJSONRequest(t, admin, http.MethodGet, base+"/api/v1/official/objections?exam_id="+created.ID, nil, http.StatusOK, &objections)
	if len(objections) != 1 {
		t.Errorf("after the refused second objection there are %d objections, want 1", len(objections))
	}
	b.screenshot("examd-result-already-objected.png")

	// A later visit still marks the question objected to (from the server).
	b.do("reload after the objection", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#objection-form")))
	b.waitJS("earlier objection marked", fmt.Sprintf(`(document.querySelector('#objection-question option[value=%s]')?.textContent ?? '').startsWith('[اعتراض ثبت شد]')`, jsString(lawQuestion)), stepTimeout)

	// Home now offers the published result.
	b.open("/home")
	b.do("the result link after publication", chromedp.WaitVisible(chromedp.CSS(resultLink)))
	if got := b.text(resultLink); got != faListResult {
		t.Errorf("result link text after publication = %q, want %q", got, faListResult)
	}
	if got := b.text(fmt.Sprintf(`#exam-list li[data-exam-id="%s"] [data-testid="results-out"]`, created.ID)); got != "نتیجه اعلام شد" {
		t.Errorf("home says %q after publication, want نتیجه اعلام شد", got)
	}
	b.screenshot("examd-result-home.png")

	// Another candidate's attempt is not found.
	b.open("/result?attempt=" + passed.AttemptID)
	b.waitJS("not found", `document.getElementById('result-view').hidden && !document.getElementById('page-status-link').hidden`, stepTimeout)
	if got := b.text("#page-status-text"); got != faResultNotFound {
		t.Errorf("another's attempt: %q, want %q", got, faResultNotFound)
	}

	// The candidate who passed sees it in words, with every bar at its full length.
	b.login(passer, "Shora-Karaj-1400!")
	b.open("/result?attempt=" + passed.AttemptID)
	b.do("the passed result", chromedp.WaitVisible(chromedp.CSS("#published #section-scores li")))
	res = mustResult(t, b.sessionClient(), base, passed.AttemptID)
	if res.Percent != 100 || !res.Passed {
		t.Fatalf("passer's result = %+v, want 100%%, passed", res)
	}
	if got := b.text("#verdict"); got != faResultPassed {
		t.Errorf("verdict = %q, want %q", got, faResultPassed)
	}
	if got, want := b.text("#verdict-note"), "نمرهٔ کل شما ۱۰۰٪ است و به حد نصاب قبولی (۵۰٪) رسیده است؛ در همهٔ بخش\u200cها نیز به حداقل نمرهٔ لازم رسیده\u200cاید."; got != want {
		t.Errorf("verdict note = %q, want %q", got, want)
	}
	if eval[bool](b, `!document.getElementById('verdict-sections').hidden`) {
		t.Error("a passed result lists sections under their minimum")
	}
	b.checkSections(res, []sectionWant{
		{"councils_law", lawTitle, "✓به حداقل لازم رسیده است", "۱۰۰٪", "100", "0", "۲ درست، ۰ نادرست، ۰ بی\u200cپاسخ؛ نمرهٔ خام ۲ از ۲"},
		{"city_management", cityTitle, "✓به حداقل لازم رسیده است", "۱۰۰٪", "100", "0", "۲ درست، ۰ نادرست، ۰ بی\u200cپاسخ؛ نمرهٔ خام ۲ از ۲"},
	})
	b.screenshot("examd-result-passed.png")

	// On a phone-sized screen nothing runs off the side.
	b.do("phone-sized screen", chromedp.EmulateViewport(375, 800))
	b.waitJS("the page fits the narrow screen", `document.documentElement.scrollWidth <= innerWidth`, stepTimeout)
	b.screenshot("examd-result-phone.png")
}
