package exam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/council-exam/examd/audit"
	"github.com/council-exam/examd/database"
	"github.com/council-exam/examd/input"
	"github.com/council-exam/examd/persian"
)

// ResultsFilter selects rows of an exam's results table. Each candidate counts
// with their best finished attempt (highest percent, then the earliest).
type ResultsFilter struct {
	ExamID         string
	ConstituencyID int
	Passed         *bool
	FinishReason   string
	Search         string
	Sort           string // name, national_id, constituency, percent, score, submitted_at
	Desc           bool
	Page, PerPage  int // PerPage 0: every row
}

// ResultRow is one candidate's line in the results table.
type ResultRow struct {
	AttemptID      string          `json:"attempt_id" db:"attempt_id"`
	CandidateID    string          `json:"candidate_id" db:"candidate_id"`
	Candidate      string          `json:"candidate" db:"candidate"`
	NationalID     string          `json:"national_id" db:"national_id"`
	ConstituencyID int             `json:"constituency_id" db:"constituency_id"`
	Constituency   string          `json:"constituency" db:"constituency"`
	Score          float64         `json:"score" db:"score"`
	MaxScore       float64         `json:"max_score" db:"max_score"`
	Percent        float64         `json:"percent" db:"percent"`
	SectionScores  json.RawMessage `json:"section_scores" db:"section_scores"`
	Passed         bool            `json:"passed" db:"passed"`
	FinishReason   string          `json:"finish_reason" db:"finish_reason"`
	SubmittedAt    time.Time       `json:"submitted_at" db:"submitted_at"`
	Total          int             `json:"-" db:"total"`
}

// resultSorts are the orders of the results table. Names sort in Persian
// alphabetical order (ICU's fa collation), not by code point, where پ چ ژ ک گ ی
// would fall after the Arabic letters.
var resultSorts = map[string]string{
	"name":         `c.last_name COLLATE "fa-x-icu", c.first_name COLLATE "fa-x-icu"`,
	"national_id":  "c.national_id",
	"constituency": `k.name_fa COLLATE "fa-x-icu"`,
	"percent":      "b.percent",
	"score":        "b.score",
	"submitted_at": "b.submitted_at",
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// Check normalises the filter and refuses an unknown sort or finish reason with
// an *input.Error.
func (f *ResultsFilter) Check() error {
	p := &input.Error{}
	if f.Sort == "" {
		f.Sort = "name"
	}
	if _, ok := resultSorts[f.Sort]; !ok {
		p.Add("sort", "one_of")
	}
	if f.FinishReason != "" && f.FinishReason != ReasonSubmitted && f.FinishReason != ReasonTimeout {
		p.Add("finish_reason", "one_of")
	}
	// The search is a literal: LIKE's wildcards in it match only themselves.
	f.Search = likeEscaper.Replace(persian.Text(persian.Digits(f.Search)))
	return p.Err()
}

func resultsQuery(f ResultsFilter) (string, []any) {
	order := resultSorts[f.Sort]
	if f.Desc {
		order = strings.ReplaceAll(order, ",", " DESC,") + " DESC"
	}
	q := `WITH b AS (
			SELECT DISTINCT ON (a.candidate_id) a.id, a.candidate_id, a.score, a.max_score, a.percent, a.section_scores,
				a.passed, a.finish_reason, a.submitted_at
			FROM attempts a WHERE a.exam_id = $1 AND a.finish_reason IS NOT NULL
			ORDER BY a.candidate_id, a.percent DESC NULLS LAST, a.submitted_at
		)
		SELECT b.id AS attempt_id, c.id AS candidate_id, c.first_name || ' ' || c.last_name AS candidate, c.national_id,
			k.id AS constituency_id, k.name_fa AS constituency, coalesce(b.score, 0) AS score,
			coalesce(b.max_score, 0) AS max_score, coalesce(b.percent, 0) AS percent,
			coalesce(b.section_scores, '[]') AS section_scores, coalesce(b.passed, false) AS passed,
			b.finish_reason, b.submitted_at, count(*) OVER () AS total
		FROM b JOIN candidates c ON c.id = b.candidate_id JOIN constituencies k ON k.id = c.constituency_id
		WHERE ($2 = 0 OR k.id = $2)
			AND ($3::boolean IS NULL OR coalesce(b.passed, false) = $3)
			AND ($4 = '' OR b.finish_reason = $4)
			AND ($5 = '' OR c.national_id LIKE $5 || '%' OR (c.first_name || ' ' || c.last_name) ILIKE '%' || $5 || '%')
		ORDER BY ` + order + `, b.id`
	args := []any{f.ExamID, f.ConstituencyID, f.Passed, f.FinishReason, f.Search}
	if f.PerPage > 0 {
		q += ` LIMIT $6 OFFSET $7`
		args = append(args, f.PerPage, (f.Page-1)*f.PerPage)
	}
	return q, args
}

// Results returns one page of an exam's results table and the number of rows
// the filter selects. It returns ErrNotFound or an *input.Error.
func (s *Store) Results(ctx context.Context, f ResultsFilter) ([]ResultRow, int, error) {
	if !database.IsUUID(f.ExamID) {
		return nil, 0, ErrNotFound
	}
	if _, err := getExam(ctx, s.DB, f.ExamID, false); err != nil {
		return nil, 0, err
	}
	if err := f.Check(); err != nil {
		return nil, 0, err
	}
	q, args := resultsQuery(f)
	rows := []ResultRow{}
	if err := s.DB.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("exam: results: %w", err)
	}
	total := 0
	if len(rows) > 0 {
		total = rows[0].Total
	} else if f.Page > 1 {
		// Past the last page: count without paging.
		all := f
		all.PerPage = 1
		all.Page = 1
		q, args := resultsQuery(all)
		var one []ResultRow
		if err := s.DB.SelectContext(ctx, &one, q, args...); err != nil {
			return nil, 0, fmt.Errorf("exam: results: %w", err)
		}
		if len(one) > 0 {
			total = one[0].Total
		}
	}
	for i := range rows {
		rows[i].SubmittedAt = rows[i].SubmittedAt.UTC()
	}
	return rows, total, nil
}

