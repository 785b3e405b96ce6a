package config

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"attrib/transform/attribution"
	"attrib/warehouse"
)

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// CronParser is the schedule syntax of jobs: optional seconds field,
// descriptors (@daily, @every 1h) and CRON_TZ= prefixes.
var CronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func at(line int) string {
	if line > 0 {
		return fmt.Sprintf("line %d: ", line)
	}
	return ""
}

// Validate checks values that decoding cannot, on a config whose defaults are
// applied (Parse does both); every problem is reported.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	c.validateGeneral(add)
	c.validateSources(add)
	c.validateAttribution(add)
	c.validateEvaluation(add)
	validateIncrementality(&c.Incrementality, add)
	c.validateJobs(add)
	c.validateExport(add)
	errs = append(errs, c.Serve.validate()...)
	return errors.Join(errs...)
}

// validateGeneral checks the time zone, the currency, the warehouse and
// serve memory limits, the warehouse threads and the ingest reject
// threshold.
func (c *Config) validateGeneral(add func(string, ...any)) {
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		add("timezone: unknown time zone %q", c.Timezone)
	}
	if !currencyCode.MatchString(c.Currency) {
		add("currency: %q is not an ISO 4217 code like USD", c.Currency)
	}
	if err := warehouse.CheckMemoryLimit(c.Warehouse.MemoryLimit); err != nil {
		add("warehouse.memory_limit: %v", err)
	}
	if err := warehouse.CheckMemoryLimit(c.Serve.MemoryLimit); err != nil {
		add("serve.memory_limit: %v", err)
	}
	if c.Warehouse.Threads < 0 {
		add("warehouse.threads: %d must be 0 (all cores) or more", c.Warehouse.Threads)
	}
	if t := *c.Ingest.RejectThreshold; t < 0 || t > 1 {
		add("ingest.reject_threshold: %v must be between 0 and 1", t)
	}
}

// validateSources checks every source: a unique name, a known dataset, a
// path, its format and CSV options, and columns and constants of its
// dataset.
func (c *Config) validateSources(add func(string, ...any)) {
	names := map[string]bool{}
	for i, s := range c.Sources {
		where := fmt.Sprintf("%ssources[%d] %q", at(s.Line), i, s.Name)
		if s.Name == "" {
			add("%s: name is required", where)
		} else if names[s.Name] {
			add("%s: name used twice", where)
		}
		names[s.Name] = true
		ds, ok := LookupDataset(s.Dataset)
		if !ok {
			add("%s: unknown dataset %q (one of %s)", where, s.Dataset, strings.Join(DatasetNames(), ", "))
			continue
		}
		validateSourceFormat(where, &s, add)
		for _, m := range []map[string]string{s.Columns, s.Constants} {
			for k := range m {
				if !ds.Has(k) {
					add("%s: %q is not a column of dataset %s", where, k, ds.Name)
				}
			}
		}
		for k := range s.Columns {
			if _, both := s.Constants[k]; both {
				add("%s: %q is both mapped and constant", where, k)
			}
		}
		if (s.Columns["email"] != "" || s.Columns["phone"] != "") && c.PII.Key == "" {
			add("%s: maps email or phone but no PII key is set (pii.key or %s)", where, EnvPIIKey)
		}
	}
}

// validateSourceFormat checks a source's path, format and CSV options.
func validateSourceFormat(where string, s *Source, add func(string, ...any)) {
	if s.Path == "" {
		add("%s: path is required", where)
	}
	switch s.Format {
	case "", "csv", "tsv", "ndjson", "json", "parquet", "arrow":
	default:
		add("%s: unknown format %q (csv, tsv, ndjson, parquet, arrow)", where, s.Format)
	}
	switch strings.ToLower(s.CSV.Encoding) {
	case "", "utf-8", "utf8", "gb18030", "gbk":
	default:
		add("%s: csv.encoding %q is not supported (utf-8, gb18030, gbk)", where, s.CSV.Encoding)
	}
	if len(s.CSV.Delimiter) > 4 {
		add("%s: csv.delimiter %q is longer than 4 bytes", where, s.CSV.Delimiter)
	}
	if len(s.CSV.Quote) > 1 {
		add("%s: csv.quote %q must be one character", where, s.CSV.Quote)
	}
}

