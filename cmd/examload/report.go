package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// table is the one summary table a command prints: a title and rows of
// metric and value.
type table struct {
	w     io.Writer
	title string
	rows  [][2]string
}

func newTable(w io.Writer, title string) *table { return &table{w: w, title: title} }

func (t *table) row(metric, value string) { t.rows = append(t.rows, [2]string{metric, value}) }

func (t *table) flush() error {
	fmt.Fprintln(t.w, t.title)
	tw := tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  metric\tvalue")
	fmt.Fprintln(tw, "  ------\t-----")
	for _, r := range t.rows {
		fmt.Fprintf(tw, "  %s\t%s\n", r[0], r[1])
	}
	return tw.Flush()
}

// latencyRows adds the percentiles of s to the table.
func (t *table) latencyRows(prefix string, s latencySummary) {
	if s.Count == 0 {
		t.row(prefix+" latency", "no successful request")
		return
	}
	t.row(prefix+" latency p50", fmtDuration(s.P50))
	t.row(prefix+" latency p95", fmtDuration(s.P95))
	t.row(prefix+" latency p99", fmtDuration(s.P99))
	t.row(prefix+" latency p99.9", fmtDuration(s.P999))
	t.row(prefix+" latency max", fmtDuration(s.Max))
	t.row(prefix+" latency mean", fmtDuration(s.Mean))
}

// failureRows adds one row per kind of failure, or "none".
func (t *table) failureRows(kinds []failureCount) {
	if len(kinds) == 0 {
		t.row("errors", "none")
		return
	}
	var total int64
	for _, k := range kinds {
		total += k.Count
	}
	t.row("errors", fmt.Sprint(total))
	for _, k := range kinds {
		t.row("  "+k.Kind, fmt.Sprintf("%d   e.g. %s", k.Count, k.Sample))
	}
}

// fmtDuration prints a duration in milliseconds (below 10 s) or seconds.
func fmtDuration(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// summary is the machine-readable result of a run: key=value lines that
// scripts/bench.sh reads.
type summary struct {
	lines []string
}

func (s *summary) set(key string, value any) {
	v := fmt.Sprint(value)
	if f, ok := value.(float64); ok {
		v = fmt.Sprintf("%.2f", f)
	}
	if d, ok := value.(time.Duration); ok {
		v = fmt.Sprintf("%.3f", float64(d)/float64(time.Millisecond))
	}
	v = strings.NewReplacer("\n", " ", "\r", " ").Replace(v)
	s.lines = append(s.lines, key+"="+v)
}

// latency adds the percentiles in milliseconds under prefix.
func (s *summary) latency(prefix string, l latencySummary) {
	s.set(prefix+"p50_ms", l.P50)
	s.set(prefix+"p95_ms", l.P95)
	s.set(prefix+"p99_ms", l.P99)
	s.set(prefix+"p999_ms", l.P999)
	s.set(prefix+"max_ms", l.Max)
	s.set(prefix+"mean_ms", l.Mean)
}

// failures adds the failure count and a one-line description of them.
func (s *summary) failures(kinds []failureCount) {
	var total int64
	parts := make([]string, 0, len(kinds))
	for _, k := range kinds {
		total += k.Count
		parts = append(parts, fmt.Sprintf("%s ×%d", k.Kind, k.Count))
	}
	s.set("errors", total)
	s.set("errors_detail", strings.Join(parts, "; "))
}

func (s *summary) write(path string) error {
	if path == "" {
		return nil
	}
	return writeFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Join(s.lines, "\n")+"\n")
		return err
	})
}
