package jobs

import (
	"context"
	"testing"
)

// TestEvalCurrencyConversion: Paid Search spend of EUR 200 on 2025-01-01 (rate 1.1) is USD 220; the
// account opened on 2025-01-05 for EUR 100 (rate 1.2) is USD 120 and goes to Paid Search under
// last_non_direct (path Paid Search > Direct). January 2025: cac 220/1 = 220, roas 120/220 = 0.545455,
// roi (120 - 220)/220 = -0.454545; ltv of the one acquired person 120, ltv_to_cac 120/220.
func TestEvalCurrencyConversion(t *testing.T) {
	t.Parallel()
	cfg, w := openTestdata(t, "testdata/eval_fx")
	ctx := context.Background()
	runOnce(t, cfg, w)
	var spend, revenue, cac, roas, roi, ltv, ltvToCAC float64
	err := w.DB().QueryRowContext(ctx, `SELECT spend::DOUBLE, revenue::DOUBLE, cac, roas, roi, ltv, ltv_to_cac FROM channel_roi
		WHERE period_start = DATE '2025-01-01' AND channel = 'Paid Search' AND conversion_type = 'account_opened'
		  AND model = 'last_non_direct'`).Scan(&spend, &revenue, &cac, &roas, &roi, &ltv, &ltvToCAC)
	if err != nil {
		t.Fatal(err)
	}
	if !near(spend, 220) || !near(revenue, 120) || !near(cac, 220) || !near(roas, 120.0/220) || !near(roi, -100.0/220) ||
		!near(ltv, 120) || !near(ltvToCAC, 120.0/220) {
		t.Fatalf("spend %v revenue %v cac %v roas %v roi %v ltv %v ltv_to_cac %v; want 220, 120, 220, 0.545455, -0.454545, 120, 0.545455",
			spend, revenue, cac, roas, roi, ltv, ltvToCAC)
	}
	var bspend float64
	if err := w.DB().QueryRowContext(ctx, `SELECT spend::DOUBLE FROM budget_recommendations WHERE channel = 'Paid Search'`).Scan(&bspend); err != nil {
		t.Fatal(err)
	}
	if !near(bspend, 220) {
		t.Fatalf("budget spend %v, want 220", bspend)
	}
}
