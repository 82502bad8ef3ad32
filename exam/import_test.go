package exam_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/council-exam/examd/exam"
)

const bom = "\xef\xbb\xbf"

// mustImportError checks that err is an *exam.ImportError listing exactly want.
func mustImportError(tb testing.TB, err error, want []exam.LineError) {
	tb.Helper()
	var ie *exam.ImportError
	if !errors.As(err, &ie) {
		tb.Fatalf("err = %v, want *exam.ImportError", err)
	}
	if !reflect.DeepEqual(ie.Lines, want) {
		tb.Fatalf("import errors =\n%+v\nwant\n%+v", ie.Lines, want)
	}
}

func TestImportCSVPersianRoundTrip(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	// Excel's way: a byte-order mark and CRLF line ends; Arabic ي and ك as some
	// keyboards type them; ZWNJ inside words; a quoted stem with a comma.
	csv := bom + "section,stem,option_a,option_b,option_c,option_d,option_e,option_f,correct\r\n" +
		"councils_law,\"مدت هر دوره شوراها، چند سال است؟\",دو سال,چهار سال,شش سال,,,,b\r\n" +
		"councils_law,شوراي اسلامي روستا چگونه تشکيل مي‌شود؟,با انتخابات,با انتصاب,,,,,A\r\n" +
		"city_management,بودجه شهرداری را چه کسی تصویب می‌کند؟,شورای شهر,استانداری,وزارت کشور,فرمانداری,دادگستری,مجلس,a\r\n"
	items, err := exam.ParseCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatalf("ParseCSV: %v", err)
	}
	if got := []int{items[0].Line, items[1].Line, items[2].Line}; !reflect.DeepEqual(got, []int{2, 3, 4}) {
		t.Fatalf("lines = %v, want [2 3 4]", got)
	}
	before := len(mustAuditRows(t, db))
	n, err := s.ImportQuestions(ctx, admin, items, nil)
	if err != nil || n != 3 {
		t.Fatalf("ImportQuestions = %d, %v; want 3", n, err)
	}
	r := mustOneNewAuditRow(t, db, before, admin, "question.import", "")
	if !strings.Contains(r.Details, `"imported": 3`) {
		t.Fatalf("import audit details = %s, want imported 3", r.Details)
	}

	got, total, err := s.ListQuestions(ctx, exam.QuestionFilter{Page: 1, PerPage: 50})
	if err != nil || total != 3 {
		t.Fatalf("ListQuestions = %d, %v; want 3", total, err)
	}
	type row struct {
		Section, Stem, Correct string
		Options                []exam.Option
	}
	var rows []row
	for _, q := range got {
		rows = append(rows, row{q.Section, q.Stem, q.Correct, q.Options})
	}
	want := []row{
		{"city_management", "بودجه شهرداری را چه کسی تصویب می\u200cکند؟", "a", []exam.Option{
			{"a", "شورای شهر"}, {"b", "استانداری"}, {"c", "وزارت کشور"}, {"d", "فرمانداری"}, {"e", "دادگستری"}, {"f", "مجلس"}}},
		{"councils_law", "مدت هر دوره شوراها، چند سال است؟", "b", []exam.Option{{"a", "دو سال"}, {"b", "چهار سال"}, {"c", "شش سال"}}},
		{"councils_law", "شورای اسلامی روستا چگونه تشکیل می\u200cشود؟", "a", []exam.Option{{"a", "با انتخابات"}, {"b", "با انتصاب"}}},
	}
	// Rows inserted by one statement share created_at; compare in a fixed order.
	byStem := func(rs []row) {
		sort.Slice(rs, func(i, j int) bool { return rs[i].Section+rs[i].Stem < rs[j].Section+rs[j].Stem })
	}
	byStem(rows)
	byStem(want)
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("bank after import =\n%q\nwant\n%q", rows, want)
	}
	for _, r := range rows {
		if strings.ContainsAny(r.Stem, "يك") {
			t.Fatalf("stem %q still holds Arabic letter forms", r.Stem)
		}
	}
}

