package main

// Browser tests: the pages in a real headless Chromium (chromedp), each test on
// its own server started by run (mustStartServer).

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Texts the pages must show, exactly as static/js/i18n.js has them.
const (
	faChecksum          = "کد ملی معتبر نیست؛ رقم کنترل آن درست نیست."
	faRegistered        = "ثبت\u200cنام شما انجام شد"
	faEligible          = "شما واجد شرایط نامزدی هستید"
	faIneligible        = "شما واجد شرایط نامزدی نیستید"
	faWrongLogin        = "کد ملی یا رمز عبور نادرست است."
	faAlreadyRegistered = "این کد ملی پیش\u200cتر ثبت\u200cنام شده است."
	faReasonMilitary    = "پایان خدمت یا معافیت دائم لازم است"
	faReasonEducation   = "مدرک تحصیلی شما کمتر از حداقل مدرک لازم برای این حوزه انتخابیه است"
	enIneligible        = "You are not eligible to stand as a candidate"
	enReasonMilitary    = "Completed military service or a permanent exemption is required"
	enReasonEducation   = "Your education is below the minimum required for this constituency"
	stepTimeout         = 20 * time.Second
	tehranPopulation    = 8693706
	browserWindowWidth  = 1280
	browserWindowHeight = 900
)

// browser is one headless Chromium tab pointed at one server.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// mustBrowser starts a headless Chromium for the test. Without the binary it
// skips, except under CI=true, where a missing browser is a failure.
func mustBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := os.Getenv("CHROMIUM_PATH")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium not found at %s (set CHROMIUM_PATH): %v", path, err)
		}
		t.Skipf("chromium not found at %s (set CHROMIUM_PATH): %v", path, err)
	}
	// Made before the browser so that it is removed after the browser exits
	// (cleanups run last-registered first).
	profile := t.TempDir()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(browserWindowWidth, browserWindowHeight),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelAlloc)
	t.Cleanup(cancelCtx)

	b := &browser{t: t, ctx: ctx, base: base}
	// The first Run starts the browser; it must have no deadline.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	// A page that throws, or that the CSP blocks, fails the test even when
	// the assertions happened to pass.
	t.Cleanup(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, m := range b.console {
			if m.IsException() || (m.Type == chromedp.ConsoleError && m.Source != "network") {
				t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line)
			}
		}
	})
	return b
}

// do runs the actions with a per-step deadline and fails the test on error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) and decodes its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
}

// text waits for the element to be visible and returns its visible text.
func (b *browser) text(sel string) string {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// typeInto types into an input as a person would, after emptying it.
func (b *browser) typeInto(sel, s string) {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	// Empty it as select-all + delete would (chromedp's SetValue refuses "").
	eval[chromedp.Void](b, fmt.Sprintf(`document.querySelector(%s).value = ''`, jsString(sel)))
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), s))
	if got := eval[string](b, fmt.Sprintf(`document.querySelector(%s).value`, jsString(sel))); got != s {
		b.t.Fatalf("%s holds %q after typing %q", sel, got, s)
	}
}

// choose picks an option of a select by value and fires "change" as a person's choice does.
func (b *browser) choose(sel, value string) {
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
		b.t.Fatalf("select %s has no option %q", sel, value)
	}
}

// screenshot saves a full-page PNG under the temp directory.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	// A page that fits the window is taken as it is: Chromium's beyond-the-viewport
	// capture shifts short right-to-left pages sideways.
	shot := chromedp.FullScreenshot(100)
	if eval[bool](b, `document.documentElement.scrollHeight <= innerHeight`) {
		shot = chromedp.CaptureScreenshot()
	}
	png, err := chromedp.Run(ctx, shot)
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(os.TempDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatalf("write screenshot: %v", err)
	}
	b.t.Logf("screenshot: %s", path)
}

// visibleFieldErrors returns the shown field errors as id → text.
func (b *browser) visibleFieldErrors() map[string]string {
	b.t.Helper()
	return eval[map[string]string](b, `Object.fromEntries(
		[...document.querySelectorAll('.field-error')]
			.filter((e) => !e.hidden && e.offsetParent !== null)
			.map((e) => [e.id, e.innerText.trim()]))`)
}

