package server

import (
	"regexp"
	"strings"

	wire "github.com/jeroenrinzema/psql-wire"
)

// emptyAnswers are catalog queries about features DuckDB does not have
// (publications): the answer is no rows, with the columns the client reads.
var emptyAnswers = []struct {
	contains string
	columns  []string
}{
	{"FROM pg_catalog.pg_publication p", []string{"pubname", "?column?", "?column?"}},
}

// pgCatalogAnswer answers catalog queries DuckDB cannot run itself.
func pgCatalogAnswer(stmt string) (*wire.PreparedStatement, bool) {
	for _, a := range emptyAnswers {
		if strings.Contains(stmt, a.contains) {
			return fixedResult(a.columns, nil), true
		}
	}
	return nil, false
}

var catalogRewrites = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?i)OPERATOR\(\s*pg_catalog\.(~|!~|~~|!~~|~\*|!~\*|=|<>)\s*\)`), "$1"},
	{regexp.MustCompile(`(?i)\s+COLLATE\s+pg_catalog\."?default"?`), ""},
	{regexp.MustCompile(`(?i)::\s*pg_catalog\.regtype::\s*pg_catalog\.text`), "::VARCHAR"},
	{regexp.MustCompile(`(?i)'([A-Za-z0-9_.]*)'::\s*(pg_catalog\.)?regclass\b`), "(SELECT min(oid) FROM pg_catalog.pg_class WHERE relname = '$1')"},
	{regexp.MustCompile(`(?i)::\s*(pg_catalog\.)?(regclass|regproc|regtype|regnamespace|oid)\b`), "::BIGINT"},
	{regexp.MustCompile(`(?i)\bpg_catalog\.`), ""},
}

// rewriteCatalog adapts PostgreSQL catalog SQL of common clients to
// DuckDB: psql and JDBC drivers qualify functions and operators with
// pg_catalog and cast to reg* types DuckDB does not have.
func rewriteCatalog(stmt string) string {
	if !strings.Contains(strings.ToLower(stmt), "pg_") && !strings.Contains(strings.ToLower(stmt), "information_schema") {
		return stmt
	}
	for _, r := range catalogRewrites {
		stmt = r.re.ReplaceAllString(stmt, r.with)
	}
	stmt = shimRelations(stmt)
	return likeEscape.ReplaceAllStringFunc(stmt, func(m string) string {
		g := likeEscape.FindStringSubmatch(m)
		lit := g[4]
		if g[5] != "" { // an explicit ESCAPE clause says it all
			if g[3] == "" {
				return m
			}
			return g[1] + " '" + strings.NewReplacer(`\\`, `\`, `\'`, `''`).Replace(lit) + "'" + g[5]
		}
		if g[3] != "" { // E'...': backslash escapes
			lit = strings.NewReplacer(`\\`, `\`, `\'`, `''`).Replace(lit)
		}
		if !strings.Contains(lit, `\`) {
			return g[1] + " '" + lit + "'"
		}
		return g[1] + " '" + lit + `' ESCAPE '\'`
	})
}

// likeEscape finds LIKE patterns: PostgreSQL's LIKE escapes with a
// backslash by default, DuckDB's only with an ESCAPE clause.
var likeEscape = regexp.MustCompile(`(?i)\b((NOT\s+)?I?LIKE)\s+(E?)'((?:[^']|'')*)'(\s+ESCAPE\s+'[^']*')?`)

// shimmed are the catalog relations read from table macros of
// sql/pg_session.sql (attrib_<name>()) instead of DuckDB's own.
var shimmed = map[string]bool{
	"pg_class": true, "pg_database": true, "pg_roles": true, "pg_user": true, "pg_inherits": true,
	"pg_policy": true, "pg_statistic_ext": true, "pg_publication": true, "pg_publication_rel": true,
	"pg_publication_namespace": true, "pg_trigger": true, "pg_rewrite": true, "pg_partitioned_table": true,
	"pg_foreign_table": true, "pg_extension": true, "pg_matviews": true, "pg_attribute": true,
}

// relationRef finds a relation in a FROM list (after FROM, JOIN or a comma)
// and the word after it, which may be its alias.
var relationRef = regexp.MustCompile(`(?i)(\bFROM|\bJOIN|,)(\s+)(pg_[a-z_]+)\b(\s+(AS\s+)?([A-Za-z_][A-Za-z0-9_]*))?`)

// notAlias are words that may follow a relation without being its alias.
var notAlias = map[string]bool{
	"where": true, "join": true, "left": true, "right": true, "inner": true, "outer": true, "full": true,
	"cross": true, "natural": true, "on": true, "using": true, "group": true, "order": true, "limit": true,
	"offset": true, "union": true, "except": true, "intersect": true, "having": true, "window": true,
	"qualify": true, "fetch": true, "for": true, "as": true,
}

// shimRelations replaces shimmed relations in FROM lists by their table
// macros, keeping the name as alias so column references still bind.
func shimRelations(stmt string) string {
	var b strings.Builder
	last := 0
	for _, m := range relationRef.FindAllStringSubmatchIndex(stmt, -1) {
		name := strings.ToLower(stmt[m[6]:m[7]])
		if !shimmed[name] {
			continue
		}
		// pg_class.relname or pg_class(...) is not a relation in a FROM list.
		if m[7] < len(stmt) && (stmt[m[7]] == '.' || stmt[m[7]] == '(') {
			continue
		}
		b.WriteString(stmt[last:m[6]])
		b.WriteString("attrib_" + name + "()")
		if m[12] >= 0 && !notAlias[strings.ToLower(stmt[m[12]:m[13]])] {
			b.WriteString(stmt[m[7]:m[1]]) // the client's alias
		} else {
			b.WriteString(" AS " + name)
			if m[8] >= 0 {
				b.WriteString(stmt[m[8]:m[1]]) // the keyword that followed
			}
		}
		last = m[1]
	}
	b.WriteString(stmt[last:])
	return b.String()
}
