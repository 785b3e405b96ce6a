package schema

import (
	"slices"
	"strings"
)

// Dataset is a canonical input (DESIGN.md "Canonical inputs") and the raw
// table ingest loads it into, named after it. It is the one definition of
// the dataset: config validates sources against its input columns, ingest
// takes its table, id column and the parsing of each column from it, and
// the catalogue (docs/tables.md) documents its table from it. The
// migrations create the table; TestDatasetTables checks that they agree.
type Dataset struct {
	Name string // the dataset's name and its table's
	ID   string // the row-id column
	// Grain, About and Example document the table (see Table).
	Grain, About, Example string
	// Columns are the table's columns in the migrations' order.
	Columns []Field
	// OneOf are rules of the form "these columns, or those": each source
	// must give (map, set as constants or carry in its files) every column
	// of at least one alternative of each rule.
	OneOf []Alternatives
}

// Field is one column of a dataset's table.
type Field struct {
	Name string
	// Type is the column's SQL type as the migrations create it (VARCHAR,
	// TIMESTAMPTZ, DATE, BIGINT, DOUBLE, DECIMAL(18, 4), ...).
	Type    string
	NotNull bool
	// Input columns are canonical: a source gives them (mapped, as
	// constants or by name in its files).
	Input bool
	// Required input columns must be given by every source of the dataset.
	Required bool
	// Identifier columns: every row needs at least one of them (where the
	// dataset asks for one).
	Identifier bool
	// Parse is how ingest types the input column of this name as it reads
	// a file (ingest/queries.go, parseSQL); "" for a column that is not read
	// from files.
	Parse Parse
	// As names the parsed value in the typing query when the stored value
	// is computed from it there (revenue is parsed as revenue_original and
	// stored converted to the reporting currency); "" when the parsed value
	// is stored as it is.
	As string
	// Added columns are set by the pipeline, not by the typing query:
	// source_name and load_id by ingest's insert, person_id by transform.
	Added bool
	// Doc defines the column in docs/tables.md.
	Doc string
}

// Parse is a rule by which ingest reads a column's value from a file: the
// text parsing rule of migrations 0001/0011 for a value that arrives as
// text, a plain cast for one that arrives natively typed (Parquet, Arrow).
type Parse string

// The parse rules.
const (
	ParseText      Parse = "text"      // text trimmed of spaces, NULL when empty
	ParseLower     Parse = "lower"     // text, lower-cased
	ParseUpper     Parse = "upper"     // text, upper-cased
	ParseCurrency  Parse = "currency"  // text, upper-cased; the reporting currency when empty
	ParseTimestamp Parse = "timestamp" // TIMESTAMPTZ: ISO-8601, epochs, dotted and slashed forms (attrib_parse_ts)
	ParseDate      Parse = "date"      // DATE in the same forms (attrib_parse_date)
	ParseMoney     Parse = "money"     // DECIMAL(18, 4), thousands separators and currency symbols removed
	ParseInteger   Parse = "integer"   // BIGINT
	ParseRate      Parse = "rate"      // DECIMAL(18, 8)
	ParseNumber    Parse = "number"    // DOUBLE (NaN and infinities come through for the template to reject)
	ParseEmail     Parse = "email"     // HMAC-SHA-256 (hex) of the normalised e-mail address
	ParsePhone     Parse = "phone"     // HMAC-SHA-256 (hex) of the normalised phone number
)

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

// Column types as the migrations write them.
const (
	varchar     = "VARCHAR"
	timestamptz = "TIMESTAMPTZ"
	date        = "DATE"
	bigint      = "BIGINT"
	double      = "DOUBLE"
	money       = "DECIMAL(18, 4)"
	rate        = "DECIMAL(18, 8)"
)

// identifiers are the identifier columns of the datasets that have them.
var identifiers = []Field{
	{Name: "customer_id", Type: varchar, Input: true, Identifier: true, Parse: ParseText, Doc: "bank customer number"},
	{Name: "anonymous_id", Type: varchar, Input: true, Identifier: true, Parse: ParseText, Doc: "cookie, device or app instance"},
	{Name: "email", Type: varchar, Input: true, Identifier: true, Parse: ParseEmail, Doc: "HMAC-SHA-256 of the normalised e-mail (never the address)"},
	{Name: "phone", Type: varchar, Input: true, Identifier: true, Parse: ParsePhone, Doc: "HMAC-SHA-256 of the normalised phone number"},
}