// EachResult streams every row the filter selects (no paging) to fn, one at a
// time, so exports never hold the whole table in memory.
func (s *Store) EachResult(ctx context.Context, f ResultsFilter, fn func(ResultRow) error) error {
	if !database.IsUUID(f.ExamID) {
		return ErrNotFound
	}
	if _, err := getExam(ctx, s.DB, f.ExamID, false); err != nil {
		return err
	}
	f.PerPage = 0
	if err := f.Check(); err != nil {
		return err
	}
	q, args := resultsQuery(f)
	rows, err := s.DB.QueryxContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("exam: export: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ResultRow
		if err := rows.StructScan(&r); err != nil {
			return fmt.Errorf("exam: export: %w", err)
		}
		r.SubmittedAt = r.SubmittedAt.UTC()
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// itemData is every finished best attempt's marks, read once for statistics.
type itemData struct {
	rules    ScoringRules
	keyed    map[string]KeyedQuestion
	attempts []attemptMarks
	f        *frozenExam
}

type attemptMarks struct {
	constituencyID int
	constituency   string
	percent        float64
	passed         bool
	total          float64
	drawn          []DrawnQuestion
	answers        map[string]string
	marks          map[string]float64 // question id → mark
}

func (s *Store) loadItemData(ctx context.Context, examID string) (*itemData, error) {
	if !database.IsUUID(examID) {
		return nil, ErrNotFound
	}
	f, err := s.frozen(ctx, examID)
	if err != nil {
		return nil, err
	}
	ov, err := overrides(ctx, s.DB, examID)
	if err != nil {
		return nil, err
	}
	d := &itemData{rules: f.exam.Rules(), keyed: map[string]KeyedQuestion{}, f: f}
	for id, q := range f.questions {
		k := KeyedQuestion{ID: id, Section: q.Section, Correct: q.Correct}
		if o, ok := ov[id]; ok {
			k.Voided = o.Voided
			if o.Correct != nil {
				k.Correct = *o.Correct
			}
		}
		d.keyed[id] = k
	}
	const q = `WITH b AS (
			SELECT DISTINCT ON (a.candidate_id) a.id, a.candidate_id, a.questions, a.percent, a.passed
			FROM attempts a WHERE a.exam_id = $1 AND a.finish_reason IS NOT NULL
			ORDER BY a.candidate_id, a.percent DESC NULLS LAST, a.submitted_at
		)
		SELECT b.questions, coalesce(b.percent, 0) AS percent, coalesce(b.passed, false) AS passed,
			k.id AS constituency_id, k.name_fa AS constituency,
			coalesce((SELECT jsonb_object_agg(ans.question_id, ans.choice) FROM answers ans
				WHERE ans.attempt_id = b.id AND ans.choice IS NOT NULL), '{}') AS answers
		FROM b JOIN candidates c ON c.id = b.candidate_id JOIN constituencies k ON k.id = c.constituency_id`
	rows, err := s.DB.QueryxContext(ctx, q, examID)
	if err != nil {
		return nil, fmt.Errorf("exam: statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r struct {
			Questions      json.RawMessage `db:"questions"`
			Percent        float64         `db:"percent"`
			Passed         bool            `db:"passed"`
			ConstituencyID int             `db:"constituency_id"`
			Constituency   string          `db:"constituency"`
			Answers        json.RawMessage `db:"answers"`
		}
		if err := rows.StructScan(&r); err != nil {
			return nil, fmt.Errorf("exam: statistics: %w", err)
		}
		m := attemptMarks{constituencyID: r.ConstituencyID, constituency: r.Constituency, percent: r.Percent, passed: r.Passed,
			marks: map[string]float64{}}
		if err := json.Unmarshal(r.Questions, &m.drawn); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r.Answers, &m.answers); err != nil {
			return nil, err
		}
		for _, dq := range m.drawn {
			k := d.keyed[dq.ID]
			if k.Voided {
				continue
			}
			mark := ratFloat(Mark(d.rules, k, m.answers[dq.ID]))
			m.marks[dq.ID] = mark
			m.total += mark
		}
		d.attempts = append(d.attempts, m)
	}
	return d, rows.Err()
}

// HistogramBin counts percents in [From, To) (the last bin includes 100).
type HistogramBin struct {
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Count int     `json:"count"`
}

// ConstituencyStats is the pass rate in one constituency.
type ConstituencyStats struct {
	ID       int     `json:"constituency_id"`
	Name     string  `json:"constituency"`
	Sat      int     `json:"sat"`
	Passed   int     `json:"passed"`
	PassRate float64 `json:"pass_rate"`
	Mean     float64 `json:"mean"`
}

// Stats describes an exam's results: counts, the distribution of percents, and
// reliability (KR-20, which is Cronbach's alpha for marks) with the standard
// error of measurement.
type Stats struct {
	Sat            int                 `json:"sat"`
	Passed         int                 `json:"passed"`
	PassRate       float64             `json:"pass_rate"`
	Mean           float64             `json:"mean"`
	SD             float64             `json:"sd"`
	Median         float64             `json:"median"`
	Min            float64             `json:"min"`
	Max            float64             `json:"max"`
	KR20           *float64            `json:"kr20"`
	SEM            *float64            `json:"sem"`
	ReliabilityOn  string              `json:"reliability_basis"`
	ReliabilityK   int                 `json:"reliability_items"`
	Histogram      []HistogramBin      `json:"histogram"`
	ByConstituency []ConstituencyStats `json:"by_constituency"`
}

func meanSD(xs []float64) (mean, sd float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	if len(xs) < 2 {
		return mean, 0
	}
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-1))
}