func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// validNationalID makes a random national ID that passes the check-digit rule.
func validNationalID() string {
	for {
		var d [10]int
		sum := 0
		for i := range 9 {
			d[i] = rand.IntN(10)
			sum += d[i] * (10 - i)
		}
		if r := sum % 11; r < 2 {
			d[9] = r
		} else {
			d[9] = 11 - r
		}
		var sb strings.Builder
		allSame := true
		for _, x := range d {
			sb.WriteByte(byte('0' + x))
			allSame = allSame && x == d[0]
		}
		if id := sb.String(); !allSame && id != "0499370899" {
			return id
		}
	}
}

// persianDigits writes ASCII digits as Persian ones, as a Persian keyboard types them.
func persianDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '۰' + (r - '0')
		}
		return r
	}, s)
}

type constituency struct {
	ID         int    `json:"id"`
	NameFa     string `json:"name_fa"`
	NameEn     string `json:"name_en"`
	Kind       string `json:"kind"`
	Population int    `json:"population"`
}

// mustTehran finds Tehran (the city of 8,693,706 people) in the server's list.
func mustTehran(t *testing.T, base string) constituency {
	t.Helper()
	res, err := http.Get(base + "/api/v1/constituencies")
	if err != nil {
		t.Fatalf("GET constituencies: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET constituencies: status %d", res.StatusCode)
	}
	var list []constituency
	if err := json.NewDecoder(res.Body).Decode(&list); err != nil {
		t.Fatalf("decode constituencies: %v", err)
	}
	for _, c := range list {
		if c.Kind == "city" && c.Population == tehranPopulation {
			if c.NameFa != "تهران" {
				t.Fatalf("the city of %d people is %q, want تهران", tehranPopulation, c.NameFa)
			}
			return c
		}
	}
	t.Fatalf("no city of %d people among %d constituencies", tehranPopulation, len(list))
	return constituency{}
}

// applicant is what a person types into the registration form.
type applicant struct {
	nationalID                  string // as typed
	first, last, father         string
	year, month, day            int // Persian calendar
	gender, military, education string
	mobile, password            string
	constituencyID              int
}

// fillRegistration fills every field of /register (the page must be open).
func (b *browser) fillRegistration(a applicant) {
	b.t.Helper()
	b.do("wait for the constituencies",
		chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(`#constituency_id option[value="%d"]`, a.constituencyID))))
	b.typeInto("#national_id", a.nationalID)
	b.typeInto("#first_name", a.first)
	b.typeInto("#last_name", a.last)
	b.typeInto("#father_name", a.father)
	b.choose("#birth_year", fmt.Sprint(a.year))
	b.choose("#birth_month", fmt.Sprint(a.month))
	b.choose("#birth_day", fmt.Sprint(a.day))
	b.do("choose gender", chromedp.Click(chromedp.CSS("#gender-"+a.gender)))
	if a.gender == "male" {
		b.choose("#military_service", a.military)
	} else if visible := eval[bool](b, `document.getElementById('military-field').offsetParent !== null`); visible {
		b.t.Fatalf("military service is asked of a woman")
	}
	b.typeInto("#mobile", a.mobile)
	b.choose("#education", a.education)
	b.choose("#constituency_id", fmt.Sprint(a.constituencyID))
	b.typeInto("#password", a.password)
}

// login logs in through /login and waits for /home to show the eligibility.
func (b *browser) login(nationalID, password string) {
	b.t.Helper()
	b.open("/login")
	b.typeInto("#national_id", nationalID)
	b.typeInto("#password", password)
	b.do("log in",
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS(`#eligibility [data-testid="eligibility-status"]`)),
	)
	if got := eval[string](b, `location.pathname`); got != "/home" {
		b.t.Fatalf("after login the page is %s, want /home", got)
	}
}

// reasons returns the texts of the ineligibility reasons shown in box.
func (b *browser) reasons(box string) []string {
	b.t.Helper()
	return eval[[]string](b, fmt.Sprintf(
		`[...document.querySelectorAll(%s)].map((li) => li.innerText.trim())`,
		jsString(box+" .eligibility-reasons li")))
}