// Columns the pipeline adds to every dataset's table (person_id only to
// those transform stitches).
var (
	personID   = Field{Name: "person_id", Type: varchar, Added: true, Doc: "stitched person (set by transform)"}
	loadFields = []Field{
		{Name: "source_name", Type: varchar, NotNull: true, Added: true, Doc: "config source the row came from"},
		{Name: "load_id", Type: varchar, NotNull: true, Added: true, Doc: "ingest_files.load_id of the load"},
	}
)

// Datasets are the canonical datasets in load order: fx rates before the
// money they convert, identities before the facts they stitch.
var Datasets = []Dataset{
	{
		Name: "fx_rates", ID: "fx_id", Grain: "day x currency",
		About:   "Exchange rates used to convert revenue and spend at ingest.",
		Example: `SELECT currency, min(date), max(date), avg(rate) FROM fx_rates GROUP BY ALL`,
		Columns: slices.Concat([]Field{
			{Name: "fx_id", Type: varchar, NotNull: true, Doc: "a hash of date and currency"},
			{Name: "date", Type: date, NotNull: true, Input: true, Required: true, Parse: ParseDate, Doc: "day"},
			{Name: "currency", Type: varchar, NotNull: true, Input: true, Required: true, Parse: ParseUpper, Doc: "currency"},
			{Name: "rate", Type: rate, NotNull: true, Input: true, Required: true, Parse: ParseRate, Doc: "reporting-currency units per 1 unit of currency"},
		}, loadFields),
	},
	{
		Name: "spend", ID: "spend_id", Grain: "spend row (day x channel or source/medium x campaign)",
		About:   "Loaded spend, converted to the reporting currency.",
		Example: `SELECT date_trunc('month', date) AS month, sum(spend) FROM spend GROUP BY ALL ORDER BY ALL`,
		Columns: slices.Concat([]Field{
			{Name: "spend_id", Type: varchar, NotNull: true, Doc: "a hash of the row's canonical content"},
			{Name: "date", Type: date, NotNull: true, Input: true, Required: true, Parse: ParseDate, Doc: "day"},
			{Name: "channel", Type: varchar, Input: true, Parse: ParseText, Doc: "explicit channel"},
			{Name: "source", Type: varchar, Input: true, Parse: ParseText, Doc: "source"},
			{Name: "medium", Type: varchar, Input: true, Parse: ParseText, Doc: "medium"},
			{Name: "campaign", Type: varchar, Input: true, Parse: ParseText, Doc: "campaign"},
			{Name: "spend", Type: money, NotNull: true, Input: true, Required: true, Parse: ParseMoney, As: "spend_original", Doc: "spend in the reporting currency (DECIMAL)"},
			{Name: "currency", Type: varchar, Input: true, Parse: ParseCurrency, Doc: "currency as delivered"},
			{Name: "spend_original", Type: money, Doc: "spend as delivered"},
			{Name: "impressions", Type: bigint, Input: true, Parse: ParseInteger, Doc: "impressions"},
			{Name: "clicks", Type: bigint, Input: true, Parse: ParseInteger, Doc: "clicks"},
		}, loadFields),
	},
	{
		Name: "identity_links", ID: "link_id", Grain: "link",
		About:   "Identifiers seen together (logins, CRM matches).",
		Example: `SELECT count(*) FROM identity_links`,
		Columns: slices.Concat([]Field{
			{Name: "link_id", Type: varchar, NotNull: true, Doc: "a hash of the row's canonical content"},
			{Name: "observed_at", Type: timestamptz, Input: true, Parse: ParseTimestamp, Doc: "when the link was seen"},
		}, identifiers, loadFields),
	},
	{
		Name: "touchpoints", ID: "touchpoint_id", Grain: "touch",
		About:   "Loaded touches in the canonical schema.",
		Example: `SELECT source_name, count(*) AS touches, min(occurred_at), max(occurred_at) FROM touchpoints GROUP BY ALL`,
		Columns: slices.Concat([]Field{
			{Name: "touchpoint_id", Type: varchar, NotNull: true, Input: true, Parse: ParseText, Doc: "given or a hash of the row's canonical content"},
			{Name: "occurred_at", Type: timestamptz, NotNull: true, Input: true, Required: true, Parse: ParseTimestamp, Doc: "time of the touch"},
		}, identifiers, []Field{
			{Name: "channel", Type: varchar, Input: true, Parse: ParseText, Doc: "explicit channel (wins over the rules)"},
			{Name: "source", Type: varchar, Input: true, Parse: ParseText, Doc: "utm source"},
			{Name: "medium", Type: varchar, Input: true, Parse: ParseText, Doc: "utm medium"},
			{Name: "campaign", Type: varchar, Input: true, Parse: ParseText, Doc: "campaign"},
			{Name: "content", Type: varchar, Input: true, Parse: ParseText, Doc: "utm content"},
			{Name: "term", Type: varchar, Input: true, Parse: ParseText, Doc: "utm term"},
			{Name: "interaction", Type: varchar, Input: true, Parse: ParseLower, Doc: "impression, click, visit, call, branch_visit, ..."},
			{Name: "cost", Type: money, Input: true, Parse: ParseMoney, Doc: "cost of the touch (DECIMAL)"},
			{Name: "location", Type: varchar, Input: true, Parse: ParseText, Doc: "branch, event or region"},
			personID,
		}, loadFields),
	},
	{
		Name: "conversions", ID: "conversion_id", Grain: "conversion",
		About:   "Loaded conversions; revenue is converted to the reporting currency at ingest.",
		Example: `SELECT conversion_type, count(*), sum(revenue) FROM conversions GROUP BY ALL`,
		Columns: slices.Concat([]Field{
			{Name: "conversion_id", Type: varchar, NotNull: true, Input: true, Parse: ParseText, Doc: "given or a content hash"},
			{Name: "occurred_at", Type: timestamptz, NotNull: true, Input: true, Required: true, Parse: ParseTimestamp, Doc: "time of the conversion"},
		}, identifiers, []Field{
			{Name: "conversion_type", Type: varchar, NotNull: true, Input: true, Required: true, Parse: ParseText, Doc: "account_opened, card_activated, loan_funded, ..."},
			{Name: "revenue", Type: money, Input: true, Parse: ParseMoney, As: "revenue_original", Doc: "revenue in the reporting currency (DECIMAL)"},
			{Name: "currency", Type: varchar, Input: true, Parse: ParseCurrency, Doc: "currency as delivered"},
			{Name: "revenue_original", Type: money, Doc: "revenue as delivered"},
			{Name: "product", Type: varchar, Input: true, Parse: ParseText, Doc: "product"},
			personID,
		}, loadFields),
	},
	{
		Name: "activity", ID: "activity_id", Grain: "activity event",
		About:   "Customer activity after conversion (logins, transactions); drives activation, retention, churn and LTV.",
		Example: `SELECT event, count(*), sum(value) FROM activity GROUP BY ALL`,
		Columns: slices.Concat([]Field{
			{Name: "activity_id", Type: varchar, NotNull: true, Input: true, Parse: ParseText, Doc: "given or a content hash"},
			{Name: "occurred_at", Type: timestamptz, NotNull: true, Input: true, Required: true, Parse: ParseTimestamp, Doc: "time of the event"},
		}, identifiers, []Field{
			{Name: "event", Type: varchar, NotNull: true, Input: true, Required: true, Parse: ParseLower, Doc: "event name"},
			{Name: "value", Type: money, Input: true, Parse: ParseMoney, Doc: "value of the event in the reporting currency (DECIMAL), counted in LTV"},
			personID,
		}, loadFields),
	},
	// Lift tests (geo, holdout, go-dark, ...): what a channel added over a
	// window, with its error; they calibrate the media mix model.
	{
		Name: "experiments", ID: "experiment_id", Grain: "experiment (channel x window x conversion type)",
		About:   "Loaded lift tests (geo, holdout, go-dark, ...) that calibrate the media mix model. Experiments may overlap; one for a channel or window the other data does not know loads and is reported by the model stage.",
		Example: `SELECT channel, start_date, end_date, incremental_conversions, standard_error, design FROM experiments ORDER BY start_date`,
		Columns: slices.Concat([]Field{
			{Name: "experiment_id", Type: varchar, NotNull: true, Input: true, Parse: ParseText, Doc: "given or a content hash"},
			{Name: "channel", Type: varchar, NotNull: true, Input: true, Required: true, Parse: ParseText, Doc: "channel tested"},
			{Name: "conversion_type", Type: varchar, Input: true, Parse: ParseText, Doc: "conversion type measured; NULL = all types"},
			{Name: "start_date", Type: date, NotNull: true, Input: true, Required: true, Parse: ParseDate, Doc: "first day of the test window"},
			{Name: "end_date", Type: date, NotNull: true, Input: true, Required: true, Parse: ParseDate, Doc: "last day of the test window (inclusive)"},
			{Name: "incremental_conversions", Type: double, NotNull: true, Input: true, Required: true, Parse: ParseNumber, Doc: "measured lift in conversions (DOUBLE)"},
			{Name: "standard_error", Type: double, NotNull: true, Input: true, Parse: ParseNumber, As: "se_given", Doc: "standard error of the lift: as delivered, or (high - low) / (2 x 1.645) from the 90% interval"},
			{Name: "low", Type: double, Input: true, Parse: ParseNumber, Doc: "90% interval lower bound, as delivered"},
			{Name: "high", Type: double, Input: true, Parse: ParseNumber, Doc: "90% interval upper bound, as delivered"},
			{Name: "incremental_revenue", Type: money, Input: true, Parse: ParseMoney, Doc: "measured lift in revenue (DECIMAL, taken as reporting currency)"},
			{Name: "spend", Type: money, Input: true, Parse: ParseMoney, Doc: "spend on the channel in the window (DECIMAL, taken as reporting currency)"},
			{Name: "design", Type: varchar, Input: true, Parse: ParseLower, Doc: "geo, holdout, go-dark, ... (lower-cased)"},
			{Name: "notes", Type: varchar, Input: true, Parse: ParseText, Doc: "free text"},
		}, loadFields),
		OneOf: []Alternatives{{{"standard_error"}, {"low", "high"}}},
	},
}

