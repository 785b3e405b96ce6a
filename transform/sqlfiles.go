package transform

import (
	"embed"
	"io/fs"
	"strings"
	"text/template"

	"attrib/warehouse"
)

// The transform's statements, one embedded file each under sql/<stage>/ (sql/README.md). Every
// file is read, and every template parsed and rendered for each value it is used with, when
// the package initialises: a missing file or a broken template panics at start-up (and fails
// every test), never in the middle of a run. sqlfiles_test.go checks that every embedded file
// is loaded here and that every statement loaded is used.

//go:embed sql/*/*.sql sql/*/*.sql.tmpl
var sqlFS embed.FS

// loaded records the files the package loaded (sqlfiles_test.go).
var loaded = map[string]bool{}

// mustSQL returns the embedded file sql/<file>.
func mustSQL(file string) string {
	loaded[file] = true
	return warehouse.EmbeddedSQL(sqlFS, file)
}

// tmpls holds every template under sql/, named by its path below sql/ (one template may use
// another's {{define}}: incremental/new_identifier_sets uses stitch/identifier_sets').
var tmpls = parseTemplates()

func parseTemplates() *template.Template {
	t := template.New("")
	err := fs.WalkDir(sqlFS, "sql", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".sql.tmpl") {
			return err
		}
		b, err := fs.ReadFile(sqlFS, p)
		if err == nil {
			_, err = t.New(strings.TrimPrefix(p, "sql/")).Parse(string(b))
		}
		return err
	})
	if err != nil {
		panic("transform: embedded SQL templates: " + err.Error())
	}
	return t
}

// mustRender renders the template sql/<file> with data.
func mustRender(file string, data any) string {
	loaded[file] = true
	return warehouse.RenderSQL(tmpls, file, data)
}

// setsData fills the identifier sets' templates (id_set_lists in identifier_sets.sql.tmpl): the
// new loads' rows only (Incremental), and whether identity.block lists identifiers (Blocked). The
// incremental sets are few and always made distinct.
type setsData struct{ Incremental, Blocked bool }

// pathData fills the templates that differ between full and incremental runs. LastKnown is set only
// to render attribution/nonconverting_paths.sql.tmpl for a full run without a conversion window, which
// reads each person's last touch from person_touches. Open renders the last pass of a statement cut
// by person id (warehouse.PersonParts), which has a lower bound only.
type pathData struct{ Incremental, LastKnown, Open bool }

// creditsData fills attribution/attribution_credits.sql.tmpl: the data-driven part (DataDriven),
// or the rule-based one, of the conversions of the people in inc_aff only (Incremental).
type creditsData struct{ Incremental, DataDriven bool }

const creditsFile = "attribution/attribution_credits.sql.tmpl"

const ncPathsFile = "attribution/nonconverting_paths.sql.tmpl"

// byMode is a statement (a string, or a byPart) rendered for a full run ([0]) and an incremental
// one ([1]).
type byMode[T any] [2]T

func renderModes(file string) byMode[string] {
	return byMode[string]{mustRender(file, pathData{}), mustRender(file, pathData{Incremental: true})}
}

func (b byMode[T]) get(d pathData) T {
	if d.Incremental {
		return b[1]
	}
	return b[0]
}

// byPart is a statement cut by person id rendered for the passes with both bounds ([0]) and for the
// open last pass ([1]); execPersonPasses runs it.
type byPart [2]string

func renderParts(file string, d pathData) byPart {
	d.Open = false
	closed := mustRender(file, d)
	d.Open = true
	return byPart{closed, mustRender(file, d)}
}

// renderModeParts is renderParts for a full run and an incremental one.
func renderModeParts(file string) byMode[byPart] {
	return byMode[byPart]{renderParts(file, pathData{}), renderParts(file, pathData{Incremental: true})}
}

// tableData fills the per-table templates.
type tableData struct {
	Table    string
	NewLoads bool
}

// byTable is a per-table statement rendered for each of personTables, without and with
// NewLoads.
type byTable map[string][2]string

func renderTables(file string) byTable {
	out := byTable{}
	for _, t := range personTables {
		q := warehouse.QuoteIdent(t)
		out[t] = [2]string{mustRender(file, tableData{Table: q}), mustRender(file, tableData{Table: q, NewLoads: true})}
	}
	return out
}

