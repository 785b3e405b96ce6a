package config

import (
	"fmt"
	"path/filepath"
	"time"

	"attrib/transform/channel"
)

// DefaultFile is the config file looked up in the working directory.
const DefaultFile = "attrib.yaml"

// EnvConfig names the environment variable that points at the config file.
const EnvConfig = "ATTRIB_CONFIG"

// EnvPIIKey names the environment variable with the PII hashing key.
const EnvPIIKey = "ATTRIB_PII_KEY"

// Config is the whole of attrib.yaml.
type Config struct {
	// File is the absolute path of the config file ("" when built in code).
	File string `yaml:"-"`
	// Dir is the folder relative paths are resolved against.
	Dir string `yaml:"-"`
	// serveEnvMissing lists the serve section's unset ${VAR}s (see ServeEnv).
	serveEnvMissing []string

	Warehouse   Warehouse   `yaml:"warehouse"`
	Timezone    string      `yaml:"timezone"`
	Currency    string      `yaml:"currency"`
	PII         PII         `yaml:"pii"`
	Ingest      Ingest      `yaml:"ingest"`
	Sources     []Source    `yaml:"sources"`
	Channels    Channels    `yaml:"channels"`
	Identity    Identity    `yaml:"identity"`
	Attribution Attribution `yaml:"attribution"`
	Evaluation  Evaluation  `yaml:"evaluation"`
	// Incrementality configures the media mix model (channel_incrementality,
	// response_curves, mmm_fit, incrementality_timeseries) and the budget
	// recommendations that follow it.
	Incrementality Incrementality `yaml:"incrementality"`
	Jobs           []Job          `yaml:"jobs"`
	Export         Export         `yaml:"export"`
	Serve          Serve          `yaml:"serve"`
}

// Warehouse is the DuckDB file and its resource settings.
type Warehouse struct {
	Path          string `yaml:"path"`
	MemoryLimit   string `yaml:"memory_limit"`
	Threads       int    `yaml:"threads"`
	TempDirectory string `yaml:"temp_directory"`
}

// PII configures hashing of e-mail addresses and phone numbers.
type PII struct {
	// Key is the HMAC-SHA-256 key; ATTRIB_PII_KEY is used when empty.
	Key string `yaml:"key"`
	// DefaultCountryCode is prefixed to phone numbers written without one (e.g. "44").
	DefaultCountryCode string `yaml:"default_country_code"`
}

// Ingest holds load settings shared by all sources.
type Ingest struct {
	// RejectThreshold is the share of bad rows above which a file loads nothing (default 0.05).
	RejectThreshold *float64 `yaml:"reject_threshold"`
	// FutureTolerance is how far in the future a timestamp may be before it is rejected (default 24h).
	FutureTolerance Duration `yaml:"future_tolerance"`
}

// Source is one input: a file, glob or folder of one dataset.
type Source struct {
	Name      string            `yaml:"name"`
	Dataset   string            `yaml:"dataset"`
	Path      string            `yaml:"path"`
	Format    string            `yaml:"format"`
	Columns   map[string]string `yaml:"columns"`
	Constants map[string]string `yaml:"constants"`
	CSV       CSVOptions        `yaml:"csv"`
	// DoneMarker, when set (e.g. ".done"), loads a file only once FILE+DoneMarker exists.
	DoneMarker string `yaml:"done_marker"`
	// Line is where the source is declared in the config file.
	Line int `yaml:"-"`
}

// CSVOptions tune the CSV reader; zero values mean auto-detect.
type CSVOptions struct {
	Delimiter string `yaml:"delimiter"`
	Quote     string `yaml:"quote"`
	Header    *bool  `yaml:"header"`
	Encoding  string `yaml:"encoding"` // utf-8 (default, BOM allowed) | gb18030 | gbk
}

// Channels holds user classification rules, evaluated before the defaults.
type Channels struct {
	Rules []channel.Rule `yaml:"rules"`
}

// Identity configures stitching.
type Identity struct {
	// MaxComponentSize caps the identifiers of one person; larger components are split and reported.
	MaxComponentSize int `yaml:"max_component_size"`
	// Block lists identifier values never used for stitching (shared tablets, placeholder phones).
	Block []string `yaml:"block"`
}

