package handlers

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/council-exam/examd/exam"
	"github.com/council-exam/examd/input"
)

func (a *api) attemptResult(c *gin.Context) {
	r, err := a.deps.Attempts.Result(c.Request.Context(), session(c).SubjectID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (a *api) objectToQuestion(c *gin.Context) {
	var req exam.ObjectionRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	o, err := a.deps.Attempts.Object(c.Request.Context(), session(c).SubjectID, c.Param("id"), req)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, o)
}

func (a *api) listOwnObjections(c *gin.Context) {
	w, list, err := a.deps.Attempts.AttemptObjections(c.Request.Context(), session(c).SubjectID, c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"window": w, "items": list})
}

// resultsFilter reads the results table's query: constituency, passed,
// finish_reason, q (name or national ID), sort, order, page, per_page.
func resultsFilter(c *gin.Context, paged bool) (exam.ResultsFilter, error) {
	f := exam.ResultsFilter{ExamID: c.Param("id"), FinishReason: c.Query("finish_reason"), Search: c.Query("q"),
		Sort: c.Query("sort"), Desc: c.Query("order") == "desc"}
	p := &input.Error{}
	var fe *input.Error
	if err := f.Check(); errors.As(err, &fe) {
		p = fe
	}
	if v := c.Query("constituency"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			p.Add("constituency", "invalid")
		}
		f.ConstituencyID = n
	}
	if v := c.Query("passed"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			p.Add("passed", "invalid")
		}
		f.Passed = &b
	}
	if o := c.Query("order"); o != "" && o != "asc" && o != "desc" {
		p.Add("order", "one_of")
	}
	if paged {
		page, perPage, err := paging(c)
		var pe *input.Error
		if errors.As(err, &pe) {
			for k, why := range pe.Fields {
				p.Add(k, why)
			}
		}
		f.Page, f.PerPage = page, perPage
	}
	return f, p.Err()
}

func (a *api) examResults(c *gin.Context) {
	f, err := resultsFilter(c, true)
	if err != nil {
		writeError(c, err)
		return
	}
	rows, total, err := a.deps.Review.Results(c.Request.Context(), f)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "page": f.Page, "per_page": f.PerPage, "items": rows})
}

// exportHeader is the Persian header row of the results exports.
var exportHeader = []string{"نام داوطلب", "کد ملی", "حوزه انتخابیه", "نمره", "حداکثر نمره", "درصد", "نتیجه", "نحوه پایان", "زمان تحویل (UTC)", "درصد بخش‌ها"}

func exportRecord(r exam.ResultRow) []string {
	result := "مردود"
	if r.Passed {
		result = "قبول"
	}
	finish := map[string]string{exam.ReasonSubmitted: "تحویل داوطلب", exam.ReasonTimeout: "پایان وقت"}[r.FinishReason]
	var sections []exam.SectionScore
	_ = json.Unmarshal(r.SectionScores, &sections)
	parts := ""
	for i, s := range sections {
		if i > 0 {
			parts += "؛ "
		}
		parts += fmt.Sprintf("%s: %s", s.Title, strconv.FormatFloat(s.Percent, 'f', 2, 64))
	}
	return []string{cellText(r.Candidate), r.NationalID, cellText(r.Constituency), strconv.FormatFloat(r.Score, 'f', -1, 64),
		strconv.FormatFloat(r.MaxScore, 'f', -1, 64), strconv.FormatFloat(r.Percent, 'f', 2, 64), result, finish,
		r.SubmittedAt.Format(time.DateTime), cellText(parts)}
}

