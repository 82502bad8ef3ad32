package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"time"
)

// demoAdminPassword is the password seed-demo gives the official "admin".
const demoAdminPassword = "Tehran-Council-1400"

func createExam(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("exam", stderr, `examload exam --base URL [--username admin --password P] [--duration 2h] [--per-section 5]

Logs in as an admin official, creates an exam that opens now and draws
--per-section questions from every section of the bank that has enough active
questions (15 from seed-demo's three sections), publishes it, and prints its id
alone on stdout. The password defaults to $EXAMLOAD_OFFICIAL_PASSWORD, else to
seed-demo's admin password.`)
	baseFlag := fs.String("base", "", "examd's URL, e.g. http://127.0.0.1:18081")
	username := fs.String("username", "admin", "an admin official")
	password := fs.String("password", "", "the official's password")
	duration := fs.Duration("duration", 2*time.Hour, "time allowed per attempt")
	openFor := fs.Duration("open-for", 0, "how long the exam stays open from now (default: duration + 2h)")
	perSection := fs.Int("per-section", 5, "questions drawn from each section")
	grace := fs.Duration("grace", 30*time.Second, "grace after the deadline for saves in flight")
	title := fs.String("title", "", "the exam's title (default: a dated bench title)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	base, err := parseBase(*baseFlag)
	if err != nil {
		return fmt.Errorf("exam: %w", err)
	}
	if *password == "" {
		*password = getenv("EXAMLOAD_OFFICIAL_PASSWORD")
	}
	if *password == "" {
		*password = demoAdminPassword
	}
	if *duration < time.Second || *duration > 24*time.Hour {
		return errors.New("exam: --duration must be 1s…24h")
	}
	if *openFor == 0 {
		*openFor = *duration + 2*time.Hour
	}
	if *perSection <= 0 {
		return errors.New("exam: --per-section must be positive")
	}
	if *title == "" {
		*title = "Bench exam " + time.Now().UTC().Format(time.RFC3339)
	}

	client := newClient(newTransport(1, 0), 30*time.Second)
	if err := waitReady(ctx, client, base, 10*time.Second); err != nil {
		return fmt.Errorf("exam: %w", err)
	}
	status, body, res, err := doJSON(ctx, client, http.MethodPost, base+"/api/v1/official/login", "",
		map[string]string{"username": *username, "password": *password})
	if err != nil {
		return fmt.Errorf("exam: official login: %w", err)
	}
	if status != http.StatusOK {
		return fmt.Errorf("exam: official login: %s: %s", failureKind(status, body), sampleText(string(body)))
	}
	var token string
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie {
			token = c.Value
		}
	}
	if token == "" {
		return errors.New("exam: official login: no session cookie")
	}

	call := func(method, path string, in, out any, want int) error {
		status, body, _, err := doJSON(ctx, client, method, base+path, token, in)
		if err != nil {
			return fmt.Errorf("exam: %s %s: %w", method, path, err)
		}
		if status != want {
			return fmt.Errorf("exam: %s %s: %s: %s", method, path, failureKind(status, body), sampleText(string(body)))
		}
		if out != nil {
			return json.Unmarshal(body, out)
		}
		return nil
	}
	var counts map[string]int
	if err := call(http.MethodGet, "/api/v1/official/sections", nil, &counts, http.StatusOK); err != nil {
		return err
	}
	type section struct {
		Key        string  `json:"key"`
		Title      string  `json:"title"`
		Draw       int     `json:"draw"`
		MinPercent float64 `json:"min_percent"`
	}
	var sections []section
	for key, n := range counts {
		if n >= *perSection {
			sections = append(sections, section{Key: key, Title: key, Draw: *perSection})
		}
	}
	if len(sections) == 0 {
		return fmt.Errorf("exam: no section of the bank has %d active questions (run examd seed-demo)", *perSection)
	}
	sort.Slice(sections, func(i, j int) bool { return sections[i].Key < sections[j].Key })

	now := time.Now().UTC().Truncate(time.Second)
	req := map[string]any{
		"title":             *title,
		"sections":          sections,
		"duration_seconds":  int(duration.Seconds()),
		"opens_at":          now.Add(-time.Minute),
		"closes_at":         now.Add(*openFor),
		"grace_seconds":     int(grace.Seconds()),
		"shuffle_questions": true,
		"shuffle_options":   true,
		"points_correct":    1,
		"penalty_wrong":     "1/3",
		"pass_percent":      50,
		"max_attempts":      1,
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := call(http.MethodPost, "/api/v1/official/exams", req, &created, http.StatusCreated); err != nil {
		return err
	}
	if err := call(http.MethodPost, "/api/v1/official/exams/"+created.ID+"/publish", nil, nil, http.StatusOK); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "examload exam: published %q (%s): %d sections × %d questions, %s per attempt, open until %s\n",
		*title, created.ID, len(sections), *perSection, *duration, now.Add(*openFor).Format(time.RFC3339))
	fmt.Fprintln(stdout, created.ID)
	return nil
}