// validateAttribution checks the attribution section: models, lookback,
// Markov order, path transforms, conversion window, unattributed channel
// and position weights.
func (c *Config) validateAttribution(add func(string, ...any)) {
	a := c.Attribution
	for _, m := range a.Models {
		if !slices.Contains(Models, m) {
			add("attribution.models: unknown model %q (one of %s)", m, strings.Join(Models, ", "))
		}
	}
	if a.LookbackDays < 0 {
		add("attribution.lookback_days: must be positive")
	}
	if a.MarkovOrder < 1 || a.MarkovOrder > 3 {
		add("attribution.markov_order: %d must be 1, 2 or 3", a.MarkovOrder)
	}
	if _, err := attribution.ParsePathTransforms(a.PathTransforms); err != nil {
		add("attribution.path_transforms: %v", err)
	}
	var window [2]time.Time
	for i, d := range []struct{ key, v string }{{"conversion_window_start", a.ConversionWindowStart}, {"conversion_window_end", a.ConversionWindowEnd}} {
		if d.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.v)
		if err != nil {
			add("attribution.%s: %q is not a date (YYYY-MM-DD)", d.key, d.v)
		}
		window[i] = t
	}
	if !window[0].IsZero() && !window[1].IsZero() && window[1].Before(window[0]) {
		add("attribution.conversion_window_end: %s is before conversion_window_start %s", a.ConversionWindowEnd, a.ConversionWindowStart)
	}
	if a.UnattributedChannel != "" && strings.TrimSpace(a.UnattributedChannel) != a.UnattributedChannel {
		add("attribution.unattributed_channel: %q has leading or trailing spaces", a.UnattributedChannel)
	}
	if *a.PositionFirst < 0 || *a.PositionLast < 0 || *a.PositionFirst+*a.PositionLast > 1 {
		add("attribution.position_first + position_last must be between 0 and 1")
	}
}

// validateEvaluation checks the evaluation section.
func (c *Config) validateEvaluation(add func(string, ...any)) {
	switch c.Evaluation.Period {
	case "day", "week", "month":
	default:
		add("evaluation.period: %q must be day, week or month", c.Evaluation.Period)
	}
	if !slices.Contains(c.Attribution.Models, c.Evaluation.AcquisitionModel) {
		add("evaluation.acquisition_model: %q is not among attribution.models", c.Evaluation.AcquisitionModel)
	}
	if ev := c.Evaluation; ev.LTVMonths < 0 || ev.RetentionMonths < 0 || ev.ChurnDays < 0 || ev.ActiveDays < 0 || ev.ActivationDays < 0 {
		add("evaluation: ltv_months, retention_months, churn_days, active_days and activation_days must be positive")
	}
	if rt := *c.Evaluation.RetentionTarget; rt < 0 || rt > 1 {
		add("evaluation.retention_target: %v must be between 0 and 1 (0.7 = 70%%)", rt)
	}
	if lo, hi := *c.Evaluation.BudgetMinFactor, *c.Evaluation.BudgetMaxFactor; lo <= 0 || lo > 1 || hi < 1 || hi > 10 {
		add("evaluation.budget_min_factor (%v) must be in (0, 1] and budget_max_factor (%v) in [1, 10]", lo, hi)
	}
}

// validateJobs checks every job: a unique name, its schedule, steps,
// retries and durations, and export tables for the export step.
func (c *Config) validateJobs(add func(string, ...any)) {
	jobs := map[string]bool{}
	for i, j := range c.Jobs {
		where := fmt.Sprintf("%sjobs[%d] %q", at(j.Line), i, j.Name)
		if j.Name == "" {
			add("%s: name is required", where)
		} else if jobs[j.Name] {
			add("%s: name used twice", where)
		}
		jobs[j.Name] = true
		if j.Schedule != "" {
			if _, err := CronParser.Parse(j.Schedule); err != nil {
				add("%s: schedule %q: %v", where, j.Schedule, err)
			}
		}
		for _, st := range j.Steps {
			if !slices.Contains(Steps, st) {
				add("%s: unknown step %q (one of %s)", where, st, strings.Join(Steps, ", "))
			}
		}
		if j.Retries < 0 {
			add("%s: retries must not be negative", where)
		}
		if j.Timeout.Duration < 0 || j.RetryBackoff.Duration < 0 {
			add("%s: timeout and retry_backoff must not be negative", where)
		}
		if slices.Contains(j.Steps, "export") && len(c.Export.Tables) == 0 {
			add("%s: has the export step but export.tables is empty", where)
		}
	}
}