func (b byTable) get(table string, newLoads bool) string {
	if newLoads {
		return b[table][1]
	}
	return b[table][0]
}

// Classification (classify.go).
var (
	sqlAttributeCombinations = mustSQL("classify/attribute_combinations.sql")
	sqlCombinationLoadsNew   = mustSQL("classify/combination_loads_new.sql")
	sqlCombinationsAdd       = mustSQL("classify/combinations_add.sql")
	sqlCombinationLoadsAdd   = mustSQL("classify/combination_loads_add.sql")
	sqlCombinationsClear     = mustSQL("classify/combinations_clear.sql")
	sqlCombinationLoadsClear = mustSQL("classify/combination_loads_clear.sql")
	sqlChannelMapCreate      = mustSQL("classify/channel_map_create.sql")
	sqlChannelGroupsCreate   = mustSQL("classify/channel_groups_create.sql")
	sqlChannelMapInsert      = mustSQL("classify/channel_map_insert.sql")
)

// Identity stitching (stitch.go, guard.go, transform.go).
var (
	sqlBlockedHashes         = mustSQL("stitch/blocked_hashes.sql")
	sqlBlockedIdentifiers    = mustSQL("stitch/blocked_identifiers.sql")
	sqlIdentifierSets        = mustRender("stitch/identifier_sets.sql.tmpl", setsData{})
	sqlIdentifierSetsBlocked = mustRender("stitch/identifier_sets.sql.tmpl", setsData{Blocked: true})
	sqlIdentifierNodesOrder  = mustSQL("stitch/identifier_nodes_order.sql")
	sqlIdentifierNodes       = mustSQL("stitch/identifier_nodes.sql")
	sqlIdentifierNodesView   = mustSQL("stitch/identifier_nodes_view.sql")
	sqlIdentifierCount       = mustSQL("stitch/identifier_count.sql")
	sqlIdentifierEdges       = mustSQL("stitch/identifier_edges.sql")
	sqlRootsCreate           = mustSQL("stitch/roots_create.sql")
	sqlRootsFill             = mustSQL("stitch/roots_fill.sql")
	sqlIdentityOversized     = mustSQL("stitch/identity_oversized.sql")
	sqlIdentityMap           = mustSQL("stitch/identity_map.sql")
	sqlCappedPersonsClear    = mustSQL("stitch/capped_persons_clear.sql")
	sqlCappedPersons         = mustSQL("stitch/capped_persons.sql")
	sqlIdentityCounts        = mustSQL("stitch/identity_counts.sql")
	sqlPersonIDs             = renderTables("stitch/person_ids.sql.tmpl")

	// A full stitch that changes many rows rewrites the table instead of the UPDATE (stitch.go).
	sqlPersonIDsChanged      = renderTables("stitch/person_ids_changed.sql.tmpl")
	sqlPersonIDsNulls        = renderTables("stitch/person_ids_nulls.sql.tmpl")
	sqlPersonIDsRewriteDDL   = mustSQL("stitch/person_ids_rewrite_ddl.sql")
	sqlPersonIDsRewriteSize  = mustSQL("stitch/person_ids_rewrite_size.sql")
	sqlPersonIDsRewrites     = renderRewrites()
	sqlPersonIDsRewriteCount = mustSQL("stitch/person_ids_rewrite_count.sql")
	sqlPersonIDsRewriteClear = renderTables("stitch/person_ids_rewrite_clear.sql.tmpl")
	sqlPersonIDsRewriteSwap  = renderTables("stitch/person_ids_rewrite_swap.sql.tmpl")
)

