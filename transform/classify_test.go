package transform

import (
	"context"
	"maps"
	"testing"

	"attrib/testkit"
	"attrib/transform/channel"
	"attrib/warehouse"
)

// TestClassifyKeepsCombinations: the attribute combinations are kept in attrib_state with the loads
// they include. A run reads only the new loads' rows: a combination whose rows were removed behind
// its back (the datasets never lose rows in use; here it proves which rows were read) stays, a new
// load's combination is added; a full run reads every row again. The loads come from the rows
// themselves, whatever ingest_files says (tests and tools insert rows directly).
func TestClassifyKeepsCombinations(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := testkit.Warehouse(t, warehouse.Options{})
	c, err := w.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	exec := func(qs ...string) {
		t.Helper()
		for _, q := range qs {
			if _, err := c.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	cl, err := channel.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// mapped is channel_map as "channel|source|medium|campaign|interaction" -> channel.
	mapped := func(full bool) map[string]string {
		t.Helper()
		n, err := classify(ctx, c, cl, full)
		if err != nil {
			t.Fatal(err)
		}
		m := queryMap(t, c, `SELECT concat_ws('|', k_channel, k_source, k_medium, k_campaign, k_interaction), channel FROM channel_map`)
		if n != len(m) {
			t.Fatalf("classify counted %d combinations, channel_map has %d", n, len(m))
		}
		return m
	}
	exec(`INSERT INTO touchpoints (touchpoint_id, occurred_at, source, medium, campaign, source_name, load_id) VALUES
		('t1', '2025-01-01', 'google', 'cpc', 'brand', 's', 'l1'),
		('t2', '2025-01-02', 'google', 'cpc', 'brand', 's', 'l1'),
		('t3', '2025-01-02', 'newsletter', 'email', NULL, 's', 'l2')`,
		`INSERT INTO spend (spend_id, date, channel, campaign, spend, source_name, load_id) VALUES
		('s1', '2025-01-01', 'TV', 'spring', 100, 's', 'l2')`)
	want := map[string]string{
		"|google|cpc|brand|":  "Paid Search",
		"|newsletter|email||": "Email",
		"TV|||spring|":        "TV",
	}
	if got := mapped(false); !maps.Equal(got, want) {
		t.Fatalf("first run: %v, want %v", got, want)
	}

	// The next run: l1's rows are gone (only to show that they are not read again), l3 brings a
	// new combination and repeats one.
	exec(`DELETE FROM touchpoints WHERE load_id = 'l1'`,
		`INSERT INTO touchpoints (touchpoint_id, occurred_at, source, medium, campaign, source_name, load_id) VALUES
		('t4', '2025-01-03', 'facebook', 'paid_social', 'launch', 's', 'l3'),
		('t5', '2025-01-03', 'newsletter', 'email', NULL, 's', 'l3')`)
	want["|facebook|paid_social|launch|"] = "Paid Social"
	if got := mapped(false); !maps.Equal(got, want) {
		t.Fatalf("next run: %v, want %v", got, want)
	}
	var loads string
	if err := c.QueryRowContext(ctx, `SELECT string_agg(load_id, ',' ORDER BY load_id) FROM attrib_state.combination_loads`).Scan(&loads); err != nil {
		t.Fatal(err)
	}
	if loads != "l1,l2,l3" {
		t.Errorf("loads included: %s, want l1,l2,l3", loads)
	}

	// A full run reads every row: l1's combination is gone.
	delete(want, "|google|cpc|brand|")
	if got := mapped(true); !maps.Equal(got, want) {
		t.Fatalf("full run: %v, want %v", got, want)
	}
}
