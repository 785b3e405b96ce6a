package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Find returns the config file to use: explicit, else $ATTRIB_CONFIG, else ./attrib.yaml.
func Find(explicit string) string {
	if explicit != "" {
		return explicit
	}
	if env := os.Getenv(EnvConfig); env != "" {
		return env
	}
	return DefaultFile
}

// Load reads, expands, decodes, defaults and validates a config file.
func Load(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	raw, err := os.ReadFile(abs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config: %s does not exist (create one with `attrib init`, or pass --config)", path)
		}
		return nil, fmt.Errorf("config: read %s: %w", path, err)
	}
	cfg, err := Parse(raw, filepath.Dir(abs))
	if err != nil {
		return nil, fmt.Errorf("config: %s: %w", path, err)
	}
	cfg.File = abs
	return cfg, nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expandEnv replaces ${VAR} with the environment's value; an unset variable
// is an error naming its line. Comments are left alone. An unset variable in
// the top-level serve section is not an error here: only commands that serve
// need it, so it is left as written and returned in serveMissing (see
// Config.ServeEnv).
func expandEnv(raw []byte) (out []byte, serveMissing []string, err error) {
	lines := bytes.Split(raw, []byte("\n"))
	var errs []string
	inServe := false
	for i, ln := range lines {
		if topLevelKey(ln) {
			inServe = bytes.HasPrefix(ln, []byte("serve:"))
		}
		cut := commentStart(ln)
		body := envRef.ReplaceAllFunc(ln[:cut], func(m []byte) []byte {
			name := string(envRef.FindSubmatch(m)[1])
			v, ok := os.LookupEnv(name)
			switch {
			case ok:
				return []byte(v)
			case inServe:
				serveMissing = append(serveMissing, fmt.Sprintf("line %d: environment variable %s is not set (attrib serve needs it)", i+1, name))
				return m
			default:
				errs = append(errs, fmt.Sprintf("line %d: environment variable %s is not set", i+1, name))
				return nil
			}
		})
		lines[i] = append(body, ln[cut:]...)
	}
	if len(errs) > 0 {
		return nil, nil, errors.New(strings.Join(errs, "; "))
	}
	return bytes.Join(lines, []byte("\n")), serveMissing, nil
}

// topLevelKey reports whether the line starts a top-level mapping key (not
// indented, not a comment, not a list item, not a document marker).
func topLevelKey(ln []byte) bool {
	if len(ln) == 0 {
		return false
	}
	switch ln[0] {
	case ' ', '\t', '#', '-', '\r':
		return false
	}
	return true
}

// ServeEnv reports the environment variables the serve section refers to
// that are not set. Commands that serve call it before serving; every other
// command ignores the serve section's variables.
func (c *Config) ServeEnv() error {
	if len(c.serveEnvMissing) == 0 {
		return nil
	}
	where := ""
	if c.File != "" {
		where = c.File + ": "
	}
	return fmt.Errorf("config: %s%s", where, strings.Join(c.serveEnvMissing, "; "))
}

// commentStart is the index where a YAML comment starts on the line (or its
// length): a # at the start or after a blank, outside quotes.
func commentStart(ln []byte) int {
	var quote byte
	for i, c := range ln {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '#' && (i == 0 || ln[i-1] == ' ' || ln[i-1] == '\t'):
			return i
		}
	}
	return len(ln)
}

var yamlLine = regexp.MustCompile(`line (\d+): field (\S+) not found in type (\S+)`)

