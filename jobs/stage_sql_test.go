package jobs

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"attrib/demo"
	"attrib/transform"
)

// TestStagesDeclareTheTablesTheirSQLTouches checks every stage's
// declarations against the SQL it really runs: the demo pipeline runs twice
// (a full run, then an incremental run after one more day of sessions and
// conversions) with DuckDB's query log on, the logged statements are split
// by stage, and for each stage
//   - every _next_ or temp table its SQL reads and did not create itself is in
//     its Reads, and every _next_ or temp table in its Reads is read;
//   - every table in its Builds is created by its SQL, and every table it
//     creates that a later stage reads is in its Builds;
//   - every warehouse table its SQL reads is in its Reads or Writes, and every
//     warehouse table it changes (INSERT, UPDATE, DELETE, CREATE, DROP, ALTER)
//     is in its Writes (a schema name there covers its tables).
//
// pipeline_runs is the runner's own bookkeeping, written around the stages,
// and left out.
func TestStagesDeclareTheTablesTheirSQLTouches(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := demo.Generate(ctx, demo.Options{Dir: dir, People: 1000, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	// A small demo has less spend history than the media mix model asks for
	// by default; let it fit, so that the incrementality stage runs all of
	// its SQL.
	cfgPath := filepath.Join(dir, "attrib.yaml")
	y := bytes.Replace(readFile(t, cfgPath), []byte("\nincrementality:\n"), []byte("\nincrementality:\n  min_history_weeks: 8\n"), 1)
	if !bytes.Contains(y, []byte("min_history_weeks: 8")) {
		t.Fatal("the demo config has no incrementality section")
	}
	writeFile(t, cfgPath, y)
	// Hold the December day with the most conversions back for the second,
	// incremental run.
	convPath := filepath.Join(dir, "data", "conversions", "conversions.csv")
	perDay := map[string]int{}
	for _, ln := range bytes.Split(readFile(t, convPath), []byte("\n")) {
		if bytes.HasPrefix(ln, []byte("2025-12-")) {
			perDay[string(ln[:10])]++
		}
	}
	day := ""
	for d, n := range perDay {
		if day == "" || n > perDay[day] || (n == perDay[day] && d < day) {
			day = d
		}
	}
	webPath := filepath.Join(dir, "data", "web", "sessions-2025-12.ndjson")
	keepWeb, lateWeb := splitLines(t, webPath, func(ln []byte) bool { return bytes.HasPrefix(ln, []byte(`{"ts":"`+day)) })
	keepConv, lateConv := splitLines(t, convPath, func(ln []byte) bool { return bytes.HasPrefix(ln, []byte(day)) })
	if len(lateWeb) == 0 || len(lateConv) == 0 {
		t.Fatalf("no rows on %s: %d bytes of sessions, %d of conversions", day, len(lateWeb), len(lateConv))
	}
	writeFile(t, webPath, keepWeb)
	writeFile(t, convPath, keepConv)

	r, job := dirRunner(t, dir)
	defer r.W.Close()
	p, err := newPipeline(job.Steps, r.Cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := &stageLog{t: t, r: r, sql: map[string][]string{}}
	if _, err := r.W.DB().ExecContext(ctx, "CALL enable_logging('QueryLog')"); err != nil {
		t.Fatal(err)
	}
	r.beforeStep = func(ctx context.Context, step string) error { log.flush(ctx, step); return nil }
	full, err := r.Run(ctx, job, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	log.flush(ctx, "")
	writeFile(t, filepath.Join(dir, "data", "web", "sessions-"+day+".ndjson"), lateWeb)
	writeFile(t, convPath, append(keepConv, lateConv...))
	inc, err := r.Run(ctx, job, TriggerManual)
	if err != nil {
		t.Fatal(err)
	}
	log.flush(ctx, "")
	if full.Transform.Mode != transform.ModeFull || inc.Transform.Mode != transform.ModeIncremental {
		t.Fatalf("runs were %s and %s, want full then incremental", full.Transform.Mode, inc.Transform.Mode)
	}

	tables := log.warehouseTables(ctx)
	temps := map[string]bool{}
	for _, stmts := range log.sql {
		for _, s := range stmts {
			for _, m := range reTemp.FindAllStringSubmatch(s, -1) {
				temps[strings.ToLower(m[1])] = true
			}
		}
	}
	touched := map[string]sqlTouches{}
	for _, st := range p {
		touched[st.Name] = parseTouches(log.sql[st.Name], tables, temps)
	}
	for i, st := range p {
		checkStageTouches(t, st, touched[st.Name], p[i+1:], touched)
	}
}

// stageLog collects the query log by stage.
type stageLog struct {
	t       *testing.T
	r       *Runner
	current string
	sql     map[string][]string
}

// flush gives the statements logged since the last flush to the stage that
// was running, and makes next the running stage.
func (l *stageLog) flush(ctx context.Context, next string) {
	l.t.Helper()
	rows, err := l.r.W.DB().QueryContext(ctx, "SELECT message FROM duckdb_logs WHERE type = 'QueryLog' ORDER BY timestamp")
	if err != nil {
		l.t.Fatal(err)
	}
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			l.t.Fatal(err)
		}
		if l.current != "" && !strings.Contains(m, "duckdb_logs") {
			l.sql[l.current] = append(l.sql[l.current], m)
		}
	}
	rows.Close()
	if _, err := l.r.W.DB().ExecContext(ctx, "CALL truncate_duckdb_logs()"); err != nil {
		l.t.Fatal(err)
	}
	l.current = next
}

// warehouseTables maps each table kept in the warehouse (not temp, not
// _next_) to its schema.
func (l *stageLog) warehouseTables(ctx context.Context) map[string]string {
	rows, err := l.r.W.DB().QueryContext(ctx, `SELECT schema_name, table_name FROM duckdb_tables()
		WHERE NOT temporary AND database_name = current_database() AND table_name NOT LIKE '\_next\_%' ESCAPE '\'`)
	if err != nil {
		l.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var s, n string
		if err := rows.Scan(&s, &n); err != nil {
			l.t.Fatal(err)
		}
		out[n] = s
	}
	return out
}

// sqlTouches is what one stage's statements did to tables, by the names a
// Stage declares (next("t"), temp("t"), or a warehouse table).
type sqlTouches struct {
	reads, creates, changes map[string]bool
}

var (
	reToken   = regexp.MustCompile(`"[^"]*"(?:\."[^"]*"|\.\w+)?|\w+(?:\.(?:"[^"]*"|\w+))?|[(),;]`)
	reComment = regexp.MustCompile(`--[^\n]*`)
	// Statements that change a table, with the verb before its name.
	reChange = regexp.MustCompile(`(?i)\b(INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|DROP\s+TABLE|ALTER\s+TABLE|TRUNCATE)\s+(?:IF\s+EXISTS\s+)?((?:"?\w+"?\.)?"?\w+"?)`)
	reCreate = regexp.MustCompile(`(?i)\bCREATE\s+(?:OR\s+REPLACE\s+)?(TEMP\s+|TEMPORARY\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:"?\w+"?\.)?"?\w+"?)`)
	reRename = regexp.MustCompile(`(?i)\bRENAME\s+TO\s+"?(\w+)"?`)
	reTemp   = regexp.MustCompile(`(?i)\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP|TEMPORARY)\s+(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"?temp"?\.)?"?(\w+)"?`)
)

// parseTouches reads one stage's statements. warehouse maps warehouse
// tables to their schemas; temps are the temp tables the run created.
func parseTouches(stmts []string, warehouse map[string]string, temps map[string]bool) sqlTouches {
	name := func(raw string) (string, bool) {
		raw = strings.ToLower(strings.ReplaceAll(raw, `"`, ""))
		schema, table, qualified := strings.Cut(raw, ".")
		if !qualified {
			table, schema = schema, ""
		}
		ws, kept := warehouse[table]
		switch {
		case strings.HasPrefix(table, nextPrefix):
			return table, true
		case schema == "temp" || (schema == "" && temps[table]):
			return temp(table), true
		case kept && ws == "main" && (schema == "" || schema == "main"):
			return table, true
		case kept && schema == ws:
			return ws + "." + table, true
		}
		return "", false
	}
	tt := sqlTouches{reads: map[string]bool{}, creates: map[string]bool{}, changes: map[string]bool{}}
	for _, s := range stmts {
		for _, m := range reCreate.FindAllStringSubmatch(s, -1) {
			raw := m[2]
			if m[1] != "" {
				tt.creates[temp(strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(raw, "temp."), `"`, "")))] = true
			} else if n, ok := name(raw); ok {
				tt.creates[n] = true
			} else if strings.HasPrefix(strings.ToLower(raw), nextPrefix) {
				tt.creates[strings.ToLower(raw)] = true
			}
		}
		for _, m := range reRename.FindAllStringSubmatch(s, -1) {
			if n, ok := name(m[1]); ok && !isStaged(n) {
				tt.changes[n] = true
			}
		}
		for _, m := range reChange.FindAllStringSubmatch(s, -1) {
			if n, ok := name(m[2]); ok && !isStaged(n) {
				tt.changes[n] = true
			}
		}
		for _, raw := range tablesRead(s) {
			if n, ok := name(raw); ok {
				tt.reads[n] = true
			}
		}
	}
	for n := range tt.creates {
		if !isStaged(n) {
			tt.changes[n] = true
		}
	}
	return tt
}