// Incremental runs: planning, stitching the new loads, the state kept between runs and its
// commit (incremental.go, transform.go, datadriven.go).
var (
	sqlCoveredLoads         = mustSQL("incremental/covered_loads.sql")
	sqlStateFingerprint     = mustSQL("incremental/state_fingerprint.sql")
	sqlStateTables          = mustSQL("incremental/state_tables.sql")
	sqlNewLoads             = mustSQL("incremental/new_loads.sql")
	sqlNewLoadShare         = mustSQL("incremental/new_load_share.sql")
	sqlStateClear           = mustSQL("incremental/state_clear.sql")
	sqlNewIdentifierSets    = mustRender("incremental/new_identifier_sets.sql.tmpl", setsData{Incremental: true, Blocked: true})
	sqlComponentsCreate     = mustSQL("incremental/components_create.sql")
	sqlNewIdentifierList    = mustSQL("incremental/new_identifier_list.sql")
	sqlTouchedPersons       = mustSQL("incremental/touched_persons.sql")
	sqlNewPersonIDs         = mustSQL("incremental/new_person_ids.sql")
	sqlIncrementalGuard     = mustSQL("incremental/guard.sql")
	sqlIdentityMapUpdate    = mustSQL("incremental/identity_map_update.sql")
	sqlIdentityMapInsert    = mustSQL("incremental/identity_map_insert.sql")
	sqlMergePersons         = renderTables("incremental/merge_persons.sql.tmpl")
	sqlPendingPersons       = mustSQL("incremental/pending_persons.sql")
	sqlRenamedCount         = mustSQL("incremental/renamed_count.sql")
	sqlAffectedPersons      = mustSQL("incremental/affected_persons.sql")
	sqlRebuiltCount         = mustSQL("incremental/rebuilt_count.sql")
	sqlChannelGroupsChanged = mustSQL("incremental/channel_groups_changed.sql")
	sqlChangedDays          = mustSQL("incremental/changed_days.sql")
	sqlChangedTouchDays     = mustSQL("incremental/changed_touch_days.sql")
	sqlNonconvertingReady   = mustSQL("incremental/nonconverting_ready.sql")
	sqlCommitFull           = mustSQL("incremental/commit_full.sql")
	sqlCommitIncremental    = mustSQL("incremental/commit_incremental.sql")
	sqlCommitState          = mustSQL("incremental/commit_state.sql")

	// The tables kept in attrib_state read as temp views, and the rows of the people an
	// incremental run rebuilds deleted from them.
	sqlConvTouchesView     = mustRender("incremental/state_view.sql.tmpl", "conv_touches")
	sqlChannelIDsView      = mustRender("incremental/state_view.sql.tmpl", "channel_ids")
	sqlNCPathsView         = mustRender("incremental/state_view.sql.tmpl", "nc_paths")
	sqlConvTouchesDelete   = mustRender("incremental/delete_affected.sql.tmpl", "conv_touches")
	sqlNCPathsDelete       = mustRender("incremental/delete_affected.sql.tmpl", "nc_paths")
	sqlPersonTouchesView   = mustRender("incremental/state_view.sql.tmpl", "person_touches")
	sqlPersonTouchesDelete = mustRender("incremental/delete_affected.sql.tmpl", "person_touches")
)

// Conversion paths (transform.go).
var (
	sqlLookbacks             = mustSQL("paths/lookbacks.sql")
	sqlLookbackSet           = mustSQL("paths/lookback_set.sql")
	sqlAttributedConversions = mustSQL("paths/attributed_conversions.sql")
	sqlTouches               = mustRender("paths/touches.sql.tmpl", nil)
	sqlAffectedTouches       = mustRender("paths/affected_touches.sql.tmpl", nil)
	sqlConversionTouches     = renderModes("paths/conversion_touches.sql.tmpl")
	sqlConversionPaths       = renderModes("paths/conversion_paths.sql.tmpl")
	sqlConversionPathsDelete = mustSQL("paths/conversion_paths_delete.sql")
	sqlAllPaths              = renderModes("paths/all_paths.sql.tmpl")
	sqlPersonTouchesCreate   = mustSQL("paths/person_touches_create.sql")
	sqlPersonTouches         = renderModeParts("paths/person_touches.sql.tmpl")
	sqlPersonTouchesSize     = renderModes("paths/person_touches_size.sql.tmpl")
	sqlPersonTouchesReady    = mustSQL("paths/person_touches_ready.sql")
)

