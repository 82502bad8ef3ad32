package exam_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"

	"github.com/council-exam/examd/exam"
)

// The review data set: an exam of two sections drawing its whole pool, unshuffled,
// so every candidate gets the same six questions: law L1–L4 (minimum 60 %) and
// city C1–C2 (no minimum); pass 50 %, 1 point a question, penalty 1/4, keys b,
// at most two attempts. Each candidate's answers are a pattern over L1 L2 L3 L4
// C1 C2 ('b' correct, a/c/d wrong, '_' blank). Score = correct − wrong/4 of 6.
//
//	#   constituency  pattern  law            score  percent  passed  finish
//	1   1 تهران       bbbbbb   4    (100 %)   6      100      P       submitted
//	2   2 اسلامشهر    bbbbba   4    (100 %)   4.75   79.17    P       submitted
//	3   3 شهر قدس     bbbbb_   4    (100 %)   5      83.33    P       timeout
//	4   2 اسلامشهر    bbbab_   2.75 (68.75%)  3.75   62.5     P       submitted
//	5   1 تهران       bb__bb   2    (50 %)    4      66.67    F (law) submitted
//	6   3 شهر قدس     bbb___   3    (75 %)    3      50       P (=)   submitted
//	7   3 شهر قدس     bbbc__   2.75           2.75   45.83    F       submitted
//	8   2 اسلامشهر    bacdbb   0.25           2.25   37.5     F       timeout
//	9   1 تهران       _____b   0              1      16.67    F       timeout
//	10  3 شهر قدس     aaaaaa   −1             −1.5   −25      F       submitted
//	11  1 تهران       bb____   2              2      33.33    F       submitted (best of two;
//	                                                                  the second, a_____, is −4.17)
//	12  2 اسلامشهر    b_ac_b   0.5            1.5    25       F       submitted
//
// By percent, descending: 1, 3, 2, 5, 4, 6, 7, 8, 11, 12, 9, 10.
type scReviewCandidate struct {
	nine, first, last string
	constituency      int
	pattern           string
	timeout           bool
}

var scReviewCandidates = []scReviewCandidate{
	{"111000001", "علی", "رضایی", 1, "bbbbbb", false},
	{"111000002", "مریم", "کریمی", 2, "bbbbba", false},
	{"111000003", "حسین", "احمدی", 3, "bbbbb_", true},
	{"111000004", "فاطمه", "حسینی", 2, "bbbab_", false},
	{"222000005", "محمد", "موسوی", 1, "bb__bb", false},
	{"111000006", "زینب", "جعفری", 3, "bbb___", false},
	{"111000007", "مهدی", "کریمی", 3, "bbbc__", false},
	{"111000008", "سارا", "صادقی", 2, "bacdbb", true},
	{"111000009", "امیر", "نوری", 1, "_____b", true},
	{"111000010", "لیلا", "رحیمی", 3, "aaaaaa", false},
	{"111000011", "حمید", "کاظمی", 1, "bb____", false},
	{"222000012", "نرگس", "قاسمی", 2, "b_ac_b", false},
}

var scConstituencyNames = map[int]string{1: "تهران", 2: "اسلامشهر", 3: "شهر قدس"}

// scReview is the review data set in a database.
type scReview struct {
	e        *scEnv
	ex       exam.Exam
	qs       []exam.Question // L1–L4 then C1–C2
	cands    []string        // candidate ids by index 0–11
	ids      []string        // national ids
	attempts []string        // the best attempt of each
	second   string          // candidate 11's second, worse attempt
}