func TestImportCSVHeaderVariants(t *testing.T) {
	t.Parallel()
	s, _, admin := mustStore(t)
	ctx := context.Background()
	// Columns in another order, in upper case, and only two option columns.
	csv := "Correct, STEM ,option_b,Section,option_a\n" +
		"a,کدام نهاد بر شهرداری نظارت دارد؟,استانداری,city,شورای شهر\n"
	items, err := exam.ParseCSV(strings.NewReader(csv))
	if err != nil {
		t.Fatalf("ParseCSV: %v", err)
	}
	if n, err := s.ImportQuestions(ctx, admin, items, nil); err != nil || n != 1 {
		t.Fatalf("ImportQuestions = %d, %v; want 1", n, err)
	}
	qs, _, err := s.ListQuestions(ctx, exam.QuestionFilter{Page: 1, PerPage: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := exam.QuestionRequest{Section: "city", Stem: "کدام نهاد بر شهرداری نظارت دارد؟",
		Options: []exam.Option{{"a", "شورای شهر"}, {"b", "استانداری"}}, Correct: "a"}
	if len(qs) != 1 || qs[0].Section != want.Section || qs[0].Stem != want.Stem || qs[0].Correct != want.Correct || !reflect.DeepEqual(qs[0].Options, want.Options) {
		t.Fatalf("imported = %+v, want %+v", qs, want)
	}
}

func TestParseCSVRefusesStructure(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		csv  string
		want []exam.LineError
	}{
		{"missing header columns", "section,option_a,option_b\nlaw,x,y\n", []exam.LineError{{Line: 1,
			Message: "the header lacks the columns stem, correct (expected section,stem,option_a,option_b,option_c,option_d,option_e,option_f,correct)"}}},
		{"no header at all", "", []exam.LineError{{Line: 1, Message: "the file is empty"}}},
		{"invalid UTF-8 on line 3", bom + "section,stem,option_a,option_b,correct\nlaw,پرسش یک,الف,ب,a\nlaw,\xff\xfe bad,x,y,a\n",
			[]exam.LineError{{Line: 3, Message: "the file is not UTF-8 text"}}},
		{"Windows-1256 text", "section,stem,option_a,option_b,correct\nlaw,\xc7\xe1\xdf,x,y,a\n",
			[]exam.LineError{{Line: 2, Message: "the file is not UTF-8 text"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := exam.ParseCSV(strings.NewReader(tt.csv))
			if len(items) != 0 {
				t.Errorf("items = %+v, want none", items)
			}
			mustImportError(t, err, tt.want)
		})
	}
}

func TestImportCSVReportsEveryBadLineAndImportsNothing(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	mustQuestion(t, s, admin, exam.QuestionRequest{Section: "law", Stem: "این پرسش از پیش در بانک هست",
		Options: []exam.Option{{"a", "بله"}, {"b", "خیر"}}, Correct: "a"})
	beforeQ := mustCount(t, db, `SELECT count(*) FROM questions`)
	beforeA := len(mustAuditRows(t, db))

	csv := "section,stem,option_a,option_b,option_c,option_d,option_e,option_f,correct\n" + // 1
		"law,\"پرسشی درست\nکه دو سطر دارد\",الف,ب,,,,,a\n" + // 2–3: one record over two lines
		"law,,الف,ب,,,,,a\n" + // 4: no stem
		"law,کلید درست در گزینه‌ها نیست,الف,ب,ج,د,,,e\n" + // 5
		"law,فقط یک گزینه,الف,,,,,,a\n" + // 6
		"law,گزینه‌ها فاصله دارند,الف,ب,,د,,,a\n" + // 7
		"law,گزینه دوم خالی است,الف,,ج,,,,a\n" + // 8: one reason, not also too_few
		"\n" + // 9: blank, skipped
		"law,پرسش درست دیگر,الف,ب,ج,,,,c\n" + // 10
		"law,\"پرسشی درست\nكه دو سطر دارد\",یک,دو,,,,,b\n" + // 11–12: the stem of line 2 again (Arabic ك)
		"law,این پرسش از پیش در بانک هست,بله,خیر,,,,,b\n" + // 13
		"city,پرسش درست دیگر,الف,ب,,,,,a\n" // 14: same stem, another section: fine
	items, perr := exam.ParseCSV(strings.NewReader(csv))
	_, err := s.ImportQuestions(ctx, admin, items, perr)
	mustImportError(t, err, []exam.LineError{
		{Line: 4, Message: "stem: required"},
		{Line: 5, Message: "correct: not_an_option"},
		{Line: 6, Message: "options: too_few"},
		{Line: 7, Message: "option_d is filled after an empty option"},
		{Line: 8, Message: "option_c is filled after an empty option"},
		{Line: 11, Message: "the same stem as line 2 in section law"},
		{Line: 13, Message: "a question with this stem is already in section law"},
	})
	if got := mustCount(t, db, `SELECT count(*) FROM questions`); got != beforeQ {
		t.Fatalf("questions after a refused import = %d, want %d", got, beforeQ)
	}
	if got := len(mustAuditRows(t, db)); got != beforeA {
		t.Fatalf("audit rows after a refused import = %d, want %d", got, beforeA)
	}
}

func TestImportJSON(t *testing.T) {
	t.Parallel()
	s, db, admin := mustStore(t)
	ctx := context.Background()
	good := `[
		{"section":"law","stem":"پرسش نخست","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"},
		{"section":"law","stem":"پرسش دوم","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"},{"key":"c","text":"سه"}],"correct":"c"}
	]`
	items, err := exam.ParseJSON(strings.NewReader(good))
	if err != nil {
		t.Fatalf("ParseJSON: %v", err)
	}
	if n, err := s.ImportQuestions(ctx, admin, items, nil); err != nil || n != 2 {
		t.Fatalf("ImportQuestions(good JSON) = %d, %v; want 2", n, err)
	}
	beforeQ := mustCount(t, db, `SELECT count(*) FROM questions`)

	bad := `[
		{"section":"law","stem":"پرسش سوم","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"b"},
		{"section":"law","stem":"پرسش چهارم","options":"یک، دو","correct":"a"},
		{"section":"law","stem":"پرسش پنجم","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}]},
		{"section":"law","stem":"پرسش نخست","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"},
		{"section":"law","stem":"پرسش سوم","options":[{"key":"a","text":"یک"},{"key":"b","text":"دو"}],"correct":"a"}
	]`
	items, perr := exam.ParseJSON(strings.NewReader(bad))
	_, err = s.ImportQuestions(ctx, admin, items, perr)
	var ie *exam.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("ImportQuestions(bad JSON): err = %v, want *ImportError", err)
	}
	lines := []int{}
	for _, l := range ie.Lines {
		lines = append(lines, l.Line)
	}
	if !reflect.DeepEqual(lines, []int{2, 3, 4, 5}) {
		t.Fatalf("bad items = %+v, want items 2, 3, 4, 5", ie.Lines)
	}
	if m := ie.Lines[0].Message; !strings.HasPrefix(m, "not a question: ") {
		t.Errorf("item 2 message = %q, want not a question: …", m)
	}
	for i, want := range []string{"correct: required", "a question with this stem is already in section law", "the same stem as line 1 in section law"} {
		if got := ie.Lines[i+1].Message; got != want {
			t.Errorf("item %d message = %q, want %q", ie.Lines[i+1].Line, got, want)
		}
	}
	if got := mustCount(t, db, `SELECT count(*) FROM questions`); got != beforeQ {
		t.Fatalf("questions after a refused JSON import = %d, want %d", got, beforeQ)
	}

	for _, tt := range []struct{ name, body, prefix string }{
		{"an object, not an array", `{"section":"law"}`, "not a JSON array of questions: "},
		{"not JSON", `section,stem`, "not a JSON array of questions: "},
		{"an empty array", `[]`, "the file holds no questions"},
	} {
		items, perr := exam.ParseJSON(strings.NewReader(tt.body))
		_, err := s.ImportQuestions(ctx, admin, items, perr)
		var ie *exam.ImportError
		if !errors.As(err, &ie) || len(ie.Lines) != 1 || ie.Lines[0].Line != 1 || !strings.HasPrefix(ie.Lines[0].Message, tt.prefix) {
			t.Errorf("%s: err = %v (%+v), want one error on line 1 starting %q", tt.name, err, ie, tt.prefix)
		}
	}
}
