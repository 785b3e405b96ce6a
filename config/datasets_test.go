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

// TestDatasetsAsDesigned: the canonical columns a source may give, the
// required ones and the identifiers, as DESIGN.md "Canonical inputs" lists
// them (in the tables' column order).
func TestDatasetsAsDesigned(t *testing.T) {
	ids := "customer_id,anonymous_id,email,phone"
	want := []struct{ name, columns, required string }{
		{"fx_rates", "date,currency,rate", "date,currency,rate"},
		{"spend", "date,channel,source,medium,campaign,spend,currency,impressions,clicks", "date,spend"},
		{"identity_links", "observed_at," + ids, ""},
		{"touchpoints", "touchpoint_id,occurred_at," + ids + ",channel,source,medium,campaign,content,term,interaction,cost,location", "occurred_at"},
		{"conversions", "conversion_id,occurred_at," + ids + ",conversion_type,revenue,currency,product", "occurred_at,conversion_type"},
		{"activity", "activity_id,occurred_at," + ids + ",event,value", "occurred_at,event"},
		{"experiments", "experiment_id,channel,conversion_type,start_date,end_date,incremental_conversions,standard_error,low,high,incremental_revenue,spend,design,notes",
			"channel,start_date,end_date,incremental_conversions"},
	}
	if len(Datasets) != len(want) {
		t.Fatalf("%d datasets, want %d", len(Datasets), len(want))
	}
	for i, w := range want {
		ds := Datasets[i]
		var cols, required, identifiers []string
		for _, c := range ds.Columns {
			cols = append(cols, c.Name)
			if c.Required {
				required = append(required, c.Name)
			}
			if c.Identifier {
				identifiers = append(identifiers, c.Name)
			}
		}
		got := struct{ name, columns, required string }{ds.Name, strings.Join(cols, ","), strings.Join(required, ",")}
		if got != w {
			t.Errorf("dataset %d: %+v, want %+v", i, got, w)
		}
		if hasIDs := strings.Contains(w.columns, ids); strings.Join(identifiers, ",") != map[bool]string{true: ids}[hasIDs] {
			t.Errorf("%s: identifiers %v", ds.Name, identifiers)
		}
	}
	if c, _ := LookupDataset("conversions"); c.Has("revenue_original") || c.Has("person_id") || c.Has("source_name") {
		t.Error("conversions: a column the pipeline sets is taken for a canonical one")
	}
}
