package main

// Browser tests of the officials' console (official-login.html, official.html):
// an admin imports questions, builds an exam from them and publishes it; a
// reviewer sees the same console without a single write control.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The demo officials and exam that seed-demo creates, and texts the console must
// show, exactly as static/js/i18n.js has them.
const (
	adminUsername      = "admin"
	adminPassword      = "Tehran-Council-1400"
	adminDisplayName   = "مدیر آزمون (نمونه)"
	reviewerUsername   = "reviewer"
	reviewerPassword   = "Review-Desk-1400"
	demoExamTitle      = "آزمون صلاحیت داوطلبان شوراهای اسلامی شهر و روستا (نمونه)"
	faRoleAdmin        = "مدیر"
	faRoleReviewer     = "بازبین (فقط\u200cخواندنی)"
	faPublished        = "منتشرشده"
	faDraft            = "پیش\u200cنویس"
	faStemRequired     = "متن سؤال: خالی است"
	faCorrectNotOption = "پاسخ درست: هیچ\u200cیک از گزینه\u200cهای پرشده نیست"
	faPoolTooSmall     = "بانک در این بخش فقط ۴ سؤال فعال دارد؛ شمار سؤال نمی\u200cتواند از آن بیشتر باشد."
	faClosesBeforeOpen = "زمان پایان باید پس از زمان آغاز باشد."
	faWrongOfficial    = "نام کاربری یا رمز عبور نادرست است."
	budgetSection      = "local_budget"
)

// budgetCSVBad has two bad lines: line 3 has no stem, line 4 names a correct
// key that is not one of its options.
const budgetCSVBad = "\ufeffsection,stem,option_a,option_b,option_c,option_d,option_e,option_f,correct\n" +
	"local_budget,بودجهٔ سالانهٔ شهرداری را کدام مرجع تصویب می‌کند؟,شورای اسلامی شهر,استانداری,فرمانداری,دیوان محاسبات,,,a\n" +
	"local_budget,,درآمد عوارض محلی,وام بانکی,,,,,a\n" +
	"local_budget,متمم بودجهٔ شهرداری چه هنگام لازم می‌شود؟,هنگام تغییر درآمدها یا هزینه‌های پیش‌بینی‌شده,هیچ‌گاه,,,,,z\n"

// budgetCSVGood is four good questions in the new section.
const budgetCSVGood = "section,stem,option_a,option_b,option_c,option_d,option_e,option_f,correct\n" +
	"local_budget,بودجهٔ سالانهٔ شهرداری را کدام مرجع تصویب می‌کند؟,شورای اسلامی شهر,استانداری,فرمانداری,دیوان محاسبات,,,a\n" +
	"local_budget,کدام یک از درآمدهای پایدار شهرداری است؟,عوارض نوسازی و عمران شهری,فروش یک‌بارهٔ زمین,وام کوتاه‌مدت بانکی,,,,a\n" +
	"local_budget,متمم بودجهٔ شهرداری چه هنگام لازم می‌شود؟,هنگامی که درآمدها یا هزینه‌ها از پیش‌بینی بودجه فاصله بگیرند,هر ماه به‌طور خودکار,هیچ‌گاه,,,,a\n" +
	"local_budget,\"گزارش تفریغ بودجه، چه چیزی را نشان می‌دهد؟\",میزان تحقق درآمدها و هزینه‌های پیش‌بینی‌شده,فهرست کارکنان شهرداری,نقشهٔ طرح جامع شهر,برنامهٔ جلسات شورا,,,a\n"

// mustWriteFile writes content to a file of that name in a temp directory and returns its path.
func mustWriteFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	return path
}

// waitTrue polls a JavaScript expression until it is true.
func (b *browser) waitTrue(what, expr string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.t.Fatalf("waiting for %s (%s): %v", what, expr, err)
	}
}

// setInput sets a control's value as a person's input would (for datetime-local,
// whose typing depends on the locale) and fires input and change.
func (b *browser) setInput(sel, value string) {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	got := eval[string](b, fmt.Sprintf(`(() => {
		const el = document.querySelector(%s);
		el.focus();
		el.value = %s;
		el.dispatchEvent(new Event('input', { bubbles: true }));
		el.dispatchEvent(new Event('change', { bubbles: true }));
		return el.value;
	})()`, jsString(sel), jsString(value)))
	if got != value {
		b.t.Fatalf("%s holds %q after setting %q", sel, got, value)
	}
}

// count is how many elements match a selector.
func (b *browser) count(sel string) int {
	b.t.Helper()
	return eval[int](b, fmt.Sprintf(`document.querySelectorAll(%s).length`, jsString(sel)))
}

