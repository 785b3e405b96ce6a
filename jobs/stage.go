package jobs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"attrib/config"
)

// Stage is one step of a job's pipeline. It declares the tables it reads and
// the tables it builds, so that the hand-off between stages is code that
// newPipeline checks, not prose:
//
//   - next("t") ("_next_t") is a published table built under its _next_ name
//     and published with the others by the publish stage;
//   - temp("t") ("temp.t") is a working temp table on the session's
//     connection, handed on to later stages of the same run;
//   - any other name is a warehouse table, kept between runs.
//
// A stage that reads or builds _next_ or temp tables runs on the session's
// connection (Session.Conn); the others open their own.
type Stage struct {
	Name string
	// Reads are the tables the stage reads: each _next_ or temp table must be
	// built by an earlier stage of the pipeline.
	Reads []string
	// Builds are the _next_ and temp tables the stage creates for later stages.
	Builds []string
	// Writes are the warehouse tables the stage changes in place (for the
	// reader; not checked).
	Writes []string
	// Run runs the stage; rows and note go to pipeline_runs.steps.
	Run func(ctx context.Context, s *Session) (rows int64, note string, err error)
}

const (
	nextPrefix = "_next_"
	tempPrefix = "temp."
)

// next names the table a stage builds in place of published table t.
func next(t string) string { return nextPrefix + t }

// temp names the working temp table t handed on between stages.
func temp(t string) string { return tempPrefix + t }

// nextAll is next of each of tables.
func nextAll(tables ...[]string) []string {
	var out []string
	for _, t := range slices.Concat(tables...) {
		out = append(out, next(t))
	}
	return out
}

// isNext reports whether table is a _next_ table; isTemp, a working temp table.
func isNext(table string) bool { return strings.HasPrefix(table, nextPrefix) }
func isTemp(table string) bool { return strings.HasPrefix(table, tempPrefix) }

// shared reports whether the stage needs the session's connection: its temp
// tables live there and its _next_ tables are cleaned up and published there.
func (st Stage) shared() bool {
	return slices.ContainsFunc(st.Reads, isStaged) || slices.ContainsFunc(st.Builds, isStaged)
}

// isStaged reports whether table is built by a stage (not a warehouse table).
func isStaged(table string) bool { return isNext(table) || isTemp(table) }

// pipeline is the ordered list of stages of one run.
type pipeline []Stage

// newPipeline makes the pipeline of a job's steps. The steps run in the
// fixed order ingest, transform, evaluate, incrementality, publish, export;
// "transform" or "evaluate" in steps brings in the four stages from
// transform to publish, which share the session's connection.
func newPipeline(steps []string, cfg *config.Config) (pipeline, error) {
	var p pipeline
	if slices.Contains(steps, "ingest") {
		p = append(p, ingestStage())
	}
	if slices.Contains(steps, "transform") || slices.Contains(steps, "evaluate") {
		p = append(p, transformStage(), evaluateStage(), incrementalityStage())
		p = append(p, publishStage(p.next()))
	}
	if slices.Contains(steps, "export") {
		p = append(p, exportStage(cfg.Export.Tables))
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p, nil
}

// check verifies that every _next_ or temp table a stage reads is built by
// an earlier stage; a temp table must also still be on the connection (no
// stage on a connection of its own in between).
func (p pipeline) check() error {
	built := map[string]string{} // table -> stage that built it
	released := ""               // the last stage that released the connection
	for _, st := range p {
		if !st.shared() {
			released = st.Name
			for t := range built {
				if isTemp(t) {
					built[t] = ""
				}
			}
		}
		for _, t := range st.Reads {
			by, seen := built[t]
			switch {
			case !isStaged(t) || by != "":
			case seen:
				return fmt.Errorf("jobs: pipeline: stage %s reads %s, but stage %s runs on a connection of its own before it and the temp table is gone", st.Name, t, released)
			default:
				return fmt.Errorf("jobs: pipeline: stage %s reads %s, but no earlier stage of this pipeline builds it", st.Name, t)
			}
		}
		for _, t := range st.Builds {
			if !isStaged(t) {
				return fmt.Errorf("jobs: pipeline: stage %s builds %s: a stage builds _next_ or temp. tables only", st.Name, t)
			}
			if by := built[t]; by != "" {
				return fmt.Errorf("jobs: pipeline: stage %s builds %s, which stage %s built already", st.Name, t, by)
			}
			built[t] = st.Name
		}
	}
	return nil
}

// next lists the published tables the pipeline's stages build under _next_
// names, in the order they are built; they are published together.
func (p pipeline) next() []string {
	var out []string
	for _, st := range p {
		for _, t := range st.Builds {
			if isNext(t) {
				out = append(out, strings.TrimPrefix(t, nextPrefix))
			}
		}
	}
	return out
}

// segments splits the pipeline into runs of consecutive stages that share
// the session's connection or each open their own.
func (p pipeline) segments() []pipeline {
	var out []pipeline
	for i, st := range p {
		if i == 0 || st.shared() != p[i-1].shared() {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], st)
	}
	return out
}

// each calls do for every stage in order, stopping at the first error.
func (p pipeline) each(do func(Stage) error) error {
	for _, st := range p {
		if err := do(st); err != nil {
			return err
		}
	}
	return nil
}

// timings is a stage's steps and their seconds, in order, for its note.
type timings []stepTime

type stepTime struct {
	step    string
	seconds float64
}

func (t *timings) add(step string, seconds float64) { *t = append(*t, stepTime{step, seconds}) }

// String is "step 1.2s, step 0.3s" (one decimal, as the stages' own seconds).
func (t timings) String() string {
	var b strings.Builder
	for i, x := range t {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %.1fs", x.step, x.seconds)
	}
	return b.String()
}