func scNewReview(tb testing.TB) *scReview {
	tb.Helper()
	e := scNewEnv(tb)
	law := e.bank(tb, "law", 4)
	city := e.bank(tb, "city", 2)
	r := &scReview{e: e, qs: append(append([]exam.Question{}, law...), city...)}
	r.ex = e.publish(tb, scExamSpec{
		sections: []exam.SectionSpec{{Key: "law", Title: "قانون", Draw: 4, MinPercent: 60}, {Key: "city", Title: "شهر", Draw: 2}},
		pass:     50, penalty: exam.Ratio{Num: 1, Den: 4}, maxAttempts: 2,
	})
	for _, c := range scReviewCandidates {
		cand := e.candidate(tb, c.nine, c.first, c.last, c.constituency)
		r.cands = append(r.cands, cand.ID)
		r.ids = append(r.ids, cand.NationalID)
		answers := scAnswersFor(r.qs, c.pattern)
		if c.timeout {
			r.attempts = append(r.attempts, e.sitTimeout(tb, cand.ID, r.ex.ID, answers))
		} else {
			r.attempts = append(r.attempts, e.sit(tb, cand.ID, r.ex.ID, answers))
		}
	}
	r.second = e.sit(tb, r.cands[10], r.ex.ID, scAnswersFor(r.qs, "a_____"))
	return r
}

// marks returns candidate i's mark on each question (best attempt).
func (r *scReview) marks(i int) []float64 {
	out := make([]float64, len(r.qs))
	for j, c := range scReviewCandidates[i].pattern {
		switch c {
		case 'b':
			out[j] = 1
		case '_':
			out[j] = 0
		default:
			out[j] = -0.25
		}
	}
	return out
}

// score returns candidate i's score (a multiple of 1/4: exact in a float).
func (r *scReview) score(i int) float64 {
	total := 0.0
	for _, m := range r.marks(i) {
		total += m
	}
	return total
}

// percent returns candidate i's exact percent as the nearest float.
func (r *scReview) percent(i int) float64 {
	total := new(big.Rat)
	for _, c := range scReviewCandidates[i].pattern {
		switch c {
		case 'b':
			total.Add(total, big.NewRat(1, 1))
		case '_':
		default:
			total.Sub(total, big.NewRat(1, 4))
		}
	}
	f, _ := total.Mul(total, big.NewRat(100, 6)).Float64()
	return f
}

func (r *scReview) passed(i int) bool {
	return map[int]bool{0: true, 1: true, 2: true, 3: true, 5: true}[i]
}

// scNums lists candidates by their number in the table (1-based).
func scNums(nums ...int) []int { return nums }

// mustRows checks that rows are exactly the table's candidates nums, in order,
// with every field as expected.
func (r *scReview) mustRows(tb testing.TB, what string, rows []exam.ResultRow, nums []int) {
	tb.Helper()
	if len(rows) != len(nums) {
		got := []string{}
		for _, row := range rows {
			got = append(got, row.Candidate)
		}
		tb.Fatalf("%s: %d rows %q, want candidates %v", what, len(rows), got, nums)
	}
	for k, n := range nums {
		i := n - 1
		c := scReviewCandidates[i]
		row := rows[k]
		reason := exam.ReasonSubmitted
		if c.timeout {
			reason = exam.ReasonTimeout
		}
		if row.AttemptID != r.attempts[i] || row.CandidateID != r.cands[i] || row.Candidate != c.first+" "+c.last ||
			row.NationalID != r.ids[i] || row.ConstituencyID != c.constituency || row.Constituency != scConstituencyNames[c.constituency] ||
			row.Percent != r.percent(i) || row.Score != r.score(i) ||
			row.MaxScore != 6 || row.Passed != r.passed(i) || row.FinishReason != reason || row.SubmittedAt.IsZero() {
			tb.Fatalf("%s: row %d = %+v, want candidate %d (%s %s, %v %%, passed %v, %s)", what, k, row, n, c.first, c.last,
				r.percent(i), r.passed(i), reason)
		}
		var sections []exam.SectionScore
		if err := json.Unmarshal(row.SectionScores, &sections); err != nil || len(sections) != 2 || sections[0].Key != "law" || sections[1].Key != "city" {
			tb.Fatalf("%s: row %d section_scores = %s", what, k, row.SectionScores)
		}
	}
}