func TestBrowserJalaliConversion(t *testing.T) {
	base := mustStartServer(t)
	b := mustBrowser(t, base)
	b.open("/register")

	type jalali struct{ Year, Month, Day int }
	pairs := []struct {
		j   jalali
		iso string
	}{
		{jalali{1400, 1, 1}, "2021-03-21"},
		{jalali{1399, 10, 30}, "2021-01-19"},
		// 1399 is a leap year: Esfand 1399 has 30 days, and 30 Esfand is 2021-03-20.
		{jalali{1399, 12, 29}, "2021-03-19"},
		{jalali{1399, 12, 30}, "2021-03-20"},
		{jalali{1369, 10, 10}, "1990-12-31"},
		{jalali{1360, 5, 10}, "1981-08-01"},
		{jalali{1300, 1, 1}, "1921-03-21"},
		{jalali{1403, 12, 30}, "2025-03-20"},
	}
	for _, p := range pairs {
		name := fmt.Sprintf("%d-%02d-%02d", p.j.Year, p.j.Month, p.j.Day)
		t.Run(name, func(t *testing.T) {
			got := eval[*string](b, fmt.Sprintf(`import('/static/js/jalali.js').then((m) => m.toGregorian(%d, %d, %d))`,
				p.j.Year, p.j.Month, p.j.Day))
			if got == nil || *got != p.iso {
				t.Errorf("toGregorian(%d, %d, %d) = %v, want %s", p.j.Year, p.j.Month, p.j.Day, got, p.iso)
			}
			back := eval[*jalali](b, fmt.Sprintf(`import('/static/js/jalali.js').then((m) => m.toJalali(%s))`, jsString(p.iso)))
			if back == nil || *back != p.j {
				t.Errorf("toJalali(%s) = %+v, want %+v", p.iso, back, p.j)
			}
		})
	}

	impossible := []jalali{
		{1399, 12, 31}, // no month of Esfand has 31 days
		{1400, 12, 30}, // 1400 is a common year
		{1400, 7, 31},  // Mehr has 30 days
		{1400, 13, 1},
		{1400, 0, 1},
		{1400, 1, 0},
	}
	for _, j := range impossible {
		got := eval[*string](b, fmt.Sprintf(`import('/static/js/jalali.js').then((m) => m.toGregorian(%d, %d, %d))`,
			j.Year, j.Month, j.Day))
		if got != nil {
			t.Errorf("toGregorian(%d, %d, %d) = %q, want null", j.Year, j.Month, j.Day, *got)
		}
	}
	// The day select offers only the days the chosen month has (Intl decides).
	for _, c := range []struct{ year, month, days int }{
		{1400, 12, 29}, {1399, 12, 30}, {1403, 12, 30}, {1404, 7, 30}, {1404, 6, 31},
	} {
		b.choose("#birth_year", fmt.Sprint(c.year))
		b.choose("#birth_month", fmt.Sprint(c.month))
		// The first option is the empty "—".
		if got := eval[int](b, `document.querySelectorAll('#birth_day option').length - 1`); got != c.days {
			t.Errorf("day select for %d/%d offers %d days, want %d", c.year, c.month, got, c.days)
		}
	}

	for _, iso := range []string{"2021-02-30", "2021-13-01", "21-03-21", ""} {
		if got := eval[*jalali](b, fmt.Sprintf(`import('/static/js/jalali.js').then((m) => m.toJalali(%s))`, jsString(iso))); got != nil {
			t.Errorf("toJalali(%q) = %+v, want null", iso, *got)
		}
	}
}