// LookupDataset finds a dataset by name.
func LookupDataset(name string) (Dataset, bool) {
	i := slices.IndexFunc(Datasets, func(d Dataset) bool { return d.Name == name })
	if i < 0 {
		return Dataset{}, false
	}
	return Datasets[i], true
}

// Field finds a column of the dataset's table by name.
func (d Dataset) Field(name string) (Field, bool) {
	i := slices.IndexFunc(d.Columns, func(f Field) bool { return f.Name == name })
	if i < 0 {
		return Field{}, false
	}
	return d.Columns[i], true
}

// Inputs are the dataset's canonical columns, in the table's order.
func (d Dataset) Inputs() []Field {
	var out []Field
	for _, f := range d.Columns {
		if f.Input {
			out = append(out, f)
		}
	}
	return out
}

// GivenID reports whether rows of the dataset may carry their own id (the
// id column is an input); the others' ids are hashes of their content.
func (d Dataset) GivenID() bool {
	f, _ := d.Field(d.ID)
	return f.Input
}

// Typed are the columns the dataset's typing query
// (ingest/sql/typed_<dataset>.sql.tmpl) gives, in the table's order: all
// but those the pipeline adds.
func (d Dataset) Typed() []Field {
	var out []Field
	for _, f := range d.Columns {
		if !f.Added {
			out = append(out, f)
		}
	}
	return out
}

// table documents the dataset's table for the catalogue.
func (d Dataset) table() Table {
	cols := make([]Column, len(d.Columns))
	for i, f := range d.Columns {
		cols[i] = Column{f.Name, f.Doc}
	}
	return Table{Name: d.Name, Section: "input", BuiltBy: "ingest", Grain: d.Grain, About: d.About, Columns: cols, Example: d.Example}
}
