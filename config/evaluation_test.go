package config

import (
	"strings"
	"testing"
)

const evalBase = "warehouse: {path: a.duckdb}\ntimezone: UTC\ncurrency: USD\npii: {key: k}\n"

// TestEvaluationDefaults: a config without an evaluation section gets the retail-bank defaults of DESIGN.md.
func TestEvaluationDefaults(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(evalBase), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := c.Evaluation
	if e.Period != "month" || e.AcquisitionType != "account_opened" || e.AcquisitionModel != "last_non_direct" ||
		e.LTVMonths != 12 || e.RetentionMonths != 12 || *e.RetentionTarget != 0.7 || e.ChurnDays != 90 ||
		e.ActiveDays != 30 || e.ActivationDays != 30 || *e.BudgetMinFactor != 0.7 || *e.BudgetMaxFactor != 1.3 {
		t.Fatalf("defaults: %+v", e)
	}
}

// TestEvaluationValidation: each bad value is reported with its key.
func TestEvaluationValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yaml, want string }{
		{"evaluation: {period: quarter}", "evaluation.period"},
		{"evaluation: {acquisition_model: nonsense}", "evaluation.acquisition_model"},
		{"evaluation: {retention_target: 70}", "evaluation.retention_target"},
		{"evaluation: {budget_min_factor: 1.2}", "evaluation.budget_min_factor"},
		{"evaluation: {budget_max_factor: 0.9}", "budget_max_factor"},
		{"evaluation: {churn_days: -1}", "churn_days"},
		{"evaluation: {retention_months: -12}", "retention_months"},
		{"evaluation: {retention_month: 12}", "retention_month"},
	} {
		_, err := Parse([]byte(evalBase+tc.yaml+"\n"), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s", tc.yaml, err, tc.want)
		}
	}
	c, err := Parse([]byte(evalBase+"evaluation: {period: week, retention_months: 6, budget_min_factor: 0.5, budget_max_factor: 2}\n"), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if c.Evaluation.Period != "week" || c.Evaluation.RetentionMonths != 6 || *c.Evaluation.BudgetMinFactor != 0.5 {
		t.Fatalf("%+v", c.Evaluation)
	}
}
