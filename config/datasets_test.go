package config

import (
	"strings"
	"testing"
)

func TestExperimentsDataset(t *testing.T) {
	ds, ok := LookupDataset("experiments")
	if !ok {
		t.Fatal("no experiments dataset")
	}
	var required []string
	for _, c := range ds.Columns {
		if c.Required {
			required = append(required, c.Name)
		}
	}
	if got := strings.Join(required, ","); got != "channel,start_date,end_date,incremental_conversions" {
		t.Errorf("required columns %s", got)
	}
	if len(ds.OneOf) != 1 || ds.OneOf[0].String() != "standard_error, or low and high" {
		t.Fatalf("one-of rules %v", ds.OneOf)
	}
	rule := ds.OneOf[0]
	for _, c := range []struct {
		given []string
		want  bool
	}{
		{[]string{"standard_error"}, true},
		{[]string{"low", "high"}, true},
		{[]string{"standard_error", "low"}, true},
		{[]string{"low"}, false},
		{[]string{"high"}, false},
		{nil, false},
	} {
		has := func(col string) bool { return strings.Contains(","+strings.Join(c.given, ",")+",", ","+col+",") }
		if got := rule.Satisfied(has); got != c.want {
			t.Errorf("%v: satisfied %v, want %v", c.given, got, c.want)
		}
	}
}

func TestExperimentsSourceConfig(t *testing.T) {
	good := "sources:\n  - name: lift\n    dataset: experiments\n    path: ex/*.csv\n" +
		"    columns: {channel: Channel, low: lo90, high: hi90}\n    constants: {design: geo}\n"
	if _, err := Parse([]byte(good), t.TempDir()); err != nil {
		t.Fatalf("experiments source: %v", err)
	}
	bad := "sources:\n  - name: lift\n    dataset: experiment\n    path: ex/*.csv\n"
	_, err := Parse([]byte(bad), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), `unknown dataset "experiment" (one of fx_rates, spend, identity_links, touchpoints, conversions, activity, experiments)`) {
		t.Errorf("unknown dataset: %v", err)
	}
	notCanonical := "sources:\n  - name: lift\n    dataset: experiments\n    path: ex/*.csv\n    columns: {lift: uplift}\n"
	if _, err := Parse([]byte(notCanonical), t.TempDir()); err == nil || !strings.Contains(err.Error(), `"lift" is not a column of dataset experiments`) {
		t.Errorf("non-canonical column: %v", err)
	}
}