// fetchJSON calls the API from the page (with its session) and returns the status and the decoded body.
func fetchJSON[T any](b *browser, method, path string) (int, T) {
	b.t.Helper()
	type answer struct {
		Status int `json:"status"`
		Body   T   `json:"body"`
	}
	a := eval[answer](b, fmt.Sprintf(`fetch(%s, { method: %s, headers: { 'Content-Type': 'application/json' } })
		.then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }))`, jsString(path), jsString(method)))
	return a.Status, a.Body
}

// officialLogin logs in through /official/login and waits for the console.
func (b *browser) officialLogin(username, password string) {
	b.t.Helper()
	b.open("/official/login")
	b.typeInto("#username", username)
	b.typeInto("#password", password)
	b.do("log in as "+username,
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"] #console`)),
	)
	if got := eval[string](b, `location.pathname`); got != "/official" {
		b.t.Fatalf("after login the page is %s, want /official", got)
	}
}

// openTab selects a tab of the console and waits for its panel.
func (b *browser) openTab(name string) {
	b.t.Helper()
	b.do("open tab "+name,
		chromedp.Click(chromedp.CSS("#tab-"+name)),
		chromedp.WaitVisible(chromedp.CSS("#panel-"+name)),
	)
}

// examRowStatus returns the status shown in the exams list for the exam of that title ("" when not listed).
func (b *browser) examRowStatus(title string) (code, text string) {
	b.t.Helper()
	got := eval[[]string](b, fmt.Sprintf(`(() => {
		const row = [...document.querySelectorAll('#exams-body [data-testid="exam-row"]')]
			.find((r) => r.querySelector('[data-testid="exam-title"]').textContent === %s);
		if (!row) return ['', ''];
		const badge = row.querySelector('[data-testid="exam-status"]');
		return [badge.dataset.status, badge.textContent.trim()];
	})()`, jsString(title)))
	return got[0], got[1]
}

type lineRow struct {
	Line    string `json:"line"`
	Message string `json:"message"`
}

