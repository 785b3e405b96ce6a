package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"attrib/ingest"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// fileProgress shows one line per file on a terminal, and logs otherwise.
type fileProgress struct {
	w     io.Writer
	tty   bool
	start time.Time
}

func newFileProgress() *fileProgress {
	return &fileProgress{w: os.Stderr, tty: isTerminal(os.Stderr)}
}

func (p *fileProgress) Start(path string, size int64) {
	p.start = time.Now()
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K  loading %s (%s) ...", filepath.Base(path), humanBytes(size))
		return
	}
	slog.Debug("ingest: loading", "file", path, "bytes", size)
}

func (p *fileProgress) Done(r ingest.FileResult) {
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K")
	}
	if r.Status == ingest.Failed {
		slog.Error("ingest: file failed", "file", r.Path, "reason", r.Message)
	}
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// stepProgress prints the current step on a terminal.
func stepProgress() func(string) {
	if !isTerminal(os.Stderr) {
		return func(name string) { slog.Debug("step", "name", name) }
	}
	return func(name string) { fmt.Fprintf(os.Stderr, "\r\033[K  %s ...", name) }
}

func clearLine() {
	if isTerminal(os.Stderr) {
		fmt.Fprint(os.Stderr, "\r\033[K")
	}
}

// printIngestReport prints the per-file summary table.
func printIngestReport(w io.Writer, rep ingest.Report, baseDir string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file\tdataset\tstatus\tread\tloaded\trejected\tduplicate\t")
	for _, f := range rep.Files {
		name := f.Path
		if rel, err := filepath.Rel(baseDir, f.Path); err == nil {
			name = rel
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t\n", name, f.Dataset, f.Status, f.Read, f.Loaded, f.Rejected, f.Duplicate)
	}
	read, loaded, rejected, dup := rep.Totals()
	fmt.Fprintf(tw, "total\t\t\t%d\t%d\t%d\t%d\t\n", read, loaded, rejected, dup)
	_ = tw.Flush()
	for _, f := range rep.Files {
		if f.Message != "" && f.Status != ingest.Loaded {
			fmt.Fprintf(w, "%s: %s: %s\n", f.Status, filepath.Base(f.Path), f.Message)
		}
	}
}