func TestResultsFilters(t *testing.T) {
	t.Parallel()
	r := scNewReview(t)
	ctx := r.e.ctx
	yes, no := true, false
	all := scNums(1, 3, 2, 5, 4, 6, 7, 8, 11, 12, 9, 10)
	tests := []struct {
		name  string
		f     exam.ResultsFilter
		want  []int
		total int
	}{
		{"everyone by percent", exam.ResultsFilter{Sort: "percent", Desc: true}, all, 12},
		{"by percent ascending", exam.ResultsFilter{Sort: "percent"}, scNums(10, 9, 12, 11, 8, 7, 6, 4, 5, 2, 3, 1), 12},
		{"by score", exam.ResultsFilter{Sort: "score", Desc: true}, all, 12},
		{"by national id", exam.ResultsFilter{Sort: "national_id"}, scNums(1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 5, 12), 12},
		{"constituency 2", exam.ResultsFilter{ConstituencyID: 2, Sort: "percent", Desc: true}, scNums(2, 4, 8, 12), 4},
		{"passed", exam.ResultsFilter{Passed: &yes, Sort: "percent", Desc: true}, scNums(1, 3, 2, 4, 6), 5},
		{"failed", exam.ResultsFilter{Passed: &no, Sort: "percent", Desc: true}, scNums(5, 7, 8, 11, 12, 9, 10), 7},
		{"timeouts", exam.ResultsFilter{FinishReason: exam.ReasonTimeout, Sort: "percent", Desc: true}, scNums(3, 8, 9), 3},
		{"submitted in constituency 3", exam.ResultsFilter{ConstituencyID: 3, FinishReason: exam.ReasonSubmitted, Sort: "percent", Desc: true}, scNums(6, 7, 10), 3},
		{"failed in constituency 1", exam.ResultsFilter{ConstituencyID: 1, Passed: &no, Sort: "percent", Desc: true}, scNums(5, 11, 9), 3},
		{"national ID prefix", exam.ResultsFilter{Search: "222", Sort: "percent", Desc: true}, scNums(5, 12), 2},
		{"national ID prefix in Persian digits", exam.ResultsFilter{Search: "۲۲۲۰", Sort: "percent", Desc: true}, scNums(5, 12), 2},
		{"a whole national ID", exam.ResultsFilter{Search: scNationalID("111000004")}, scNums(4), 1},
		{"national ID digits not at the start", exam.ResultsFilter{Search: "000012"}, nil, 0},
		{"Persian last name", exam.ResultsFilter{Search: "کریمی", Sort: "percent", Desc: true}, scNums(2, 7), 2},
		{"last name with Arabic letters", exam.ResultsFilter{Search: "\u0643\u0631\u064a\u0645\u064a", Sort: "percent", Desc: true}, scNums(2, 7), 2},
		{"full name", exam.ResultsFilter{Search: "مهدی کریمی"}, scNums(7), 1},
		{"name and a filter", exam.ResultsFilter{Search: "کریمی", Passed: &yes}, scNums(2), 1},
		{"nobody", exam.ResultsFilter{Search: "ناشناس"}, nil, 0},
		{"page 1 of 5", exam.ResultsFilter{Sort: "percent", Desc: true, Page: 1, PerPage: 5}, scNums(1, 3, 2, 5, 4), 12},
		{"page 2 of 5", exam.ResultsFilter{Sort: "percent", Desc: true, Page: 2, PerPage: 5}, scNums(6, 7, 8, 11, 12), 12},
		{"page 3 of 5", exam.ResultsFilter{Sort: "percent", Desc: true, Page: 3, PerPage: 5}, scNums(9, 10), 12},
		{"past the last page", exam.ResultsFilter{Sort: "percent", Desc: true, Page: 4, PerPage: 5}, nil, 12},
		{"a filtered page", exam.ResultsFilter{Passed: &no, Sort: "percent", Desc: true, Page: 2, PerPage: 3}, scNums(11, 12, 9), 7},
		{"past the last filtered page", exam.ResultsFilter{Passed: &no, Sort: "percent", Desc: true, Page: 9, PerPage: 3}, nil, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			f.ExamID = r.ex.ID
			rows, total, err := r.e.s.Results(ctx, f)
			if err != nil {
				t.Fatalf("Results: %v", err)
			}
			if total != tt.total {
				t.Fatalf("total = %d, want %d", total, tt.total)
			}
			r.mustRows(t, "Results", rows, tt.want)

			// EachResult streams exactly the rows the filter selects, unpaged.
			if f.PerPage > 0 {
				return
			}
			var streamed []exam.ResultRow
			if err := r.e.s.EachResult(ctx, f, func(row exam.ResultRow) error {
				streamed = append(streamed, row)
				return nil
			}); err != nil {
				t.Fatalf("EachResult: %v", err)
			}
			r.mustRows(t, "EachResult", streamed, tt.want)
		})
	}

	// The best attempt counts: candidate 11's second attempt (−4.17 %) is not the row.
	rows, _, err := r.e.s.Results(ctx, exam.ResultsFilter{ExamID: r.ex.ID, Search: r.ids[10]})
	if err != nil || len(rows) != 1 || rows[0].AttemptID != r.attempts[10] || rows[0].AttemptID == r.second {
		t.Fatalf("candidate 11 = %+v, %v; want the first attempt %s", rows, err, r.attempts[10])
	}

	// EachResult stops at fn's error and returns it.
	stop := errors.New("stop")
	n := 0
	if err := r.e.s.EachResult(ctx, exam.ResultsFilter{ExamID: r.ex.ID}, func(exam.ResultRow) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("EachResult with a failing fn = %v after %d rows, want stop after 1", err, n)
	}

	// Refusals.
	_, _, err = r.e.s.Results(ctx, exam.ResultsFilter{ExamID: r.ex.ID, Sort: "nonsense"})
	scFieldErr(t, err, "sort", "one_of")
	_, _, err = r.e.s.Results(ctx, exam.ResultsFilter{ExamID: r.ex.ID, FinishReason: "abandoned"})
	scFieldErr(t, err, "finish_reason", "one_of")
	err = r.e.s.EachResult(ctx, exam.ResultsFilter{ExamID: r.ex.ID, Sort: "nonsense"}, func(exam.ResultRow) error { return nil })
	scFieldErr(t, err, "sort", "one_of")
	for _, id := range []string{"not-a-uuid", "7c0e1d9a-3b52-4f0e-9d6a-5a1b2c3d4e5f"} {
		if _, _, err := r.e.s.Results(ctx, exam.ResultsFilter{ExamID: id}); !errors.Is(err, exam.ErrNotFound) {
			t.Errorf("Results(%s): err = %v, want ErrNotFound", id, err)
		}
		if err := r.e.s.EachResult(ctx, exam.ResultsFilter{ExamID: id}, func(exam.ResultRow) error { return nil }); !errors.Is(err, exam.ErrNotFound) {
			t.Errorf("EachResult(%s): err = %v, want ErrNotFound", id, err)
		}
	}
}