// Attribution configures paths and models.
type Attribution struct {
	LookbackDays   float64            `yaml:"lookback_days"`
	LookbackByType map[string]float64 `yaml:"lookback_days_by_type"`
	Models         []string           `yaml:"models"`
	HalfLifeDays   float64            `yaml:"half_life_days"`
	PositionFirst  *float64           `yaml:"position_first"`
	PositionLast   *float64           `yaml:"position_last"`
	MarkovOrder    int                `yaml:"markov_order"`
	DirectChannel  string             `yaml:"direct_channel"`
	// PathTransforms are applied in order to the paths the data-driven models (markov,
	// shapley, fractribution) see: unique, exposure, first, frequency, remove_if_not_all(X),
	// remove_if_last_and_not_all(X), trim_long(N). Rule-based models see the raw touches.
	PathTransforms []string `yaml:"path_transforms"`
	// ConversionWindowStart and ConversionWindowEnd (YYYY-MM-DD, both inclusive, in the
	// configured time zone) restrict attribution to conversions dated within them; touches
	// before the start still count within the lookback. Empty means unbounded.
	ConversionWindowStart string `yaml:"conversion_window_start"`
	ConversionWindowEnd   string `yaml:"conversion_window_end"`
	// UnattributedChannel is the channel credited with conversions that have no touch in
	// their window (default "(unattributed)").
	UnattributedChannel string `yaml:"unattributed_channel"`
}

// Evaluation configures the evaluation tables.
type Evaluation struct {
	Period           string   `yaml:"period"` // day | week | month
	AcquisitionType  string   `yaml:"acquisition_type"`
	AcquisitionModel string   `yaml:"acquisition_model"`
	LTVMonths        int      `yaml:"ltv_months"`
	RetentionTarget  *float64 `yaml:"retention_target"`
	ChurnDays        int      `yaml:"churn_days"`
	ActiveDays       int      `yaml:"active_days"`
	ActivationDays   int      `yaml:"activation_days"`
	// RetentionMonths is when "retained" is measured: active RetentionMonths
	// after the acquisition conversion (default 12).
	RetentionMonths int      `yaml:"retention_months"`
	BudgetMinFactor *float64 `yaml:"budget_min_factor"`
	BudgetMaxFactor *float64 `yaml:"budget_max_factor"`
	// TruthFile is a CSV of known true channel shares (conversion_type, channel,
	// true_share), as the demo writes; when set, model_accuracy scores every model.
	TruthFile string `yaml:"truth_file"`
	// IncrementalTruthFile is a CSV of known counterfactual effects
	// (conversion_type, channel, true_incremental_conversions, true_share): what
	// each channel adds over a world without it, as the demo writes; when set,
	// model_accuracy also scores every model, and the media mix model, against it.
	IncrementalTruthFile string `yaml:"incremental_truth_file"`
}

// Incrementality configures the media mix model.
type Incrementality struct {
	// Enabled switches the model off when false (default true).
	Enabled *bool `yaml:"enabled"`
	// Grain is day, week or auto (default auto: day when spend is daily).
	Grain string `yaml:"grain"`
	// MinHistoryWeeks is the spend history a fit needs (default 52).
	MinHistoryWeeks int `yaml:"min_history_weeks"`
	// Seed makes the bootstrap intervals reproducible (default 1).
	Seed *uint64 `yaml:"seed"`
	// Bootstrap is the number of bootstrap replicates behind each interval (default 200).
	Bootstrap int `yaml:"bootstrap"`
	// Holdouts is the number of rolling-origin holdout folds (default 3).
	Holdouts int `yaml:"holdouts"`
	// HoldoutWeeks is the length of each holdout fold (default 8 weeks).
	HoldoutWeeks int `yaml:"holdout_weeks"`
	// BudgetWeeks is the recent period whose spend the budget recommendations
	// move (default 13 weeks, a quarter).
	BudgetWeeks int `yaml:"budget_weeks"`
	// Holidays are baseline regressors: each named period is one indicator.
	Holidays []Holiday `yaml:"holidays"`
}

// Holiday is a named date range (inclusive, YYYY-MM-DD) that moves the baseline,
// such as Spring Festival or Golden Week; list one entry per year.
type Holiday struct {
	Name  string `yaml:"name"`
	Start string `yaml:"start"`
	End   string `yaml:"end"`
}

// IncrementalityOn reports whether the media mix model runs.
func (c *Config) IncrementalityOn() bool {
	return c.Incrementality.Enabled == nil || *c.Incrementality.Enabled
}

// Job is a named, scheduled pipeline run.
type Job struct {
	Name     string   `yaml:"name"`
	Schedule string   `yaml:"schedule"`
	Steps    []string `yaml:"steps"`
	Timeout  Duration `yaml:"timeout"`
	Retries  int      `yaml:"retries"`
	// RetryBackoff is the wait before the first retry; it doubles for every
	// further retry, up to 10 minutes (default 30s).
	RetryBackoff Duration `yaml:"retry_backoff"`
	Line         int      `yaml:"-"`
}