// aliasStop are the words that end a FROM item instead of naming its alias.
var aliasStop = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`WHERE ON JOIN LEFT RIGHT INNER FULL OUTER CROSS NATURAL ANTI SEMI POSITIONAL
		ASOF GROUP ORDER LIMIT OFFSET UNION EXCEPT INTERSECT USING WINDOW QUALIFY HAVING RENAME ADD SET
		RETURNING SELECT VALUES TO BY NAME`) {
		aliasStop[w] = true
	}
}

// tablesRead lists the tables a statement reads: the items of its FROM
// lists ("FROM base b, types t"), the tables after JOIN and USING, and the
// table ALTER TABLE renames.
func tablesRead(stmt string) []string {
	toks := reToken.FindAllString(reComment.ReplaceAllString(stmt, ""), -1)
	upper := func(i int) string {
		if i < len(toks) {
			return strings.ToUpper(toks[i])
		}
		return ""
	}
	var out []string
	for i := 0; i < len(toks); i++ {
		switch u := upper(i); {
		case u == "FROM" || u == "JOIN" || u == "USING":
		case u == "ALTER" && upper(i+1) == "TABLE":
			i++
		default:
			continue
		}
		j := i + 1
		if upper(j) == "IF" && upper(j+1) == "EXISTS" {
			j += 2
		}
		for j < len(toks) && toks[j] != "(" && toks[j] != ")" && toks[j] != "," && toks[j] != ";" {
			out = append(out, toks[j])
			j++
			if upper(j) == "AS" {
				j++
			}
			if j < len(toks) && !aliasStop[upper(j)] && !strings.ContainsAny(toks[j], "(),;") {
				j++ // the alias
			}
			if j >= len(toks) || toks[j] != "," {
				break
			}
			j++
		}
	}
	return out
}