// validateExport checks the export formats and table names.
func (c *Config) validateExport(add func(string, ...any)) {
	for _, f := range c.Export.Formats {
		if f != "parquet" && f != "csv" {
			add("export.formats: unknown format %q (parquet, csv)", f)
		}
	}
	for _, t := range c.Export.Tables {
		if t == "" || strings.HasPrefix(t, "_") || strings.ContainsAny(t, "/\\.") {
			add("export.tables: %q is not a result table name", t)
		}
	}
}

// validate checks the serve section: users need a name and a password or token.
func (s Serve) validate() []error {
	var errs []error
	seen := map[string]bool{}
	for i, u := range s.Users {
		switch {
		case u.Name == "":
			errs = append(errs, fmt.Errorf("serve.users[%d]: name is required", i))
		case seen[u.Name]:
			errs = append(errs, fmt.Errorf("serve.users[%d] %q: name used twice", i, u.Name))
		}
		seen[u.Name] = true
		if u.Password == "" && u.Token == "" {
			errs = append(errs, fmt.Errorf("serve.users[%d] %q: needs a password or a token", i, u.Name))
		}
	}
	if (s.TLSCert == "") != (s.TLSKey == "") {
		errs = append(errs, fmt.Errorf("serve: tls_cert and tls_key go together"))
	}
	if s.MaxRows < 0 {
		errs = append(errs, fmt.Errorf("serve.max_rows: must not be negative"))
	}
	if s.StatementTimeout.Duration < 0 {
		errs = append(errs, fmt.Errorf("serve.statement_timeout: must not be negative"))
	}
	for _, v := range []struct {
		name string
		n    int64
	}{{"read_header_timeout", int64(s.ReadHeaderTimeout.Duration)}, {"read_timeout", int64(s.ReadTimeout.Duration)},
		{"startup_timeout", int64(s.StartupTimeout.Duration)}, {"idle_timeout", int64(s.IdleTimeout.Duration)},
		{"refresh", int64(s.Refresh.Duration)}, {"max_result_bytes", s.MaxResultBytes},
		{"max_connections", int64(s.MaxConnections)}, {"max_connections_per_client", int64(s.MaxConnectionsPerClient)},
		{"max_statement_memory", s.MaxStatementMemory}, {"max_statements", int64(s.MaxStatements)}} {
		if v.n < 0 {
			errs = append(errs, fmt.Errorf("serve.%s: must not be negative", v.name))
		}
	}
	return errs
}

// Job finds a job by name; the empty name means the first job, or a default
// job running every step when none is configured.
func (c *Config) Job(name string) (Job, error) {
	if name == "" {
		if len(c.Jobs) > 0 {
			return c.Jobs[0], nil
		}
		return Job{Name: "run", Steps: []string{"ingest", "transform", "evaluate"}}, nil
	}
	for _, j := range c.Jobs {
		if j.Name == name {
			return j, nil
		}
	}
	return Job{}, fmt.Errorf("config: no job named %q", name)
}

func validateIncrementality(inc *Incrementality, add func(string, ...any)) {
	switch inc.Grain {
	case "auto", "day", "week":
	default:
		add("incrementality.grain: %q must be auto, day or week", inc.Grain)
	}
	if inc.MinHistoryWeeks < 8 {
		add("incrementality.min_history_weeks: %d is too short to fit a model (at least 8)", inc.MinHistoryWeeks)
	}
	if inc.Bootstrap < 20 || inc.Bootstrap > 10000 {
		add("incrementality.bootstrap: %d must be between 20 and 10000", inc.Bootstrap)
	}
	if inc.Holdouts < 1 || inc.Holdouts > 10 {
		add("incrementality.holdouts: %d must be between 1 and 10", inc.Holdouts)
	}
	if inc.HoldoutWeeks < 1 || inc.BudgetWeeks < 1 {
		add("incrementality.holdout_weeks and budget_weeks must be positive")
	}
	for i, h := range inc.Holidays {
		where := fmt.Sprintf("incrementality.holidays[%d] %q", i, h.Name)
		if h.Name == "" {
			add("%s: name is required", where)
		}
		s, err1 := time.Parse(time.DateOnly, h.Start)
		e, err2 := time.Parse(time.DateOnly, h.End)
		switch {
		case err1 != nil || err2 != nil:
			add("%s: start and end must be dates like 2025-01-28 (got %q, %q)", where, h.Start, h.End)
		case e.Before(s):
			add("%s: end %s is before start %s", where, h.End, h.Start)
		}
	}
}