// Parse decodes config text; dir is the folder relative paths are resolved against.
func Parse(raw []byte, dir string) (*Config, error) {
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	expanded, serveMissing, err := expandEnv(raw)
	if err != nil {
		return nil, err
	}
	cfg := &Config{Dir: dir, serveEnvMissing: serveMissing}
	dec := yaml.NewDecoder(bytes.NewReader(expanded))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n  ")
		msg = strings.ReplaceAll(msg, "\n  ", "; ")
		msg = yamlLine.ReplaceAllString(msg, "line $1: unknown key \"$2\"")
		msg = strings.TrimPrefix(msg, "yaml: ")
		msg = explainTypeErrors(msg, expanded)
		return nil, errors.New(msg)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(expanded, &doc); err == nil {
		recordLines(&doc, cfg)
	}
	cfg.applyDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// recordLines remembers where each source and job is declared, for error messages.
func recordLines(doc *yaml.Node, cfg *Config) {
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, val := m.Content[i].Value, m.Content[i+1]
		if val.Kind != yaml.SequenceNode {
			continue
		}
		for j, item := range val.Content {
			switch {
			case key == "sources" && j < len(cfg.Sources):
				cfg.Sources[j].Line = item.Line
			case key == "jobs" && j < len(cfg.Jobs):
				cfg.Jobs[j].Line = item.Line
			}
		}
	}
}

// applyDefaults fills every unset setting with its default, section by
// section.
func (c *Config) applyDefaults() {
	c.applyGeneralDefaults()
	c.Attribution.applyDefaults()
	if c.Identity.MaxComponentSize == 0 {
		c.Identity.MaxComponentSize = 1000
	}
	c.Evaluation.applyDefaults()
	c.Incrementality.applyDefaults()
	c.applyRunDefaults()
}

// applyGeneralDefaults fills the warehouse path, time zone, currency, PII
// key and ingest defaults.
func (c *Config) applyGeneralDefaults() {
	if c.Warehouse.Path == "" {
		c.Warehouse.Path = "attrib.duckdb"
	}
	if c.Timezone == "" {
		c.Timezone = "UTC"
	}
	if c.Currency == "" {
		c.Currency = "USD"
	}
	if c.PII.Key == "" {
		c.PII.Key = os.Getenv(EnvPIIKey)
	}
	if c.Ingest.RejectThreshold == nil {
		c.Ingest.RejectThreshold = new(0.05)
	}
	if c.Ingest.FutureTolerance.Duration == 0 {
		c.Ingest.FutureTolerance.Duration = 24 * time.Hour
	}
}

// applyDefaults fills the attribution section's defaults.
func (a *Attribution) applyDefaults() {
	if a.LookbackDays == 0 {
		a.LookbackDays = 30
	}
	if len(a.Models) == 0 {
		a.Models = slices.Clone(Models)
	}
	if a.HalfLifeDays == 0 {
		a.HalfLifeDays = 7
	}
	if a.PositionFirst == nil {
		a.PositionFirst = new(0.4)
	}
	if a.PositionLast == nil {
		a.PositionLast = new(0.4)
	}
	if a.MarkovOrder == 0 {
		a.MarkovOrder = 1
	}
	if a.DirectChannel == "" {
		a.DirectChannel = "Direct"
	}
	if a.UnattributedChannel == "" {
		a.UnattributedChannel = "(unattributed)"
	}
}

// applyDefaults fills the evaluation section's defaults.
func (e *Evaluation) applyDefaults() {
	if e.Period == "" {
		e.Period = "month"
	}
	if e.AcquisitionType == "" {
		e.AcquisitionType = "account_opened"
	}
	if e.AcquisitionModel == "" {
		e.AcquisitionModel = "last_non_direct"
	}
	if e.LTVMonths == 0 {
		e.LTVMonths = 12
	}
	if e.RetentionTarget == nil {
		e.RetentionTarget = new(0.70)
	}
	if e.ChurnDays == 0 {
		e.ChurnDays = 90
	}
	if e.ActiveDays == 0 {
		e.ActiveDays = 30
	}
	if e.ActivationDays == 0 {
		e.ActivationDays = 30
	}
	if e.BudgetMinFactor == nil {
		e.BudgetMinFactor = new(0.7)
	}
	if e.BudgetMaxFactor == nil {
		e.BudgetMaxFactor = new(1.3)
	}
	if e.RetentionMonths == 0 {
		e.RetentionMonths = 12
	}
}

