package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// runPathsCmd runs `attrib paths` on a file holding content.
func runPathsCmd(t *testing.T, content string, args ...string) (string, error) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "paths.csv")
	if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := newPathsCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs(append([]string{f}, args...))
	cmd.SetContext(context.Background())
	err := cmd.Execute()
	return out.String(), err
}

type pathsRow struct {
	re, conv, value *float64
}

// pathsCSV parses the CSV output into model/channel -> row.
func pathsCSV(t *testing.T, out string) map[string]pathsRow {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if strings.Join(recs[0], ",") != "model,channel,removal_effect,conversions,value" {
		t.Fatalf("header %v", recs[0])
	}
	num := func(s string) *float64 {
		if s == "" {
			return nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return &x
	}
	m := map[string]pathsRow{}
	for _, r := range recs[1:] {
		m[r[0]+"/"+r[1]] = pathsRow{num(r[2]), num(r[3]), num(r[4])}
	}
	return m
}

func near(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }

func fmtp(p *float64) string {
	if p == nil {
		return "empty"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

// TestPathsKnownAnswers: DESIGN.md's Markov known answers, from files in
// ChannelAttribution's format. Worked by hand: a path's transitions carry
// weight conv + null.
//   - c1>c2>c3 (1 conv), c1 (1 null), c2>c3 (1 null): start -> c1 2/3, -> c2
//     1/3; c1 -> c2 1/2, -> null 1/2; c2 -> c3 1; c3 -> conv 1/2. P =
//     2/3*1/2*1/2 + 1/3*1/2 = 1/3; without c1 1/6 (RE 0.5); without c2 or c3 0 (RE 1);
//     credits RE/2.5 x 1 conversion.
//   - google ads (2 conv, 1 null), mailing (1), google ads>mailing (1):
//     start -> g 4/5, -> m 1/5; g -> conv 1/2, -> m 1/4, -> null 1/4; m -> conv 1.
//     P = 4/5*3/4 + 1/5 = 4/5; without g 1/5 (RE 3/4); without m 2/5 (RE 1/2);
//     credits RE/(5/4) x 4: 2.4 and 1.6.
//   - A>B>A>B>B>A, A>B>B>A>A, A>A (repeats collapse): A -> B 3, A -> conv 3,
//     B -> A 1. Without A 0 (RE 1), without B 1/2 (RE 1/2); credits RE/1.5 x 3.
func TestPathsKnownAnswers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file string
		want       map[string][2]float64 // channel -> removal effect, conversions
	}{
		{"three channels", "path,total_conversions,total_null\nc1 > c2 > c3,1,0\nc1,0,1\nc2 > c3,0,1\n",
			map[string][2]float64{"c1": {0.5, 0.2}, "c2": {1, 0.4}, "c3": {1, 0.4}}},
		{"google ads and mailing", "path,total_conversions,total_null\ngoogle ads,2,1\nmailing,1,0\ngoogle ads > mailing,1,0\n",
			map[string][2]float64{"google ads": {0.75, 2.4}, "mailing": {0.5, 1.6}}},
		{"repeats", "path,total_conversions,total_null\nA > B > A > B > B > A,1,0\nA > B > B > A > A,1,0\nA > A,1,0\n",
			map[string][2]float64{"A": {1, 2}, "B": {0.5, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, err := runPathsCmd(t, c.file, "--format", "csv", "--models", "markov")
			if err != nil {
				t.Fatal(err)
			}
			got := pathsCSV(t, out)
			if len(got) != len(c.want) {
				t.Fatalf("got %d rows, want %d:\n%s", len(got), len(c.want), out)
			}
			for ch, w := range c.want {
				r, ok := got["markov/"+ch]
				if !ok {
					t.Fatalf("no row for %s:\n%s", ch, out)
				}
				if !near(r.re, w[0]) {
					t.Errorf("%s removal effect %s, want %v", ch, fmtp(r.re), w[0])
				}
				if !near(r.conv, w[1]) {
					t.Errorf("%s conversions %s, want %v", ch, fmtp(r.conv), w[1])
				}
				if r.value != nil {
					t.Errorf("%s value %v without a value column", ch, *r.value)
				}
			}
		})
	}
}

// TestPathsModelsAndValue: shapley and fractribution credits and values
// worked by hand. Paths a (2 conv, 2 null, value 20), a > b (1 conv, 0 null,
// value 30), b (0 conv, 1 null). Shapley: v({a}) = 1/2, v({b}) = 0,
// v({a,b}) = 1; for the set {a,b}: phi_a = (1/2 + (1 - 0))/2 = 3/4,
// phi_b = (0 + (1 - 1/2))/2 = 1/4. So a = 2 + 3/4 = 2.75, b = 0.25, value
// a = 20 + 30*3/4 = 42.5, b = 7.5. Fractribution: P(a) = 1/2, P(b) = 0,
// P(a>b) = 1: position a gets 1 - P(b) = 1, position b 1 - P(a) = 1/2,
// normalised 2/3 and 1/3: a = 2 + 2/3, b = 1/3, value a = 40, b = 10.
func TestPathsModelsAndValue(t *testing.T) {
	t.Parallel()
	file := "path,total_conversions,total_null,total_conversion_value\na,2,2,20\na > b,1,0,30\nb,0,1,0\n"
	out, err := runPathsCmd(t, file, "--format", "csv", "--models", "shapley,fractribution")
	if err != nil {
		t.Fatal(err)
	}
	got := pathsCSV(t, out)
	want := map[string][2]float64{
		"shapley/a": {2.75, 42.5}, "shapley/b": {0.25, 7.5},
		"fractribution/a": {2 + 2.0/3, 40}, "fractribution/b": {1.0 / 3, 10},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d:\n%s", len(got), len(want), out)
	}
	for k, w := range want {
		r := got[k]
		if r.re != nil {
			t.Errorf("%s: removal effect %v, want empty", k, *r.re)
		}
		if !near(r.conv, w[0]) || !near(r.value, w[1]) {
			t.Errorf("%s: %s %s, want %v", k, fmtp(r.conv), fmtp(r.value), w)
		}
	}
}

// TestPathsFormats: table, json and parquet print the same numbers.
func TestPathsFormats(t *testing.T) {
	t.Parallel()
	content := "path,total_conversions,total_null\nc1 > c2 > c3,1,0\nc1,0,1\nc2 > c3,0,1\n"
	out, err := runPathsCmd(t, content, "--models", "markov")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.Contains(lines[0], "removal_effect") || !strings.Contains(out, "c1") {
		t.Fatalf("table:\n%s", out)
	}
	var c1 []string
	for _, l := range lines {
		if f := strings.Fields(l); len(f) >= 4 && f[1] == "c1" {
			c1 = f
		}
	}
	if c1 == nil || c1[0] != "markov" || c1[2] != "0.5" || c1[3] != "0.2" {
		t.Fatalf("table row for c1 %v:\n%s", c1, out)
	}

	out, err = runPathsCmd(t, content, "--models", "markov", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		Model         string   `json:"model"`
		Channel       string   `json:"channel"`
		RemovalEffect float64  `json:"removal_effect"`
		Conversions   float64  `json:"conversions"`
		Value         *float64 `json:"value"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(rows) != 3 || rows[1].Channel != "c2" || math.Abs(rows[1].RemovalEffect-1) > 1e-9 || math.Abs(rows[1].Conversions-0.4) > 1e-9 || rows[1].Value != nil {
		t.Fatalf("json: %+v", rows)
	}

	out, err = runPathsCmd(t, content, "--models", "markov", "--format", "parquet")
	if err != nil {
		t.Fatal(err)
	}
	pr, err := file.NewParquetReader(bytes.NewReader([]byte(out)))
	if err != nil {
		t.Fatal(err)
	}
	fr, err := pqarrow.NewFileReader(pr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if tbl.NumRows() != 3 || tbl.NumCols() != 5 || tbl.Schema().Field(3).Name != "conversions" {
		t.Fatalf("parquet: %d rows, schema %v", tbl.NumRows(), tbl.Schema())
	}
	conv := tbl.Column(3).Data().Chunk(0).ValueStr(0)
	if x, _ := strconv.ParseFloat(conv, 64); math.Abs(x-0.2) > 1e-9 {
		t.Fatalf("parquet c1 conversions %s, want 0.2", conv)
	}
}

// TestPathsBadInput: errors name the file, the line and the field.
func TestPathsBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, file, want string }{
		{"missing column", "path,total_conversions\na,1\n", `line 1: missing column "total_null"`},
		{"not a number", "path,total_conversions,total_null\na,1,0\nb,x,0\n", `line 3: total_conversions "x" is not a finite non-negative number`},
		{"negative", "path,total_conversions,total_null\na,1,-1\n", `line 2: total_null "-1"`},
		{"empty count", "path,total_conversions,total_null\na,1,\n", "line 2: total_null is empty"},
		{"empty path", "path,total_conversions,total_null\na,1,0\n\"\",1,0\n", "line 3: path is empty"},
		{"empty channel", "path,total_conversions,total_null\na > > b,1,0\n", `line 2: path "a > > b" has an empty channel`},
		{"value without conversions", "path,total_conversions,total_null,total_conversion_value\na,0,1,5\n", "line 2: total_conversion_value"},
		{"no rows", "path,total_conversions,total_null\n", "no paths"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := runPathsCmd(t, c.file, "--format", "csv")
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), "paths.csv") || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want the file and %q", err, c.want)
			}
		})
	}
	if _, err := runPathsCmd(t, "path,total_conversions,total_null\na,1,0\n", "--models", "last_touch"); err == nil || !strings.Contains(err.Error(), "unknown model") {
		t.Fatalf("unknown model: %v", err)
	}
}
