package config

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