// cellText keeps a spreadsheet from reading text as a formula: text that begins
// with = + - @ or a tab or carriage return gets a leading apostrophe. Numbers
// (negative percents among them) are written as numbers and left alone.
func cellText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// exportCSV streams exactly the rows the filters select, as UTF-8 CSV with a
// byte-order mark so spreadsheet programs show Persian.
func (a *api) exportCSV(c *gin.Context) {
	f, err := resultsFilter(c, false)
	if err != nil {
		writeError(c, err)
		return
	}
	if _, err := a.deps.Exams.Exam(c.Request.Context(), f.ExamID); err != nil {
		writeError(c, err)
		return
	}
	startDownload(c, "text/csv; charset=utf-8", "results-"+f.ExamID+".csv")
	_, _ = c.Writer.WriteString("\ufeff")
	w := csv.NewWriter(c.Writer)
	_ = w.Write(exportHeader)
	n := 0
	err = a.deps.Review.EachResult(c.Request.Context(), f, func(r exam.ResultRow) error {
		if n++; n%500 == 0 {
			w.Flush()
		}
		return w.Write(exportRecord(r))
	})
	w.Flush()
	if err != nil {
		// The status line is gone; the client sees a cut file and the log says why.
		logger(c).Error("export csv cut short", "request_id", requestID(c), "err", err)
	}
}

func startDownload(c *gin.Context, contentType, filename string) {
	c.Header("Content-Type", contentType)
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Status(http.StatusOK)
}

// exportXLSX writes the same rows as an XLSX workbook through excelize's stream
// writer, which keeps rows out of memory.
func (a *api) exportXLSX(c *gin.Context) {
	f, err := resultsFilter(c, false)
	if err != nil {
		writeError(c, err)
		return
	}
	book := excelize.NewFile()
	defer book.Close()
	sheet := "نتایج"
	if err := book.SetSheetName("Sheet1", sheet); err != nil {
		writeError(c, err)
		return
	}
	if err := book.SetSheetView(sheet, 0, &excelize.ViewOptions{RightToLeft: boolp(true)}); err != nil {
		writeError(c, err)
		return
	}
	sw, err := book.NewStreamWriter(sheet)
	if err != nil {
		writeError(c, err)
		return
	}
	cells := func(vals []string) []any {
		out := make([]any, len(vals))
		for i, v := range vals {
			out[i] = v
		}
		return out
	}
	if err := sw.SetRow("A1", cells(exportHeader)); err != nil {
		writeError(c, err)
		return
	}
	row := 2
	err = a.deps.Review.EachResult(c.Request.Context(), f, func(r exam.ResultRow) error {
		rec := cells(exportRecord(r))
		rec[3], rec[4], rec[5] = r.Score, r.MaxScore, r.Percent
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(cell, rec)
	})
	if err != nil {
		writeError(c, err)
		return
	}
	if err := sw.Flush(); err != nil {
		writeError(c, err)
		return
	}
	startDownload(c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "results-"+f.ExamID+".xlsx")
	if err := book.Write(c.Writer); err != nil {
		logger(c).Error("export xlsx cut short", "request_id", requestID(c), "err", err)
	}
}

func boolp(b bool) *bool { return &b }

func (a *api) examStats(c *gin.Context) {
	st, err := a.deps.Review.Statistics(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (a *api) examItems(c *gin.Context) {
	items, err := a.deps.Review.Items(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, items)
}

func (a *api) attemptDetail(c *gin.Context) {
	d, err := a.deps.Review.AttemptDetail(c.Request.Context(), c.Param("id"), c.Param("attemptID"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (a *api) publishResults(c *gin.Context) {
	e, err := a.deps.Review.PublishResults(c.Request.Context(), official(c).Actor(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func (a *api) rescoreExam(c *gin.Context) {
	r, err := a.deps.Review.Rescore(c.Request.Context(), official(c).Actor(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (a *api) listObjections(c *gin.Context) {
	status := c.Query("status")
	if status != "" && status != "pending" && status != "rejected" && status != "voided" && status != "rekeyed" {
		writeError(c, input.Invalid("status", "one_of"))
		return
	}
	list, err := a.deps.Review.Objections(c.Request.Context(), exam.ObjectionFilter{ExamID: c.Query("exam_id"), Status: status})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

func (a *api) resolveObjection(c *gin.Context) {
	var req exam.ResolveRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	r, err := a.deps.Review.Resolve(c.Request.Context(), official(c).Actor(), c.Param("id"), req)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}