// Attribution: rule-based models in SQL, data-driven ones in Go, the credits table
// (transform.go, datadriven.go).
var (
	sqlModels               = mustSQL("attribution/models.sql")
	sqlRefitModels          = mustSQL("attribution/refit_models.sql")
	sqlRuleCredits          = renderModes("attribution/rule_credits.sql.tmpl")
	sqlDataDrivenPartCreate = mustSQL("attribution/data_driven_part_create.sql")
	sqlChannelIDs           = renderModes("attribution/channel_ids.sql.tmpl")
	sqlMarkovRemovalCreate  = mustSQL("attribution/markov_removal_effects_create.sql")
	sqlNonconvertingPaths   = renderModeParts(ncPathsFile)
	sqlNCPathsLastKnown     = renderParts(ncPathsFile, pathData{LastKnown: true})
	sqlNCPathsCreate        = mustSQL("attribution/nc_paths_create.sql")
	sqlNCPathCounts         = mustSQL("attribution/nc_path_counts.sql")
	sqlConverterPathCounts  = mustSQL("attribution/converter_path_counts.sql")
	sqlNCPathsSize          = renderModes("attribution/nc_paths_size.sql.tmpl")
	sqlChannelList          = mustSQL("attribution/channel_list.sql")
	sqlConversionTypes      = mustSQL("attribution/conversion_types.sql")
	sqlDataDrivenPaths      = mustSQL("attribution/data_driven_paths.sql")
	sqlConvSteps            = mustSQL("attribution/conv_steps.sql")
	sqlPathCreditsCreate    = mustSQL("attribution/path_credits_create.sql")
	sqlDataDrivenCredits    = mustSQL("attribution/data_driven_credits.sql")
	sqlIncConversions       = mustSQL("attribution/inc_conversions.sql")
	sqlCreditsRuleFull      = mustRender(creditsFile, creditsData{})
	sqlCreditsRuleInc       = mustRender(creditsFile, creditsData{Incremental: true})
	sqlCreditsRuleBased     = byMode[string]{sqlCreditsRuleFull, sqlCreditsRuleInc}
	sqlCreditsDataDriven    = mustRender(creditsFile, creditsData{DataDriven: true})
	sqlCreditsView          = renderModes("attribution/attribution_credits_view.sql.tmpl")
	sqlCreditsRuleDelete    = mustSQL("attribution/attribution_credits_rule_delete.sql")
	sqlResultCounts         = mustSQL("attribution/result_counts.sql")
)

// idKinds are the identifier types in the order that picks a row's first identifier (stitching's
// coalesce('c:' || customer_id, 'a:' || anonymous_id, 'e:' || email, 'p:' || phone)), with their columns.
var idKinds = []struct{ Kind, Column string }{
	{"c", "customer_id"}, {"a", "anonymous_id"}, {"e", "email"}, {"p", "phone"},
}

// rewriteData fills the rewrite's templates under stitch/: the rows of Table whose first identifier
// is of type Kind, in Column (the identifier columns Before are NULL; with no Column, the rows without
// any identifier), and for the counts of the rows by type, Kinds.
type rewriteData struct {
	Table, Kind, Column string
	Before              []string
	Kinds               []rewriteData
}

// rewriteSQL are the statements of a rewrite of one table: a pass for the rows of each identifier
// type (by type), the pass of the rows without an identifier, and the count of the rows by type
// (in the order of idKinds, then none).
type rewriteSQL struct {
	fill        map[string]string
	none, kinds string
}

// renderRewrites renders the rewrite's statements for each of personTables.
func renderRewrites() map[string]rewriteSQL {
	out := map[string]rewriteSQL{}
	for _, t := range personTables {
		q := warehouse.QuoteIdent(t)
		r := rewriteSQL{fill: map[string]string{}}
		var kinds []rewriteData
		var before []string
		for _, k := range idKinds {
			d := rewriteData{Table: q, Kind: k.Kind, Column: k.Column, Before: before}
			r.fill[k.Kind] = mustRender("stitch/person_ids_rewrite_fill.sql.tmpl", d)
			kinds = append(kinds, d)
			before = append(before[:len(before):len(before)], k.Column)
		}
		none := rewriteData{Table: q, Before: before}
		r.none = mustRender("stitch/person_ids_rewrite_none.sql.tmpl", none)
		r.kinds = mustRender("stitch/person_ids_rewrite_kinds.sql.tmpl", rewriteData{Table: q, Kinds: append(kinds, none)})
		out[t] = r
	}
	return out
}