// Export writes snapshots of chosen result tables into a folder after every
// successful run of a job with the export step, so other tools can read them
// without the warehouse lock. Each file is written under a temporary name and
// renamed into place.
type Export struct {
	// Dir is the folder (relative to the config file); default "export".
	Dir string `yaml:"dir"`
	// Tables are the tables to snapshot, e.g. [channel_performance, channel_roi].
	Tables []string `yaml:"tables"`
	// Formats are parquet and/or csv (default both).
	Formats []string `yaml:"formats"`
}

// Serve configures the long-running process.
type Serve struct {
	HTTP     string `yaml:"http"`
	Postgres string `yaml:"postgres"`
	Users    []User `yaml:"users"`
	// Anonymous lets clients on the loopback interface in without a password
	// (HTTP and PostgreSQL); clients from other addresses still need one.
	Anonymous bool `yaml:"anonymous"`
	// TLSCert and TLSKey (PEM files) enable TLS on the PostgreSQL endpoint.
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// StatementTimeout cancels a person's statement after this long (default 60s).
	StatementTimeout Duration `yaml:"statement_timeout"`
	// MaxRows caps the rows one statement returns (default 1,000,000).
	MaxRows int `yaml:"max_rows"`
	// MemoryLimit is DuckDB's memory limit for people's read-only instance (default 2GB).
	MemoryLimit string `yaml:"memory_limit"`
	// Refresh is how often the read-only snapshot is checked for a newer finished run (default 30s).
	Refresh Duration `yaml:"refresh"`
	// MaxResultBytes caps a JSON result of the HTTP API; a larger one is
	// refused with 413 (default 64 MiB). CSV and Arrow results stream.
	MaxResultBytes int64 `yaml:"max_result_bytes"`
	// MaxStatementMemory caps the resident memory of the process a person's
	// statement runs in (bytes; default 4 GiB): past it the statement is
	// stopped. DuckDB's memory_limit does not cover everything a statement
	// can allocate (constant folding, long strings).
	MaxStatementMemory int64 `yaml:"max_statement_memory"`
	// MaxStatements is how many people's statements run at once (default
	// 4); more wait for a free slot within their statement timeout.
	MaxStatements int `yaml:"max_statements"`
	// ReadHeaderTimeout and ReadTimeout bound how long an HTTP client may
	// take to send its headers and its whole request (defaults 10s, 60s).
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	ReadTimeout       Duration `yaml:"read_timeout"`
	// StartupTimeout bounds a PostgreSQL client's TLS, startup and
	// authentication (default 10s).
	StartupTimeout Duration `yaml:"startup_timeout"`
	// IdleTimeout closes an HTTP keep-alive connection or a PostgreSQL
	// session that sends nothing for this long (default 15m).
	IdleTimeout Duration `yaml:"idle_timeout"`
	// MaxConnections caps open connections per endpoint (default 256), and
	// MaxConnectionsPerClient those from one client address (default 64).
	MaxConnections          int `yaml:"max_connections"`
	MaxConnectionsPerClient int `yaml:"max_connections_per_client"`
	// AllowedHosts are the Host header values accepted from anonymous
	// clients (default: localhost, 127.0.0.1, [::1] and serve.http's host),
	// against DNS rebinding.
	AllowedHosts []string `yaml:"allowed_hosts"`
}

// User may read the warehouse over HTTP or the PostgreSQL protocol.
type User struct {
	Name     string `yaml:"name"`
	Password string `yaml:"password"`
	// Token authenticates HTTP API calls (Authorization: Bearer TOKEN).
	Token string `yaml:"token"`
}

// Duration is a time.Duration written as "90s", "2h".
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("invalid duration %q (use e.g. 90s, 15m, 2h)", string(b))
	}
	d.Duration = v
	return nil
}

// Resolve makes p absolute relative to the config file's folder.
func (c *Config) Resolve(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// WarehousePath is the absolute path of the DuckDB file.
func (c *Config) WarehousePath() string { return c.Resolve(c.Warehouse.Path) }

// Lookback is the lookback window for a conversion type.
func (c *Config) Lookback(conversionType string) time.Duration {
	days := c.Attribution.LookbackDays
	if d, ok := c.Attribution.LookbackByType[conversionType]; ok {
		days = d
	}
	return time.Duration(days * 24 * float64(time.Hour))
}