func TestBrowserConsoleAdminBuildsExam(t *testing.T) {
	base := mustStartServer(t)
	b := mustBrowser(t, base)

	// The console sends a visitor without a session to its login page; a
	// wrong password is refused in Persian.
	b.open("/official")
	b.do("redirect to the officials' login", chromedp.WaitVisible(chromedp.CSS("#official-login-form")))
	if got := eval[string](b, `location.pathname`); got != "/official/login" {
		t.Fatalf("/official without a session went to %s, want /official/login", got)
	}
	if got := eval[string](b, `document.documentElement.lang + ' ' + document.documentElement.dir`); got != "fa rtl" {
		t.Fatalf("login page lang/dir = %q, want \"fa rtl\"", got)
	}
	b.typeInto("#username", adminUsername)
	b.typeInto("#password", "not-the-password")
	b.do("log in with a wrong password",
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#form-status.status-error")),
	)
	if got := b.text("#form-status"); got != faWrongOfficial {
		t.Fatalf("wrong login message = %q, want %q", got, faWrongOfficial)
	}

	b.officialLogin(adminUsername, adminPassword)
	if got := b.text("#me-name"); got != adminDisplayName {
		t.Errorf("header name = %q, want %q", got, adminDisplayName)
	}
	if got := b.text("#me-role"); got != faRoleAdmin {
		t.Errorf("role badge = %q, want %q", got, faRoleAdmin)
	}
	b.waitTrue("the bank's sections", `document.querySelectorAll('#section-chips [data-section]').length === 3`)
	_, before := fetchJSON[map[string]int](b, "GET", "/api/v1/official/sections")
	if len(before) != 3 || before["councils_law"] != 22 {
		t.Fatalf("sections before the import = %v, want the 3 demo sections of 22", before)
	}

	// A file with two bad lines: both are listed with their numbers and
	// reasons, and nothing is imported.
	b.do("choose the bad file", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{mustWriteFile(t, "local_budget_bad.csv", budgetCSVBad)}))
	b.do("import the bad file",
		chromedp.Click(chromedp.CSS("#import-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#import-errors [data-line]`)),
	)
	lines := eval[[]lineRow](b, `[...document.querySelectorAll('#import-errors-body tr')].map((tr) => ({
		line: tr.dataset.line + ' ' + tr.querySelector('th').textContent.trim(),
		message: tr.querySelector('.line-msg').textContent.trim(),
	}))`)
	wantLines := []lineRow{{"3 ۳", faStemRequired}, {"4 ۴", faCorrectNotOption}}
	if fmt.Sprint(lines) != fmt.Sprint(wantLines) {
		t.Fatalf("import errors shown = %+v, want %+v", lines, wantLines)
	}
	if got := b.text("#import-status"); !strings.Contains(got, "هیچ سؤالی وارد نشد") || !strings.Contains(got, "۲ سطر نادرست است") {
		t.Errorf("import status = %q, want it to say nothing was imported and 2 lines are wrong", got)
	}
	b.screenshot("examd-console-import-errors.png")
	if _, after := fetchJSON[map[string]int](b, "GET", "/api/v1/official/sections"); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("sections after a refused import = %v, want unchanged %v", after, before)
	}
	if n := b.count(`#section-chips [data-section="local_budget"]`); n != 0 {
		t.Fatalf("a refused import shows the section local_budget")
	}

	// The corrected file: four questions in the new section.
	b.do("choose the good file", chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{mustWriteFile(t, "local_budget.csv", budgetCSVGood)}))
	if !eval[bool](b, `document.getElementById('import-errors').hidden`) {
		t.Errorf("the old line errors stay after choosing another file")
	}
	b.do("import the good file",
		chromedp.Click(chromedp.CSS("#import-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#section-chips [data-section="local_budget"]`)),
	)
	if got, want := b.text("#import-status"), "۴ سؤال از پروندهٔ «local_budget.csv» به بانک افزوده شد."; got != want {
		t.Errorf("import status = %q, want %q", got, want)
	}
	if got := b.text(`#section-chips [data-section="local_budget"] .chip-count`); got != "۴" {
		t.Errorf("local_budget chip count = %q, want ۴", got)
	}
	if _, after := fetchJSON[map[string]int](b, "GET", "/api/v1/official/sections"); after[budgetSection] != 4 || len(after) != 4 {
		t.Fatalf("sections after the import = %v, want local_budget: 4 beside the demo sections", after)
	}

	// The section's questions, and one of them with its correct option marked.
	b.do("list the section", chromedp.Click(chromedp.CSS(`#section-chips [data-section="local_budget"]`)))
	b.waitTrue("the section's questions", `document.querySelectorAll('#questions-body tr').length === 4`)
	if got := b.text("#questions-summary"); got != "۴ سؤال یافت شد." {
		t.Errorf("questions summary = %q", got)
	}
	b.do("view a question",
		chromedp.Click(chromedp.CSS(`#questions-body tr:first-child button[data-question-id]`)),
		chromedp.WaitVisible(chromedp.CSS(`#question-dialog [data-testid="correct-mark"]`)),
	)
	if got := b.count(`#question-dialog .q-option`); got < 3 {
		t.Errorf("the dialog shows %d options, want at least 3", got)
	}
	if got := eval[string](b, `document.querySelector('#question-dialog .q-option.correct').dataset.key`); got != "a" {
		t.Errorf("the option marked correct is %q, want a", got)
	}
	if b.count("#qd-retire") != 1 {
		t.Errorf("an admin sees no retire button on an active question")
	}
	b.screenshot("examd-console-question.png")
	b.do("close the question", chromedp.Click(chromedp.CSS("#qd-close")), chromedp.WaitNotVisible(chromedp.CSS("#question-dialog")))
	b.screenshot("examd-console-questions.png")

	// A new exam drawing from the new section.
	b.openTab("exams")
	b.do("new exam", chromedp.Click(chromedp.CSS("#exam-new")), chromedp.WaitVisible(chromedp.CSS("#exam-form")))
	const title = "آزمون بودجهٔ محلی (آزمایشی)"
	b.typeInto("#exam-title", title)
	b.typeInto("#exam-sec-0-key", budgetSection)
	if got := b.text("#exam-sec-0-pool"); got != "۴ سؤال فعال در بانک" {
		t.Errorf("pool hint = %q, want ۴ سؤال فعال در بانک", got)
	}
	b.typeInto("#exam-sec-0-title", "بودجه و درآمدهای محلی")
	b.typeInto("#exam-sec-0-draw", "5")
	drawError := `[data-error-for="sections[0].draw"]`
	b.do("live error for a draw above the pool", chromedp.WaitVisible(chromedp.CSS(drawError)))
	if got := b.text(drawError); got != faPoolTooSmall {
		t.Fatalf("draw error = %q, want %q", got, faPoolTooSmall)
	}
	if got := eval[string](b, `document.getElementById('exam-sec-0-draw').getAttribute('aria-invalid')`); got != "true" {
		t.Errorf("draw aria-invalid = %q, want true", got)
	}
	b.screenshot("examd-console-exam-live-error.png")
	b.typeInto("#exam-sec-0-draw", "3")
	b.do("the draw error goes", chromedp.WaitNotVisible(chromedp.CSS(drawError)))
	b.typeInto("#exam-sec-0-min", "40")

	now := time.Now().Truncate(time.Minute)
	opens, closes := now.Add(-time.Minute), now.Add(7*24*time.Hour)
	const local = "2006-01-02T15:04"
	// Closing before opening is caught as it is typed, then corrected.
	b.setInput("#exam-opens", opens.Format(local))
	b.setInput("#exam-closes", opens.Add(-time.Hour).Format(local))
	b.do("live error for closes before opens", chromedp.WaitVisible(chromedp.CSS(`[data-error-for="closes_at"]`)))
	if got := b.text(`[data-error-for="closes_at"]`); got != faClosesBeforeOpen {
		t.Errorf("closes_at error = %q, want %q", got, faClosesBeforeOpen)
	}
	b.setInput("#exam-closes", closes.Format(local))
	b.do("the closes error goes", chromedp.WaitNotVisible(chromedp.CSS(`[data-error-for="closes_at"]`)))
	b.typeInto("#exam-duration", "30")
	b.typeInto("#exam-pass", "50")
	b.typeInto("#exam-penalty", "1/3")
	if got := b.visibleFieldErrors(); len(got) != 0 {
		t.Fatalf("field errors before saving = %v, want none", got)
	}
	b.do("save the draft",
		chromedp.Click(chromedp.CSS("#exam-save")),
		chromedp.WaitVisible(chromedp.CSS("#exam-publish")),
	)
	if got := b.text("#detail-heading"); got != title {
		t.Errorf("detail heading = %q, want %q", got, title)
	}
	if got := b.text("#detail-status"); got != faDraft {
		t.Errorf("saved exam status = %q, want %q", got, faDraft)
	}
	examID := eval[string](b, `document.getElementById('exam-detail').dataset.examId`)

	// What was saved is what was typed, with the local times sent in UTC.
	type section struct {
		Key        string  `json:"key"`
		Title      string  `json:"title"`
		Draw       int     `json:"draw"`
		MinPercent float64 `json:"min_percent"`
	}
	type examJSON struct {
		ID              string    `json:"id"`
		Title           string    `json:"title"`
		Sections        []section `json:"sections"`
		DurationSeconds int       `json:"duration_seconds"`
		OpensAt         string    `json:"opens_at"`
		ClosesAt        string    `json:"closes_at"`
		PenaltyFraction string    `json:"penalty_wrong_fraction"`
		PassPercent     float64   `json:"pass_percent"`
		Status          string    `json:"status"`
	}
	status, saved := fetchJSON[examJSON](b, "GET", "/api/v1/official/exams/"+examID)
	if status != 200 {
		t.Fatalf("GET the saved exam: status %d", status)
	}
	wantSections := []section{{budgetSection, "بودجه و درآمدهای محلی", 3, 40}}
	if saved.Title != title || fmt.Sprint(saved.Sections) != fmt.Sprint(wantSections) || saved.DurationSeconds != 1800 ||
		saved.PenaltyFraction != "1/3" || saved.PassPercent != 50 || saved.Status != "draft" {
		t.Fatalf("saved exam = %+v", saved)
	}
	if got, want := saved.OpensAt, opens.UTC().Format(time.RFC3339); got != want {
		t.Errorf("opens_at = %s, want %s", got, want)
	}
	if got, want := saved.ClosesAt, closes.UTC().Format(time.RFC3339); got != want {
		t.Errorf("closes_at = %s, want %s", got, want)
	}

	// Publishing asks first; cancelling changes nothing.
	b.do("publish, then cancel",
		chromedp.Click(chromedp.CSS("#exam-publish")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-dialog")),
	)
	b.screenshot("examd-console-confirm.png")
	b.do("cancel", chromedp.Click(chromedp.CSS("#confirm-cancel")), chromedp.WaitNotVisible(chromedp.CSS("#confirm-dialog")))
	if _, e := fetchJSON[examJSON](b, "GET", "/api/v1/official/exams/"+examID); e.Status != "draft" {
		t.Fatalf("after cancelling the exam is %s, want draft", e.Status)
	}
	b.do("publish",
		chromedp.Click(chromedp.CSS("#exam-publish")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-ok")),
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		chromedp.WaitVisible(chromedp.CSS(`#detail-status[data-status="published"]`)),
	)
	b.waitTrue("the list shows it published", fmt.Sprintf(`[...document.querySelectorAll('#exams-body [data-testid="exam-row"]')]
		.some((r) => r.querySelector('[data-testid="exam-title"]').textContent === %s
			&& r.querySelector('[data-testid="exam-status"]').dataset.status === 'published')`, jsString(title)))
	if code, text := b.examRowStatus(title); code != "published" || text != faPublished {
		t.Fatalf("list status of the new exam = %q %q, want published %q", code, text, faPublished)
	}
	if code, _ := b.examRowStatus(demoExamTitle); code != "published" {
		t.Errorf("the demo exam is listed as %q, want published", code)
	}
	if b.count("#exam-publish") != 0 || b.count("#exam-edit") != 0 || b.count("#exam-close") != 1 {
		t.Errorf("a published exam offers publish/edit, or no close")
	}
	if _, e := fetchJSON[examJSON](b, "GET", "/api/v1/official/exams/"+examID); e.Status != "published" {
		t.Fatalf("the server has the exam as %s, want published", e.Status)
	}
	b.screenshot("examd-console-exams.png")

	// The audit log: the chain is intact and holds the publication.
	b.openTab("audit")
	b.do("chain verified", chromedp.WaitVisible(chromedp.CSS(`#audit-verify.verify-ok`)))
	type verifyJSON struct {
		Valid bool `json:"valid"`
		Rows  int  `json:"rows"`
	}
	_, v := fetchJSON[verifyJSON](b, "GET", "/api/v1/official/audit/verify")
	if !v.Valid || v.Rows < 5 {
		t.Fatalf("audit verify = %+v", v)
	}
	want := fmt.Sprintf("زنجیرهٔ گزارش رویدادها سالم است: هر %s ردیف بررسی شد و هیچ ردیفی دست\u200cکاری نشده است.", persianDigits(fmt.Sprint(v.Rows)))
	if got := b.text("#audit-verify-text"); got != want {
		t.Errorf("verification = %q, want %q", got, want)
	}
	b.waitTrue("audit rows", `document.querySelectorAll('#audit-body tr').length > 0`)
	b.screenshot("examd-console-audit.png")
	b.choose("#af-action", "exam.publish")
	b.waitTrue("the publication in the log", fmt.Sprintf(`[...document.querySelectorAll('#audit-body tr')].length >= 1
		&& [...document.querySelectorAll('#audit-body tr')].every((tr) => tr.querySelector('.action-code').textContent === 'exam.publish')
		&& [...document.querySelectorAll('#audit-body .object-id')].some((c) => c.title === %s)`, jsString(examID)))

	// English, left to right, and back.
	b.do("switch to English", chromedp.Click(chromedp.CSS("#lang-toggle")))
	if got := eval[string](b, `document.documentElement.lang + ' ' + document.documentElement.dir`); got != "en ltr" {
		t.Fatalf("after the switch lang/dir = %q, want \"en ltr\"", got)
	}
	if got := b.text("#audit-verify-text"); !strings.HasPrefix(got, "The audit chain is intact: all ") {
		t.Errorf("English verification = %q", got)
	}
	b.screenshot("examd-console-audit-en.png")
	b.do("back to Persian", chromedp.Click(chromedp.CSS("#lang-toggle")))
}

func TestBrowserConsoleReviewerReadOnly(t *testing.T) {
	base := mustStartServer(t)
	b := mustBrowser(t, base)
	b.officialLogin(reviewerUsername, reviewerPassword)

	if got := b.text("#me-role"); got != faRoleReviewer {
		t.Errorf("role badge = %q, want %q", got, faRoleReviewer)
	}
	b.text("#readonly-note")

	// No write control exists anywhere on the page.
	writeControls := []string{
		`[data-role="admin"]`,
		"#question-add", "#question-form", "#qa-submit", `[data-testid="question-add-submit"]`,
		"#question-import", "#import-form", "#import-file", "#import-submit", `[data-testid="import-submit"]`,
		"#exam-new", `[data-testid="exam-new"]`, "#exam-editor", "#exam-form", "#exam-save",
		"#exam-publish", "#exam-close", "#exam-edit", `[data-testid="exam-publish"]`,
		"#acc-form", "#acc-submit", "#qd-retire", `[data-testid="question-retire"]`,
		`input[type="file"]`,
	}
	assertNone := func(when string) {
		t.Helper()
		for _, sel := range writeControls {
			if n := b.count(sel); n != 0 {
				t.Errorf("%s: the reviewer's page has %d %s", when, n, sel)
			}
		}
	}
	assertNone("questions tab")

	// The questions read fine, with the correct option marked, and cannot be retired.
	b.waitTrue("the question list", `document.querySelectorAll('#questions-body tr').length === 20`)
	b.do("view a question",
		chromedp.Click(chromedp.CSS(`#questions-body tr:first-child button[data-question-id]`)),
		chromedp.WaitVisible(chromedp.CSS(`#question-dialog [data-testid="correct-mark"]`)),
	)
	assertNone("question dialog")
	b.do("close the question", chromedp.Click(chromedp.CSS("#qd-close")), chromedp.WaitNotVisible(chromedp.CSS("#question-dialog")))

	// The exams list has the published demo exam; its detail has no actions.
	b.openTab("exams")
	b.waitTrue("the exams list", `document.querySelectorAll('#exams-body [data-testid="exam-row"]').length >= 1`)
	if code, text := b.examRowStatus(demoExamTitle); code != "published" || text != faPublished {
		t.Fatalf("demo exam in the list = %q %q, want published %q", code, text, faPublished)
	}
	b.do("view the demo exam",
		chromedp.Click(chromedp.CSS(`#exams-body [data-testid="exam-row"] button[data-exam-id]`)),
		chromedp.WaitVisible(chromedp.CSS("#exam-detail")),
	)
	if got := b.text("#detail-heading"); got != demoExamTitle {
		t.Errorf("detail heading = %q", got)
	}
	if n := b.count("#detail-actions button"); n != 0 {
		t.Errorf("the reviewer sees %d action buttons on an exam", n)
	}
	if n := b.count(`#detail-sections-body tr`); n != 3 {
		t.Errorf("the demo exam shows %d sections, want 3", n)
	}
	b.text("#acc-empty")
	assertNone("exams tab")
	b.screenshot("examd-console-reviewer.png")

	// The server refuses a reviewer's write whatever the page does.
	if status, _ := fetchJSON[map[string]any](b, "POST", "/api/v1/official/exams"); status != 403 {
		t.Errorf("a reviewer's POST /api/v1/official/exams: status %d, want 403", status)
	}

	b.openTab("audit")
	b.do("chain verified", chromedp.WaitVisible(chromedp.CSS(`#audit-verify.verify-ok`)))
	assertNone("audit tab")

	// Logging out ends the session: the console sends back to its login page.
	b.do("log out",
		chromedp.Click(chromedp.CSS("#logout")),
		chromedp.WaitVisible(chromedp.CSS("#official-login-form")),
	)
	b.open("/official")
	b.do("redirect to login", chromedp.WaitVisible(chromedp.CSS("#official-login-form")))
}

// mustRegisterCandidate registers an eligible candidate through the API and returns the national ID.
func mustRegisterCandidate(t *testing.T, base string) string {
	t.Helper()
	tehran := mustTehran(t, base)
	nationalID := validNationalID()
	body := fmt.Sprintf(`{"national_id":%q,"first_name":"زهرا","last_name":"رضایی","father_name":"محمد",
		"birth_date":"1985-06-01","gender":"female","mobile":"09121112233","education":"master",
		"constituency_id":%d,"password":"Shora-Karaj-1400!"}`, nationalID, tehran.ID)
	res, err := http.Post(base+"/api/v1/candidates", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("register a candidate: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		msg, _ := io.ReadAll(res.Body)
		t.Fatalf("register a candidate: status %d: %s", res.StatusCode, msg)
	}
	return nationalID
}

func TestBrowserConsoleAdminEditsAndGrants(t *testing.T) {
	base := mustStartServer(t)
	nationalID := mustRegisterCandidate(t, base)
	b := mustBrowser(t, base)
	b.officialLogin(adminUsername, adminPassword)
	b.waitTrue("the bank's sections", `document.querySelectorAll('#section-chips [data-section]').length === 3`)

	// Adding a question: the page's own checks first, then the server's.
	b.do("add an empty question",
		chromedp.Click(chromedp.CSS("#qa-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-error-for="stem"]`)),
	)
	errs := eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll('#question-form [data-error-for]')]
		.filter((e) => !e.hidden).map((e) => [e.dataset.errorFor, e.textContent.trim()]))`)
	if got, want := len(errs), 7; got != want { // section, stem, four option texts, correct
		t.Fatalf("errors of an empty question = %v, want %d", errs, want)
	}
	if got := errs["correct"]; got != "گزینهٔ درست را مشخص کنید." {
		t.Errorf("correct error = %q", got)
	}
	if got := eval[string](b, `document.activeElement.id`); got != "qa-section" {
		t.Errorf("focus is on #%s, want #qa-section", got)
	}
	// Two options are enough: remove the other two.
	b.do("remove option d", chromedp.Click(chromedp.CSS(`#qa-options [data-remove="3"]`)))
	b.do("remove option c", chromedp.Click(chromedp.CSS(`#qa-options [data-remove="2"]`)))
	if n := b.count("#qa-options .option-row"); n != 2 {
		t.Fatalf("%d option rows after removing two, want 2", n)
	}
	if !eval[bool](b, `document.querySelector('#qa-options [data-remove="0"]').disabled`) {
		t.Errorf("an option can be removed below two")
	}
	// A stem the bank already has in that section: the server says so at the stem.
	const dupStem = "مدت هر دوره فعالیت شوراهای اسلامی شهر و روستا چند سال است؟"
	b.typeInto("#qa-section", "councils_law")
	b.typeInto("#qa-stem", dupStem)
	b.typeInto("#qa-opt-a", "چهار سال")
	b.typeInto("#qa-opt-b", "شش سال")
	b.do("mark a correct", chromedp.Click(chromedp.CSS("#qa-correct-a")))
	b.do("add a duplicate",
		chromedp.Click(chromedp.CSS("#qa-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-error-for="stem"]`)),
	)
	if got := b.text(`[data-error-for="stem"]`); got != "سؤالی با همین متن در این بخش هست." {
		t.Fatalf("duplicate stem error = %q", got)
	}
	b.typeInto("#qa-stem", "شورای اسلامی شهر در کدام مورد حق نظارت دارد؟")
	b.do("add the question",
		chromedp.Click(chromedp.CSS("#qa-submit")),
		chromedp.WaitVisible(chromedp.CSS("#qa-status.status-ok")),
	)
	b.waitTrue("the count grows", `document.querySelector('#section-chips [data-section="councils_law"] .chip-count').textContent === '۲۳'`)

	// Retiring it takes it out of the section's active count.
	b.choose("#qf-section", "councils_law")
	b.typeInto("#qf-q", "حق نظارت")
	b.do("search", chromedp.Click(chromedp.CSS("#qf-submit")))
	b.waitTrue("one match", `document.querySelectorAll('#questions-body tr').length === 1`)
	b.do("view it",
		chromedp.Click(chromedp.CSS(`#questions-body button[data-question-id]`)),
		chromedp.WaitVisible(chromedp.CSS("#qd-retire")),
		chromedp.Click(chromedp.CSS("#qd-retire")),
		chromedp.WaitVisible(chromedp.CSS("#confirm-ok")),
		chromedp.Click(chromedp.CSS("#confirm-ok")),
		chromedp.WaitVisible(chromedp.CSS(`#qd-body [data-status="retired"]`)),
	)
	if b.count("#qd-retire") != 0 {
		t.Errorf("a retired question still offers retire")
	}
	b.do("close", chromedp.Click(chromedp.CSS("#qd-close")), chromedp.WaitNotVisible(chromedp.CSS("#question-dialog")))
	b.waitTrue("the count shrinks", `document.querySelector('#section-chips [data-section="councils_law"] .chip-count').textContent === '۲۲'`)

	// A draft made elsewhere is edited here.
	status, draft := fetchJSONBody[map[string]any](b, "POST", "/api/v1/official/exams", `{"title":"پیش‌نویس ویرایشی",
		"sections":[{"key":"city_management","title":"مدیریت شهری","draw":2,"min_percent":10}],"duration_seconds":600,
		"opens_at":"2030-01-01T06:30:00Z","closes_at":"2030-01-02T06:30:00Z","grace_seconds":15,"shuffle_questions":false,
		"shuffle_options":true,"points_correct":2,"penalty_wrong":"1/4","pass_percent":60,"max_attempts":2}`)
	if status != 201 {
		t.Fatalf("create a draft: status %d: %v", status, draft)
	}
	id := draft["id"].(string)
	b.open("/official#exams")
	b.do("reload", chromedp.Reload()) // only the fragment changed: load the page again to list the new draft
	b.do("the exams list", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#exams-body button[data-exam-id=%q]`, id))))
	b.do("edit the draft",
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#exams-body button[data-exam-id=%q]`, id))),
		chromedp.WaitVisible(chromedp.CSS("#exam-edit")),
		chromedp.Click(chromedp.CSS("#exam-edit")),
		chromedp.WaitVisible(chromedp.CSS("#exam-form")),
	)
	// The editor shows the draft as stored.
	form := eval[map[string]string](b, `Object.fromEntries(['exam-title','exam-sec-0-key','exam-sec-0-title','exam-sec-0-draw','exam-sec-0-min',
		'exam-duration','exam-grace','exam-points','exam-penalty','exam-pass','exam-attempts','exam-objection']
		.map((id) => [id, document.getElementById(id).value]))`)
	want := map[string]string{"exam-title": "پیش\u200cنویس ویرایشی", "exam-sec-0-key": "city_management", "exam-sec-0-title": "مدیریت شهری",
		"exam-sec-0-draw": "2", "exam-sec-0-min": "10", "exam-duration": "10", "exam-grace": "15", "exam-points": "2",
		"exam-penalty": "1/4", "exam-pass": "60", "exam-attempts": "2", "exam-objection": "72"}
	if fmt.Sprint(form) != fmt.Sprint(want) {
		t.Fatalf("editor holds %v, want %v", form, want)
	}
	if got := eval[bool](b, `document.getElementById('exam-shuffle-q').checked`); got {
		t.Errorf("shuffle questions is checked; the draft has it off")
	}
	// A second section, a pass percent out of range (caught live), then saved.
	b.do("add a section", chromedp.Click(chromedp.CSS("#exam-add-section")), chromedp.WaitVisible(chromedp.CSS("#exam-sec-1-key")))
	b.typeInto("#exam-sec-1-key", "citizens_rights")
	b.typeInto("#exam-sec-1-draw", "4")
	b.typeInto("#exam-pass", "120")
	b.do("live pass error", chromedp.WaitVisible(chromedp.CSS(`[data-error-for="pass_percent"]`)))
	if got := b.text(`[data-error-for="pass_percent"]`); got != "درصد قبولی باید میان ۰ و ۱۰۰ باشد." {
		t.Errorf("pass error = %q", got)
	}
	b.typeInto("#exam-pass", "۵۵")                // Persian digits, as a Persian keyboard types them
	b.typeInto("#exam-title", "آزمون ویرایش شده") // SendKeys cannot type a ZWNJ
	b.do("save",
		chromedp.Click(chromedp.CSS("#exam-save")),
		chromedp.WaitVisible(chromedp.CSS("#exam-publish")),
	)
	_, edited := fetchJSON[map[string]any](b, "GET", "/api/v1/official/exams/"+id)
	if edited["title"] != "آزمون ویرایش شده" || edited["pass_percent"] != 55.0 || edited["penalty_wrong_fraction"] != "1/4" ||
		edited["opens_at"] != "2030-01-01T06:30:00Z" || len(edited["sections"].([]any)) != 2 {
		t.Fatalf("edited exam = %v", edited)
	}

	// Extra time: an unknown national ID is refused at its field, a registered one is listed.
	unknown := validNationalID()
	for unknown == nationalID {
		unknown = validNationalID()
	}
	b.typeInto("#acc-national-id", unknown)
	b.typeInto("#acc-minutes", "15")
	b.typeInto("#acc-reason", "نابینایی")
	b.do("grant to nobody",
		chromedp.Click(chromedp.CSS("#acc-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-error-for="national_id"]`)),
	)
	if got := b.text(`[data-error-for="national_id"]`); got != "هیچ داوطلبی با این کد ملی ثبت\u200cنام نکرده است." {
		t.Errorf("unknown candidate error = %q", got)
	}
	b.typeInto("#acc-national-id", persianDigits(nationalID))
	b.do("grant",
		chromedp.Click(chromedp.CSS("#acc-submit")),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#acc-body tr[data-national-id=%q]`, nationalID))),
	)
	row := eval[[]string](b, fmt.Sprintf(`[...document.querySelectorAll('#acc-body tr[data-national-id=%q] td')].map((td) => td.textContent.trim())`, nationalID))
	if len(row) != 4 || row[0] != persianDigits(nationalID) || row[1] != "۱۵ دقیقه" || row[2] != "نابینایی" {
		t.Errorf("accommodation row = %q", row)
	}
	b.screenshot("examd-console-draft-accommodation.png")
}

// fetchJSONBody is fetchJSON with a JSON request body.
func fetchJSONBody[T any](b *browser, method, path, body string) (int, T) {
	b.t.Helper()
	type answer struct {
		Status int `json:"status"`
		Body   T   `json:"body"`
	}
	a := eval[answer](b, fmt.Sprintf(`fetch(%s, { method: %s, headers: { 'Content-Type': 'application/json' }, body: %s })
		.then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }))`, jsString(path), jsString(method), jsString(body)))
	return a.Status, a.Body
}