// applyDefaults fills the incrementality section's defaults.
func (inc *Incrementality) applyDefaults() {
	if inc.Grain == "" {
		inc.Grain = "auto"
	}
	if inc.MinHistoryWeeks == 0 {
		inc.MinHistoryWeeks = 52
	}
	if inc.Seed == nil {
		inc.Seed = new(uint64(1))
	}
	if inc.Bootstrap == 0 {
		inc.Bootstrap = 200
	}
	if inc.Holdouts == 0 {
		inc.Holdouts = 3
	}
	if inc.HoldoutWeeks == 0 {
		inc.HoldoutWeeks = 8
	}
	if inc.BudgetWeeks == 0 {
		inc.BudgetWeeks = 13
	}
}

// applyRunDefaults fills the jobs', export's and serve's defaults.
func (c *Config) applyRunDefaults() {
	for i := range c.Jobs {
		if len(c.Jobs[i].Steps) == 0 {
			c.Jobs[i].Steps = []string{"ingest", "transform", "evaluate"}
		}
		if c.Jobs[i].RetryBackoff.Duration == 0 {
			c.Jobs[i].RetryBackoff.Duration = 30 * time.Second
		}
	}
	if c.Export.Dir == "" {
		c.Export.Dir = "export"
	}
	if len(c.Export.Formats) == 0 {
		c.Export.Formats = []string{"parquet", "csv"}
	}
	if c.Serve.HTTP == "" {
		c.Serve.HTTP = "127.0.0.1:8080"
	}
	if c.Serve.Postgres == "" {
		c.Serve.Postgres = "127.0.0.1:5433"
	}
}

var yamlType = regexp.MustCompile("line (\\d+): cannot unmarshal !!(\\w+)(?: `([^`]*)`)? into (\\S+)")

// explainTypeErrors rewrites yaml.v3's "line 3: cannot unmarshal !!seq into
// config.Channels" as "line 3: channels: expected a mapping of settings, got
// a list", naming the key from the document.
func explainTypeErrors(msg string, text []byte) string {
	var doc yaml.Node
	_ = yaml.Unmarshal(text, &doc)
	return yamlType.ReplaceAllStringFunc(msg, func(m string) string {
		p := yamlType.FindStringSubmatch(m)
		line, _ := strconv.Atoi(p[1])
		got := tagWords(p[2])
		if p[3] != "" {
			got += " (" + strconv.Quote(p[3]) + ")"
		}
		key := keyAt(&doc, line, p[2], "")
		if key != "" {
			key += ": "
		}
		return fmt.Sprintf("line %d: %sexpected %s, got %s", line, key, goTypeWords(p[4]), got)
	})
}

func tagWords(tag string) string {
	switch tag {
	case "seq":
		return "a list"
	case "map":
		return "a mapping (key: value lines)"
	case "str":
		return "text"
	case "int", "float":
		return "a number"
	case "bool":
		return "true or false"
	case "null":
		return "nothing"
	}
	return tag
}

func goTypeWords(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping (key: value lines)"
	case t == "string":
		return "text"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"), strings.HasPrefix(t, "float"), strings.HasPrefix(t, "*float"):
		return "a number"
	case t == "config.Channels":
		return "a mapping with rules: (a list of rules)"
	case strings.Contains(t, "."):
		return "a mapping of settings"
	}
	return t
}

// keyAt is the dotted path (e.g. "channels", "sources[2].columns") of the
// deepest value of the given YAML tag on the line, or "".
func keyAt(n *yaml.Node, line int, tag, path string) string {
	best := ""
	visit := func(child *yaml.Node, p string) {
		if child.Line == line && child.ShortTag() == "!!"+tag {
			best = p
		}
		if d := keyAt(child, line, tag, p); d != "" {
			best = d
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			visit(c, path)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := n.Content[i].Value
			if path != "" {
				p = path + "." + p
			}
			visit(n.Content[i+1], p)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			visit(c, fmt.Sprintf("%s[%d]", path, i))
		}
	}
	return best
}