// variance is the population variance, as KR-20 uses it.
func variance(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	m, _ := meanSD(xs)
	var ss float64
	for _, x := range xs {
		ss += (x - m) * (x - m)
	}
	return ss / float64(len(xs))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Alpha returns Cronbach's alpha k/(k−1)·(1 − Σ item variances / variance of
// totals) for a matrix of marks (rows: candidates, columns: items), and false
// when it is undefined (fewer than two items or candidates, or no spread).
func Alpha(marks [][]float64) (float64, bool) {
	if len(marks) < 2 || len(marks[0]) < 2 {
		return 0, false
	}
	k := len(marks[0])
	totals := make([]float64, len(marks))
	var sumItemVar float64
	col := make([]float64, len(marks))
	for j := 0; j < k; j++ {
		for i, row := range marks {
			col[i] = row[j]
		}
		sumItemVar += variance(col)
	}
	for i, row := range marks {
		for _, v := range row {
			totals[i] += v
		}
	}
	vt := variance(totals)
	if vt == 0 {
		return 0, false
	}
	return float64(k) / float64(k-1) * (1 - sumItemVar/vt), true
}

// round keeps results readable and stable in JSON.
func round(x float64) float64 { return math.Round(x*10000) / 10000 }

// Statistics computes an exam's statistics over each candidate's best attempt.
// Reliability is computed over the questions every candidate was shown when
// there are at least two; with a random draw that leaves too few, it is computed
// over question positions (the n-th question of each attempt), and the basis is
// reported as "items" or "positions".
func (s *Store) Statistics(ctx context.Context, examID string) (Stats, error) {
	d, err := s.loadItemData(ctx, examID)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{Histogram: []HistogramBin{}, ByConstituency: []ConstituencyStats{}, ReliabilityOn: "items"}
	percents := make([]float64, len(d.attempts))
	byC := map[int]*ConstituencyStats{}
	byCPercents := map[int][]float64{}
	for i, a := range d.attempts {
		percents[i] = a.percent
		if a.passed {
			st.Passed++
		}
		c, ok := byC[a.constituencyID]
		if !ok {
			c = &ConstituencyStats{ID: a.constituencyID, Name: a.constituency}
			byC[a.constituencyID] = c
		}
		c.Sat++
		if a.passed {
			c.Passed++
		}
		byCPercents[a.constituencyID] = append(byCPercents[a.constituencyID], a.percent)
	}
	st.Sat = len(d.attempts)
	if st.Sat == 0 {
		return st, nil
	}
	st.PassRate = round(float64(st.Passed) / float64(st.Sat))
	mean, sd := meanSD(percents)
	st.Mean, st.SD, st.Median = round(mean), round(sd), round(median(percents))
	st.Min, st.Max = percents[0], percents[0]
	for _, p := range percents {
		st.Min, st.Max = math.Min(st.Min, p), math.Max(st.Max, p)
	}
	lo := math.Floor(st.Min/10) * 10
	for from := lo; from < 100 || from == lo; from += 10 {
		st.Histogram = append(st.Histogram, HistogramBin{From: from, To: from + 10})
	}
	for _, p := range percents {
		i := int(math.Floor((p - lo) / 10))
		if i >= len(st.Histogram) {
			i = len(st.Histogram) - 1
		}
		st.Histogram[i].Count++
	}
	for id, c := range byC {
		c.PassRate = round(float64(c.Passed) / float64(c.Sat))
		m, _ := meanSD(byCPercents[id])
		c.Mean = round(m)
		st.ByConstituency = append(st.ByConstituency, *c)
	}
	sort.Slice(st.ByConstituency, func(i, j int) bool { return st.ByConstituency[i].ID < st.ByConstituency[j].ID })

	matrix, basis := reliabilityMatrix(d)
	st.ReliabilityOn = basis
	if len(matrix) > 0 {
		st.ReliabilityK = len(matrix[0])
	}
	if a, ok := Alpha(matrix); ok {
		// SEM from the unrounded alpha; only what is shown is rounded.
		sem := round(sd * math.Sqrt(math.Max(0, 1-a)))
		a = round(a)
		st.KR20 = &a
		st.SEM = &sem
	}
	return st, nil
}

// reliabilityMatrix returns the marks matrix for alpha: over the questions every
// attempt shows, or else over positions.
func reliabilityMatrix(d *itemData) ([][]float64, string) {
	if len(d.attempts) == 0 {
		return nil, "items"
	}
	seenBy := map[string]int{}
	for _, a := range d.attempts {
		for id := range a.marks {
			seenBy[id]++
		}
	}
	var common []string
	for id, n := range seenBy {
		if n == len(d.attempts) {
			common = append(common, id)
		}
	}
	sort.Strings(common)
	if len(common) >= 2 {
		m := make([][]float64, len(d.attempts))
		for i, a := range d.attempts {
			row := make([]float64, len(common))
			for j, id := range common {
				row[j] = a.marks[id]
			}
			m[i] = row
		}
		return m, "items"
	}
	k := len(d.attempts[0].drawn)
	m := make([][]float64, len(d.attempts))
	for i, a := range d.attempts {
		row := make([]float64, k)
		for j := 0; j < k && j < len(a.drawn); j++ {
			row[j] = a.marks[a.drawn[j].ID]
		}
		m[i] = row
	}
	return m, "positions"
}

// Item is the analysis of one question across an exam's attempts.
type Item struct {
	QuestionID     string         `json:"question_id"`
	Section        string         `json:"section"`
	Stem           string         `json:"stem"`
	Correct        string         `json:"correct"`
	Voided         bool           `json:"voided"`
	Shown          int            `json:"shown"`
	P              float64        `json:"p"`
	Discrimination *float64       `json:"discrimination"`
	BlankRate      float64        `json:"blank_rate"`
	Options        map[string]int `json:"options"`
	Flagged        bool           `json:"flagged"`
}

// DiscriminationFloor is the corrected item–rest correlation under which a
// question is flagged for review.
const DiscriminationFloor = 0.1

func correlation(xs, ys []float64) (float64, bool) {
	if len(xs) < 2 {
		return 0, false
	}
	mx, _ := meanSD(xs)
	my, _ := meanSD(ys)
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, false
	}
	return sxy / math.Sqrt(sxx*syy), true
}

