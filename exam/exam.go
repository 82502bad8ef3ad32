// Package exam holds the qualification exam: the question bank, exams and their
// frozen question pools, accommodations, and (in later parts) attempts, timing,
// scoring and item analysis, with their PostgreSQL store.
package exam

import (
	"errors"
)

// Errors of the exam package; handlers map each to a status in one table.
var (
	// ErrNotFound is returned when no exam or question matches.
	ErrNotFound = errors.New("exam: not found")
	// ErrExamFrozen is returned for a change to an exam that is no longer a draft.
	ErrExamFrozen = errors.New("exam: exam is published and frozen")
	// ErrNotPublished is returned for closing an exam that is not published.
	ErrNotPublished = errors.New("exam: exam is not published")
	// ErrExamClosed is returned for a change to a closed exam (e.g. an accommodation).
	ErrExamClosed = errors.New("exam: exam is closed")
)
