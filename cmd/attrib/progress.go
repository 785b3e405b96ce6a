package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"attrib/ingest"
)

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// fileProgress draws a progress bar per file on a terminal (schollz/progressbar;
// one step of the bar per load step: hash, read, validate, write) and leaves
// one line per file; elsewhere it logs one slog line per file.
type fileProgress struct {
	w    io.Writer
	tty  bool
	mu   sync.Mutex
	name string
	size int64
	bar  *progressbar.ProgressBar
	stop chan struct{}
}

func newFileProgress() *fileProgress {
	return &fileProgress{w: os.Stderr, tty: isTerminal(os.Stderr)}
}

func (p *fileProgress) describe(step string) string {
	return fmt.Sprintf("%-8s %s (%s)", step, p.name, humanBytes(p.size))
}

func (p *fileProgress) Start(path string, size int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.name, p.size = filepath.Base(path), size
	if !p.tty {
		slog.Debug("ingest: loading", "file", path, "bytes", size)
		return
	}
	p.bar = progressbar.NewOptions(len(ingest.Steps),
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetWidth(20),
		progressbar.OptionSetDescription(p.describe("start")),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionClearOnFinish(),
	)
	p.stop = make(chan struct{})
	go p.tick(p.bar, p.stop)
}

// Step implements ingest.Stepper: the bar moves one step.
func (p *fileProgress) Step(path, step string) {
	if !p.tty {
		slog.Debug("ingest: step", "file", path, "step", step)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, s := range ingest.Steps {
		if s == step && p.bar != nil {
			p.bar.Describe(p.describe(step))
			_ = p.bar.Set(i)
		}
	}
}

// tick redraws the bar (its elapsed time) while a long step runs.
func (p *fileProgress) tick(bar *progressbar.ProgressBar, stop chan struct{}) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.bar == bar {
				_ = bar.RenderBlank()
			}
			p.mu.Unlock()
		}
	}
}

func (p *fileProgress) Done(r ingest.FileResult) {
	if p.tty {
		p.mu.Lock()
		if p.stop != nil {
			close(p.stop)
			p.stop = nil
		}
		if p.bar != nil {
			_ = p.bar.Finish() // clears the bar line
			p.bar = nil
		}
		fmt.Fprintf(p.w, "  %-10s %s: %s in %.1fs\n", r.Status, p.name, outcome(r), r.Duration.Seconds())
		p.mu.Unlock()
	}
	attrs := []any{"file", r.Path, "dataset", r.Dataset, "status", string(r.Status), "read", r.Read, "loaded", r.Loaded,
		"rejected", r.Rejected, "duplicate", r.Duplicate, "seconds", r.Duration.Seconds()}
	switch {
	case r.Status == ingest.Failed:
		slog.Error("ingest: file failed", append(attrs, "reason", r.Message)...)
	case !p.tty:
		slog.Info("ingest: file", attrs...)
	}
}

// outcome is the one-line result of a file.
func outcome(r ingest.FileResult) string {
	switch r.Status {
	case ingest.Loaded:
		return fmt.Sprintf("%d loaded, %d rejected, %d duplicate of %d read", r.Loaded, r.Rejected, r.Duplicate, r.Read)
	default:
		return r.Message
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

// printIngestReport prints the per-file summary table: file, dataset,
// status, read, loaded, rejected, duplicate and skipped (the same content was
// loaded before), then one line per file that did not load, with its reason.
func printIngestReport(w io.Writer, rep ingest.Report, baseDir string) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "file\tdataset\tstatus\tread\tloaded\trejected\tduplicate\tskipped\t")
	skipped := 0
	for _, f := range rep.Files {
		name := f.Path
		if rel, err := filepath.Rel(baseDir, f.Path); err == nil {
			name = rel
		}
		sk := "-"
		if f.Status == ingest.Skipped {
			sk = "yes"
			skipped++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t\n", name, f.Dataset, f.Status, f.Read, f.Loaded, f.Rejected, f.Duplicate, sk)
	}
	read, loaded, rejected, dup := rep.Totals()
	fmt.Fprintf(tw, "total\t\t%d files\t%d\t%d\t%d\t%d\t%d\t\n", len(rep.Files), read, loaded, rejected, dup, skipped)
	_ = tw.Flush()
	for _, f := range rep.Files {
		if f.Message != "" && f.Status != ingest.Loaded && f.Status != ingest.Skipped {
			fmt.Fprintf(w, "%s: %s: %s\n", f.Status, filepath.Base(f.Path), f.Message)
		}
	}
}