// Items analyses every question of the exam's pool that some attempt was shown:
// facility p (mean mark / maximum mark), discrimination as the corrected
// item–rest correlation (the item's mark against the total without it), the
// blank rate and how often each option was chosen. Questions with a
// discrimination under DiscriminationFloor (or none) are flagged.
func (s *Store) Items(ctx context.Context, examID string) ([]Item, error) {
	d, err := s.loadItemData(ctx, examID)
	if err != nil {
		return nil, err
	}
	type acc struct {
		marks, rests []float64
		blanks       int
		options      map[string]int
	}
	accs := map[string]*acc{}
	for _, a := range d.attempts {
		for _, dq := range a.drawn {
			x, ok := accs[dq.ID]
			if !ok {
				x = &acc{options: map[string]int{}}
				for _, o := range d.f.questions[dq.ID].Options {
					x.options[o.Key] = 0
				}
				accs[dq.ID] = x
			}
			mark := a.marks[dq.ID]
			x.marks = append(x.marks, mark)
			x.rests = append(x.rests, a.total-mark)
			if c := a.answers[dq.ID]; c == "" {
				x.blanks++
			} else {
				x.options[c]++
			}
		}
	}
	points := d.rules.PointsCorrect
	out := make([]Item, 0, len(accs))
	for id, x := range accs {
		q := d.f.questions[id]
		k := d.keyed[id]
		it := Item{QuestionID: id, Section: q.Section, Stem: q.Stem, Correct: k.Correct, Voided: k.Voided,
			Shown: len(x.marks), Options: x.options}
		it.BlankRate = round(float64(x.blanks) / float64(it.Shown))
		m, _ := meanSD(x.marks)
		if points > 0 && !k.Voided {
			it.P = round(m / points)
		}
		if r, ok := correlation(x.marks, x.rests); ok && !k.Voided {
			r = round(r)
			it.Discrimination = &r
		}
		it.Flagged = !k.Voided && (it.Discrimination == nil || *it.Discrimination < DiscriminationFloor)
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Section != out[j].Section {
			return out[i].Section < out[j].Section
		}
		return out[i].QuestionID < out[j].QuestionID
	})
	return out, nil
}

