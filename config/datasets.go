package config

import "attrib/schema"

// Column is one canonical column of a dataset.
type Column struct {
	Name string
	// Required columns must be mapped (or present) in every source of the dataset.
	Required bool
	// Identifier columns: every row needs at least one of them (where the dataset asks for one).
	Identifier bool
}

// Dataset is a canonical input (DESIGN.md "Canonical inputs"), as a source
// sees it: its canonical columns and rules. It is derived from the one
// definition of the datasets, schema.Datasets.
type Dataset struct {
	Name    string
	Columns []Column
	// OneOf are rules of the form "these columns, or those": each source
	// must give (map, set as constants or carry in its files) every column
	// of at least one alternative of each rule.
	OneOf []Alternatives
}

// Alternatives is a rule that a source gives at least one of several sets
// of columns (schema.Alternatives).
type Alternatives = schema.Alternatives

// Datasets are the canonical datasets in load order: fx rates before the
// money they convert, identities before the facts they stitch.
var Datasets = datasets(schema.Datasets)

// datasets are the source's view of the schema's datasets: their input
// columns in the tables' order.
func datasets(defs []schema.Dataset) []Dataset {
	out := make([]Dataset, len(defs))
	for i, d := range defs {
		out[i] = Dataset{Name: d.Name, OneOf: d.OneOf}
		for _, f := range d.Inputs() {
			out[i].Columns = append(out[i].Columns, Column{Name: f.Name, Required: f.Required, Identifier: f.Identifier})
		}
	}
	return out
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
