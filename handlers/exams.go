package handlers

import (
	"mime"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/council-exam/examd/exam"
)

func (a *api) listQuestions(c *gin.Context) {
	page, perPage, err := paging(c)
	if err != nil {
		writeError(c, err)
		return
	}
	items, total, err := a.deps.Exams.ListQuestions(c.Request.Context(), exam.QuestionFilter{
		Section: c.Query("section"),
		Status:  c.Query("status"),
		Text:    c.Query("q"),
		Page:    page,
		PerPage: perPage,
	})
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "page": page, "per_page": perPage, "items": items})
}

func (a *api) getQuestion(c *gin.Context) {
	q, err := a.deps.Exams.Question(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

func (a *api) sectionCounts(c *gin.Context) {
	counts, err := a.deps.Exams.SectionCounts(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, counts)
}

func (a *api) createQuestion(c *gin.Context) {
	var req exam.QuestionRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	q, err := a.deps.Exams.CreateQuestion(c.Request.Context(), official(c).Actor(), req)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, q)
}

func (a *api) updateQuestion(c *gin.Context) {
	var req exam.QuestionRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	q, err := a.deps.Exams.UpdateQuestion(c.Request.Context(), official(c).Actor(), c.Param("id"), req)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

func (a *api) retireQuestion(c *gin.Context) {
	q, err := a.deps.Exams.RetireQuestion(c.Request.Context(), official(c).Actor(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, q)
}

// importQuestions takes a CSV (text/csv) or JSON (application/json) file of
// questions and imports all of them or none.
func (a *api) importQuestions(c *gin.Context) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var items []exam.ImportItem
	var perr error
	switch mt {
	case "text/csv", "application/csv":
		items, perr = exam.ParseCSV(c.Request.Body)
	case "application/json":
		items, perr = exam.ParseJSON(c.Request.Body)
	default:
		writeError(c, &apiError{http.StatusUnsupportedMediaType, "unsupported_media_type", "send text/csv or application/json", nil})
		return
	}
	n, err := a.deps.Exams.ImportQuestions(c.Request.Context(), official(c).Actor(), items, perr)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"imported": n})
}

func (a *api) listExams(c *gin.Context) {
	list, err := a.deps.Exams.Exams(c.Request.Context())
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

func (a *api) getExam(c *gin.Context) {
	e, err := a.deps.Exams.Exam(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func (a *api) createExam(c *gin.Context) {
	var req exam.ExamRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	e, err := a.deps.Exams.CreateExam(c.Request.Context(), official(c).Actor(), req)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, e)
}

func (a *api) updateExam(c *gin.Context) {
	var req exam.ExamRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	e, err := a.deps.Exams.UpdateExam(c.Request.Context(), official(c).Actor(), c.Param("id"), req)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func (a *api) publishExam(c *gin.Context) {
	e, err := a.deps.Exams.PublishExam(c.Request.Context(), official(c).Actor(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func (a *api) closeExam(c *gin.Context) {
	e, err := a.deps.Exams.CloseExam(c.Request.Context(), official(c).Actor(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, e)
}

func (a *api) grantAccommodation(c *gin.Context) {
	var req exam.AccommodationRequest
	if err := decodeJSON(c, &req); err != nil {
		writeError(c, err)
		return
	}
	acc, err := a.deps.Exams.Grant(c.Request.Context(), official(c).Actor(), c.Param("id"), req)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusCreated, acc)
}

func (a *api) listAccommodations(c *gin.Context) {
	list, err := a.deps.Exams.Accommodations(c.Request.Context(), c.Param("id"))
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}