// AttemptDetail is everything an official sees of one attempt.
type AttemptDetail struct {
	AttemptID     string          `json:"attempt_id" db:"id"`
	ExamID        string          `json:"exam_id" db:"exam_id"`
	CandidateID   string          `json:"candidate_id" db:"candidate_id"`
	Candidate     string          `json:"candidate" db:"candidate"`
	NationalID    string          `json:"national_id" db:"national_id"`
	Constituency  string          `json:"constituency" db:"constituency"`
	Number        int             `json:"number" db:"number"`
	StartedAt     time.Time       `json:"started_at" db:"started_at"`
	DeadlineAt    time.Time       `json:"deadline_at" db:"deadline_at"`
	SubmittedAt   *time.Time      `json:"submitted_at" db:"submitted_at"`
	FinishReason  *string         `json:"finish_reason" db:"finish_reason"`
	ExtraSeconds  int             `json:"extra_seconds" db:"extra_seconds"`
	Score         *float64        `json:"score" db:"score"`
	MaxScore      *float64        `json:"max_score" db:"max_score"`
	Percent       *float64        `json:"percent" db:"percent"`
	Passed        *bool           `json:"passed" db:"passed"`
	SectionScores json.RawMessage `json:"section_scores" db:"section_scores"`
	Receipt       *string         `json:"receipt" db:"receipt"`
	Questions     json.RawMessage `json:"-" db:"questions"`
	Answers       []AnswerDetail  `json:"answers" db:"-"`
	Timeline      []audit.Record  `json:"timeline" db:"-"`
}

