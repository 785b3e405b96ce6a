package jobs

import (
	"context"
	"slices"
	"strings"
	"testing"

	"attrib/config"
	"attrib/queries"
	"attrib/transform"
)

func stageNames(p pipeline) []string {
	var out []string
	for _, st := range p {
		out = append(out, st.Name)
	}
	return out
}

// TestPipelineFromSteps: a job's steps give the stages in the fixed order,
// "transform" or "evaluate" bringing in transform to publish.
func TestPipelineFromSteps(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Export: config.Export{Tables: []string{"channel_performance"}}}
	for _, c := range []struct {
		steps []string
		want  []string
	}{
		{[]string{"ingest", "transform", "evaluate", "export"}, []string{"ingest", "transform", "evaluate", "incrementality", "publish", "export"}},
		{[]string{"export", "evaluate", "ingest"}, []string{"ingest", "transform", "evaluate", "incrementality", "publish", "export"}},
		{[]string{"evaluate"}, []string{"transform", "evaluate", "incrementality", "publish"}},
		{[]string{"transform"}, []string{"transform", "evaluate", "incrementality", "publish"}},
		{[]string{"ingest"}, []string{"ingest"}},
		{[]string{"ingest", "export"}, []string{"ingest", "export"}},
	} {
		p, err := newPipeline(c.steps, cfg)
		if err != nil {
			t.Fatalf("%v: %v", c.steps, err)
		}
		if got := stageNames(p); !slices.Equal(got, c.want) {
			t.Errorf("%v: stages %v, want %v", c.steps, got, c.want)
		}
	}
}

// TestPipelineSegments: the stages from transform to publish share the
// session's connection; ingest and export open their own.
func TestPipelineSegments(t *testing.T) {
	t.Parallel()
	cfg := &config.Config{Export: config.Export{Tables: []string{"channel_roi"}}}
	p, err := newPipeline([]string{"ingest", "transform", "export"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]string
	for _, seg := range p.segments() {
		got = append(got, stageNames(seg))
	}
	want := [][]string{{"ingest"}, {"transform", "evaluate", "incrementality", "publish"}, {"export"}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("segments %v, want %v", got, want)
	}
	for _, seg := range p.segments() {
		for _, st := range seg {
			if st.shared() != seg[0].shared() {
				t.Fatalf("segment %v mixes shared and own connections", stageNames(seg))
			}
		}
	}
}

// TestPipelinePublishesEveryResultTable: what the stages declare they build
// under _next_ names is exactly the product's published tables
// (transform.Published and queries.Published), each built once, and the
// publish stage reads all of them.
func TestPipelinePublishesEveryResultTable(t *testing.T) {
	t.Parallel()
	p, err := newPipeline([]string{"transform"}, &config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	got := p.next()
	want := slices.Concat(transform.Published, queries.Published)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("stages build %v under _next_ names; published tables are %v", got, want)
	}
	publish := p[len(p)-1]
	reads := slices.DeleteFunc(slices.Clone(publish.Reads), isTemp) // the state's commit reads temp tables
	slices.Sort(reads)
	if publish.Name != "publish" || !slices.Equal(reads, nextAll(want)) {
		t.Fatalf("last stage %s reads %v", publish.Name, publish.Reads)
	}
}

// TestPipelineCheckCatchesMissingProducer: a stage reading a _next_ or temp
// table that no earlier stage builds is refused before anything runs, with
// the stage and the table named.
func TestPipelineCheckCatchesMissingProducer(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		p    pipeline
		want []string // fragments of the error
	}{
		{"evaluate without transform", pipeline{evaluateStage(), incrementalityStage()},
			[]string{"stage evaluate reads temp.touches", "no earlier stage"}},
		{"incrementality before evaluate", pipeline{transformStage(), incrementalityStage(), evaluateStage()},
			[]string{"stage incrementality reads temp.eval_params", "no earlier stage"}},
		{"a table nobody builds", pipeline{transformStage(), {Name: "extra", Reads: []string{next("nothing")}}},
			[]string{"stage extra reads _next_nothing", "no earlier stage"}},
		{"a temp table across a connection of its own", pipeline{transformStage(), exportStage([]string{"channel_roi"}), {Name: "late", Reads: []string{temp("touches")}}},
			[]string{"stage late reads temp.touches", "stage export runs on a connection of its own"}},
		{"built twice", pipeline{transformStage(), transformStage()},
			[]string{"stage transform builds _next_conversion_paths, which stage transform built already"}},
		{"builds a warehouse table", pipeline{{Name: "odd", Builds: []string{"touchpoints"}}},
			[]string{"stage odd builds touchpoints"}},
	} {
		err := c.p.check()
		if err == nil {
			t.Errorf("%s: check passed", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", c.name, err, w)
			}
		}
	}
	// Warehouse tables need no producer: export reads published tables and
	// transform the datasets, with nothing before them.
	if err := (pipeline{exportStage([]string{"channel_roi", "touchpoints"}), transformStage()}).check(); err != nil {
		t.Fatalf("warehouse tables refused: %v", err)
	}
}

// TestSessionDropsLeftovers: _next_ tables left by a run that died (a stale
// version of a published table and one no stage knows) are dropped before
// the stages build; the stale version is never published.
func TestSessionDropsLeftovers(t *testing.T) {
	t.Parallel()
	cfg, w := openSmall(t)
	ctx := context.Background()
	for _, q := range []string{
		"CREATE TABLE _next_channel_roi AS SELECT 'stale' AS marker",
		"CREATE TABLE _next_stray AS SELECT 1 AS x",
	} {
		if _, err := w.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	runOnce(t, cfg, w)
	var leftovers, marker int
	if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables() WHERE starts_with(table_name, '_next_')").Scan(&leftovers); err != nil || leftovers != 0 {
		t.Fatalf("%d _next_ tables left (%v)", leftovers, err)
	}
	if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'channel_roi' AND column_name = 'marker'").Scan(&marker); err != nil || marker != 0 {
		t.Fatalf("the stale channel_roi was published (%v)", err)
	}
}

func TestTimingsNote(t *testing.T) {
	var tm timings
	if got := tm.String(); got != "" {
		t.Errorf("no steps: %q, want empty", got)
	}
	tm.add("eval_person", 61.26)
	tm.add("funnel", 0.04)
	if got, want := tm.String(), "eval_person 61.3s, funnel 0.0s"; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
}