func TestBrowserRegisterAndLogin(t *testing.T) {
	base := mustStartServer(t)
	tehran := mustTehran(t, base)
	b := mustBrowser(t, base)

	// A woman registers; her first national ID has a wrong check digit.
	maryam := applicant{
		nationalID: "1234567890",
		first:      "مریم",
		last:       "احمدی",
		father:     "علی",
		year:       1360, month: 5, day: 10,
		gender:         "female",
		mobile:         "09121234567",
		education:      "bachelor",
		constituencyID: tehran.ID,
		password:       "Shora-Tehran-1400!",
	}
	b.open("/register")
	if got := eval[string](b, `document.documentElement.lang + ' ' + document.documentElement.dir`); got != "fa rtl" {
		t.Fatalf("register page lang/dir = %q, want \"fa rtl\"", got)
	}
	b.fillRegistration(maryam)
	b.do("submit with a wrong national ID",
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#national_id-error")),
	)
	if got, want := b.visibleFieldErrors(), map[string]string{"national_id-error": faChecksum}; !maps.Equal(got, want) {
		t.Fatalf("field errors = %v, want only %v", got, want)
	}
	if got := b.text("#national_id-error"); got != faChecksum {
		t.Fatalf("national ID error = %q, want %q", got, faChecksum)
	}
	if got := eval[string](b, `document.activeElement.id`); got != "national_id" {
		t.Errorf("focus is on #%s, want #national_id", got)
	}
	if got := eval[string](b, `document.getElementById('national_id').getAttribute('aria-invalid')`); got != "true" {
		t.Errorf("national_id aria-invalid = %q, want true", got)
	}
	if got := eval[string](b, `document.getElementById('national_id').getAttribute('aria-describedby')`); got != "national_id-error national_id-hint" {
		t.Errorf("national_id aria-describedby = %q, want the error then the hint", got)
	}
	if got := b.text("#form-status"); got != "فرم ۱ خطا دارد. توضیح هر خطا کنار همان بخش نوشته شده است." {
		t.Errorf("form status = %q", got)
	}
	b.screenshot("examd-register-error.png")

	// She corrects it; the error goes away as she types.
	maryam.nationalID = validNationalID()
	b.typeInto("#national_id", maryam.nationalID)
	if got := b.visibleFieldErrors(); len(got) != 0 {
		t.Fatalf("field errors after the correction = %v, want none", got)
	}
	b.do("register",
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#result")),
	)
	if got := b.text("#result-heading"); got != faRegistered {
		t.Fatalf("result heading = %q, want %q", got, faRegistered)
	}
	if got := b.text(`#result-eligibility [data-testid="eligibility-status"] .eligibility-text`); got != faEligible {
		t.Fatalf("registration result = %q, want %q", got, faEligible)
	}
	if got, want := b.text("#result-id"), "کد ملی ثبت\u200cشده: "+persianDigits(maryam.nationalID); got != want {
		t.Errorf("result id line = %q, want %q", got, want)
	}
	b.screenshot("examd-register-done.png")

	// The same national ID a second time: 409, shown at the national ID field.
	b.open("/register")
	b.fillRegistration(maryam)
	b.do("register twice",
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#national_id-error")),
	)
	if got, want := b.visibleFieldErrors(), map[string]string{"national_id-error": faAlreadyRegistered}; !maps.Equal(got, want) {
		t.Fatalf("field errors for a second registration = %v, want only %v", got, want)
	}

	// A wrong password first, then the right one.
	b.open("/login")
	b.typeInto("#national_id", maryam.nationalID)
	b.typeInto("#password", "not-her-password")
	b.do("log in with a wrong password",
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#form-status.status-error")),
	)
	if got := b.text("#form-status"); got != faWrongLogin {
		t.Fatalf("wrong login message = %q, want %q", got, faWrongLogin)
	}

	b.login(maryam.nationalID, maryam.password)
	if got := b.text(`#eligibility .eligibility-text`); got != faEligible {
		t.Fatalf("home eligibility = %q, want %q", got, faEligible)
	}
	if got := eval[string](b, `document.getElementById('eligibility').className`); got != "eligibility eligible" {
		t.Errorf("eligibility box class = %q, want \"eligibility eligible\"", got)
	}
	if got := b.reasons("#eligibility"); len(got) != 0 {
		t.Errorf("an eligible candidate is shown reasons %v", got)
	}
	if got := b.text("#welcome"); got != "مریم احمدی، خوش آمدید" {
		t.Errorf("welcome = %q", got)
	}
	if got := b.text("#detail-birth-date"); got != "۱۰ مرداد ۱۳۶۰" {
		t.Errorf("birth date shown = %q, want ۱۰ مرداد ۱۳۶۰", got)
	}
	if got := b.text("#detail-constituency"); !strings.HasPrefix(got, "تهران") || !strings.Contains(got, "۸٬۶۹۳٬۷۰۶") {
		t.Errorf("constituency shown = %q, want Tehran with its population in Persian digits", got)
	}
	if got := b.text("#detail-national-id"); got != persianDigits(maryam.nationalID) {
		t.Errorf("national ID shown = %q, want %q", got, persianDigits(maryam.nationalID))
	}
	if got := b.text("#exams-heading"); got != "آزمون\u200cها" {
		t.Errorf("exams heading = %q", got)
	}
	b.screenshot("examd-home-eligible.png")

	// Logging out ends the session: /home sends her back to /login.
	b.do("log out",
		chromedp.Click(chromedp.CSS("#logout")),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
	)
	b.open("/home")
	b.do("redirect to login", chromedp.WaitVisible(chromedp.CSS("#login-form")))
	if got := eval[string](b, `location.pathname`); got != "/login" {
		t.Fatalf("after logout /home went to %s, want /login", got)
	}

	// A man without military service and with only a diploma, typing his
	// national ID with Persian digits as a Persian keyboard does.
	reza := applicant{
		nationalID: persianDigits(validNationalID()),
		first:      "رضا",
		last:       "کریمی",
		father:     "حسین",
		year:       1365, month: 1, day: 1,
		gender:         "male",
		military:       "none",
		mobile:         "09351234567",
		education:      "diploma",
		constituencyID: tehran.ID,
		password:       "Shora-Rey-1400!",
	}
	b.open("/register")
	b.fillRegistration(reza)
	b.do("register the man",
		chromedp.Click(chromedp.CSS("#submit")),
		chromedp.WaitVisible(chromedp.CSS("#result")),
	)
	if got := b.text(`#result-eligibility .eligibility-text`); got != faIneligible {
		t.Fatalf("registration result = %q, want %q", got, faIneligible)
	}
	wantFa := []string{faReasonMilitary, faReasonEducation}
	if got := b.reasons("#result-eligibility"); !sameSet(got, wantFa) {
		t.Fatalf("reasons after registration = %q, want %q", got, wantFa)
	}

	b.login(reza.nationalID, reza.password)
	if got := b.text(`#eligibility .eligibility-text`); got != faIneligible {
		t.Fatalf("home eligibility = %q, want %q", got, faIneligible)
	}
	if got := b.reasons("#eligibility"); !sameSet(got, wantFa) {
		t.Fatalf("home reasons = %q, want %q", got, wantFa)
	}
	if got := b.text("#eligibility .eligibility-reasons-heading"); got != "دلایل:" {
		t.Errorf("reasons heading = %q", got)
	}
	b.screenshot("examd-home-ineligible.png")

	// The English switch turns the page left to right and re-renders the reasons,
	// and the choice outlives a reload.
	b.do("switch to English", chromedp.Click(chromedp.CSS("#lang-toggle")))
	if got := eval[string](b, `document.documentElement.lang + ' ' + document.documentElement.dir`); got != "en ltr" {
		t.Fatalf("after the switch lang/dir = %q, want \"en ltr\"", got)
	}
	wantEn := []string{enReasonMilitary, enReasonEducation}
	if got := b.reasons("#eligibility"); !sameSet(got, wantEn) {
		t.Fatalf("English reasons = %q, want %q", got, wantEn)
	}
	b.open("/home")
	b.do("reload home", chromedp.WaitVisible(chromedp.CSS(`#eligibility .eligibility-text`)))
	if got := b.text(`#eligibility .eligibility-text`); got != enIneligible {
		t.Fatalf("after a reload = %q, want %q", got, enIneligible)
	}
	if got := b.text("#lang-toggle"); got != "فارسی" {
		t.Errorf("language button = %q, want فارسی", got)
	}
	b.screenshot("examd-home-english.png")
}

func sameSet(got, want []string) bool {
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}