// AnswerDetail is one drawn question with the candidate's answer and the key.
type AnswerDetail struct {
	QuestionID string     `json:"question_id"`
	Section    string     `json:"section"`
	Stem       string     `json:"stem"`
	Options    []Option   `json:"options"`
	Correct    string     `json:"correct"`
	Voided     bool       `json:"voided"`
	Choice     *string    `json:"choice"`
	Flagged    bool       `json:"flagged"`
	Seq        *int64     `json:"seq"`
	SavedAt    *time.Time `json:"saved_at"`
}

// AttemptDetail returns an attempt of an exam for officials, with answers, keys
// and its timeline from the audit log. It returns ErrNotFound.
func (s *Store) AttemptDetail(ctx context.Context, examID, attemptID string) (AttemptDetail, error) {
	var d AttemptDetail
	if !database.IsUUID(attemptID) {
		return d, ErrNotFound
	}
	if !database.IsUUID(examID) {
		return d, ErrNotFound
	}
	const q = `SELECT a.id, a.exam_id, a.candidate_id, c.first_name || ' ' || c.last_name AS candidate, c.national_id,
			k.name_fa AS constituency, a.number, a.started_at, a.deadline_at, a.submitted_at, a.finish_reason,
			a.extra_seconds, a.score, a.max_score, a.percent, a.passed, coalesce(a.section_scores, '[]') AS section_scores,
			a.receipt, a.questions
		FROM attempts a JOIN candidates c ON c.id = a.candidate_id JOIN constituencies k ON k.id = c.constituency_id
		WHERE a.id = $1 AND a.exam_id = $2`
	err := database.Check(s.DB.GetContext(ctx, &d, q, attemptID, examID))
	if errors.Is(err, database.ErrNotFound) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("exam: attempt detail: %w", err)
	}
	f, err := s.frozen(ctx, examID)
	if err != nil {
		return d, err
	}
	ov, err := overrides(ctx, s.DB, examID)
	if err != nil {
		return d, err
	}
	qs, err := keyed(f, d.Questions, ov)
	if err != nil {
		return d, err
	}
	var answers []struct {
		QuestionID string    `db:"question_id"`
		Choice     *string   `db:"choice"`
		Flagged    bool      `db:"flagged"`
		Seq        int64     `db:"seq"`
		SavedAt    time.Time `db:"saved_at"`
	}
	if err := s.DB.SelectContext(ctx, &answers, `SELECT question_id, choice, flagged, seq, saved_at FROM answers WHERE attempt_id = $1`, attemptID); err != nil {
		return d, fmt.Errorf("exam: attempt detail: %w", err)
	}
	byQ := map[string]int{}
	for i, a := range answers {
		byQ[a.QuestionID] = i
	}
	for _, k := range qs {
		full := f.questions[k.ID]
		ad := AnswerDetail{QuestionID: k.ID, Section: k.Section, Stem: full.Stem, Options: full.Options, Correct: k.Correct, Voided: k.Voided}
		if i, ok := byQ[k.ID]; ok {
			a := answers[i]
			seq, at := a.Seq, a.SavedAt.UTC()
			ad.Choice, ad.Flagged, ad.Seq, ad.SavedAt = a.Choice, a.Flagged, &seq, &at
		}
		d.Answers = append(d.Answers, ad)
	}
	d.Timeline = []audit.Record{}
	const tq = `SELECT id, at, actor_kind, actor_id, actor_name, action, object_type, object_id, details, hash
		FROM audit_log WHERE (object_type = 'attempt' AND object_id = $1)
			OR (object_type = 'objection' AND details->>'attempt_id' = $1)
		ORDER BY id`
	if err := s.DB.SelectContext(ctx, &d.Timeline, tq, attemptID); err != nil {
		return d, fmt.Errorf("exam: attempt timeline: %w", err)
	}
	return d, nil
}