func checkStageTouches(t *testing.T, st Stage, got sqlTouches, later []Stage, all map[string]sqlTouches) {
	t.Helper()
	declared := func(list []string, n string) bool {
		if slices.Contains(list, n) {
			return true
		}
		// A schema in Writes covers its tables ("attrib_state").
		return slices.ContainsFunc(list, func(s string) bool { return strings.HasPrefix(n, s+".") })
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for n := range got.reads {
		if got.creates[n] || declared(st.Reads, n) || declared(st.Writes, n) {
			continue
		}
		add("reads %s, not declared in Reads", n)
	}
	for _, n := range st.Reads {
		if !got.reads[n] && !got.changes[n] {
			add("declares Reads %s, which its SQL never reads", n)
		}
	}
	for _, n := range st.Builds {
		if !got.creates[n] {
			add("declares Builds %s, which its SQL never creates", n)
		}
	}
	for n := range got.creates {
		if !isStaged(n) || slices.Contains(st.Builds, n) {
			continue
		}
		for _, l := range later {
			if all[l.Name].reads[n] && !all[l.Name].creates[n] {
				add("creates %s, which stage %s reads, without declaring it in Builds", n, l.Name)
			}
		}
	}
	for n := range got.changes {
		if n == "pipeline_runs" || declared(st.Writes, n) {
			continue
		}
		add("changes %s, not declared in Writes", n)
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Errorf("stage %s %s", st.Name, p)
	}
}
