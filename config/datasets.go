package config

import (
	"slices"
	"strings"
)

// Column is one canonical column of a dataset.
type Column struct {
	Name string
	// Required columns must be mapped (or present) in every source of the dataset.
	Required bool
	// Identifier columns: every row needs at least one of them (where the dataset asks for one).
	Identifier bool
}

// Dataset is a canonical input (DESIGN.md "Canonical inputs").
type Dataset struct {
	Name    string
	Columns []Column
	// OneOf are rules of the form "these columns, or those": each source
	// must give (map, set as constants or carry in its files) every column
	// of at least one alternative of each rule.
	OneOf []Alternatives
}

// Alternatives is a rule that a source gives at least one of several sets
// of columns.
type Alternatives [][]string

// String names the alternatives as a person would: "standard_error, or low and high".
func (a Alternatives) String() string {
	var parts []string
	for _, set := range a {
		switch len(set) {
		case 1:
			parts = append(parts, set[0])
		default:
			parts = append(parts, strings.Join(set[:len(set)-1], ", ")+" and "+set[len(set)-1])
		}
	}
	return strings.Join(parts, ", or ")
}

// Satisfied reports whether has (does the source give this column?) holds
// for every column of one of the alternatives.
func (a Alternatives) Satisfied(has func(col string) bool) bool {
	for _, set := range a {
		if !slices.ContainsFunc(set, func(c string) bool { return !has(c) }) {
			return true
		}
	}
	return false
}

var identifiers = []Column{
	{Name: "customer_id", Identifier: true},
	{Name: "anonymous_id", Identifier: true},
	{Name: "email", Identifier: true},
	{Name: "phone", Identifier: true},
}

func cols(head []Column, tail ...Column) []Column {
	out := append([]Column{}, head...)
	return append(out, tail...)
}

// Datasets are the canonical datasets in load order: fx rates before the
// money they convert, identities before the facts they stitch.
var Datasets = []Dataset{
	{Name: "fx_rates", Columns: []Column{{Name: "date", Required: true}, {Name: "currency", Required: true}, {Name: "rate", Required: true}}},
	{Name: "spend", Columns: []Column{
		{Name: "date", Required: true}, {Name: "spend", Required: true}, {Name: "channel"}, {Name: "source"},
		{Name: "medium"}, {Name: "campaign"}, {Name: "currency"}, {Name: "impressions"}, {Name: "clicks"},
	}},
	{Name: "identity_links", Columns: cols([]Column{{Name: "observed_at"}}, identifiers...)},
	{Name: "touchpoints", Columns: cols(cols([]Column{{Name: "touchpoint_id"}, {Name: "occurred_at", Required: true}}, identifiers...),
		Column{Name: "channel"}, Column{Name: "source"}, Column{Name: "medium"}, Column{Name: "campaign"},
		Column{Name: "content"}, Column{Name: "term"}, Column{Name: "interaction"}, Column{Name: "cost"}, Column{Name: "location"})},
	{Name: "conversions", Columns: cols(cols([]Column{{Name: "conversion_id"}, {Name: "occurred_at", Required: true}}, identifiers...),
		Column{Name: "conversion_type", Required: true}, Column{Name: "revenue"}, Column{Name: "currency"}, Column{Name: "product"})},
	{Name: "activity", Columns: cols(cols([]Column{{Name: "activity_id"}, {Name: "occurred_at", Required: true}}, identifiers...),
		Column{Name: "event", Required: true}, Column{Name: "value"})},
	// Lift tests (geo, holdout, go-dark, ...): what a channel added over a
	// window, with its error; they calibrate the media mix model.
	{Name: "experiments", Columns: []Column{
		{Name: "experiment_id"}, {Name: "channel", Required: true}, {Name: "conversion_type"},
		{Name: "start_date", Required: true}, {Name: "end_date", Required: true},
		{Name: "incremental_conversions", Required: true}, {Name: "standard_error"}, {Name: "low"}, {Name: "high"},
		{Name: "incremental_revenue"}, {Name: "spend"}, {Name: "design"}, {Name: "notes"},
	}, OneOf: []Alternatives{{{"standard_error"}, {"low", "high"}}}},
}

// DatasetNames lists the datasets' names in load order.
func DatasetNames() []string {
	out := make([]string, len(Datasets))
	for i, d := range Datasets {
		out[i] = d.Name
	}
	return out
}

// LookupDataset finds a dataset by name.
func LookupDataset(name string) (Dataset, bool) {
	for _, d := range Datasets {
		if d.Name == name {
			return d, true
		}
	}
	return Dataset{}, false
}

// Has reports whether the dataset has a canonical column.
func (d Dataset) Has(col string) bool {
	for _, c := range d.Columns {
		if c.Name == col {
			return true
		}
	}
	return false
}

// Models are the attribution models attrib knows, in report order.
var Models = []string{"first_touch", "last_touch", "last_non_direct", "linear", "position_based", "time_decay", "markov", "shapley", "fractribution"}

// Steps are the job steps attrib knows, in execution order.
var Steps = []string{"ingest", "transform", "evaluate", "export"}