// scRound4 rounds as the statistics do (4 decimals).
func scRound4(x float64) float64 { return math.Round(x*10000) / 10000 }

func scDeref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func scClose(got, want float64) bool { return math.Abs(got-want) < 1e-9 }

// scPopVar is the population variance.
func scPopVar(xs []float64) float64 {
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	ss := 0.0
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return ss / float64(len(xs))
}

func scPearson(xs, ys []float64) float64 {
	n := float64(len(xs))
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
		syy += (ys[i] - my) * (ys[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func TestStatistics(t *testing.T) {
	t.Parallel()
	r := scNewReview(t)
	st, err := r.e.s.Statistics(r.e.ctx, r.ex.ID)
	if err != nil {
		t.Fatal(err)
	}

	// Percents of the twelve best attempts (candidate 11's second does not count).
	n := len(scReviewCandidates)
	percents := make([]float64, n)
	for i := range percents {
		percents[i] = r.percent(i)
	}
	// Scores sum to 6+4.75+5+3.75+4+3+2.75+2.25+1−1.5+2+1.5 = 34.5, so the mean
	// percent is 34.5/12/6·100 = 47.91666… → 47.9167.
	mean := 34.5 / 12 / 6 * 100
	// Sorted, the 6th and 7th percents are 45.83 and 50: median 47.9167.
	median := (275.0/6 + 50) / 2
	var ss float64
	for _, p := range percents {
		ss += (p - mean) * (p - mean)
	}
	sd := math.Sqrt(ss / float64(n-1)) // the sample SD

	// KR-20 (Cronbach's α) over the six items every candidate was shown, from the
	// marks 1, −1/4, 0: k/(k−1)·(1 − Σ item variances / variance of totals), with
	// population variances; SEM = SD·√(1 − α).
	k := len(r.qs)
	totals := make([]float64, n)
	var sumItemVar float64
	for j := 0; j < k; j++ {
		col := make([]float64, n)
		for i := 0; i < n; i++ {
			col[i] = r.marks(i)[j]
			totals[i] += col[i]
		}
		sumItemVar += scPopVar(col)
	}
	alpha := float64(k) / float64(k-1) * (1 - sumItemVar/scPopVar(totals))
	sem := sd * math.Sqrt(1-alpha)

	if st.Sat != 12 || st.Passed != 5 || !scClose(st.PassRate, 0.4167) {
		t.Fatalf("sat %d passed %d pass rate %v; want 12, 5, 0.4167", st.Sat, st.Passed, st.PassRate)
	}
	if !scClose(st.Mean, 47.9167) || !scClose(st.Mean, scRound4(mean)) || !scClose(st.Median, 47.9167) || !scClose(st.Median, scRound4(median)) {
		t.Fatalf("mean %v median %v; want 47.9167, 47.9167", st.Mean, st.Median)
	}
	if !scClose(st.SD, scRound4(sd)) {
		t.Fatalf("sd = %v, want %v (sample SD of %v)", st.SD, scRound4(sd), percents)
	}
	if st.Min != -25 || st.Max != 100 {
		t.Fatalf("min %v max %v; want −25, 100", st.Min, st.Max)
	}
	if st.KR20 == nil || !scClose(*st.KR20, scRound4(alpha)) || st.ReliabilityOn != "items" || st.ReliabilityK != 6 {
		t.Fatalf("kr20 = %v on %s (%d); want %v on 6 items", scDeref(st.KR20), st.ReliabilityOn, st.ReliabilityK, scRound4(alpha))
	}
	if st.SEM == nil || !scClose(*st.SEM, scRound4(sem)) {
		t.Fatalf("sem = %v, want %v (sd %v, α %v)", scDeref(st.SEM), scRound4(sem), sd, alpha)
	}

	// Bins of 10 from floor(−25/10)·10 = −30; the last, [90, 100), also holds 100:
	// −25 | – | – | – | 16.67 | 25 | 33.33, 37.5 | 45.83 | 50 | 62.5, 66.67 | 79.17 | 83.33 | 100.
	wantHist := []exam.HistogramBin{
		{From: -30, To: -20, Count: 1}, {From: -20, To: -10}, {From: -10, To: 0}, {From: 0, To: 10},
		{From: 10, To: 20, Count: 1}, {From: 20, To: 30, Count: 1}, {From: 30, To: 40, Count: 2}, {From: 40, To: 50, Count: 1},
		{From: 50, To: 60, Count: 1}, {From: 60, To: 70, Count: 2}, {From: 70, To: 80, Count: 1}, {From: 80, To: 90, Count: 1},
		{From: 90, To: 100, Count: 1},
	}
	if !reflect.DeepEqual(st.Histogram, wantHist) {
		t.Fatalf("histogram = %+v\nwant %+v", st.Histogram, wantHist)
	}

	// Constituency 1: #1 P 6, #5 F 4, #9 F 1, #11 F 2 → 1 of 4, mean 13/24 = 54.1667 %;
	// 2: #2 P 4.75, #4 P 3.75, #8 F 2.25, #12 F 1.5 → 2 of 4, mean 12.25/24 = 51.0417 %;
	// 3: #3 P 5, #6 P 3, #7 F 2.75, #10 F −1.5 → 2 of 4, mean 9.25/24 = 38.5417 %.
	wantBy := []exam.ConstituencyStats{
		{ID: 1, Name: "تهران", Sat: 4, Passed: 1, PassRate: 0.25, Mean: 54.1667},
		{ID: 2, Name: "اسلامشهر", Sat: 4, Passed: 2, PassRate: 0.5, Mean: 51.0417},
		{ID: 3, Name: "شهر قدس", Sat: 4, Passed: 2, PassRate: 0.5, Mean: 38.5417},
	}
	if !reflect.DeepEqual(st.ByConstituency, wantBy) {
		t.Fatalf("by constituency = %+v\nwant %+v", st.ByConstituency, wantBy)
	}

	// An exam nobody sat has zero counts and no reliability.
	e2 := scNewEnv(t)
	e2.bank(t, "law", 2)
	empty := e2.publish(t, scExamSpec{sections: []exam.SectionSpec{{Key: "law", Draw: 2}}, pass: 50})
	st, err = e2.s.Statistics(e2.ctx, empty.ID)
	if err != nil || st.Sat != 0 || st.Passed != 0 || st.KR20 != nil || st.SEM != nil || len(st.Histogram) != 0 || len(st.ByConstituency) != 0 {
		t.Fatalf("Statistics(nobody sat) = %+v, %v", st, err)
	}
	for _, id := range []string{"not-a-uuid", "7c0e1d9a-3b52-4f0e-9d6a-5a1b2c3d4e5f"} {
		if _, err := e2.s.Statistics(e2.ctx, id); !errors.Is(err, exam.ErrNotFound) {
			t.Errorf("Statistics(%s): err = %v, want ErrNotFound", id, err)
		}
	}
}

func TestItems(t *testing.T) {
	t.Parallel()
	r := scNewReview(t)
	items, err := r.e.s.Items(r.e.ctx, r.ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	n := len(scReviewCandidates)
	// Sections in key order (city before law), questions by id within.
	wantOrder := []string{r.qs[4].ID, r.qs[5].ID, r.qs[0].ID, r.qs[1].ID, r.qs[2].ID, r.qs[3].ID}
	if len(items) != len(wantOrder) {
		t.Fatalf("items = %d, want %d", len(items), len(wantOrder))
	}
	flagged := map[string]bool{}
	for k, it := range items {
		if it.QuestionID != wantOrder[k] {
			t.Fatalf("item %d = %s, want %s", k, it.QuestionID, wantOrder[k])
		}
		j := 0
		for j < len(r.qs) && r.qs[j].ID != it.QuestionID {
			j++
		}
		q := r.qs[j]
		// Independently: the item's marks, the rest (total − item) of each
		// candidate, blanks and choices, over the twelve best attempts.
		marks, rests := make([]float64, n), make([]float64, n)
		blanks := 0
		options := map[string]int{"a": 0, "b": 0, "c": 0, "d": 0}
		for i := 0; i < n; i++ {
			m := r.marks(i)
			total := 0.0
			for _, x := range m {
				total += x
			}
			marks[i], rests[i] = m[j], total-m[j]
			if c := scReviewCandidates[i].pattern[j]; c == '_' {
				blanks++
			} else {
				options[string(c)]++
			}
		}
		p := 0.0
		for _, x := range marks {
			p += x
		}
		p /= float64(n) // mean mark / 1 point
		disc := scPearson(marks, rests)
		if it.Section != q.Section || it.Stem != q.Stem || it.Correct != "b" || it.Voided || it.Shown != 12 ||
			!scClose(it.P, scRound4(p)) || !scClose(it.BlankRate, scRound4(float64(blanks)/12)) || !reflect.DeepEqual(it.Options, options) {
			t.Fatalf("item %s (question %d) = %+v; want p %v, blank rate %v, options %v", it.QuestionID, j+1, it, scRound4(p),
				scRound4(float64(blanks)/12), options)
		}
		if it.Discrimination == nil || !scClose(*it.Discrimination, scRound4(disc)) {
			t.Fatalf("item %s (question %d) discrimination = %v, want %v", it.QuestionID, j+1, it.Discrimination, scRound4(disc))
		}
		if it.Flagged != (scRound4(disc) < exam.DiscriminationFloor) {
			t.Fatalf("item %s (question %d) flagged = %v with discrimination %v", it.QuestionID, j+1, it.Flagged, disc)
		}
		flagged[it.QuestionID] = it.Flagged
	}
	// C2 is answered correctly by weak candidates (#5, #8, #9, #12) and wrongly by
	// the strong #2: its item–rest correlation is negative (−0.1845), the only one
	// under 0.1 (the others are 0.52–0.64).
	want := map[string]bool{r.qs[0].ID: false, r.qs[1].ID: false, r.qs[2].ID: false, r.qs[3].ID: false, r.qs[4].ID: false, r.qs[5].ID: true}
	if !reflect.DeepEqual(flagged, want) {
		t.Fatalf("flagged = %v, want only C2 (%s)", flagged, r.qs[5].ID)
	}
}

// TestStatisticsFollowVoiding: after a question is voided, statistics and item
// analysis use the rescored percents and leave the voided item out.
func TestStatisticsFollowVoiding(t *testing.T) {
	t.Parallel()
	r := scNewReview(t)
	ctx := r.e.ctx
	if _, err := r.e.s.CloseExam(ctx, r.e.admin, r.ex.ID); err != nil {
		t.Fatal(err)
	}
	// Candidate 5 objects to C2; voiding it leaves 5 questions.
	o, err := r.e.s.Object(ctx, r.cands[4], r.attempts[4], exam.ObjectionRequest{QuestionID: r.qs[5].ID, Text: "دو گزینه درست است"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.e.s.Resolve(ctx, r.e.admin, o.ID, exam.ResolveRequest{Decision: "void"})
	if err != nil {
		t.Fatal(err)
	}
	// Without C2 the maximum is 5: #1–#3 5 → 100 %, #4 3.75 → 75 %, #5 3 → 60 %
	// but law 50 % < 60 (F), #6 3 → 60 %, #7 bbbc_ 2.75 → 55 %: now P (it was
	// 45.83 % F), #8 1.25 → 25 %, #9 0, #10 −1.25 → −25 %, #11 2 → 40 % (its second
	// attempt a____ −5 %), #12 0.5 → 10 %. Only #7 flips.
	wantChanged := []exam.Change{{AttemptID: r.attempts[6], CandidateID: r.cands[6], NationalID: r.ids[6],
		PercentBefore: r.percent(6), PercentAfter: 55, PassedBefore: false, PassedAfter: true}}
	if res.Rescored == nil || res.Rescored.Rescored != 13 || !reflect.DeepEqual(res.Rescored.Changed, wantChanged) {
		t.Fatalf("rescoring = %+v, want 13 attempts, changed %+v", res.Rescored, wantChanged)
	}
	st, err := r.e.s.Statistics(ctx, r.ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Scores without C2: 5+5+5+3.75+3+3+2.75+1.25+0−1.25+2+0.5 = 30 → mean
	// 30/12/5·100 = 50 %; six pass.
	if st.Sat != 12 || st.Passed != 6 || !scClose(st.Mean, 50) || st.ReliabilityK != 5 {
		t.Fatalf("after voiding: sat %d passed %d mean %v items %d; want 12, 6, 50, 5", st.Sat, st.Passed, st.Mean, st.ReliabilityK)
	}
	items, err := r.e.s.Items(ctx, r.ex.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.QuestionID == r.qs[5].ID {
			if !it.Voided || it.Flagged || it.Discrimination != nil || it.P != 0 || it.Shown != 12 {
				t.Fatalf("voided item = %+v, want voided, unflagged, no discrimination", it)
			}
		} else if it.Voided {
			t.Fatalf("item %s voided", it.QuestionID)
		}
	}
}
